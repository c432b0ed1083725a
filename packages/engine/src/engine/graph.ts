import type { DspGraph, DspNodeRegistry } from "@grimnir/core";
import { BUILTIN_DSP_IMPLEMENTATIONS } from "../dsp/builtin-nodes.js";
import { DspChain } from "../dsp/chain.js";

/** Built-in node types this engine processes: all of core's built-ins. */
export const PROCESSED_NODE_TYPES: readonly string[] = Object.freeze(
  Object.keys(BUILTIN_DSP_IMPLEMENTATIONS),
);

/** Built-in node types the configuration accepts but this engine does not process: none any more. */
export const UNPROCESSED_NODE_TYPES: readonly string[] = Object.freeze([]);

/** What a validated graph sets in the mixer. */
export interface GraphSettings {
  /** dBFS */
  silenceThresholdDb: number;
  /** s */
  silenceSeconds: number;
}

/**
 * Check a DSP graph the way LoadGraph does (see {@link DspChain.compile} for
 * the errors) and return the mixer settings it implies; the nodes are built
 * and released again.
 */
export function validateGraph(
  graph: DspGraph,
  registry?: DspNodeRegistry,
  sampleRate = 44100,
): GraphSettings {
  const chain = DspChain.compile(graph, { registry, sampleRate });
  chain.dispose();
  return {
    silenceThresholdDb: chain.silence?.thresholdDb ?? -50,
    silenceSeconds: chain.silence?.seconds ?? 15,
  };
}
