import type { LimiterParams } from "@grimnir/core";
import { dbToGain, gainToDb } from "../fade-curve.js";
import {
  GainReductionTracker,
  timeCoeff,
  type DspNodeReading,
  type EngineDspNode,
} from "./node.js";
import { TruePeakEstimator } from "./true-peak.js";

/**
 * Safety margin under the ceiling in true-peak mode, dB: covers the
 * estimator's short interpolator and the gain changing between samples.
 */
const TRUE_PEAK_MARGIN_DB = 0.15;
/**
 * Interpolator taps per phase of the true-peak detector: the same 4×, 32-tap
 * Kaiser interpolator as {@link measureTruePeakDb} and `@grimnir/library`'s
 * analysis (which tracks ffmpeg's ebur128 within 0.1 dB).
 */
const TRUE_PEAK_TAPS = 32;

/**
 * Look-ahead brick-wall limiter. The required gain of every sample (ceiling ÷
 * its peak, with inter-sample peaks from a 4× oversampled estimate when
 * `true_peak`) goes through a sliding minimum over the look-ahead window, a
 * release one-pole that only slows recovery, and a moving average over the same
 * window. Because every value averaged for a sample already includes that
 * sample's requirement, the gain on the delayed audio never exceeds it: the
 * attack is a smooth ramp of exactly the look-ahead, never a step.
 * Latency: look-ahead (at least one sample) plus 16 samples in true-peak mode.
 *
 * The true-peak guarantee holds for the 4× oversampled meter of
 * {@link measureTruePeakDb}. On signals that are not band-limited (a naive
 * square wave) the inter-sample peak depends on the reconstruction filter and
 * grows with its length, so a meter with a much longer interpolator can read a
 * few tenths of a dB more.
 */
export class Limiter implements EngineDspNode {
  /** Frames of delay this limiter adds. */
  readonly latencyFrames: number;
  readonly #ceiling: number;
  readonly #window: number;
  readonly #release: number;
  readonly #tp: TruePeakEstimator | undefined;
  readonly #delay: Float32Array[];
  readonly #delayLength: number;
  #delayPos = 0;
  // Sliding minimum: monotonic deque of (index, value) in rings of `window + 1`.
  readonly #dqIndex: Float64Array;
  readonly #dqValue: Float64Array;
  #dqHead = 0;
  #dqTail = 0;
  #n = 0;
  #held = 1;
  readonly #box: Float64Array;
  #boxPos = 0;
  #boxSum: number;
  #prevPeak = 0;
  #gain = 1;
  readonly #gr = new GainReductionTracker();

  /** A limiter for `channels` channels at `sampleRate` Hz. */
  constructor(params: LimiterParams, sampleRate: number, channels: number) {
    this.#ceiling = dbToGain(params.threshold_db - (params.true_peak ? TRUE_PEAK_MARGIN_DB : 0));
    this.#window = Math.max(1, Math.round((params.lookahead_ms * sampleRate) / 1000));
    this.#release = timeCoeff(params.release_ms, sampleRate);
    this.#tp = params.true_peak ? new TruePeakEstimator(channels, 4, TRUE_PEAK_TAPS) : undefined;
    // The audio waits for the detector (estimator latency) and the look-ahead ramp (window − 1).
    this.latencyFrames = this.#window - 1 + (this.#tp?.latencyFrames ?? 0);
    this.#delayLength = this.latencyFrames + 1;
    this.#delay = [];
    for (let c = 0; c < channels; c++) this.#delay.push(new Float32Array(this.#delayLength));
    this.#dqIndex = new Float64Array(this.#window + 1);
    this.#dqValue = new Float64Array(this.#window + 1);
    this.#box = new Float64Array(this.#window).fill(1);
    this.#boxSum = this.#window;
  }

  /** Limit `frames` in place. */
  process(frames: Float32Array[]): void {
    const n = frames[0]!.length;
    const channels = frames.length;
    const cap = this.#window + 1;
    for (let i = 0; i < n; i++) {
      let peak: number;
      if (this.#tp) peak = this.#tp.push(frames, i);
      else {
        peak = 0;
        for (let c = 0; c < channels; c++) peak = Math.max(peak, Math.abs(frames[c]![i]!));
      }
      // An interval's peak constrains the samples at both of its ends.
      const local = Math.max(peak, this.#prevPeak);
      this.#prevPeak = peak;
      const required = local > this.#ceiling ? this.#ceiling / local : 1;

      // Sliding minimum of `required` over the last `window` samples.
      const idx = this.#n++;
      while (this.#dqTail !== this.#dqHead) {
        const last = (this.#dqTail + cap - 1) % cap;
        if (this.#dqValue[last]! >= required) this.#dqTail = last;
        else break;
      }
      this.#dqIndex[this.#dqTail] = idx;
      this.#dqValue[this.#dqTail] = required;
      this.#dqTail = (this.#dqTail + 1) % cap;
      while (this.#dqIndex[this.#dqHead]! <= idx - this.#window)
        this.#dqHead = (this.#dqHead + 1) % cap;
      const min = this.#dqValue[this.#dqHead]!;

      // Release: recovery is slowed, reduction follows at once (lower gain is always safe).
      this.#held = min < this.#held ? min : min + this.#release * (this.#held - min);

      this.#boxSum += this.#held - this.#box[this.#boxPos]!;
      this.#box[this.#boxPos] = this.#held;
      this.#boxPos = this.#boxPos + 1 === this.#window ? 0 : this.#boxPos + 1;
      const gain = Math.min(1, this.#boxSum / this.#window);
      this.#gain = gain;
      if (gain < 1) this.#gr.note(-gainToDb(gain));

      const dp = this.#delayPos;
      const out = (dp + 1) % this.#delayLength;
      for (let c = 0; c < channels; c++) {
        const line = this.#delay[c]!;
        line[dp] = frames[c]![i]!;
        frames[c]![i] = line[out]! * gain;
      }
      this.#delayPos = out;
    }
    // Re-sum the box now and then so rounding never accumulates.
    if (this.#n % 65536 < n) {
      let s = 0;
      for (const v of this.#box) s += v;
      this.#boxSum = s;
    }
  }

  /** Current gain as a reduction, dB (positive). */
  get gainReductionDb(): number {
    return -gainToDb(this.#gain);
  }

  /** Largest gain reduction since the last read. */
  read(): DspNodeReading {
    return { gainReductionDb: this.#gr.take() };
  }
}
