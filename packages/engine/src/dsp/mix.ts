import type { MixParams } from "@grimnir/core";
import { dbToGain } from "../fade-curve.js";
import type { DspContext, EngineDspNode } from "./node.js";

/**
 * Replaces the signal with the sum of its inputs (named inputs or earlier
 * nodes' outputs), each scaled by its `gains_db` entry (0 dB by default).
 * An input with no signal this block adds nothing.
 */
export class Mix implements EngineDspNode {
  readonly #inputs: string[];
  readonly #gains: number[];
  readonly #ctx: DspContext;

  /** A mix of `params.inputs` read from `ctx`. */
  constructor(params: MixParams, ctx: DspContext) {
    this.#inputs = params.inputs;
    this.#gains = params.inputs.map((_, i) => dbToGain(params.gains_db?.[i] ?? 0));
    this.#ctx = ctx;
  }

  /** Overwrite `frames` with the weighted sum of the inputs. */
  process(frames: Float32Array[]): void {
    const sources = this.#inputs.map((name) => this.#ctx.input(name));
    for (let c = 0; c < frames.length; c++) {
      const out = frames[c]!;
      const ins = sources.map((s) => s?.[c]);
      out.fill(0);
      for (let k = 0; k < ins.length; k++) {
        const x = ins[k];
        if (!x) continue;
        const g = this.#gains[k]!;
        for (let i = 0; i < out.length; i++) out[i]! += x[i]! * g;
      }
    }
  }
}
