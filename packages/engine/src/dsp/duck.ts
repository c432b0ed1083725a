import type { DuckParams } from "@grimnir/core";
import { dbToGain } from "../fade-curve.js";
import {
  GainReductionTracker,
  timeCoeff,
  type DspContext,
  type DspNodeReading,
  type EngineDspNode,
} from "./node.js";

/** Decay of the sidechain level detector, ms. */
const DETECTOR_DECAY_MS = 50;

/**
 * Ducker: lowers the signal through it by `depth_db` while the sidechain's
 * stereo-linked peak level is at or above `threshold_db`; the gain (in dB)
 * moves towards full depth with `attack_ms` and back to 0 dB with
 * `release_ms`. The sidechain is a named input or an earlier node's output
 * (see {@link DspContext.input}); an absent sidechain counts as silence.
 */
export class Duck implements EngineDspNode {
  readonly #p: DuckParams;
  readonly #ctx: DspContext;
  readonly #threshold: number;
  readonly #attack: number;
  readonly #release: number;
  readonly #decay: number;
  #env = 0;
  #gainDb = 0;
  readonly #gr = new GainReductionTracker();

  /** A ducker at rest (0 dB) reading its sidechain from `ctx`. */
  constructor(params: DuckParams, ctx: DspContext) {
    this.#p = params;
    this.#ctx = ctx;
    this.#threshold = dbToGain(params.threshold_db);
    this.#attack = timeCoeff(params.attack_ms, ctx.sampleRate);
    this.#release = timeCoeff(params.release_ms, ctx.sampleRate);
    this.#decay = timeCoeff(DETECTOR_DECAY_MS, ctx.sampleRate);
  }

  /** Duck `frames` in place according to the sidechain's level over the same block. */
  process(frames: Float32Array[]): void {
    const side = this.#ctx.input(this.#p.sidechain);
    const n = frames[0]!.length;
    const depth = -this.#p.depth_db;
    let maxReduction = 0;
    for (let i = 0; i < n; i++) {
      let a = 0;
      if (side) for (const ch of side) a = Math.max(a, Math.abs(ch[i]!));
      this.#env = a > this.#env ? a : a + this.#decay * (this.#env - a);
      const target = this.#env >= this.#threshold ? depth : 0;
      const coeff = target < this.#gainDb ? this.#attack : this.#release;
      this.#gainDb = target + coeff * (this.#gainDb - target);
      if (-this.#gainDb > maxReduction) maxReduction = -this.#gainDb;
      const gain = 10 ** (this.#gainDb / 20);
      for (const ch of frames) ch[i]! *= gain;
    }
    this.#gr.note(maxReduction);
  }

  /** Largest ducking since the last read. */
  read(): DspNodeReading {
    return { gainReductionDb: this.#gr.take() };
  }
}
