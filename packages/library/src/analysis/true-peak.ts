/** Options of {@link TruePeakMeter}. */
export interface TruePeakOptions {
  /** Oversampling factor; at least 4 (BS.1770-4 Annex 2). Default 4. */
  oversampling?: number;
  /** FIR taps per polyphase branch (even). Default 32, which tracks ffmpeg's ebur128 within 0.1 dB even on full-band noise. */
  tapsPerPhase?: number;
}

/**
 * Polyphase FIR branches of a windowed-sinc (Kaiser, β = 8) interpolator by
 * `factor`, centred on a whole input sample so branch 0 is the identity and
 * branch p evaluates the signal p/factor of a sample between inputs.
 * Branch p, tap k is the prototype's coefficient k·factor + p; every branch
 * is normalised to unit DC gain. Branch 0 is omitted (the sample peak covers it).
 */
export function interpolatorPhases(factor: number, tapsPerPhase: number): Float64Array[] {
  if (tapsPerPhase % 2 !== 0)
    throw new RangeError(`taps per phase must be even, got ${tapsPerPhase}`);
  const length = factor * tapsPerPhase;
  const centre = length / 2;
  const beta = 8;
  const i0 = (x: number): number => {
    // Modified Bessel function of the first kind, order 0 (series).
    let sum = 1;
    let term = 1;
    for (let k = 1; k < 50; k++) {
      term *= (x / (2 * k)) * (x / (2 * k));
      sum += term;
      if (term < 1e-12 * sum) break;
    }
    return sum;
  };
  const phases: Float64Array[] = [];
  for (let p = 0; p < factor; p++) phases.push(new Float64Array(tapsPerPhase));
  for (let n = 0; n < length; n++) {
    const t = (n - centre) / factor;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const r = (n - centre) / centre;
    const w = i0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0(beta);
    phases[n % factor]![Math.floor(n / factor)] = sinc * w;
  }
  for (const ph of phases) {
    let s = 0;
    for (const c of ph) s += c;
    for (let k = 0; k < ph.length; k++) ph[k]! /= s;
  }
  return phases.slice(1);
}

/** Samples interpolated or skipped together (a multiple of {@link CHUNK}). */
const BLOCK = 64;
/** Samples per kept maximum |x|, from which a block's window maximum is taken. */
const CHUNK = 16;

/** The centre taps of the 32-tap branches that stage 0 sums exactly, [from, to). */
const CENTRE_FROM = 12;
const CENTRE_TO = 20;
/** Blocks that skip stage 0 after one where more than a quarter of the samples passed it. */
const QUICK_REST_BLOCKS = 15;

/** Consecutive taps whose inputs share one maximum in the per-sample bound. */
const GROUP = 4;
/**
 * Relative slack added to the skip bounds so floating-point rounding of the
 * FIR sums (at most taps × 2⁻⁵³ relative) can never make a skipped value
 * exceed the bound.
 */
const BOUND_SLACK = 1 + 1e-9;
/**
 * Absolute allowance, relative to the window's input max, for the rounding
 * of a FIR sum (≤ taps × 2⁻⁵³ × Σ|h| × max|x|, about 10⁻¹⁴ here), so a bound
 * that is small next to the inputs stays safe.
 */
const ROUNDING_ALLOWANCE = 1e-10;

/** max |x − xc| over values between `lo` and `hi`. */
function spread(hi: number, lo: number, xc: number): number {
  const up = hi - xc;
  const down = xc - lo;
  return up > down ? up : down;
}

/**
 * Streaming true-peak meter (ITU-R BS.1770-4 Annex 2): each channel is
 * oversampled by a polyphase FIR interpolator and the largest absolute value
 * of the oversampled signal (or of the samples themselves) is kept.
 *
 * Memory is constant. Work is skipped only where the interpolated values
 * provably cannot exceed the peak found so far, which changes no result
 * (bounds carry a margin for floating-point rounding):
 * first per block of 64 samples (window max, from maxima of 16 samples kept
 * while de-interleaving, × the largest branch L1 norm); then, for 3 branches
 * of 32 taps, per sample from the 8 centre taps summed exactly plus the outer
 * taps' L1 norm × the window max (very selective on noise-like signals; left
 * out for 15 blocks after a block where over a quarter of the samples pass
 * it, as on tones); then per sample with taps in groups of 4, weighted by the group's largest
 * absolute coefficient sum over the branches, by two bounds: Σ weight × the
 * group's largest |x| (tight on noise), and, since y = xc·Σh + Σh·(x − xc)
 * for the centre input xc, |Σh|·|xc| + Σ weight × the group's largest
 * |x − xc| (tight on smooth, tonal signals). All branches of a sample that
 * passes are evaluated in one pass over the taps, each summed in tap order
 * exactly as a plain FIR would.
 */
