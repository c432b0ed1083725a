import type { GateParams } from "@grimnir/core";
import { dbToGain, gainToDb } from "../fade-curve.js";
import {
  GainReductionTracker,
  timeCoeff,
  type DspNodeReading,
  type EngineDspNode,
} from "./node.js";

/** Decay of the gate's level detector, ms: long enough to bridge one cycle of 20 Hz. */
const DETECTOR_DECAY_MS = 25;

/**
 * Noise gate: open while the stereo-linked peak level is at or above
 * `threshold_db`, and for `hold_ms` after it falls; closed it attenuates by
 * `range_db`. The gain moves towards open with `attack_ms` and towards closed
 * with `release_ms` (one-pole, so no clicks).
 */
export class Gate implements EngineDspNode {
  readonly #threshold: number;
  readonly #closed: number;
  readonly #attack: number;
  readonly #release: number;
  readonly #decay: number;
  readonly #holdFrames: number;
  #env = 0;
  #hold = 0;
  #gain = 1;
  readonly #gr = new GainReductionTracker();

  /** A closed gate at `sampleRate` Hz with validated parameters. */
  constructor(params: GateParams, sampleRate: number) {
    this.#threshold = dbToGain(params.threshold_db);
    this.#closed = dbToGain(-params.range_db);
    this.#attack = timeCoeff(params.attack_ms, sampleRate);
    this.#release = timeCoeff(params.release_ms, sampleRate);
    this.#decay = timeCoeff(DETECTOR_DECAY_MS, sampleRate);
    this.#holdFrames = Math.round((params.hold_ms * sampleRate) / 1000);
    this.#gain = this.#closed;
  }

  /** Gate `frames` in place. */
  process(frames: Float32Array[]): void {
    const n = frames[0]!.length;
    const channels = frames.length;
    let minGain = 1;
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let c = 0; c < channels; c++) a = Math.max(a, Math.abs(frames[c]![i]!));
      this.#env = a > this.#env ? a : a + this.#decay * (this.#env - a);
      if (this.#env >= this.#threshold) this.#hold = this.#holdFrames + 1;
      else if (this.#hold > 0) this.#hold--;
      const target = this.#hold > 0 ? 1 : this.#closed;
      const coeff = target > this.#gain ? this.#attack : this.#release;
      this.#gain = target + coeff * (this.#gain - target);
      if (this.#gain < minGain) minGain = this.#gain;
      for (let c = 0; c < channels; c++) frames[c]![i]! *= this.#gain;
    }
    this.#gr.note(-gainToDb(minGain));
  }

  /** Largest attenuation since the last read. */
  read(): DspNodeReading {
    return { gainReductionDb: this.#gr.take() };
  }
}
