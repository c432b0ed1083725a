import type { JsonSchema } from "../config/json-schema.js";
import { defineDspNode } from "./node-type.js";
import type { DspNodeType } from "./node-type.js";
import { DspNodeRegistry } from "./registry.js";

function number(
  description: string,
  minimum: number,
  maximum: number,
  defaultValue?: number,
): JsonSchema {
  return defaultValue === undefined
    ? { type: "number", description, minimum, maximum }
    : { type: "number", description, minimum, maximum, default: defaultValue };
}

function boolean(description: string, defaultValue: boolean): JsonSchema {
  return { type: "boolean", description, default: defaultValue };
}

/** Parameters of the `source` node. */
export interface SourceParams {
  /** Processing sample rate, Hz. */
  sample_rate_hz: 44100 | 48000;
  /** Channel count: 1 (mono) or 2 (stereo). */
  channels: 1 | 2;
}

/** Parameters of the `sink` node (none). */
export type SinkParams = Record<string, never>;

/** Parameters of the `loudness_normalize` node. */
export interface LoudnessNormalizeParams {
  /** Integrated loudness target, LUFS. */
  target_lufs: number;
  /** Ceiling for true peaks after normalization, dBTP. */
  true_peak_limit: number;
}

/** Parameters of the `agc` node. */
export interface AgcParams {
  /** When false the node passes audio through unchanged. */
  enabled: boolean;
  /** Level the AGC rides the program towards, dBFS. */
  target_level_db: number;
  /** Most gain the AGC may add, dB. */
  max_gain_db: number;
  /** Time to react to a level rise, ms. */
  attack_ms: number;
  /** Time to recover after a level drop, ms. */
  release_ms: number;
}

/** Parameters of the `compressor` node. */
export interface CompressorParams {
  /** dBFS. */
  threshold_db: number;
  /** Input:output ratio above the threshold, e.g. 3 for 3:1. */
  ratio: number;
  /** Soft-knee width, dB. */
  knee_db: number;
  /** Time to reach full gain reduction, ms. */
  attack_ms: number;
  /** Time to recover from gain reduction, ms. */
  release_ms: number;
  /** Gain added after compression, dB. */
  makeup_db: number;
}

/** Parameters of the `limiter` node. */
export interface LimiterParams {
  /** Ceiling, dBFS (dBTP when `true_peak`). */
  threshold_db: number;
  /** Time to recover from gain reduction, ms. */
  release_ms: number;
  /** Look-ahead delay, ms. */
  lookahead_ms: number;
  /** Limit inter-sample (true) peaks, not only sample peaks. */
  true_peak: boolean;
}

/** One band of a parametric equalizer. */
export interface EqualizerBand {
  /** Centre (peak) or corner (shelf) frequency, Hz. */
  frequency_hz: number;
  /** Band gain, dB. */
  gain_db: number;
  /** Bandwidth as Q. */
  q: number;
  /** Filter shape. */
  type: "peak" | "lowshelf" | "highshelf";
}

/** Parameters of the `equalizer` node. */
export interface EqualizerParams {
  /** graphic10 / graphic31 use `gains`; parametric uses `bands`. */
  mode: "graphic10" | "graphic31" | "parametric";
  /** Per-band gains for the graphic modes (ISO octave / third-octave centres), dB. */
  gains?: number[];
  /** Bands for the parametric mode. */
  bands: EqualizerBand[];
}

/** Parameters of the `gate` node. */
export interface GateParams {
  /** Level below which the gate closes, dBFS. */
  threshold_db: number;
  /** Time to open, ms. */
  attack_ms: number;
  /** Time the gate stays open after the level falls, ms. */
  hold_ms: number;
  /** Time to close, ms. */
  release_ms: number;
  /** Attenuation while closed, dB. */
  range_db: number;
}

/** Parameters of the `silence_detector` node. */
export interface SilenceDetectorParams {
  /** Level counted as silence, dBFS. */
  threshold_db: number;
  /** How long the level must stay below the threshold, s. */
  duration_sec: number;
}

/** Parameters of the `level_meter` node. */
export interface LevelMeterParams {
  /** Reporting interval, ms. */
  interval_ms: number;
}

/** Parameters of the `mix` node. */
export interface MixParams {
  /** Node ids or named inputs (`automation`, `live`, `emergency`) to sum. */
  inputs: string[];
  /** Gain per input, dB, in the order of `inputs`. */
  gains_db?: number[];
}

