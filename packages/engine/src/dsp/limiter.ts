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
    const window = this.#window;
    const ceiling = this.#ceiling;
    const release = this.#release;
    const tp = this.#tp;
    const dqIndex = this.#dqIndex;
    const dqValue = this.#dqValue;
    const box = this.#box;
    const delayLength = this.#delayLength;
    let dqHead = this.#dqHead;
    let dqTail = this.#dqTail;
    let held = this.#held;
    let boxPos = this.#boxPos;
    let boxSum = this.#boxSum;
    let prevPeak = this.#prevPeak;
    let delayPos = this.#delayPos;
    let gain = this.#gain;
    let minGain = 1;
    let count = this.#n;
    for (let i = 0; i < n; i++) {
      let peak: number;
      // Only whether a peak exceeds the ceiling (and by how much) matters: quiet windows skip the interpolator.
      if (tp) peak = tp.pushGated(frames, i, ceiling);
      else {
        peak = 0;
        for (let c = 0; c < channels; c++) peak = Math.max(peak, Math.abs(frames[c]![i]!));
      }
      // An interval's peak constrains the samples at both of its ends.
      const local = peak > prevPeak ? peak : prevPeak;
      prevPeak = peak;
      const required = local > ceiling ? ceiling / local : 1;

      // Sliding minimum of `required` over the last `window` samples.
      const idx = count++;
      while (dqTail !== dqHead) {
        const last = dqTail === 0 ? cap - 1 : dqTail - 1;
        if (dqValue[last]! >= required) dqTail = last;
        else break;
      }
      dqIndex[dqTail] = idx;
      dqValue[dqTail] = required;
      dqTail = dqTail + 1 === cap ? 0 : dqTail + 1;
      while (dqIndex[dqHead]! <= idx - window) dqHead = dqHead + 1 === cap ? 0 : dqHead + 1;
      const min = dqValue[dqHead]!;

      // Release: recovery is slowed, reduction follows at once (lower gain is always safe).
      held = min < held ? min : min + release * (held - min);

      boxSum += held - box[boxPos]!;
      box[boxPos] = held;
      boxPos = boxPos + 1 === window ? 0 : boxPos + 1;
      gain = Math.min(1, boxSum / window);
      if (gain < minGain) minGain = gain;

      const dp = delayPos;
      const out = dp + 1 === delayLength ? 0 : dp + 1;
      for (let c = 0; c < channels; c++) {
        const line = this.#delay[c]!;
        const ch = frames[c]!;
        line[dp] = ch[i]!;
        ch[i] = line[out]! * gain;
      }
      delayPos = out;
    }
    this.#dqHead = dqHead;
    this.#dqTail = dqTail;
    this.#held = held;
    this.#boxPos = boxPos;
    this.#boxSum = boxSum;
    this.#prevPeak = prevPeak;
    this.#delayPos = delayPos;
    this.#gain = gain;
    this.#n = count;
    if (minGain < 1) this.#gr.note(-gainToDb(minGain));
    // Re-sum the box now and then so rounding never accumulates.
    if (this.#n % 65536 < n) {
      let s = 0;
      for (const v of box) s += v;
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
