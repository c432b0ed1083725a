import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv/dist/2020.js";

/** A JSON Schema primitive type name. */
export type JsonType = "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

/**
 * A JSON Schema (2020-12) document or subschema, as Grimnir writes them: plain
 * data, so it can be rendered into documentation and published as-is. Only the
 * keywords Grimnir's own schemas use are typed; anything else is allowed.
 */
export interface JsonSchema {
  /** Canonical URI of a schema document. */
  $id?: string;
  /** Dialect URI (2020-12). */
  $schema?: string;
  /** Short human name. */
  title?: string;
  /** Human description; the configuration reference is generated from it, units included. */
  description?: string;
  /** JSON type of the value, or the list of types it may have. */
  type?: JsonType | JsonType[];
  /** Schemas of an object's known keys. */
  properties?: Record<string, JsonSchema>;
  /** Keys an object must have. */
  required?: string[];
  /** Whether (or how) keys not in `properties` are allowed. */
  additionalProperties?: boolean | JsonSchema;
  /** Schema of every array item. */
  items?: JsonSchema;
  /** Fewest array items. */
  minItems?: number;
  /** Most array items. */
  maxItems?: number;
  /** The allowed values. */
  enum?: readonly (string | number | boolean)[];
  /** The one allowed value. */
  const?: string | number | boolean;
  /** Value filled in when the key is absent. */
  default?: unknown;
  /** Inclusive lower bound, in the property's unit. */
  minimum?: number;
  /** Inclusive upper bound, in the property's unit. */
  maximum?: number;
  /** Exclusive lower bound. */
  exclusiveMinimum?: number;
  /** Exclusive upper bound. */
  exclusiveMaximum?: number;
  /** Shortest string length. */
  minLength?: number;
  /** Longest string length. */
  maxLength?: number;
  /** Regular expression a string must match. */
  pattern?: string;
  /** Example values for documentation. */
  examples?: unknown[];
  /** Exactly one of these schemas must match. */
  oneOf?: JsonSchema[];
  /** All of these schemas must match. */
  allOf?: JsonSchema[];
  /** Condition for `then`. */
  if?: JsonSchema;
  /** Applies when `if` matches. */
  then?: JsonSchema;
  /** Selects the `oneOf` branch by the value of `propertyName` (OpenAPI style, supported by Ajv). */
  discriminator?: {
    /** Property whose `const` value picks the branch. */
    propertyName: string;
  };
  [keyword: string]: unknown;
}

/** An Ajv validation error, as produced by {@link createSchemaValidator} (verbose mode). */
export type SchemaError = ErrorObject;

/**
 * A new Ajv instance configured the way Grimnir validates configuration: JSON
 * Schema 2020-12, every error reported (not just the first), defaults filled in,
 * `discriminator` supported, unknown keywords rejected, verbose errors (so the
 * offending value and schema are available for messages).
 */
export function createSchemaValidator(): Ajv2020 {
  return new Ajv2020({
    allErrors: true,
    verbose: true,
    useDefaults: true,
    discriminator: true,
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
  });
}

