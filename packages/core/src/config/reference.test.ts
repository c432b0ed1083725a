import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dspNodes } from "../dsp/builtins.js";
import { renderConfigReference } from "./reference.js";
import { stationConfigSchema } from "./schema.js";
import type { JsonSchema } from "./json-schema.js";

const DOC = fileURLToPath(new URL("../../../../docs/configuration.md", import.meta.url));

function walk(
  schema: JsonSchema,
  path: string,
  visit: (path: string, schema: JsonSchema) => void,
): void {
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    visit(`${path}${name}`, property);
    walk(property, `${path}${name}.`, visit);
    if (property.items !== undefined) {
      walk(property.items, `${path}${name}[].`, visit);
      for (const branch of property.items.oneOf ?? []) walk(branch, `${path}${name}[].`, visit);
    }
  }
}

describe("configuration reference", () => {
  it("has a title and a description on every property of the station schema", () => {
    const undocumented: string[] = [];
    walk(stationConfigSchema, "", (path, schema) => {
      if (schema.title === undefined || schema.description === undefined) undocumented.push(path);
    });
    expect(undocumented).toEqual([]);
  });

  it("renders a row per field with type, default, range and description", () => {
    const markdown = renderConfigReference(stationConfigSchema, { dspNodes });
    expect(markdown).toContain(
      "| `mounts[].outputs[].bitrate_kbps` | integer | no | `128` | 8 … 640 | Encoder bitrate, kbit/s. |",
    );
    expect(markdown).toContain(
      '| `crossfade.curve` | string | no | `"scurve"` | one of `"linear"`, `"log"`, `"exp"`, `"scurve"` | Shape of the gain ramps. |',
    );
    expect(markdown).toContain(
      "| `ratio` | number | no | `3` | 1 … 20 | Input:output ratio above the threshold (3 means 3:1). |",
    );
    expect(markdown).toContain("### `compressor`");
  });

  // Regenerate with: GRIMNIR_UPDATE_DOCS=1 npx vitest run --project core reference
  it("matches the committed docs/configuration.md", () => {
    const markdown = renderConfigReference(stationConfigSchema, { dspNodes });
    if (process.env.GRIMNIR_UPDATE_DOCS === "1") writeFileSync(DOC, markdown);
    expect(
      readFileSync(DOC, "utf8"),
      "docs/configuration.md is stale; regenerate it (see the comment above)",
    ).toBe(markdown);
  });
});
