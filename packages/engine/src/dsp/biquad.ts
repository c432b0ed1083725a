/** Biquad coefficients normalised so a0 = 1. */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** Filter shapes of the RBJ Audio EQ Cookbook this engine uses. */
export type BiquadShape = "peak" | "lowshelf" | "highshelf";

/**
 * RBJ Audio EQ Cookbook coefficients (Robert Bristow-Johnson): a peaking
 * filter has exactly `gainDb` at `frequencyHz`; shelves reach `gainDb` well
 * past their corner, `gainDb / 2` at it. `q` is the peak's Q, or the shelf
 * slope expressed as Q (0.707 = Butterworth-like, no overshoot).
 */
export function rbjBiquad(
  shape: BiquadShape,
  frequencyHz: number,
  gainDb: number,
  q: number,
  sampleRate: number,
): BiquadCoefficients {
  // Keep the centre below Nyquist so a 20 kHz band at 44.1 kHz stays a valid filter.
  const f = Math.min(frequencyHz, sampleRate * 0.49);
  const a = 10 ** (gainDb / 40);
  const w0 = (2 * Math.PI * f) / sampleRate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  if (shape === "peak") {
    b0 = 1 + alpha * a;
    b1 = -2 * cos;
    b2 = 1 - alpha * a;
    a0 = 1 + alpha / a;
    a1 = -2 * cos;
    a2 = 1 - alpha / a;
  } else {
    const sq = 2 * Math.sqrt(a) * alpha;
    const sign = shape === "lowshelf" ? 1 : -1;
    b0 = a * (a + 1 - sign * (a - 1) * cos + sq);
    b1 = sign * 2 * a * (a - 1 - sign * (a + 1) * cos);
    b2 = a * (a + 1 - sign * (a - 1) * cos - sq);
    a0 = a + 1 + sign * (a - 1) * cos + sq;
    a1 = -sign * 2 * (a - 1 + sign * (a + 1) * cos);
    a2 = a + 1 + sign * (a - 1) * cos - sq;
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/** Magnitude response of `c` at `frequencyHz`, dB. */
export function biquadResponseDb(
  c: BiquadCoefficients,
  frequencyHz: number,
  sampleRate: number,
): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const re = (z: number[]): number => z[0]! + z[1]! * Math.cos(w) + z[2]! * Math.cos(2 * w);
  const im = (z: number[]): number => -(z[1]! * Math.sin(w) + z[2]! * Math.sin(2 * w));
  const num = [c.b0, c.b1, c.b2];
  const den = [1, c.a1, c.a2];
  return 10 * Math.log10((re(num) ** 2 + im(num) ** 2) / (re(den) ** 2 + im(den) ** 2));
}

/**
 * A cascade of biquads over planar audio (transposed direct form II, double
 * precision state per channel and section).
 */
export class BiquadCascade {
  readonly #sections: BiquadCoefficients[];
  readonly #state: Float64Array;

  /** A cascade of `sections` for `channels` channels, silent state. */
  constructor(sections: BiquadCoefficients[], channels: number) {
    this.#sections = sections;
    this.#state = new Float64Array(sections.length * channels * 2);
  }

  /** Filter every channel of `frames` in place. */
  process(frames: Float32Array[]): void {
    const sections = this.#sections;
    const st = this.#state;
    for (let c = 0; c < frames.length; c++) {
      const x = frames[c]!;
      for (let s = 0; s < sections.length; s++) {
        const { b0, b1, b2, a1, a2 } = sections[s]!;
        const k = (c * sections.length + s) * 2;
        let z1 = st[k]!;
        let z2 = st[k + 1]!;
        for (let i = 0; i < x.length; i++) {
          const v = x[i]!;
          const y = b0 * v + z1;
          z1 = b1 * v - a1 * y + z2;
          z2 = b2 * v - a2 * y;
          x[i] = y;
        }
        // Flush denormals so a long silence never slows the filter down.
        st[k] = Math.abs(z1) < 1e-25 ? 0 : z1;
        st[k + 1] = Math.abs(z2) < 1e-25 ? 0 : z2;
      }
    }
  }
}