/** Split an RFC 6901 JSON pointer into its unescaped segments ("" → []). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Append a segment to an RFC 6901 JSON pointer, escaping it. */
export function joinPointer(pointer: string, segment: string | number): string {
  return `${pointer}/${String(segment).replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/**
 * The dotted path a human reads for a JSON pointer, relative to `base`:
 * `/dsp_graph/nodes/2/ratio` → `dsp_graph.nodes[2].ratio`.
 */
export function pointerToPath(pointer: string, base = ""): string {
  let path = base;
  for (const segment of pointerSegments(pointer)) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else path += path === "" ? segment : `.${segment}`;
  }
  return path;
}

/** Options of {@link describeSchemaError}. */
export interface DescribeOptions {
  /** Dotted path the error's instancePath is relative to (e.g. "dsp_graph.nodes[2]"); "" for the document root. */
  basePath?: string;
  /** How to name the object the error's instancePath is relative to, e.g. "the top level" or "dsp_graph.nodes[2] (compressor)". */
  rootName?: string;
}

/**
 * A one-line message for an Ajv error that names the field and says what was
 * expected and what was found, e.g. `dsp_graph.nodes[2].ratio must be <= 20 (got 40)`.
 */
export function describeSchemaError(error: SchemaError, options: DescribeOptions = {}): string {
  const path = pointerToPath(error.instancePath, options.basePath ?? "");
  const where =
    error.instancePath === "" ? (options.rootName ?? (path === "" ? "the top level" : path)) : path;
  const field = where;
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as JsonSchema;
  const got = describeValue(error.data);
  switch (error.keyword) {
    case "required":
      return `${joinPath(path, String(params.missingProperty))} is required`;
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const known = Object.keys(schema.properties ?? {});
      const suggestion = closest(key, known);
      const hint =
        suggestion === undefined
          ? `expected one of: ${known.join(", ")}`
          : `did you mean "${suggestion}"?`;
      return `unknown key "${key}" in ${where}; ${hint}`;
    }
    case "type":
      return `${field} must be ${withArticle(String(params.type))} (got ${got})`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `${field} must be ${String(params.comparison)} ${String(params.limit)} (got ${got})`;
    case "enum":
      return `${field} must be one of ${(params.allowedValues as unknown[]).map(quote).join(", ")} (got ${got})`;
    case "const":
      return `${field} must be ${quote(params.allowedValue)} (got ${got})`;
    case "minLength":
      return params.limit === 1
        ? `${field} must not be empty`
        : `${field} must be at least ${String(params.limit)} characters (got ${got})`;
    case "maxLength":
      return `${field} must be at most ${String(params.limit)} characters long`;
    case "pattern":
      return `${field} must match ${String(params.pattern)} (got ${got})`;
    case "minItems":
    case "maxItems": {
      const count = Array.isArray(error.data) ? error.data.length : 0;
      const bound = error.keyword === "minItems" ? "at least" : "at most";
      const exact = schema.minItems !== undefined && schema.minItems === schema.maxItems;
      const limit = Number(params.limit);
      return `${field} must have ${exact ? "exactly" : bound} ${plural(limit, "item")} (got ${count})`;
    }
    case "discriminator": {
      const tag = String(params.tag);
      if (params.error === "mapping") {
        const allowed = (schema.oneOf ?? []).map((branch) => branch.properties?.[tag]?.const);
        const tagValue = (error.data as Record<string, unknown>)[tag];
        return `${joinPath(path, tag)} must be one of ${allowed.map(quote).join(", ")} (got ${describeValue(tagValue)})`;
      }
      return `${joinPath(path, tag)} must be a string`;
    }
    default:
      return `${field} ${error.message ?? "is invalid"}`;
  }
}

/**
 * Ajv reports some failures twice (an `if` failing because its `then` failed;
 * a discriminator tag missing next to the `required` error for it). Keep only
 * the errors that carry information.
 */
export function significantErrors(errors: readonly SchemaError[]): SchemaError[] {
  const missing = new Set(
    errors
      .filter((e) => e.keyword === "required")
      .map((e) =>
        joinPointer(e.instancePath, String((e.params as Record<string, unknown>).missingProperty)),
      ),
  );
  return errors.filter((e) => {
    if (e.keyword === "if") return false;
    if (e.keyword === "discriminator" && (e.params as Record<string, unknown>).error === "tag") {
      return !missing.has(
        joinPointer(e.instancePath, String((e.params as Record<string, unknown>).tag)),
      );
    }
    return true;
  });
}

/** How a value reads in a message: `40`, `"fast"`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `a list of ${plural(value.length, "item")}`;
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function quote(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function withArticle(type: string): string {
  const names: Record<string, string> = {
    object: "a mapping",
    array: "a list",
    string: "a string",
    number: "a number",
    integer: "an integer",
    boolean: "true or false",
    null: "empty",
  };
  return type
    .split(",")
    .map((t) => names[t] ?? t)
    .join(" or ");
}

/** The candidate within edit distance 2 of `word` (or sharing its first word), if exactly one is closest. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(`${word}_`) ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= 2 ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
