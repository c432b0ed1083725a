import type {
  AgcParams,
  CompressorParams,
  DuckParams,
  EqualizerParams,
  GateParams,
  LevelMeterParams,
  LimiterParams,
  LoudnessNormalizeParams,
  MixParams,
} from "@grimnir/core";
import { Agc } from "./agc.js";
import { Compressor } from "./compressor.js";
import { Duck } from "./duck.js";
import { Equalizer } from "./equalizer.js";
import { Gate } from "./gate.js";
import { LevelMeterNode } from "./level-meter-node.js";
import { Limiter } from "./limiter.js";
import { LoudnessNormalizer } from "./loudness-normalize.js";
import { Mix } from "./mix.js";
import type { DspContext, EngineDspNode } from "./node.js";

/** Builds the engine's implementation of a built-in node type from validated parameters (defaults filled in). */
export type BuiltinDspFactory = (params: Record<string, unknown>, ctx: DspContext) => EngineDspNode;

/** Passes audio through; for `source`, `sink` and `silence_detector` (whose detection runs in the mixer). */
const passThrough = (): EngineDspNode => ({ process: () => undefined });

/**
 * The engine's implementations of core's built-in DSP node types, keyed by
 * type name. Core's built-in types carry no `create`: the engine supplies
 * these, and a registered type's own `create` is used for every other type.
 */
export const BUILTIN_DSP_IMPLEMENTATIONS: Readonly<Record<string, BuiltinDspFactory>> =
  Object.freeze({
    source: passThrough,
    sink: passThrough,
    silence_detector: passThrough,
    level_meter: (p, ctx) => new LevelMeterNode(p as unknown as LevelMeterParams, ctx.sampleRate),
    loudness_normalize: (p, ctx) =>
      new LoudnessNormalizer(p as unknown as LoudnessNormalizeParams, ctx.sampleRate, ctx.channels),
    agc: (p, ctx) => new Agc(p as unknown as AgcParams, ctx.sampleRate),
    compressor: (p, ctx) => new Compressor(p as unknown as CompressorParams, ctx.sampleRate),
    limiter: (p, ctx) => new Limiter(p as unknown as LimiterParams, ctx.sampleRate, ctx.channels),
    equalizer: (p, ctx) =>
      new Equalizer(p as unknown as EqualizerParams, ctx.sampleRate, ctx.channels),
    gate: (p, ctx) => new Gate(p as unknown as GateParams, ctx.sampleRate),
    mix: (p, ctx) => new Mix(p as unknown as MixParams, ctx),
    duck: (p, ctx) => new Duck(p as unknown as DuckParams, ctx),
  });
