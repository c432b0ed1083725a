// Planner benchmark: `node benchmarks/scheduler.bench.mjs [--write]`.
// Bundles @grimnir/scheduler from source (tsup/esbuild, "source" condition) into a
// temp dir, then times planTimeline on the workload. With --write the
// "Planner" section of benchmarks/RESULTS.md is replaced by this run's figures.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir, cpus, totalmem, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const loadAtStart = loadavg()[0].toFixed(1);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = mkdtempSync(join(tmpdir(), "grimnir-bench-"));
await build({
  entry: { scheduler: join(root, "packages/scheduler/src/index.ts") },
  outDir: out,
  format: ["esm"],
  platform: "node",
  target: "node20",
  bundle: true,
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
const { planTimeline, generateDemoLibrary } = await import(
  pathToFileURL(join(out, "scheduler.js")).href
);
rmSync(out, { recursive: true, force: true });

const META = { version: 1, createdAt: 0, updatedAt: 0 };
const GENRES = ["Indie", "Rock", "Pop", "Electronic", "Jazz", "Soul", "Folk", "Hip-Hop"];

/** 24 clocks (one per hour of day), each with 4 smart-block slots; 96 smart blocks. */
function stationInput(stationId, library) {
  const rotation = { artistSeparationMinutes: 60, trackRepeatHours: 24 };
  const smartBlocks = [];
  const clocks = [];
  for (let h = 0; h < 24; h++) {
    const slots = [
      { id: "id", kind: "hard_event", offsetMs: 0, refId: "jingle-001", timing: "hard" },
    ];
    for (let q = 0; q < 4; q++) {
      const id = `b${h}-${q}`;
      const genreA = GENRES[(h + q) % GENRES.length];
      const genreB = GENRES[(h + q + 3) % GENRES.length];
      smartBlocks.push({
        ...META,
        stationId,
        id,
        name: id,
        filters: [{ field: "genre", op: "in", values: [genreA, genreB] }],
        sort: q === 3 ? { by: "least_recently_played" } : { by: "random" },
        limit: { kind: "duration", durationMs: 15 * 60_000, toleranceMs: 20_000 },
        quotas:
          q === 0
            ? [
                {
                  name: "new",
                  filters: [{ field: "tags", op: "contains", value: "new" }],
                  percent: 30,
                },
              ]
            : [],
        rotation,
        fill: { kind: "none" },
      });
      slots.push({ id: `s${q}`, kind: "smart_block", offsetMs: q * 15 * 60_000, refId: id });
    }
    clocks.push({ ...META, stationId, id: `clock-${h}`, name: `clock ${h}`, slots });
  }
  return {
    station: { id: stationId, timezone: "America/New_York" },
    clocks,
    smartBlocks,
    playlists: [],
    shows: [],
    overrides: [],
    clockAssignment: { byHourOfDay: clocks.map((c) => c.id) },
    library,
    history: [],
  };
}

const library = generateDemoLibrary(50_000, 42, { artists: 2_000, stationId: "bench" });
const input = stationInput("bench", library);
const from = Date.UTC(2026, 2, 6, 5, 0); // local midnight, two days before the spring-forward change
const runs = 30;
for (let i = 0; i < 3; i++) planTimeline(input, { from, hours: 48, seed: i });
const times = [];
let result;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  result = planTimeline(input, { from, hours: 48, seed: 1000 + i });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(runs / 2)];
const p95 = times[Math.floor(runs * 0.95)];
const relaxed = result.diagnostics.filter((d) => d.code === "rule_relaxed").length;

// 100 stations × 48 h in one process, each with its own 50k-track library snapshot.
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const stations = Array.from({ length: 100 }, (_, i) => stationInput(`s${i}`, library));
const t100 = performance.now();
let entries100 = 0;
for (let i = 0; i < stations.length; i++)
  entries100 += planTimeline(stations[i], { from, hours: 48, seed: i }).entries.length;
const ms100 = performance.now() - t100;
const heapAfter = process.memoryUsage().heapUsed;
const rssMb = process.memoryUsage().rss / 1024 / 1024;

const lines = [
  `- single station, 50,000 tracks / 2,000 artists, 24 clocks × 4 smart blocks, artist separation 60 min, no repeat in 24 h, 48 h: **median ${median.toFixed(1)} ms**, p95 ${p95.toFixed(1)} ms over ${runs} seeds (${result.entries.length} entries, ${relaxed} relaxation diagnostics) — target < 50 ms`,
  `- 100 stations × 48 h sequentially in one process: ${ms100.toFixed(0)} ms total (${(ms100 / 100).toFixed(1)} ms per station, ${entries100} entries)`,
  `- memory: heap growth during the 100-station run ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB, process RSS ${rssMb.toFixed(0)} MiB (the shared 50k-track library is counted once)`,
];
console.log(lines.join("\n"));

if (process.argv.includes("--write")) {
  const file = join(root, "benchmarks/RESULTS.md");
  const date = new Date().toISOString().slice(0, 10);
  const section = [
    "## Planner",
    "",
    "Command: `node --expose-gc benchmarks/scheduler.bench.mjs --write`",
    `Date: ${date}; machine: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average at start ${loadAtStart}`,
    "",
    ...lines,
    "",
    "",
  ].join("\n");
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\n";
  const start = text.indexOf("## Planner");
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : "");
  } else text = text.trimEnd() + "\n\n" + section;
  writeFileSync(file, text);
}
