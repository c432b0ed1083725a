// Regenerates library.json and plan-input.json of the demo station from
// @grimnir/scheduler's deterministic generator: `node examples/demo-station/generate.mjs`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const out = mkdtempSync(join(tmpdir(), "grimnir-demo-"));
await build({
  entry: { scheduler: join(root, "packages/scheduler/src/index.ts") },
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
    options.nodePaths = [join(root, "packages/scheduler/node_modules")];
  },
});
const { generateDemoLibrary, demoStationRules } = await import(
  pathToFileURL(join(out, "scheduler.js")).href
);
rmSync(out, { recursive: true, force: true });

const library = generateDemoLibrary(300, 1, { stationId: "demo" });
writeFileSync(join(here, "library.json"), JSON.stringify(library) + "\n");
writeFileSync(
  join(here, "plan-input.json"),
  JSON.stringify({ ...demoStationRules(), library: "./library.json", history: [] }, null, 2) + "\n",
);
console.log(`wrote ${library.length} media items and plan-input.json`);
