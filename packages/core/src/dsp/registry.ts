import type { ValidateFunction } from "ajv/dist/2020.js";
import { GrimnirError } from "../errors.js";
import type { DspNodeSpec } from "../contracts/engine.js";
import {
  createSchemaValidator,
  describeSchemaError,
  joinPointer,
  pointerToPath,
  significantErrors,
} from "../config/json-schema.js";
import type { DspNodeType } from "./node-type.js";

/** One thing wrong with a DSP node as written in configuration. */
export interface DspNodeProblem {
  /**
   * RFC 6901 pointer relative to the node as written in configuration, where
   * `type`, `id` and the parameters sit side by side: `/type`, `/ratio`, `/bands/0/q`.
   */
  pointer: string;
  /** What is wrong and what was expected, e.g. `ratio must be <= 20 (got 40)`. */
  message: string;
  /** True when the problem is the key itself (an unknown parameter name) rather than its value. */
  onKey?: boolean;
}

/** Options of {@link DspNodeRegistry.validate}. */
export interface DspValidateOptions {
  /** Dotted path of the node in its document, prefixed to messages (e.g. "dsp_graph.nodes[2]"). */
  path?: string;
}

interface Entry {
  nodeType: DspNodeType;
  validate: ValidateFunction;
}

/**
 * The DSP node types a station's graph may use. Each type's parameter schema
 * is compiled once, on registration; validation is synchronous and pure
 * (the node spec passed in is never modified).
 */
export class DspNodeRegistry {
  readonly #ajv = createSchemaValidator();
  readonly #entries = new Map<string, Entry>();

  /**
   * Add a node type. Throws `CONFLICT` when a different definition is already
   * registered under the same name (registering the same object twice is a no-op),
   * and `VALIDATION` when its parameter schema is not valid JSON Schema.
   */
  register<P extends object>(nodeType: DspNodeType<P>): this {
    const existing = this.#entries.get(nodeType.type);
    if (existing !== undefined) {
      if (existing.nodeType === (nodeType as unknown)) return this;
      throw new GrimnirError("CONFLICT", `DSP node type "${nodeType.type}" is already registered`, {
        details: { field: "type" },
      });
    }
    let validate: ValidateFunction;
    try {
      validate = this.#ajv.compile(nodeType.params);
    } catch (cause) {
      throw new GrimnirError(
        "VALIDATION",
        `DSP node type "${nodeType.type}" has an invalid params schema: ${(cause as Error).message}`,
        { details: { field: "params" }, cause },
      );
    }
    this.#entries.set(nodeType.type, { nodeType: nodeType as unknown as DspNodeType, validate });
    return this;
  }

  /** The node type registered as `type`, if any. */
  get(type: string): DspNodeType | undefined {
    return this.#entries.get(type)?.nodeType;
  }

  /** The node type registered as `type`; throws `UNKNOWN_NODE_TYPE` naming the known types. */
  require(type: string): DspNodeType {
    const nodeType = this.get(type);
    if (nodeType === undefined) {
      throw new GrimnirError("UNKNOWN_NODE_TYPE", this.#unknownTypeMessage("", type), {
        details: { field: "type", known: this.types() },
      });
    }
    return nodeType;
  }

  /** True when `type` is registered. */
  has(type: string): boolean {
    return this.#entries.has(type);
  }

  /** Registered type names, sorted. */
  types(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Registered node types, sorted by name. */
  list(): DspNodeType[] {
    return this.types().map((type) => this.#entries.get(type)!.nodeType);
  }

  /**
   * Everything wrong with a node: unknown type (the message lists the known
   * types), parameters outside the type's schema (ranges, units, unknown
   * names), and the type's cross-field rules. Empty when the node is valid.
   */
  validate(
    spec: Pick<DspNodeSpec, "type" | "params">,
    options: DspValidateOptions = {},
  ): DspNodeProblem[] {
    return this.#check(spec, options).problems;
  }

  /**
   * The node's parameters with the type's defaults filled in (a new object).
   * Throws `UNKNOWN_NODE_TYPE` or `VALIDATION` (with `details.problems`) when
   * {@link DspNodeRegistry.validate} would report problems.
   */
  withDefaults(spec: Pick<DspNodeSpec, "type" | "params">): Record<string, unknown> {
    const { problems, params } = this.#check(spec, {});
    const first = problems[0];
    if (first !== undefined) {
      throw new GrimnirError(
        this.has(spec.type) ? "VALIDATION" : "UNKNOWN_NODE_TYPE",
        problems.map((p) => p.message).join("; "),
        { details: { pointer: first.pointer, problems } },
      );
    }
    return params;
  }

  #check(
    spec: Pick<DspNodeSpec, "type" | "params">,
    options: DspValidateOptions,
  ): { problems: DspNodeProblem[]; params: Record<string, unknown> } {
    const path = options.path ?? "";
    const entry = this.#entries.get(spec.type);
    if (entry === undefined) {
      return {
        problems: [{ pointer: "/type", message: this.#unknownTypeMessage(path, spec.type) }],
        params: spec.params,
      };
    }
    // Ajv fills defaults in place; work on a copy so callers' specs stay as written.
    const params = structuredClone(spec.params);
    if (!entry.validate(params)) {
      const rootName = path === "" ? `${spec.type} node` : `${path} (${spec.type})`;
      const problems = significantErrors(entry.validate.errors ?? []).map((error) => ({
        pointer:
          error.keyword === "additionalProperties"
            ? joinPointer(
                error.instancePath,
                String((error.params as Record<string, unknown>).additionalProperty),
              )
            : error.keyword === "required"
              ? joinPointer(
                  error.instancePath,
                  String((error.params as Record<string, unknown>).missingProperty),
                )
              : error.instancePath,
        message: describeSchemaError(error, { basePath: path, rootName }),
        ...(error.keyword === "additionalProperties" ? { onKey: true } : {}),
      }));
      return { problems, params };
    }
    const problems = (entry.nodeType.check?.(params) ?? []).map((p) => ({
      pointer: p.pointer,
      message: `${pointerToPath(p.pointer, path)} ${p.message}`,
    }));
    return { problems, params };
  }

  #unknownTypeMessage(path: string, type: string): string {
    const field = path === "" ? "type" : `${path}.type`;
    return `${field}: unknown DSP node type ${JSON.stringify(type)}; known types: ${this.types().join(", ")}`;
  }
}
