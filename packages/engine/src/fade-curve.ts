import type { FadeCurve } from "@grimnir/core";

/** Gain (dB) treated as silence at the quiet end of the "exp" and "log" curves. */
export const FADE_FLOOR_DB = -60;

/** Linear amplitude for a gain in dB (`0 dB → 1`, `-6.02 dB → 0.5`). */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** Gain in dB for a linear amplitude; `-Infinity` for 0. */
export function gainToDb(gain: number): number {
  return 20 * Math.log10(gain);
}

const FLOOR_GAIN = dbToGain(FADE_FLOOR_DB);

/**
 * Amplitude of a fade-in at progress `t` (0 = start, 1 = end), in 0..1.
 * Every curve starts at exactly 0 and ends at exactly 1 and never decreases.
 *
 * - `linear`: amplitude rises evenly — `t`.
 * - `exp`: gain in dB rises evenly from {@link FADE_FLOOR_DB} to 0 dB, so
 *   amplitude grows exponentially: quiet for long, then fast (sounds even to the ear).
 * - `log`: the mirror of `exp` — most of the rise happens early.
 * - `scurve`: raised cosine, slow at both ends, `0.5 - 0.5·cos(πt)`.
 *
 * A fade-out at progress `t` uses `fadeInGain(curve, 1 - t)`.
 */
export function fadeInGain(curve: FadeCurve, t: number): number {
  const x = Math.min(1, Math.max(0, t));
  if (x === 0) return 0;
  if (x === 1) return 1;
  switch (curve) {
    case "linear":
      return x;
    case "exp":
      return rescale(dbToGain(FADE_FLOOR_DB * (1 - x)));
    case "log":
      return 1 - rescale(dbToGain(FADE_FLOOR_DB * x));
    case "scurve":
      return 0.5 - 0.5 * Math.cos(Math.PI * x);
  }
}

/** Maps the floor..1 amplitude range onto 0..1 so curves start at true silence. */
function rescale(gain: number): number {
  return (gain - FLOOR_GAIN) / (1 - FLOOR_GAIN);
}

/** Amplitudes of the outgoing and incoming items at progress `t` of a crossfade. */
export interface CrossfadeGains {
  outgoing: number;
  incoming: number;
}

/** Gains of both sides of a crossfade at progress `t`: the outgoing item fades out along the same curve the incoming fades in. */
export function crossfadeGains(curve: FadeCurve, t: number): CrossfadeGains {
  return { outgoing: fadeInGain(curve, 1 - t), incoming: fadeInGain(curve, t) };
}

/**
 * Apply a fade to interleaved PCM in place: frame `i` of `samples` (with
 * `channels` channels) gets the gain at progress `(startFrame + i) / totalFrames`.
 * `direction` "in" rises, "out" falls. Returns `samples`.
 */
export function applyFade(
  samples: Float32Array,
  channels: number,
  curve: FadeCurve,
  direction: "in" | "out",
  startFrame: number,
  totalFrames: number,
): Float32Array {
  const frames = Math.floor(samples.length / channels);
  for (let i = 0; i < frames; i++) {
    const t = totalFrames <= 0 ? 1 : (startFrame + i) / totalFrames;
    const gain = fadeInGain(curve, direction === "in" ? t : 1 - t);
    for (let c = 0; c < channels; c++) samples[i * channels + c]! *= gain;
  }
  return samples;
}