export class TruePeakMeter {
  private readonly coeffs: Float64Array;
  private readonly nPhases: number;
  private readonly taps: number;
  private readonly bound: number;
  private readonly groupWeights: Float64Array;
  private readonly history: Float64Array[];
  private buf: Float64Array;
  private readonly dcGain: number;
  private groupMax: Float64Array;
  private groupMin: Float64Array;
  private groupAbs: Float64Array;
  private chunkMax: Float64Array;
  private readonly outerCentreBound: number;
  private quickPause = 0;
  private peakLinear = 0;

  constructor(
    private readonly channels: number,
    options: TruePeakOptions = {},
  ) {
    const factor = options.oversampling ?? 4;
    if (factor < 4) throw new RangeError(`true peak needs ≥ 4× oversampling, got ${factor}`);
    this.taps = options.tapsPerPhase ?? 32;
    const phases = interpolatorPhases(factor, this.taps);
    this.nPhases = phases.length;
    // Tap-major: coeffs[k * nPhases + p] is branch p, tap k.
    this.coeffs = new Float64Array(this.taps * this.nPhases);
    for (let p = 0; p < this.nPhases; p++) {
      for (let k = 0; k < this.taps; k++) this.coeffs[k * this.nPhases + p] = phases[p]![k]!;
    }
    this.bound =
      Math.max(...phases.map((ph) => ph.reduce((s, c) => s + Math.abs(c), 0))) * BOUND_SLACK;
    const groups = Math.ceil(this.taps / GROUP);
    this.groupWeights = new Float64Array(groups);
    for (let g = 0; g < groups; g++) {
      let w = 0;
      for (const ph of phases) {
        let s = 0;
        for (let k = g * GROUP; k < Math.min(this.taps, (g + 1) * GROUP); k++)
          s += Math.abs(ph[k]!);
        if (s > w) w = s;
      }
      this.groupWeights[g] = w * BOUND_SLACK;
    }
    this.history = [];
    for (let c = 0; c < channels; c++) this.history.push(new Float64Array(this.taps - 1));
    this.buf = new Float64Array(0);
    this.dcGain =
      Math.max(...phases.map((ph) => Math.abs(ph.reduce((s, c) => s + c, 0)))) * BOUND_SLACK;
    this.groupMax = new Float64Array(0);
    this.groupMin = new Float64Array(0);
    this.groupAbs = new Float64Array(0);
    this.chunkMax = new Float64Array(0);
    this.outerCentreBound =
      Math.max(
        ...phases.map((ph) =>
          ph.reduce((s, c, k) => (k >= CENTRE_FROM && k < CENTRE_TO ? s : s + Math.abs(c)), 0),
        ),
      ) * BOUND_SLACK;
  }

  /** Largest absolute value of the oversampled signal so far, linear (1.0 = full scale). */
  get peak(): number {
    return this.peakLinear;
  }

  /** Feed `frames` interleaved frames of `samples`. */
  push(samples: Float32Array, frames: number): void {
    const hist = this.taps - 1;
    const need = hist + frames;
    if (this.buf.length < need) {
      this.buf = new Float64Array(need);
      this.groupMax = new Float64Array(need);
      this.groupMin = new Float64Array(need);
      this.groupAbs = new Float64Array(need);
      this.chunkMax = new Float64Array(Math.ceil(frames / CHUNK) + 1);
    }
    const buf = this.buf;
    const chunkMax = this.chunkMax;
    const ch = this.channels;
    for (let c = 0; c < ch; c++) {
      const h = this.history[c]!;
      buf.set(h, 0);
      let historyMax = 0;
      for (let i = 0; i < hist; i++) {
        const a = h[i]! < 0 ? -h[i]! : h[i]!;
        if (a > historyMax) historyMax = a;
      }
      // De-interleave, keeping the largest |x| of every CHUNK samples for the block bounds.
      for (let i = 0, j = c, k = 0; i < frames; k++) {
        const stop = Math.min(frames, i + CHUNK);
        let m = 0;
        for (; i < stop; i++, j += ch) {
          const x = samples[j]!;
          buf[hist + i] = x;
          const a = x < 0 ? -x : x;
          if (a > m) m = a;
        }
        chunkMax[k] = m;
      }
      this.scan(buf, hist, frames, historyMax);
      h.set(buf.subarray(frames, frames + hist));
    }
  }

