import type { DspNodeInstance } from "@grimnir/core";

/** Named inputs a graph can reference in `mix.inputs` and `duck.sidechain`, besides earlier node ids. */
export const NAMED_DSP_INPUTS = ["automation", "live", "emergency"] as const;

/**
 * What an engine-side node sees besides its own block: the sample rate and,
 * for routing nodes (`mix`, `duck`), the other signals of the current block.
 */
export interface DspContext {
  /** Hz, constant for the life of the node. */
  readonly sampleRate: number;
  /** Channels per block (2: the mixer is stereo). */
  readonly channels: number;
  /**
   * Planar signal of the current block named `name`: a named input
   * (`automation`, `live`, `emergency`) or the output of an earlier node by
   * id. `undefined` for a name with no signal this block (e.g. `live` while no
   * live input exists), which routing nodes treat as silence.
   */
  input(name: string): Float32Array[] | undefined;
}

/** What a node reports to telemetry about the last interval. */
export interface DspNodeReading {
  /** Largest gain reduction applied since the previous reading, dB (positive = reduction). Dynamics nodes only. */
  gainReductionDb?: number;
  /** Gain applied at the time of reading, dB (AGC and loudness rider: may be positive). */
  gainDb?: number;
  /** Sample peak per channel over the meter's last complete window, dBFS. `level_meter` only. */
  peakDb?: number[];
  /** RMS per channel over the meter's last complete window, dBFS. `level_meter` only. */
  rmsDb?: number[];
  /** Momentary loudness (400 ms, BS.1770 K-weighted, ungated), LUFS. `level_meter` only. */
  momentaryLufs?: number;
}

/** A running node as the engine holds it: core's {@link DspNodeInstance} plus optional telemetry. */
export interface EngineDspNode extends DspNodeInstance {
  /** Reading since the previous call; resets interval maxima. */
  read?(): DspNodeReading;
  /** Frames of delay the node adds (look-ahead), for documentation and alignment. */
  readonly latencyFrames?: number;
}

/** One-pole smoothing coefficient for a time constant of `ms` at `sampleRate` (0 for an instant response). */
export function timeCoeff(ms: number, sampleRate: number): number {
  const samples = (ms * sampleRate) / 1000;
  return samples <= 0 ? 0 : Math.exp(-1 / samples);
}

/** Tracks the largest gain reduction between telemetry reads. */
export class GainReductionTracker {
  #max = 0;

  /** Note a gain reduction, dB (positive = reduction). */
  note(reductionDb: number): void {
    if (reductionDb > this.#max) this.#max = reductionDb;
  }

  /** Largest reduction since the last take, dB; resets. */
  take(): number {
    const max = this.#max;
    this.#max = 0;
    return max;
  }
}
