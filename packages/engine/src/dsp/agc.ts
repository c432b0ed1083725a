import type { AgcParams } from "@grimnir/core";
import {
  GainReductionTracker,
  timeCoeff,
  type DspNodeReading,
  type EngineDspNode,
} from "./node.js";

/** Integration time of the AGC's RMS detector, ms. */
const RMS_WINDOW_MS = 300;
/** Below target − this many dB the AGC holds its gain instead of raising it into noise or silence, dB. */
const GATE_BELOW_TARGET_DB = 30;
/** Most the AGC cuts, dB. */
const MAX_CUT_DB = 24;

/**
 * Automatic gain control: an RMS detector (300 ms) measures the level and
 * the gain rides towards `target_level_db − level`, at most `max_gain_db` up
 * and 24 dB down; it falls with `attack_ms` when the level rises and climbs
 * with `release_ms`. While the level is more than 30 dB under the target
 * (pauses, silence) the gain holds, so quiet passages are not pumped up.
 */
export class Agc implements EngineDspNode {
  readonly #p: AgcParams;
  readonly #window: number;
  readonly #attack: number;
  readonly #release: number;
  #power = 0;
  #gainDb = 0;
  readonly #gr = new GainReductionTracker();

  /** An AGC at 0 dB gain. */
  constructor(params: AgcParams, sampleRate: number) {
    this.#p = params;
    this.#window = timeCoeff(RMS_WINDOW_MS, sampleRate);
    this.#attack = timeCoeff(params.attack_ms, sampleRate);
    this.#release = timeCoeff(params.release_ms, sampleRate);
  }

  /** Ride the gain of `frames` in place (nothing when disabled). */
  process(frames: Float32Array[]): void {
    if (!this.#p.enabled) return;
    const { target_level_db: target, max_gain_db: maxGain } = this.#p;
    const n = frames[0]!.length;
    const channels = frames.length;
    let maxReduction = 0;
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let c = 0; c < channels; c++) sq += frames[c]![i]! ** 2;
      this.#power = sq / channels + this.#window * (this.#power - sq / channels);
      const levelDb = this.#power > 1e-18 ? 10 * Math.log10(this.#power) : -180;
      if (levelDb > target - GATE_BELOW_TARGET_DB) {
        const want = Math.max(-MAX_CUT_DB, Math.min(maxGain, target - levelDb));
        const coeff = want < this.#gainDb ? this.#attack : this.#release;
        this.#gainDb = want + coeff * (this.#gainDb - want);
      }
      if (-this.#gainDb > maxReduction) maxReduction = -this.#gainDb;
      const gain = 10 ** (this.#gainDb / 20);
      for (let c = 0; c < channels; c++) frames[c]![i]! *= gain;
    }
    this.#gr.note(maxReduction);
  }

  /** Current gain (dB, may be positive) and the largest cut since the last read. */
  read(): DspNodeReading {
    return { gainDb: this.#gainDb, gainReductionDb: this.#gr.take() };
  }
}