  /** Push zeros through the filters so the last samples' neighbourhoods are measured. */
  flush(): void {
    this.push(new Float32Array(this.taps * this.channels), this.taps);
  }

  /**
   * Measure the `frames` new samples at `buf[hist …]`, block by block; a
   * block is interpolated only when the largest input its FIR windows reach
   * (from the chunk maxima; the history's for the first block) times the
   * largest branch L1 norm exceeds the peak.
   */
  private scan(buf: Float64Array, hist: number, frames: number, historyMax: number): void {
    const bound = this.bound;
    const chunkMax = this.chunkMax;
    const perBlock = BLOCK / CHUNK;
    // Chunks before a block that its FIR windows reach (the taps − 1 inputs before it).
    const back = Math.ceil(hist / CHUNK);
    let peak = this.peakLinear;
    for (let first = 0; first * CHUNK < frames; first += perBlock) {
      const b = hist + first * CHUNK;
      const end = Math.min(hist + frames, b + BLOCK);
      let m = first < back ? historyMax : 0;
      const lastChunk = Math.ceil((end - hist) / CHUNK);
      for (let k = Math.max(0, first - back); k < lastChunk; k++)
        if (chunkMax[k]! > m) m = chunkMax[k]!;
      // Branch 0 (the samples themselves) is not interpolated: the window maximum covers it.
      if (m > peak) peak = m;
      if (m * bound <= peak) continue;
      peak = this.scanBlock(buf, b, end, peak, m);
    }
    this.peakLinear = peak;
  }

  /** groupMax[i], groupMin[i], groupAbs[i] = max, min, max |·| of buf[i − 3 … i] (GROUP = 4), for i in [from, end). */
  private prepareGroups(buf: Float64Array, from: number, end: number): void {
    const gmax = this.groupMax;
    const gmin = this.groupMin;
    const gabs = this.groupAbs;
    for (let i = from; i < end; i++) {
      const v0 = buf[i]!;
      const v1 = buf[i - 1]!;
      const v2 = buf[i - 2]!;
      const v3 = buf[i - 3]!;
      const h01 = v0 > v1 ? v0 : v1;
      const h23 = v2 > v3 ? v2 : v3;
      const l01 = v0 < v1 ? v0 : v1;
      const l23 = v2 < v3 ? v2 : v3;
      const hi = h01 > h23 ? h01 : h23;
      const low = l01 < l23 ? l01 : l23;
      gmax[i] = hi;
      gmin[i] = low;
      gabs[i] = hi > -low ? hi : -low;
    }
  }

