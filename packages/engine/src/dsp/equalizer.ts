import type { EqualizerParams } from "@grimnir/core";
import { BiquadCascade, rbjBiquad, type BiquadCoefficients } from "./biquad.js";
import type { EngineDspNode } from "./node.js";

/** ISO 266 octave-band centres of the 10-band graphic equaliser, Hz. */
export const GRAPHIC10_CENTRES_HZ: readonly number[] = [
  31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000,
];

/** ISO 266 third-octave centres of the 31-band graphic equaliser, Hz. */
export const GRAPHIC31_CENTRES_HZ: readonly number[] = [
  20, 25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600,
  2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500, 16000, 20000,
];

/** Q of a band one `octaves` wide between its −3 dB points: √2ᴺ / (2ᴺ − 1). */
function bandQ(octaves: number): number {
  const r = 2 ** octaves;
  return Math.sqrt(r) / (r - 1);
}

/** The biquad sections of an equaliser: one RBJ peaking filter per non-zero graphic band, or one per parametric band. */
export function equalizerSections(
  params: EqualizerParams,
  sampleRate: number,
): BiquadCoefficients[] {
  if (params.mode === "parametric") {
    return params.bands
      .filter((b) => b.gain_db !== 0)
      .map((b) => rbjBiquad(b.type, b.frequency_hz, b.gain_db, b.q, sampleRate));
  }
  const centres = params.mode === "graphic10" ? GRAPHIC10_CENTRES_HZ : GRAPHIC31_CENTRES_HZ;
  const q = bandQ(params.mode === "graphic10" ? 1 : 1 / 3);
  const gains = params.gains ?? [];
  return centres.flatMap((f, i) =>
    (gains[i] ?? 0) === 0 ? [] : [rbjBiquad("peak", f, gains[i]!, q, sampleRate)],
  );
}

/**
 * Graphic (ISO octave or third-octave centres, constant-Q peaking bands) or
 * parametric equaliser built from RBJ biquads in series. Each band has exactly
 * its gain at its centre frequency when neighbouring bands are flat; bands
 * at 0 dB cost nothing.
 */
export class Equalizer implements EngineDspNode {
  readonly #cascade: BiquadCascade;

  /** An equaliser for `channels` channels at `sampleRate` Hz. */
  constructor(params: EqualizerParams, sampleRate: number, channels: number) {
    this.#cascade = new BiquadCascade(equalizerSections(params, sampleRate), channels);
  }

  /** Equalise `frames` in place. */
  process(frames: Float32Array[]): void {
    this.#cascade.process(frames);
  }
}
