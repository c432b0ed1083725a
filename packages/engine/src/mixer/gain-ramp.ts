import type { FadeCurve } from "@grimnir/core";
import { fadeInGain } from "../fade-curve.js";

/**
 * A gain moving from `from` to `to` (linear gain factors) over `frames`
 * output frames along `curve`; `done` counts the frames already stepped.
 * Once `done` reaches `frames` the gain holds at `to`.
 */
export interface GainRamp {
  /** Gain at the start of the ramp, linear factor. */
  from: number;
  /** Gain at the end of the ramp and after it, linear factor. */
  to: number;
  /** Length of the ramp, frames. */
  frames: number;
  /** Frames stepped so far. */
  done: number;
  /** Shape of the ramp. */
  curve: FadeCurve;
}

/** A linear ramp from `from` to `to` over `frames` frames, not yet started. */
export function linearRamp(from: number, to: number, frames: number): GainRamp {
  return { from, to, frames, done: 0, curve: "linear" };
}

/** True once `ramp` has stepped all its frames and holds at `to`. */
export function rampDone(ramp: GainRamp): boolean {
  return ramp.done >= ramp.frames;
}

/** Gain of `ramp` at its current frame, linear factor; does not advance it. */
export function rampGain(ramp: GainRamp): number {
  if (ramp.done >= ramp.frames) return ramp.to;
  return ramp.from + (ramp.to - ramp.from) * fadeInGain(ramp.curve, ramp.done / ramp.frames);
}

/** Gain of `ramp` at its current frame, then advance it by one frame (never past its end). */
export function stepRamp(ramp: GainRamp): number {
  const g = rampGain(ramp);
  if (ramp.done < ramp.frames) ramp.done++;
  return g;
}