  /**
   * Interpolate the samples of [b, end) whose per-sample bound exceeds `peak`;
   * the new peak. `m` is at least the largest |x| of [b − taps + 1, end).
   */
  private scanBlock(buf: Float64Array, b: number, end: number, peak: number, m: number): number {
    const taps = this.taps;
    const np = this.nPhases;
    const co = this.coeffs;
    const gw = this.groupWeights;
    const groups = gw.length;
    // Group weights in locals for the unrolled 32-tap case (unused otherwise).
    const w0 = gw[0] ?? 0,
      w1 = gw[1] ?? 0,
      w2 = gw[2] ?? 0,
      w3 = gw[3] ?? 0,
      w4 = gw[4] ?? 0,
      w5 = gw[5] ?? 0,
      w6 = gw[6] ?? 0,
      w7 = gw[7] ?? 0;
    const dc = this.dcGain;
    const centre = taps >> 1;
    const gmax = this.groupMax;
    const gmin = this.groupMin;
    const gabs = this.groupAbs;
    const grouped = taps % GROUP === 0;
    // gmax[i], gmin[i], gabs[i] = max, min, max |·| of buf[i − 3 … i] (GROUP = 4); the
    // groups of the samples in [b, end) start at lo + 3 or later when taps is a multiple of 4.
    const lo = b - taps + 1;
    let prepared = !grouped;
    // Absolute rounding allowance, from the window's input max.
    const eps = m * ROUNDING_ALLOWANCE;
    // Stage 0 (3 branches, 32 taps): the 8 centre taps exactly, the others at most their L1 norm × m.
    const quick = np === 3 && taps === 32 && this.quickPause === 0;
    const outer = this.outerCentreBound * m + eps;
    let tried = 0;
    let passed = 0;
    // Centre coefficients (branch p, tap 12 + t) and the 8 inputs they weigh, slid along j.
    const c = co.subarray(CENTRE_FROM * 3, CENTRE_TO * 3);
    const a0 = c[0]!,
      a1 = c[3]!,
      a2 = c[6]!,
      a3 = c[9]!,
      a4 = c[12]!,
      a5 = c[15]!,
      a6 = c[18]!,
      a7 = c[21]!;
    const b0 = c[1]!,
      b1 = c[4]!,
      b2 = c[7]!,
      b3 = c[10]!,
      b4 = c[13]!,
      b5 = c[16]!,
      b6 = c[19]!,
      b7 = c[22]!;
    const d0 = c[2]!,
      d1 = c[5]!,
      d2 = c[8]!,
      d3 = c[11]!,
      d4 = c[14]!,
      d5 = c[17]!,
      d6 = c[20]!,
      d7 = c[23]!;
    let x0 = buf[b - 1 - CENTRE_FROM]!,
      x1 = buf[b - 2 - CENTRE_FROM]!,
      x2 = buf[b - 3 - CENTRE_FROM]!,
      x3 = buf[b - 4 - CENTRE_FROM]!,
      x4 = buf[b - 5 - CENTRE_FROM]!,
      x5 = buf[b - 6 - CENTRE_FROM]!,
      x6 = buf[b - 7 - CENTRE_FROM]!,
      x7 = buf[b - 8 - CENTRE_FROM]!;
    for (let j = b; j < end; j++) {
      if (quick) {
        tried += 1;
        // x0 … x7 = buf[j − 12] … buf[j − 19].
        x7 = x6;
        x6 = x5;
        x5 = x4;
        x4 = x3;
        x3 = x2;
        x2 = x1;
        x1 = x0;
        x0 = buf[j - CENTRE_FROM]!;
        let q0 = a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3 + a4 * x4 + a5 * x5 + a6 * x6 + a7 * x7;
        let q1 = b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3 + b4 * x4 + b5 * x5 + b6 * x6 + b7 * x7;
        let q2 = d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3 + d4 * x4 + d5 * x5 + d6 * x6 + d7 * x7;
        if (q0 < 0) q0 = -q0;
        if (q1 < 0) q1 = -q1;
        if (q2 < 0) q2 = -q2;
        const q = q0 > q1 ? (q0 > q2 ? q0 : q2) : q1 > q2 ? q1 : q2;
        if (q + outer <= peak) continue;
        passed += 1;
      }
      if (!prepared) {
        this.prepareGroups(buf, lo + GROUP - 1, end);
        prepared = true;
      }
      if (grouped) {
        // Group g covers taps 4g … 4g + 3, i.e. inputs j − 4g − 3 … j − 4g.
        // Bound 1: |y| ≤ Σ|h|·|x| ≤ Σ_g w_g · max_g |x|.
        let est = 0;
        if (groups === 8) {
          est =
            w0 * gabs[j]! +
            w1 * gabs[j - 4]! +
            w2 * gabs[j - 8]! +
            w3 * gabs[j - 12]! +
            w4 * gabs[j - 16]! +
            w5 * gabs[j - 20]! +
            w6 * gabs[j - 24]! +
            w7 * gabs[j - 28]!;
        } else {
          for (let g = 0, i = j; g < groups; g++, i -= GROUP) est += gw[g]! * gabs[i]!;
        }
        if (est <= peak) continue;
        // Bound 2 (tight on smooth signals): y = xc·Σh + Σ h·(x − xc), so
        // |y| ≤ |Σh|·|xc| + Σ_g w_g · max_g |x − xc|.
        const xc = buf[j - centre]!;
        est = dc * (xc < 0 ? -xc : xc) + eps;
        if (groups === 8) {
          est +=
            w0 * spread(gmax[j]!, gmin[j]!, xc) +
            w1 * spread(gmax[j - 4]!, gmin[j - 4]!, xc) +
            w2 * spread(gmax[j - 8]!, gmin[j - 8]!, xc) +
            w3 * spread(gmax[j - 12]!, gmin[j - 12]!, xc) +
            w4 * spread(gmax[j - 16]!, gmin[j - 16]!, xc) +
            w5 * spread(gmax[j - 20]!, gmin[j - 20]!, xc) +
            w6 * spread(gmax[j - 24]!, gmin[j - 24]!, xc) +
            w7 * spread(gmax[j - 28]!, gmin[j - 28]!, xc);
        } else {
          for (let g = 0, i = j; g < groups; g++, i -= GROUP) {
            est += gw[g]! * spread(gmax[i]!, gmin[i]!, xc);
          }
        }
        if (est <= peak) continue;
      }
      if (np === 3 && grouped && groups === 8) {
        // Stage 3: the 16 inner taps (groups 2–5) carry nearly all the weight of the
        // windowed sinc; the outer groups add at most their bound. Skip when even that
        // cannot reach the peak, else add the outer taps to the same sums.
        let y0 = 0;
        let y1 = 0;
        let y2 = 0;
        for (let k = 8, o = 24; k < 24; k++, o += 3) {
          const x = buf[j - k]!;
          y0 += co[o]! * x;
          y1 += co[o + 1]! * x;
          y2 += co[o + 2]! * x;
        }
        const outer = w0 * gabs[j]! + w1 * gabs[j - 4]! + w6 * gabs[j - 24]! + w7 * gabs[j - 28]!;
        const a0 = y0 < 0 ? -y0 : y0;
        const a1 = y1 < 0 ? -y1 : y1;
        const a2 = y2 < 0 ? -y2 : y2;
        const inner = a0 > a1 ? (a0 > a2 ? a0 : a2) : a1 > a2 ? a1 : a2;
        if (inner + outer + eps <= peak) continue;
        for (let k = 0, o = 0; k < 8; k++, o += 3) {
          const x = buf[j - k]!;
          y0 += co[o]! * x;
          y1 += co[o + 1]! * x;
          y2 += co[o + 2]! * x;
        }
        for (let k = 24, o = 72; k < taps; k++, o += 3) {
          const x = buf[j - k]!;
          y0 += co[o]! * x;
          y1 += co[o + 1]! * x;
          y2 += co[o + 2]! * x;
        }
        if (y0 < 0) y0 = -y0;
        if (y0 > peak) peak = y0;
        if (y1 < 0) y1 = -y1;
        if (y1 > peak) peak = y1;
        if (y2 < 0) y2 = -y2;
        if (y2 > peak) peak = y2;
      } else if (np === 3) {
        let y0 = 0;
        let y1 = 0;
        let y2 = 0;
        for (let k = 0, o = 0; k < taps; k++, o += 3) {
          const x = buf[j - k]!;
          y0 += co[o]! * x;
          y1 += co[o + 1]! * x;
          y2 += co[o + 2]! * x;
        }
        if (y0 < 0) y0 = -y0;
        if (y0 > peak) peak = y0;
        if (y1 < 0) y1 = -y1;
        if (y1 > peak) peak = y1;
        if (y2 < 0) y2 = -y2;
        if (y2 > peak) peak = y2;
      } else {
        for (let p = 0; p < np; p++) {
          let y = 0;
          for (let k = 0; k < taps; k++) y += co[k * np + p]! * buf[j - k]!;
          if (y < 0) y = -y;
          if (y > peak) peak = y;
        }
      }
    }
    // Stage 0 pays on noise-like blocks and not on tonal ones (where most samples pass it): rest it a while.
    if (this.quickPause > 0) this.quickPause -= 1;
    else if (quick && passed * 4 > tried) this.quickPause = QUICK_REST_BLOCKS;
    return peak;
  }
}
