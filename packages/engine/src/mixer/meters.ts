import { gainToDb } from "../fade-curve.js";

/** Levels of one stereo channel pair over a metering window. */
export interface LevelReading {
  /** Sample peak per channel over the window, dBFS (`-Infinity` for digital silence). */
  peakDb: [number, number];
  /** RMS per channel over the window, dBFS. */
  rmsDb: [number, number];
  /** Momentary loudness (last 400 ms, ITU-R BS.1770 K-weighting, ungated), LUFS. */
  momentaryLufs: number;
  /** Short-term loudness (last 3 s, same weighting), LUFS. */
  shortTermLufs: number;
}

/** Biquad coefficients, normalised so a0 = 1. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** BS.1770 stage 1 (high shelf, +4 dB) and stage 2 (RLB high-pass) designed for `sampleRate`. */
export function kWeighting(sampleRate: number): [Biquad, Biquad] {
  const shelfK = Math.tan((Math.PI * 1681.974450955533) / sampleRate);
  const vh = 10 ** (3.999843853973347 / 20);
  const vb = vh ** 0.4996667741545416;
  const q1 = 0.7071752369554196;
  const a0s = 1 + shelfK / q1 + shelfK * shelfK;
  const shelf: Biquad = {
    b0: (vh + (vb * shelfK) / q1 + shelfK * shelfK) / a0s,
    b1: (2 * (shelfK * shelfK - vh)) / a0s,
    b2: (vh - (vb * shelfK) / q1 + shelfK * shelfK) / a0s,
    a1: (2 * (shelfK * shelfK - 1)) / a0s,
    a2: (1 - shelfK / q1 + shelfK * shelfK) / a0s,
  };
  const hpK = Math.tan((Math.PI * 38.13547087602444) / sampleRate);
  const q2 = 0.5003270373238773;
  const a0h = 1 + hpK / q2 + hpK * hpK;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (hpK * hpK - 1)) / a0h,
    a2: (1 - hpK / q2 + hpK * hpK) / a0h,
  };
  return [shelf, highPass];
}

/** Loudness in LUFS from a summed channel mean square. */
function lufs(meanSquare: number): number {
  return meanSquare > 0 ? -0.691 + 10 * Math.log10(meanSquare) : -Infinity;
}

/**
 * Peak / RMS per channel and momentary / short-term loudness of interleaved
 * stereo PCM. Feed blocks with {@link LevelMeter.process}; read and reset the
 * peak/RMS window with {@link LevelMeter.take}. Loudness uses 100 ms blocks
 * (momentary = last 4, short-term = last 30), without gating.
 */
export class LevelMeter {
  readonly #blockFrames: number;
  readonly #filters: [Biquad, Biquad];
  /** Filter state per channel: [x1, x2, y1, y2] for each of the two stages. */
  readonly #state = [new Float64Array(8), new Float64Array(8)];
  #peak: [number, number] = [0, 0];
  #sumSquares: [number, number] = [0, 0];
  #frames = 0;
  #blockEnergy = 0;
  #blockFill = 0;
  /** Summed K-weighted mean square of each completed 100 ms block, newest last (≤ 30). */
  #blocks: number[] = [];

  /** @param sampleRate Hz */
  /** A meter with K-weighting filters designed for `sampleRate`. */
  constructor(sampleRate: number) {
    this.#blockFrames = Math.round(sampleRate / 10);
    this.#filters = kWeighting(sampleRate);
  }

  /** Meter `frames` stereo frames of `samples` from frame `offset`. */
  process(samples: Float32Array, offset = 0, frames = samples.length / 2 - offset): void {
    const [s1, s2] = this.#filters;
    // Same arithmetic as a per-sample loop over both channels, with the state in locals.
    let i = offset;
    const end = offset + frames;
    while (i < end) {
      const run = Math.min(end - i, this.#blockFrames - this.#blockFill);
      let energy = 0;
      for (let c = 0; c < 2; c++) {
        const st = this.#state[c]!;
        let x1 = st[0]!;
        let x2 = st[1]!;
        let y1 = st[2]!;
        let y2 = st[3]!;
        let z1 = st[4]!;
        let z2 = st[5]!;
        let w1 = st[6]!;
        let w2 = st[7]!;
        let peak = this.#peak[c]!;
        let squares = 0;
        for (let k = i; k < i + run; k++) {
          const x = samples[k * 2 + c]!;
          const a = x < 0 ? -x : x;
          if (a > peak) peak = a;
          squares += x * x;
          const u = s1.b0 * x + s1.b1 * x1 + s1.b2 * x2 - s1.a1 * y1 - s1.a2 * y2;
          x2 = x1;
          x1 = x;
          y2 = y1;
          y1 = u;
          const v = s2.b0 * u + s2.b1 * z1 + s2.b2 * z2 - s2.a1 * w1 - s2.a2 * w2;
          z2 = z1;
          z1 = u;
          w2 = w1;
          w1 = v;
          energy += v * v;
        }
        st[0] = x1;
        st[1] = x2;
        st[2] = y1;
        st[3] = y2;
        st[4] = z1;
        st[5] = z2;
        st[6] = w1;
        st[7] = w2;
        this.#peak[c] = peak;
        this.#sumSquares[c]! += squares;
      }
      this.#blockEnergy += energy;
      this.#frames += run;
      this.#blockFill += run;
      i += run;
      if (this.#blockFill === this.#blockFrames) {
        this.#blocks.push(this.#blockEnergy / this.#blockFrames);
        if (this.#blocks.length > 30) this.#blocks.shift();
        this.#blockEnergy = 0;
        this.#blockFill = 0;
      }
    }
  }

  /** Levels since the previous `take` (peak/RMS) and loudness over the last 400 ms / 3 s; resets the peak/RMS window. */
  take(): LevelReading {
    const n = Math.max(1, this.#frames);
    const reading: LevelReading = {
      peakDb: [gainToDb(this.#peak[0]), gainToDb(this.#peak[1])],
      rmsDb: [
        gainToDb(Math.sqrt(this.#sumSquares[0] / n)),
        gainToDb(Math.sqrt(this.#sumSquares[1] / n)),
      ],
      momentaryLufs: lufs(mean(this.#blocks.slice(-4))),
      shortTermLufs: lufs(mean(this.#blocks)),
    };
    this.#peak = [0, 0];
    this.#sumSquares = [0, 0];
    this.#frames = 0;
    return reading;
  }
}

function mean(values: number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
