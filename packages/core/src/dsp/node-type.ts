import { GrimnirError } from "../errors.js";
import type { JsonSchema } from "../config/json-schema.js";
import type { DspNodeProblem } from "./registry.js";

/**
 * A running DSP node inside an in-process engine. The engine calls `process`
 * once per audio block on its audio thread, so it must not block or allocate
 * per call more than it has to.
 */
export interface DspNodeInstance {
  /**
   * Process one block of planar PCM in place: `frames[channel][sample]`, float
   * samples nominally in −1..1 (0 dBFS = 1.0), every channel the same length.
   * `sampleRate` is in Hz and constant for the life of the instance.
   */
  process(frames: Float32Array[], sampleRate: number): void;
  /** Release what the instance holds (buffers, timers); called once when the graph is replaced. */
  dispose?(): void;
}

/**
 * Builds a running node from validated parameters (defaults already filled
 * in, units as documented by the node type's schema). Engine-facing: the
 * configuration layer never calls it.
 */
export type DspNodeFactory<P extends object = Record<string, unknown>> = (
  params: Readonly<P>,
) => DspNodeInstance;

/**
 * A cross-field rule JSON Schema cannot express (e.g. two lists of equal
 * length). Returns problems with pointers relative to the node as written in
 * configuration (`/gains_db`), empty when the parameters are fine.
 */
export type DspParamsCheck<P extends object = Record<string, unknown>> = (
  params: Readonly<P>,
) => DspNodeProblem[];

/** JSON Schema of a node type's parameters: an object whose properties are the parameters. */
export interface DspParamsSchema extends JsonSchema {
  /** Always "object". */
  type: "object";
  /** One schema per parameter, keyed by the parameter's name in configuration. */
  properties: Record<string, JsonSchema>;
}

/** What {@link defineDspNode} takes. */
export interface DspNodeDefinition<P extends object = Record<string, unknown>> {
  /** Type name used in configuration (`type: compressor`): lower-case letters, digits and `_`. */
  type: string;
  /** One sentence saying what the node does to the audio; rendered into the configuration reference. */
  description: string;
  /**
   * JSON Schema (2020-12) of the parameters. Every property should have a
   * description with its unit (dB, dBTP, LUFS, ms, s, Hz), `minimum`/`maximum`
   * where a range applies, and a `default` when it is optional. Unknown
   * parameters are rejected unless `additionalProperties` says otherwise.
   * `type` and `id` are reserved (they sit beside the parameters in a node).
   */
  params: DspParamsSchema;
  /** Cross-field rules checked after the schema passes. */
  check?: DspParamsCheck<P>;
  /**
   * Factory for an in-process implementation. Optional: the built-in types
   * leave it out because the media engine supplies their implementation; a
   * third-party node an in-process engine should run provides one.
   */
  create?: DspNodeFactory<P>;
}

/** A validated, immutable DSP node type, ready to register in a {@link DspNodeRegistry}. */
export interface DspNodeType<P extends object = Record<string, unknown>> {
  /** Type name used in configuration. */
  readonly type: string;
  /** What the node does to the audio. */
  readonly description: string;
  /** Parameters schema, with `additionalProperties: false` unless the definition said otherwise. */
  readonly params: DspParamsSchema;
  /** Cross-field rules, see {@link DspParamsCheck}. */
  check?(params: Readonly<P>): DspNodeProblem[];
  /** In-process factory, see {@link DspNodeFactory}; absent when the engine supplies the implementation. */
  create?(params: Readonly<P>): DspNodeInstance;
}

const TYPE_NAME = /^[a-z][a-z0-9_]*$/;
const RESERVED = ["type", "id"];

/**
 * Define a DSP node type. Checks the definition's shape (type name, reserved
 * parameter names) and returns a frozen {@link DspNodeType}; the schema itself
 * is compiled when the type is registered. Throws `VALIDATION` on a bad definition.
 *
 * @example
 * ```ts
 * const tilt = defineDspNode<{ slope_db: number }>({
 *   type: "tilt_eq",
 *   description: "Tilts the spectrum around 1 kHz.",
 *   params: {
 *     type: "object",
 *     properties: { slope_db: { type: "number", minimum: -6, maximum: 6, default: 0, description: "Tilt, dB per octave." } },
 *   },
 * });
 * dspNodes.register(tilt);
 * ```
 */
export function defineDspNode<P extends object = Record<string, unknown>>(
  definition: DspNodeDefinition<P>,
): DspNodeType<P> {
  if (!TYPE_NAME.test(definition.type)) {
    throw new GrimnirError(
      "VALIDATION",
      `DSP node type name ${JSON.stringify(definition.type)} must match ${TYPE_NAME.source}`,
      { details: { field: "type" } },
    );
  }
  if (definition.params.type !== "object") {
    throw new GrimnirError(
      "VALIDATION",
      `DSP node type "${definition.type}": params schema must have type "object"`,
      {
        details: { field: "params" },
      },
    );
  }
  for (const reserved of RESERVED) {
    if (reserved in definition.params.properties) {
      throw new GrimnirError(
        "VALIDATION",
        `DSP node type "${definition.type}": parameter name "${reserved}" is reserved`,
        { details: { field: `params.properties.${reserved}` } },
      );
    }
  }
  const params: DspParamsSchema = { additionalProperties: false, ...definition.params };
  return Object.freeze({
    type: definition.type,
    description: definition.description,
    params,
    ...(definition.check === undefined ? {} : { check: definition.check }),
    ...(definition.create === undefined ? {} : { create: definition.create }),
  });
}
