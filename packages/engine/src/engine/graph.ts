import type { DspGraph } from "@grimnir/core";
import { GrimnirError } from "@grimnir/core";

/** Node types the engine processes today. */
export const PROCESSED_NODE_TYPES = ["source", "sink", "silence_detector", "level_meter"] as const;

/** Built-in node types the configuration accepts but this engine does not process yet. */
export const UNPROCESSED_NODE_TYPES = [
  "loudness_normalize",
  "agc",
  "compressor",
  "limiter",
  "equalizer",
  "gate",
  "mix",
  "duck",
] as const;

/** What a validated graph sets in the mixer. */
export interface GraphSettings {
  /** dBFS */
  silenceThresholdDb: number;
  /** s */
  silenceSeconds: number;
}

function invalid(message: string, node: string | undefined, field: string): GrimnirError {
  return new GrimnirError("VALIDATION", message, { details: { node, field } });
}

function numberParam(params: Record<string, unknown>, node: string, name: string, min: number, max: number, fallback: number): number {
  const value = params[name] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(`node "${node}": ${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`, node, `params.${name}`);
  }
  return value;
}

/**
 * Check a DSP graph the way LoadGraph does. `VALIDATION` errors name the node
 * and field (`details.node`, `details.field`); a known node type this engine
 * does not process yet is `NOT_IMPLEMENTED` rather than silently ignored.
 */
export function validateGraph(graph: DspGraph): GraphSettings {
  const settings: GraphSettings = { silenceThresholdDb: -50, silenceSeconds: 15 };
  if (!graph || !Array.isArray(graph.nodes)) throw invalid("graph.nodes must be a list of nodes", undefined, "nodes");
  const ids = new Set<string>();
  for (const [i, node] of graph.nodes.entries()) {
    const id = node?.id;
    if (typeof id !== "string" || id.trim() === "") throw invalid(`nodes[${i}].id must be a non-empty string`, undefined, `nodes[${i}].id`);
    if (ids.has(id)) throw invalid(`node "${id}" appears twice; ids must be unique`, id, "id");
    ids.add(id);
    const params = node.params ?? {};
    if (typeof params !== "object" || Array.isArray(params)) throw invalid(`node "${id}": params must be an object`, id, "params");
    const type = node.type;
    if ((UNPROCESSED_NODE_TYPES as readonly string[]).includes(type)) {
      throw new GrimnirError("NOT_IMPLEMENTED", `node "${id}": type "${type}" is valid but this engine does not process it yet (processed: ${PROCESSED_NODE_TYPES.join(", ")})`, { details: { node: id, field: "type" } });
    }
    if (!(PROCESSED_NODE_TYPES as readonly string[]).includes(type)) {
      throw invalid(`node "${id}": type ${JSON.stringify(type)} is not a DSP node type (expected one of ${[...PROCESSED_NODE_TYPES, ...UNPROCESSED_NODE_TYPES].join(", ")})`, id, "type");
    }
    const known: Record<string, string[]> = {
      source: ["sample_rate_hz", "channels"],
      sink: [],
      silence_detector: ["threshold_db", "duration_sec"],
      level_meter: ["interval_ms"],
    };
    for (const key of Object.keys(params)) {
      if (!known[type]!.includes(key)) throw invalid(`node "${id}": unknown parameter "${key}" for type ${type}`, id, `params.${key}`);
    }
    if (type === "source") {
      const rate = params["sample_rate_hz"];
      if (rate !== undefined && rate !== 44100) {
        throw new GrimnirError("NOT_IMPLEMENTED", `node "${id}": sample_rate_hz ${JSON.stringify(rate)}: the mixer runs at 44100 Hz only so far`, { details: { node: id, field: "params.sample_rate_hz" } });
      }
      const channels = params["channels"];
      if (channels !== undefined && channels !== 2) {
        throw new GrimnirError("NOT_IMPLEMENTED", `node "${id}": channels ${JSON.stringify(channels)}: the mixer is stereo only so far`, { details: { node: id, field: "params.channels" } });
      }
    }
    if (type === "silence_detector") {
      settings.silenceThresholdDb = numberParam(params, id, "threshold_db", -96, 0, -50);
      settings.silenceSeconds = numberParam(params, id, "duration_sec", 1, 600, 15);
    }
    if (type === "level_meter") numberParam(params, id, "interval_ms", 10, 10000, 1000);
  }
  return settings;
}
