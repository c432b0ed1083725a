import type { LoudnessNormalizeParams } from "@grimnir/core";
import { kWeighting } from "../mixer/meters.js";
import { BiquadCascade } from "./biquad.js";
import { Limiter } from "./limiter.js";
import type { DspNodeReading, EngineDspNode } from "./node.js";

/** Short-term loudness window (EBU R128), 100 ms blocks. */
const SHORT_TERM_BLOCKS = 30;
/** Absolute gate, LUFS: blocks below it (silence) never move the gain. */
const ABSOLUTE_GATE_LUFS = -70;
/** Relative gate: short-term loudness more than this under the target holds the gain, LU. */
const RELATIVE_GATE_LU = 20;
/** Time constant of the gain rider, s: slow, so it follows programme loudness, not dynamics. */
const RIDER_SECONDS = 3;
/** Gain range of the rider, dB. */
const MAX_GAIN_DB = 15;

/**
 * EBU R128 loudness normaliser: a slow gain rider (3 s time constant, ±15 dB)
 * that moves the short-term loudness (3 s, BS.1770 K-weighting, measured on
 * the input every 100 ms) towards `target_lufs`, holding its gain while the
 * programme is silent (< −70 LUFS) or more than 20 LU under the target; then a
 * true-peak limiter (5 ms look-ahead, 4× oversampled) keeps the result under
 * `true_peak_limit` dBTP. The gain is interpolated across each 100 ms block.
 */
export class LoudnessNormalizer implements EngineDspNode {
  /** Frames of delay (the true-peak limiter's look-ahead). */
  readonly latencyFrames: number;
  readonly #target: number;
  readonly #weighting: BiquadCascade;
  readonly #limiter: Limiter;
  readonly #blockFrames: number;
  readonly #rider: number;
  #weighted: Float32Array[] = [];
  #weightedViews: Float32Array[] = [];
  #viewLength = -1;
  #energy = 0;
  #fill = 0;
  readonly #blocks: number[] = [];
  #gainDb = 0;
  #fromDb = 0;

  /** A normaliser at 0 dB gain. */
  constructor(params: LoudnessNormalizeParams, sampleRate: number, channels: number) {
    this.#target = params.target_lufs;
    this.#weighting = new BiquadCascade(kWeighting(sampleRate), channels);
    this.#limiter = new Limiter(
      { threshold_db: params.true_peak_limit, lookahead_ms: 5, release_ms: 100, true_peak: true },
      sampleRate,
      channels,
    );
    this.latencyFrames = this.#limiter.latencyFrames;
    this.#blockFrames = Math.round(sampleRate / 10);
    this.#rider = Math.exp(-0.1 / RIDER_SECONDS);
  }

  /** Normalise `frames` in place. */
  process(frames: Float32Array[]): void {
    const n = frames[0]!.length;
    const channels = frames.length;
    if (this.#weighted.length !== channels || this.#weighted[0]!.length < n) {
      this.#weighted = frames.map(() => new Float32Array(n));
      this.#viewLength = -1;
    }
    const weighted = this.#views(n);
    for (let c = 0; c < channels; c++) weighted[c]!.set(frames[c]!);
    this.#weighting.process(weighted);
    let i = 0;
    while (i < n) {
      // Up to the end of the current 100 ms block: the gain ramps from the previous block's gain to
      // the current one (geometric steps = linear in dB, so no zipper noise).
      const run = Math.min(n - i, this.#blockFrames - this.#fill);
      let energy = 0;
      for (let c = 0; c < channels; c++) {
        const w = weighted[c]!;
        for (let k = i; k < i + run; k++) energy += w[k]! * w[k]!;
      }
      this.#energy += energy;
      const stepDb = (this.#gainDb - this.#fromDb) / this.#blockFrames;
      const startDb = this.#fromDb + stepDb * this.#fill;
      const g0 = 10 ** (startDb / 20);
      if (stepDb === 0) {
        if (g0 !== 1) for (const ch of frames) for (let k = i; k < i + run; k++) ch[k]! *= g0;
      } else {
        const ratio = 10 ** (stepDb / 20);
        for (const ch of frames) {
          let g = g0;
          for (let k = i; k < i + run; k++) {
            ch[k]! *= g;
            g *= ratio;
          }
        }
      }
      this.#fill += run;
      i += run;
      if (this.#fill === this.#blockFrames) this.#endBlock();
    }
    this.#limiter.process(frames);
  }

  #views(n: number): Float32Array[] {
    if (this.#viewLength !== n) {
      this.#viewLength = n;
      this.#weightedViews = this.#weighted.map((w) => w.subarray(0, n));
    }
    return this.#weightedViews;
  }

  #endBlock(): void {
    this.#blocks.push(this.#energy / this.#blockFrames);
    if (this.#blocks.length > SHORT_TERM_BLOCKS) this.#blocks.shift();
    this.#energy = 0;
    this.#fill = 0;
    this.#fromDb = this.#gainDb;
    let sum = 0;
    for (const b of this.#blocks) sum += b;
    const mean = sum / this.#blocks.length;
    const shortTerm = mean > 0 ? -0.691 + 10 * Math.log10(mean) : -Infinity;
    if (shortTerm < ABSOLUTE_GATE_LUFS || shortTerm < this.#target - RELATIVE_GATE_LU) return;
    const want = Math.max(-MAX_GAIN_DB, Math.min(MAX_GAIN_DB, this.#target - shortTerm));
    this.#gainDb = want + this.#rider * (this.#gainDb - want);
  }

  /** Rider gain now (dB) and the true-peak limiter's largest reduction since the last read. */
  read(): DspNodeReading {
    return { gainDb: this.#gainDb, gainReductionDb: this.#limiter.read().gainReductionDb ?? 0 };
  }
}
