import {
  dspNodes as coreDspNodes,
  GrimnirError,
  type DspGraph,
  type DspNodeRegistry,
} from "@grimnir/core";
import { BUILTIN_DSP_IMPLEMENTATIONS } from "./builtin-nodes.js";
import {
  NAMED_DSP_INPUTS,
  type DspContext,
  type DspNodeReading,
  type EngineDspNode,
} from "./node.js";

/** Options of {@link DspChain.compile}. */
export interface DspChainOptions {
  /** Node types the graph may use; core's process-wide `dspNodes` by default. */
  registry?: DspNodeRegistry;
  /** Hz; 44100 by default (the mixer's rate). */
  sampleRate?: number;
  /** 2 by default (the mixer is stereo). */
  channels?: number;
}

/** Telemetry of one node of a running chain. */
export interface DspNodeTelemetry extends DspNodeReading {
  /** The node's id in the graph. */
  nodeId: string;
  /** Its type, e.g. "compressor". */
  type: string;
}

/** Silence detection a graph's `silence_detector` node configures in the mixer. */
export interface DspSilenceSettings {
  /** dBFS */
  thresholdDb: number;
  /** s */
  seconds: number;
}

interface ChainNode {
  id: string;
  type: string;
  instance: EngineDspNode;
  /** Copy of the signal after this node, kept when a later `mix` or `duck` reads it. */
  snapshot: Float32Array[] | undefined;
  failed: boolean;
}

function invalid(
  message: string,
  node: string | undefined,
  field: string,
  extra: Record<string, unknown> = {},
): GrimnirError {
  return new GrimnirError("VALIDATION", message, { details: { node, field, ...extra } });
}

/** `/bands/0/q` → `params.bands[0].q`; `/type` → `type`. */
function pointerField(pointer: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (parts.length === 1 && parts[0] === "type") return "type";
  return parts.reduce(
    (field, p) => (/^\d+$/.test(p) ? `${field}[${p}]` : `${field}.${p}`),
    "params",
  );
}

/**
 * A station's DSP graph compiled into running nodes, applied in graph order
 * to planar blocks. Built-in node types run the engine's implementations
 * ({@link BUILTIN_DSP_IMPLEMENTATIONS}); any other registered type runs its
 * own `create`. A node that throws while processing is bypassed from then on
 * and reported once through `onNodeError`; the chain never stops the audio.
 */
export class DspChain {
  /** Silence detection set by the graph's `silence_detector`, if it has one. */
  readonly silence: DspSilenceSettings | undefined;
  /** Sum of the nodes' declared latencies, frames. */
  readonly latencyFrames: number;
  /** Sample rate the nodes were built for, Hz. */
  readonly sampleRate: number;
  readonly #nodes: ChainNode[];
  readonly #byId = new Map<string, ChainNode>();
  #inputs: Readonly<Record<string, Float32Array[] | undefined>> = {};
  /** Receives a node's processing error (once per node). */
  onNodeError: (nodeId: string, error: Error) => void = () => undefined;

  private constructor(
    nodes: ChainNode[],
    sampleRate: number,
    silence: DspSilenceSettings | undefined,
  ) {
    this.#nodes = nodes;
    for (const n of nodes) this.#byId.set(n.id, n);
    this.sampleRate = sampleRate;
    this.silence = silence;
    this.latencyFrames = nodes.reduce((sum, n) => sum + (n.instance.latencyFrames ?? 0), 0);
  }

  /** A chain with no nodes: audio passes unchanged. */
  static empty(sampleRate = 44100): DspChain {
    return new DspChain([], sampleRate, undefined);
  }

