import type { DspNodeRegistry } from "../dsp/registry.js";
import type { JsonSchema } from "./json-schema.js";

/** Options of {@link renderConfigReference}. */
export interface ReferenceOptions {
  /** Also document these DSP node types and their parameters. */
  dspNodes?: DspNodeRegistry;
}

/**
 * Markdown reference of a configuration schema: one section per object, one
 * table row per field with its type, whether it is required, its default, its
 * allowed range or values, and its description. Deterministic (same schema,
 * same text), so the committed `docs/configuration.md` can be checked for
 * staleness.
 */
export function renderConfigReference(schema: JsonSchema, options: ReferenceOptions = {}): string {
  const out: string[] = [];
  out.push(`# ${schema.title ?? "Configuration reference"}`, "");
  if (schema.description !== undefined) out.push(schema.description, "");
  if (schema.$id !== undefined) {
    out.push(
      `Generated from the JSON Schema \`${schema.$id}\` by \`renderConfigReference\`; do not edit by hand.`,
      "",
    );
  }
  renderObject(out, schema, "", "Top level", 2);
  const registry = options.dspNodes;
  if (registry !== undefined) {
    out.push("## DSP node types", "");
    out.push(
      "Each entry of `dsp_graph.nodes` has a `type`, an optional `id`, and that type's parameters beside them. Optional parameters take the default shown.",
      "",
    );
    for (const nodeType of registry.list()) {
      out.push(`### \`${nodeType.type}\``, "", nodeType.description, "");
      if (Object.keys(nodeType.params.properties).length === 0) out.push("No parameters.", "");
      else renderTable(out, nodeType.params, "");
      for (const [name, property] of Object.entries(nodeType.params.properties)) {
        const items = property.items;
        if (items?.type === "object" && items.properties !== undefined) {
          out.push(`Each entry of \`${name}\`:`, "");
          renderTable(out, items, "");
        }
      }
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function renderObject(
  out: string[],
  schema: JsonSchema,
  path: string,
  heading: string,
  level: number,
): void {
  out.push(`${"#".repeat(Math.min(level, 6))} ${heading}`, "");
  if (path !== "" && schema.description !== undefined) out.push(schema.description, "");
  if (schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
    renderTable(out, schema, path);
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const childPath = path === "" ? name : `${path}.${name}`;
    if (property.type === "object" && property.properties !== undefined) {
      renderObject(out, property, childPath, `\`${childPath}\``, level + (path === "" ? 0 : 1));
    } else if (property.type === "array" && property.items !== undefined) {
      renderItems(out, property.items, `${childPath}[]`, level + (path === "" ? 0 : 1));
    }
  }
}

function renderItems(out: string[], items: JsonSchema, path: string, level: number): void {
  if (items.oneOf !== undefined) {
    out.push(`${"#".repeat(Math.min(level, 6))} \`${path}\``, "");
    if (items.description !== undefined) out.push(items.description, "");
    for (const branch of items.oneOf) {
      renderObject(
        out,
        { ...branch, description: branch.description },
        path,
        `\`${path}\` — ${branch.title ?? "variant"}`,
        level + 1,
      );
    }
  } else if (items.type === "object") {
    renderObject(out, items, path, `\`${path}\``, level);
  }
}

function renderTable(out: string[], schema: JsonSchema, path: string): void {
  const required = new Set(schema.required ?? []);
  out.push(
    "| Field | Type | Required | Default | Range | Description |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const field = path === "" ? name : `${path}.${name}`;
    out.push(
      `| ${cell(`\`${field}\``)} | ${cell(typeOf(property))} | ${required.has(name) ? "yes" : "no"} | ${cell(
        property.default === undefined ? "—" : `\`${JSON.stringify(property.default)}\``,
      )} | ${cell(rangeOf(property))} | ${cell(property.description ?? property.title ?? "")} |`,
    );
  }
  out.push("");
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return "string";
  if (schema.type === "array")
    return schema.items === undefined ? "list" : `list of ${typeOf(schema.items)}`;
  if (schema.type === "object") return "mapping";
  if (Array.isArray(schema.type)) return schema.type.join(" or ");
  return schema.type ?? "any";
}

function rangeOf(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.const !== undefined) parts.push(`\`${JSON.stringify(schema.const)}\``);
  if (schema.enum !== undefined)
    parts.push(`one of ${schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(", ")}`);
  if (schema.minimum !== undefined && schema.maximum !== undefined)
    parts.push(`${schema.minimum} … ${schema.maximum}`);
  else if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.minItems !== undefined && schema.minItems === schema.maxItems)
    parts.push(`exactly ${schema.minItems} items`);
  else {
    if (schema.minItems !== undefined)
      parts.push(`at least ${schema.minItems} item${schema.minItems === 1 ? "" : "s"}`);
    if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  }
  if (schema.pattern !== undefined) parts.push(`matches \`${schema.pattern}\``);
  else if (schema.minLength === 1) parts.push("non-empty");
  if (schema.type === "array" && schema.items !== undefined) {
    const itemRange = rangeOf(schema.items);
    if (itemRange !== "—") parts.push(`each ${itemRange}`);
  }
  return parts.length === 0 ? "—" : parts.join("; ");
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
