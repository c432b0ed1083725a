import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHarness, type Harness } from "./support.js";

/**
 * docs/openapi.json and the route table of docs/http-api.md are generated from
 * the route table. `GRIMNIR_WRITE_OPENAPI=1 pnpm exec vitest run --project http
 * test/openapi-doc.test.ts` rewrites them; otherwise this test fails when they drift.
 */
const docs = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs");
const JSON_FILE = join(docs, "openapi.json");
const PAGE = join(docs, "http-api.md");
const BEGIN =
  "<!-- routes:begin (generated from the route table; see packages/http/test/openapi-doc.test.ts) -->";
const END = "<!-- routes:end -->";

type Doc = {
  paths: Record<
    string,
    Record<string, { summary: string; "x-grimnir-access": { kind: string; role?: string } }>
  >;
};

function routeTable(doc: Doc): string {
  const who = (a: { kind: string; role?: string }): string =>
    a.kind === "station"
      ? `${a.role} on the station`
      : a.kind === "global-admin"
        ? "admin on *"
        : a.kind;
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) =>
        `| ${method.toUpperCase()} | \`${path}\` | ${who(op["x-grimnir-access"])} | ${op.summary.replace(/\|/g, "\\|")} |`,
    ),
  );
  return [BEGIN, "| method | path | who | what |", "|---|---|---|---|", ...rows, END].join("\n");
}

describe("the OpenAPI document in docs/", () => {
  let h: Harness;
  let doc: Doc;
  beforeAll(async () => {
    h = await makeHarness();
    doc = (await h.api.inject({ method: "GET", url: "/api/openapi.json" })).json() as Doc;
  });
  afterAll(async () => h.close());

  it("matches what the API serves at /api/openapi.json, route table included", async () => {
    // Formatted as the repository's prettier check expects.
    const json = await format(JSON.stringify(doc), {
      ...(await resolveConfig(JSON_FILE)),
      filepath: JSON_FILE,
    });
    const page = existsSync(PAGE) ? readFileSync(PAGE, "utf8") : "";
    const start = page.indexOf(BEGIN);
    const end = page.indexOf(END);
    expect(start, `${PAGE} needs the ${BEGIN} … ${END} markers`).toBeGreaterThanOrEqual(0);
    const table = routeTable(doc);
    if (process.env["GRIMNIR_WRITE_OPENAPI"] === "1") {
      writeFileSync(JSON_FILE, json);
      writeFileSync(PAGE, page.slice(0, start) + table + page.slice(end + END.length));
      return;
    }
    expect(readFileSync(JSON_FILE, "utf8"), "docs/openapi.json is stale: regenerate it").toBe(json);
    expect(page.slice(start, end + END.length), "docs/http-api.md route table is stale").toBe(
      table,
    );
  });
});