/** Parameters of the `duck` node. */
export interface DuckParams {
  /** Node id or named input whose level triggers the ducking. */
  sidechain: string;
  /** Attenuation applied to the main signal while ducking, dB. */
  depth_db: number;
  /** Sidechain level above which ducking starts, dBFS. */
  threshold_db: number;
  /** Time to reach full depth, ms. */
  attack_ms: number;
  /** Time to return to full level, ms. */
  release_ms: number;
}

const source = defineDspNode<SourceParams>({
  type: "source",
  description:
    "Entry point of the graph: the station's decoded program (automation, live and emergency sources after priority selection).",
  params: {
    type: "object",
    properties: {
      sample_rate_hz: {
        type: "integer",
        enum: [44100, 48000],
        default: 48000,
        description: "Processing sample rate, Hz.",
      },
      channels: {
        type: "integer",
        enum: [1, 2],
        default: 2,
        description: "Channel count: 1 (mono) or 2 (stereo).",
      },
    },
  },
});

const sink = defineDspNode<SinkParams>({
  type: "sink",
  description:
    "Exit of the graph: the processed program feeding every output encoder of the station's mounts.",
  params: { type: "object", properties: {} },
});

const loudnessNormalize = defineDspNode<LoudnessNormalizeParams>({
  type: "loudness_normalize",
  description:
    "Normalizes integrated loudness (EBU R128 / ITU-R BS.1770) to a target, with a true-peak ceiling.",
  params: {
    type: "object",
    properties: {
      target_lufs: number("Integrated loudness target, LUFS.", -70, 0, -16),
      true_peak_limit: number("Maximum true peak after normalization, dBTP.", -20, 0, -1),
    },
  },
});

const agc = defineDspNode<AgcParams>({
  type: "agc",
  description: "Automatic gain control: slowly rides the program level towards a target.",
  params: {
    type: "object",
    properties: {
      enabled: boolean("When false the node passes audio through unchanged.", true),
      target_level_db: number("Level the AGC rides towards, dBFS.", -60, 0, -14),
      max_gain_db: number("Most gain the AGC may add, dB.", 0, 40, 12),
      attack_ms: number("Time to react to a level rise, ms.", 0.1, 5000, 100),
      release_ms: number("Time to recover after a level drop, ms.", 1, 30000, 3000),
    },
  },
});

const compressor = defineDspNode<CompressorParams>({
  type: "compressor",
  description: "Feed-forward dynamic range compressor.",
  params: {
    type: "object",
    properties: {
      threshold_db: number("Level above which gain reduction starts, dBFS.", -60, 0, -18),
      ratio: number("Input:output ratio above the threshold (3 means 3:1).", 1, 20, 3),
      knee_db: number("Soft-knee width around the threshold, dB (0 = hard knee).", 0, 24, 6),
      attack_ms: number("Time to reach full gain reduction, ms.", 0.1, 1000, 10),
      release_ms: number("Time to recover from gain reduction, ms.", 1, 5000, 100),
      makeup_db: number("Gain added after compression, dB.", 0, 24, 0),
    },
  },
});

const limiter = defineDspNode<LimiterParams>({
  type: "limiter",
  description: "Look-ahead brick-wall limiter; normally the last node before the sink.",
  params: {
    type: "object",
    properties: {
      threshold_db: number("Output ceiling, dBFS (dBTP when true_peak is on).", -20, 0, -1),
      release_ms: number("Time to recover from gain reduction, ms.", 1, 5000, 50),
      lookahead_ms: number(
        "Look-ahead delay that lets the limiter catch transients, ms.",
        0,
        20,
        5,
      ),
      true_peak: boolean("Limit inter-sample (true) peaks, not only sample peaks.", true),
    },
  },
});

const equalizer = defineDspNode<EqualizerParams>({
  type: "equalizer",
  description:
    "Graphic (10 octave or 31 third-octave bands, ISO centre frequencies) or parametric equalizer.",
  params: {
    type: "object",
    properties: {
      mode: {
        type: "string",
        enum: ["graphic10", "graphic31", "parametric"],
        default: "parametric",
        description: "graphic10 and graphic31 take `gains`; parametric takes `bands`.",
      },
      gains: {
        type: "array",
        description:
          "Gain of each graphic band from lowest to highest, dB: 10 values for graphic10, 31 for graphic31.",
        items: number("Band gain, dB.", -24, 24),
      },
      bands: {
        type: "array",
        description: "Parametric bands, applied in order.",
        default: [],
        maxItems: 32,
        items: {
          type: "object",
          additionalProperties: false,
          required: ["frequency_hz"],
          properties: {
            frequency_hz: number("Centre (peak) or corner (shelf) frequency, Hz.", 20, 20000),
            gain_db: number("Band gain, dB.", -24, 24, 0),
            q: number("Bandwidth as Q (higher is narrower).", 0.1, 30, 1),
            type: {
              type: "string",
              enum: ["peak", "lowshelf", "highshelf"],
              default: "peak",
              description: "Filter shape.",
            },
          },
        },
      },
    },
    allOf: [
      {
        if: { required: ["mode"], properties: { mode: { const: "graphic10" } } },
        then: { required: ["gains"], properties: { gains: { minItems: 10, maxItems: 10 } } },
      },
      {
        if: { required: ["mode"], properties: { mode: { const: "graphic31" } } },
        then: { required: ["gains"], properties: { gains: { minItems: 31, maxItems: 31 } } },
      },
    ],
  },
});

