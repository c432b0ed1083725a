/**
 * Coefficients of a windowed-sinc (Kaiser β = 8) interpolator evaluating a
 * signal at `phase` (0 < phase < 1) of a sample past sample k from samples
 * k − taps/2 + 1 … k + taps/2, normalised to unit DC gain.
 */
function interpolator(phase: number, taps: number): Float64Array {
  const half = taps / 2;
  const i0 = (x: number): number => {
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 50; k++) {
      term *= (x / (2 * k)) * (x / (2 * k));
      sum += term;
      if (term < 1e-12 * sum) break;
    }
    return sum;
  };
  const h = new Float64Array(taps);
  let total = 0;
  for (let j = 0; j < taps; j++) {
    const m = j - half + 1;
    const t = phase - m;
    const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
    const r = t / (half + 0.5);
    const w = i0(8 * Math.sqrt(Math.max(0, 1 - r * r))) / i0(8);
    h[j] = sinc * w;
    total += h[j]!;
  }
  for (let j = 0; j < taps; j++) h[j]! /= total;
  return h;
}

/**
 * Streaming inter-sample peak estimator (ITU-R BS.1770-4 Annex 2 style, 4×
 * oversampling by default): for every input sample k it yields the largest
 * absolute value of the reconstructed signal on [k, k + 1), `latencyFrames`
 * samples late (the interpolator needs samples after k).
 */
export class TruePeakEstimator {
  /** Samples between an input sample and its estimate. */
  readonly latencyFrames: number;
  readonly #phases: Float64Array[];
  readonly #taps: number;
  readonly #history: Float64Array[];
  #pos = 0;

  /** `oversampling` ≥ 2 phases per sample, `taps` (even) per phase. */
  constructor(channels: number, oversampling = 4, taps = 16) {
    this.#taps = taps;
    this.latencyFrames = taps / 2;
    this.#phases = [];
    for (let p = 1; p < oversampling; p++) this.#phases.push(interpolator(p / oversampling, taps));
    // Ring of the last `taps` samples per channel, doubled so a window is always contiguous.
    this.#history = [];
    for (let c = 0; c < channels; c++) this.#history.push(new Float64Array(taps * 2));
  }

  /**
   * Push one sample per channel (`samples[c][i]`); returns the peak, over all
   * channels, of the interval starting `latencyFrames` samples earlier.
   */
  push(samples: Float32Array[], i: number): number {
    const taps = this.#taps;
    const pos = this.#pos;
    let peak = 0;
    for (let c = 0; c < this.#history.length; c++) {
      const h = this.#history[c]!;
      const v = samples[c]![i]!;
      h[pos] = v;
      h[pos + taps] = v;
      // Window = the last `taps` samples, oldest first: h[pos + 1 … pos + taps].
      const start = pos + 1;
      const centre = Math.abs(h[start + taps / 2 - 1]!);
      if (centre > peak) peak = centre;
      for (const ph of this.#phases) {
        let acc = 0;
        for (let j = 0; j < taps; j++) acc += ph[j]! * h[start + j]!;
        const a = Math.abs(acc);
        if (a > peak) peak = a;
      }
    }
    this.#pos = pos + 1 === taps ? 0 : pos + 1;
    return peak;
  }
}

/**
 * True peak of planar audio, dBTP (ITU-R BS.1770-4 Annex 2): the largest
 * absolute value of the signal oversampled `oversampling`× (4 by default)
 * with a Kaiser windowed-sinc of `taps` per phase (32 by default), or of the
 * samples themselves. For measurement (tests, benchmarks), not the audio path.
 */
export function measureTruePeakDb(frames: Float32Array[], oversampling = 4, taps = 32): number {
  const est = new TruePeakEstimator(frames.length, oversampling, taps);
  const n = frames[0]!.length;
  const padded = frames.map((ch) => {
    const p = new Float32Array(n + taps);
    p.set(ch);
    return p;
  });
  let peak = 0;
  for (let i = 0; i < n + taps; i++) peak = Math.max(peak, est.push(padded, i));
  return 20 * Math.log10(peak);
}
