// Regenerates library.json (from @grimnir/scheduler's deterministic generator)
// and plan-input.json (station.yaml converted by planInputFromConfig) of the
// demo station: `node examples/demo-station/generate.mjs`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const out = mkdtempSync(join(tmpdir(), "grimnir-demo-"));
await build({
  entry: { scheduler: join(here, "generate-entry.ts") },
  outDir: out,
  format: ["esm"],
  platform: "node",
  target: "node20",
  noExternal: [/.*/],
  dts: false,
  // bundled CommonJS dependencies (yaml, rrule) may require() Node built-ins
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  silent: true,
  esbuildOptions(options) {
    options.conditions = ["source"];
    options.nodePaths = [
      join(root, "packages/scheduler/node_modules"),
      join(root, "packages/core/node_modules"),
    ];
  },
});
const { generateDemoLibrary, planInputFromConfig, parseStationConfig } = await import(
  pathToFileURL(join(out, "scheduler.js")).href
);
rmSync(out, { recursive: true, force: true });

const library = generateDemoLibrary(300, 1, { stationId: "demo" });
writeFileSync(join(here, "library.json"), JSON.stringify(library) + "\n");
const yamlPath = join(here, "station.yaml");
const { config } = parseStationConfig(readFileSync(yamlPath, "utf8"), yamlPath);
writeFileSync(
  join(here, "plan-input.json"),
  JSON.stringify(
    { ...planInputFromConfig(config, []), library: "./library.json", history: [] },
    null,
    2,
  ) + "\n",
);
console.log(`wrote ${library.length} media items and plan-input.json`);
