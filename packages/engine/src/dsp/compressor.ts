import type { CompressorParams } from "@grimnir/core";
import {
  GainReductionTracker,
  timeCoeff,
  type DspNodeReading,
  type EngineDspNode,
} from "./node.js";

/**
 * Static curve of a soft-knee compressor: output level for input level
 * `xDb`, dB (Giannoulis, Massberg & Reiss 2012). Below the knee the level is
 * unchanged; above it the excess over `thresholdDb` is divided by `ratio`;
 * inside the `kneeDb`-wide knee a quadratic joins the two.
 */
export function compressorCurveDb(
  xDb: number,
  thresholdDb: number,
  ratio: number,
  kneeDb: number,
): number {
  const over = xDb - thresholdDb;
  if (2 * over <= -kneeDb) return xDb;
  if (kneeDb > 0 && 2 * Math.abs(over) < kneeDb) {
    return xDb + ((1 / ratio - 1) * (over + kneeDb / 2) ** 2) / (2 * kneeDb);
  }
  return thresholdDb + over / ratio;
}

/**
 * Feed-forward compressor in the dB domain. The level detector is a
 * stereo-linked peak follower (instant rise, decay over `release_ms`), so a
 * steady tone reads its peak level; the static curve gives the target gain,
 * which is smoothed with `attack_ms` while reduction grows and `release_ms`
 * while it recovers, then `makeup_db` is added. A −10 dBFS tone through
 * 4:1 at −20 dB settles at −17.5 dBFS.
 */
export class Compressor implements EngineDspNode {
  readonly #p: CompressorParams;
  readonly #attack: number;
  readonly #release: number;
  #env = 0;
  #gainDb = 0;
  readonly #gr = new GainReductionTracker();

  /** A compressor at `sampleRate` Hz with validated parameters. */
  constructor(params: CompressorParams, sampleRate: number) {
    this.#p = params;
    this.#attack = timeCoeff(params.attack_ms, sampleRate);
    this.#release = timeCoeff(params.release_ms, sampleRate);
  }

  /** Compress `frames` in place. */
  process(frames: Float32Array[]): void {
    const { threshold_db: t, ratio, knee_db: knee, makeup_db: makeup } = this.#p;
    const n = frames[0]!.length;
    const channels = frames.length;
    const att = this.#attack;
    const rel = this.#release;
    let env = this.#env;
    let g = this.#gainDb;
    let maxReduction = 0;
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let c = 0; c < channels; c++) {
        const v = Math.abs(frames[c]![i]!);
        if (v > a) a = v;
      }
      env = a > env ? a : a + rel * (env - a);
      const xDb = env > 1e-9 ? 20 * Math.log10(env) : -180;
      const target = compressorCurveDb(xDb, t, ratio, knee) - xDb;
      g = target < g ? target + att * (g - target) : target + rel * (g - target);
      if (-g > maxReduction) maxReduction = -g;
      const gain = 10 ** ((g + makeup) / 20);
      for (let c = 0; c < channels; c++) frames[c]![i]! *= gain;
    }
    this.#env = env;
    this.#gainDb = g;
    this.#gr.note(maxReduction);
  }

  /** Largest gain reduction since the last read (before makeup). */
  read(): DspNodeReading {
    return { gainReductionDb: this.#gr.take() };
  }
}