const gate = defineDspNode<GateParams>({
  type: "gate",
  description: "Noise gate: attenuates the signal while it stays below a threshold.",
  params: {
    type: "object",
    properties: {
      threshold_db: number("Level below which the gate closes, dBFS.", -96, 0, -50),
      attack_ms: number("Time to open, ms.", 0.1, 1000, 1),
      hold_ms: number("Time the gate stays open after the level falls, ms.", 0, 5000, 50),
      release_ms: number("Time to close, ms.", 1, 5000, 100),
      range_db: number("Attenuation while closed, dB.", 0, 96, 40),
    },
  },
});

const silenceDetector = defineDspNode<SilenceDetectorParams>({
  type: "silence_detector",
  description:
    "Passes audio through unchanged and reports dead air when the level stays below a threshold long enough.",
  params: {
    type: "object",
    properties: {
      threshold_db: number("Level counted as silence, dBFS.", -96, 0, -50),
      duration_sec: number("How long the level must stay below the threshold, s.", 1, 600, 15),
    },
  },
});

const levelMeter = defineDspNode<LevelMeterParams>({
  type: "level_meter",
  description:
    "Passes audio through unchanged and reports peak, RMS and momentary loudness to telemetry.",
  params: {
    type: "object",
    properties: {
      interval_ms: number("Reporting interval, ms.", 10, 10000, 1000),
    },
  },
});

const mix = defineDspNode<MixParams>({
  type: "mix",
  description: "Sums several inputs, each with its own gain.",
  params: {
    type: "object",
    required: ["inputs"],
    properties: {
      inputs: {
        type: "array",
        description: "Node ids or named inputs (automation, live, emergency) to sum.",
        minItems: 1,
        items: { type: "string", minLength: 1 },
      },
      gains_db: {
        type: "array",
        description:
          "Gain of each input in the order of `inputs`, dB; 0 dB for every input when omitted.",
        items: number("Input gain, dB.", -96, 24),
      },
    },
  },
  check: (params) =>
    params.gains_db !== undefined && params.gains_db.length !== params.inputs.length
      ? [
          {
            pointer: "/gains_db",
            message: `must have one gain per input (${params.inputs.length}), got ${params.gains_db.length}`,
          },
        ]
      : [],
});

const duck = defineDspNode<DuckParams>({
  type: "duck",
  description:
    "Lowers the program while a sidechain (e.g. a voice track or live mic) is above a threshold.",
  params: {
    type: "object",
    required: ["sidechain"],
    properties: {
      sidechain: {
        type: "string",
        minLength: 1,
        description: "Node id or named input whose level triggers ducking.",
      },
      depth_db: number("Attenuation of the program while ducking, dB.", 0, 60, 12),
      threshold_db: number("Sidechain level above which ducking starts, dBFS.", -60, 0, -30),
      attack_ms: number("Time to reach full depth, ms.", 0.1, 1000, 20),
      release_ms: number("Time to return to full level, ms.", 1, 10000, 500),
    },
  },
});

/**
 * Every built-in DSP node type, in the order the configuration reference
 * lists them. None provides `create`: the media engine supplies their
 * implementation.
 */
export const builtinDspNodes: readonly DspNodeType<object>[] = Object.freeze([
  source,
  sink,
  loudnessNormalize,
  agc,
  compressor,
  limiter,
  equalizer,
  gate,
  silenceDetector,
  levelMeter,
  mix,
  duck,
] as DspNodeType<object>[]);

/**
 * The process-wide DSP node registry: every built-in type, registered through
 * the same {@link DspNodeRegistry.register} a plugin uses. Configuration
 * loading validates against it unless given another registry.
 */
export const dspNodes: DspNodeRegistry = new DspNodeRegistry();
for (const nodeType of builtinDspNodes) dspNodes.register(nodeType);
