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
  /** Every phase's taps back to back (phase-major), so the inner loop reads one array. */
  readonly #coeffs: Float64Array;
  readonly #phaseCount: number;
  readonly #taps: number;
  /** Largest sum of absolute taps over the phases: bounds the gain from samples to any interpolated value. */
  readonly #l1: number;
  readonly #history: Float64Array[];
  #pos = 0;
  /** Per-sample level under which a whole window cannot reach the gate level, see {@link TruePeakEstimator.pushGated}. */
  #quietBelow = 0;
  #gateLevel = -1;
  /** Samples since one reached `#quietBelow` (on any channel). */
  #sinceLoud: number;

  /** `oversampling` ≥ 2 phases per sample, `taps` (even) per phase. */
  constructor(channels: number, oversampling = 4, taps = 16) {
    this.#taps = taps;
    this.latencyFrames = taps / 2;
    this.#phaseCount = oversampling - 1;
    this.#coeffs = new Float64Array(this.#phaseCount * taps);
    let l1 = 1;
    for (let p = 1; p < oversampling; p++) {
      const h = interpolator(p / oversampling, taps);
      this.#coeffs.set(h, (p - 1) * taps);
      let sum = 0;
      for (const v of h) sum += Math.abs(v);
      l1 = Math.max(l1, sum);
    }
    this.#l1 = l1;
    this.#sinceLoud = taps;
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
    const coeffs = this.#coeffs;
    const phases = this.#phaseCount;
    const start = pos + 1;
    const centreAt = start + taps / 2 - 1;
    let peak = 0;
    let loud = false;
    for (let c = 0; c < this.#history.length; c++) {
      const h = this.#history[c]!;
      const v = samples[c]![i]!;
      h[pos] = v;
      h[pos + taps] = v;
      if (v > this.#quietBelow || -v > this.#quietBelow) loud = true;
      // Window = the last `taps` samples, oldest first: h[pos + 1 … pos + taps].
      const centre = Math.abs(h[centreAt]!);
      if (centre > peak) peak = centre;
      if (phases === 3) {
        // 4× oversampling (the usual case): all three phases in one pass over the window.
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        for (let j = 0; j < taps; j++) {
          const x = h[start + j]!;
          a0 += coeffs[j]! * x;
          a1 += coeffs[taps + j]! * x;
          a2 += coeffs[2 * taps + j]! * x;
        }
        peak = Math.max(peak, Math.abs(a0), Math.abs(a1), Math.abs(a2));
      } else {
        for (let p = 0, k = 0; p < phases; p++, k += taps) {
          let acc = 0;
          for (let j = 0; j < taps; j++) acc += coeffs[k + j]! * h[start + j]!;
          if (acc > peak) peak = acc;
          else if (-acc > peak) peak = -acc;
        }
      }
    }
    this.#sinceLoud = loud ? 0 : this.#sinceLoud + 1;
    this.#pos = pos + 1 === taps ? 0 : pos + 1;
    return peak;
  }

  /**
   * Like {@link TruePeakEstimator.push}, but only exact where it matters to a
   * detector comparing against `level`: when no sample of the window can
   * reconstruct to more than `level` (every sample under `level` divided by
   * the interpolator's absolute tap sum), it skips the interpolation and
   * returns the window's centre sample, which is then ≤ the true peak and ≤
   * `level`. Otherwise the exact peak. `level` should stay the same between
   * calls (a change takes effect after one window).
   */
  pushGated(samples: Float32Array[], i: number, level: number): number {
    if (level !== this.#gateLevel) {
      this.#gateLevel = level;
      // A hair under the bound, so rounding in the sums can never cross `level`.
      this.#quietBelow = (level / this.#l1) * (1 - 1e-9);
      this.#sinceLoud = 0;
    }
    if (this.#sinceLoud < this.#taps) return this.push(samples, i);
    const taps = this.#taps;
    const pos = this.#pos;
    const centreAt = pos + taps / 2;
    let peak = 0;
    let loud = false;
    for (let c = 0; c < this.#history.length; c++) {
      const h = this.#history[c]!;
      const v = samples[c]![i]!;
      h[pos] = v;
      h[pos + taps] = v;
      if (v > this.#quietBelow || -v > this.#quietBelow) loud = true;
      const centre = Math.abs(h[centreAt]!);
      if (centre > peak) peak = centre;
    }
    this.#pos = pos + 1 === taps ? 0 : pos + 1;
    // A loud sample enters the window: compute it exactly from this one on.
    if (loud) {
      this.#sinceLoud = 0;
      this.#pos = pos;
      return this.push(samples, i);
    }
    this.#sinceLoud++;
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