  /**
   * Validate `graph` against the registry and build its nodes. Throws
   * `VALIDATION` naming the node and field (`details.node`, `details.field`
   * such as `params.ratio`, `details.problems` with every problem) for
   * unknown types, out-of-range or unknown parameters, duplicate ids and
   * `mix`/`duck` references to nothing; `NOT_IMPLEMENTED` for a registered
   * type without an implementation here, or a `source` asking for a sample
   * rate or channel count the mixer does not run at.
   */
  static compile(graph: DspGraph, options: DspChainOptions = {}): DspChain {
    const registry = options.registry ?? coreDspNodes;
    const sampleRate = options.sampleRate ?? 44100;
    const channels = options.channels ?? 2;
    if (!graph || !Array.isArray(graph.nodes))
      throw invalid("graph.nodes must be a list of nodes", undefined, "nodes");
    const nodes: ChainNode[] = [];
    const ids = new Set<string>();
    const referenced = new Set<string>();
    let silence: DspSilenceSettings | undefined;
    const byId = new Map<string, ChainNode>();
    const ctx: DspContext = {
      sampleRate,
      channels,
      input: (name) => byId.get(name)?.snapshot ?? chain.#inputs[name],
    };
    for (const [i, spec] of graph.nodes.entries()) {
      const id = spec?.id;
      if (typeof id !== "string" || id.trim() === "")
        throw invalid(`nodes[${i}].id must be a non-empty string`, undefined, `nodes[${i}].id`);
      if (ids.has(id)) throw invalid(`node "${id}" appears twice; ids must be unique`, id, "id");
      const params = spec.params ?? {};
      if (typeof params !== "object" || Array.isArray(params))
        throw invalid(`node "${id}": params must be an object`, id, "params");
      const problems = registry.validate({ type: spec.type, params }, { path: `nodes[${i}]` });
      if (problems.length > 0) {
        throw invalid(
          `node "${id}": ${problems.map((p) => p.message).join("; ")}`,
          id,
          pointerField(problems[0]!.pointer),
          { problems },
        );
      }
      if (spec.type === "source") {
        if (params["sample_rate_hz"] !== undefined && params["sample_rate_hz"] !== sampleRate) {
          throw new GrimnirError(
            "NOT_IMPLEMENTED",
            `node "${id}": sample_rate_hz ${JSON.stringify(params["sample_rate_hz"])}: this station's mixer runs at ${sampleRate} Hz only`,
            { details: { node: id, field: "params.sample_rate_hz" } },
          );
        }
        if (params["channels"] !== undefined && params["channels"] !== channels) {
          throw new GrimnirError(
            "NOT_IMPLEMENTED",
            `node "${id}": channels ${JSON.stringify(params["channels"])}: the mixer runs ${channels} channels only`,
            { details: { node: id, field: "params.channels" } },
          );
        }
      }
      const full = registry.withDefaults({ type: spec.type, params });
      const refs: [string, string][] =
        spec.type === "mix"
          ? (full["inputs"] as string[]).map((name, k) => [name, `params.inputs[${k}]`])
          : spec.type === "duck"
            ? [[full["sidechain"] as string, "params.sidechain"]]
            : [];
      for (const [name, field] of refs) {
        if (!(NAMED_DSP_INPUTS as readonly string[]).includes(name) && !ids.has(name)) {
          throw invalid(
            `node "${id}": ${field} "${name}" is neither a named input (${NAMED_DSP_INPUTS.join(", ")}) nor the id of an earlier node`,
            id,
            field,
          );
        }
        if (ids.has(name)) referenced.add(name);
      }
      if (spec.type === "silence_detector")
        silence = {
          thresholdDb: full["threshold_db"] as number,
          seconds: full["duration_sec"] as number,
        };
      const nodeType = registry.require(spec.type);
      let instance: EngineDspNode;
      if (nodeType.create) instance = nodeType.create(full);
      else {
        const factory = BUILTIN_DSP_IMPLEMENTATIONS[spec.type];
        if (!factory) {
          throw new GrimnirError(
            "NOT_IMPLEMENTED",
            `node "${id}": type "${spec.type}" is registered without a create() and this engine has no implementation of it`,
            { details: { node: id, field: "type" } },
          );
        }
        instance = factory(full, ctx);
      }
      ids.add(id);
      const node: ChainNode = { id, type: spec.type, instance, snapshot: undefined, failed: false };
      nodes.push(node);
      byId.set(id, node);
    }
    for (const id of referenced) byId.get(id)!.snapshot = [];
    const chain = new DspChain(nodes, sampleRate, silence);
    return chain;
  }

  /** Node ids in processing order. */
  get nodeIds(): string[] {
    return this.#nodes.map((n) => n.id);
  }

  /**
   * Run every node over one planar block in place. `inputs` are the named
   * inputs of this block (`automation`, `emergency`, `live`; planar, same length).
   */
  process(
    frames: Float32Array[],
    inputs: Readonly<Record<string, Float32Array[] | undefined>> = {},
  ): void {
    this.#inputs = inputs;
    const n = frames[0]!.length;
    for (const node of this.#nodes) {
      if (!node.failed) {
        try {
          node.instance.process(frames, this.sampleRate);
        } catch (err) {
          node.failed = true;
          this.onNodeError(node.id, err instanceof Error ? err : new Error(String(err)));
        }
      }
      if (node.snapshot) {
        for (let c = 0; c < frames.length; c++) {
          if (!node.snapshot[c] || node.snapshot[c]!.length !== n)
            node.snapshot[c] = new Float32Array(n);
          node.snapshot[c]!.set(frames[c]!);
        }
      }
    }
    this.#inputs = {};
  }

  /** Each node's telemetry since the previous call, in graph order. */
  readings(): DspNodeTelemetry[] {
    return this.#nodes.map((n) => ({ nodeId: n.id, type: n.type, ...(n.instance.read?.() ?? {}) }));
  }

  /** Release every node (`dispose` of each instance). */
  dispose(): void {
    for (const n of this.#nodes) n.instance.dispose?.();
  }
}
