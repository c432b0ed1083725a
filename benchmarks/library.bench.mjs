// Library analysis benchmark: `node benchmarks/library.bench.mjs [--write]`.
// Bundles @grimnir/library from source, generates 60 s test files with ffmpeg, then times
// analyzeFile (GStreamer decode + our BS.1770 analysis) against
// `ffmpeg -af ebur128=peak=true` on the same files, one file at a time, in CPU and wall time.
// With --write the "Library analysis" section of benchmarks/RESULTS.md is replaced.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { cpus, totalmem, loadavg } from "node:os";
import { join, dirname } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Built inside the package so the bundle resolves music-metadata (kept external: it is CJS-mixed) from its node_modules.
const out = mkdtempSync(join(root, "packages/library/.bench-"));
await build({
  entry: { library: join(root, "packages/library/src/index.ts") },
  outDir: out,
  format: ["esm"],
  platform: "node",
  target: "node20",
  bundle: true,
  noExternal: [/^@grimnir\//],
  external: ["music-metadata"],
  dts: false,
  // Bundled CommonJS dependencies (yaml, debug) require Node built-ins at run time.
  banner: {
    js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
  },
  silent: true,
  esbuildOptions(options) {
    options.conditions = ["source"];
    options.nodePaths = [join(root, "packages/library/node_modules")];
  },
});
const { analyzeFile } = await import(pathToFileURL(join(out, "library.js")).href);

const SECONDS = 60;
const files = [
  [
    "pink-44k.flac",
    `anoisesrc=c=pink:a=0.4:seed=1:r=44100:d=${SECONDS},pan=stereo|c0=c0|c1=0.7*c0`,
    [],
  ],
  [
    "tones-48k.wav",
    `aevalsrc=exprs='0.3*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.5*t))|0.3*sin(2*PI*330*t)':s=48000:d=${SECONDS}:c=stereo`,
    [],
  ],
  [
    "pink-44k.mp3",
    `anoisesrc=c=pink:a=0.4:seed=2:r=44100:d=${SECONDS},pan=stereo|c0=c0|c1=c0`,
    ["-c:a", "libmp3lame", "-b:a", "192k"],
  ],
].map(([name, graph, extra]) => {
  const path = join(out, name);
  execFileSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    graph,
    ...extra,
    path,
  ]);
  return path;
});

/** CPU seconds used so far by this process and its waited-for children (gst-launch, ffmpeg), from /proc. */
function cpuSeconds() {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}
const RUNS = 5;
/** Median of `xs`. */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * Median wall and CPU time of `runs` runs of `fn` after one unmeasured warm-up run
 * (JIT compilation of our analyser, the file in the page cache for both), seconds.
 */
async function time(fn, runs = RUNS) {
  await fn();
  const walls = [];
  const cpus = [];
  for (let i = 0; i < runs; i++) {
    const c0 = cpuSeconds();
    const t0 = process.hrtime.bigint();
    await fn();
    walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
    cpus.push(cpuSeconds() - c0);
  }
  return {
    wall: median(walls),
    cpu: median(cpus),
    cpuRange: [Math.min(...cpus), Math.max(...cpus)],
  };
}
const loadBefore = loadavg()[0];
const rows = [];
for (const file of files) {
  const ours = await time(() => analyzeFile(file));
  const ffmpeg = await time(async () =>
    execFileSync(
      "ffmpeg",
      ["-hide_banner", "-nostats", "-i", file, "-af", "ebur128=peak=true", "-f", "null", "-"],
      { stdio: "ignore" },
    ),
  );
  rows.push({ file: file.split("/").pop(), ours, ffmpeg });
}
rmSync(out, { recursive: true, force: true });

const machine = `${cpus()[0]?.model ?? "unknown CPU"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)} (1-min average at start → end), Node ${process.version}`;
const lines = [
  "## Library analysis",
  "",
  `Command: \`node benchmarks/library.bench.mjs --write\` — ${new Date().toISOString()} — ${machine}`,
  "",
  `${SECONDS} s generated files, one at a time; per file and subject one unmeasured warm-up run, then the median of ${RUNS} runs (CPU time from /proc, 10 ms resolution).`,
  "Ours = GStreamer decode (child process) + TypeScript BS.1770-4 analysis with true peak;",
  "ffmpeg = `ffmpeg -af ebur128=peak=true` on the same file (decode included in both).",
  "× realtime per core = audio seconds / CPU seconds (user + system, our process and its",
  "gst-launch child; ffmpeg's process), which a loaded machine distorts far less than wall",
  "time; × realtime wall = audio seconds / elapsed seconds (both use more than one core:",
  "decoder and analyser run in parallel). ours / ffmpeg = our speed ÷ ffmpeg's: above 1.00",
  "ours is faster.",
  "",
  "| file | ours × realtime per core (runs) | ffmpeg × realtime per core (runs) | ours / ffmpeg (CPU) | ours × realtime wall | ffmpeg × realtime wall | ours / ffmpeg (wall) |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => {
    const oc = SECONDS / r.ours.cpu;
    const fc = SECONDS / r.ffmpeg.cpu;
    const ow = SECONDS / r.ours.wall;
    const fw = SECONDS / r.ffmpeg.wall;
    // × realtime of the fastest and slowest run, to show the run-to-run spread.
    const range = ({ cpuRange: [lo, hi] }) =>
      `${(SECONDS / hi).toFixed(0)}–${(SECONDS / lo).toFixed(0)}`;
    return `| ${r.file} | ${oc.toFixed(0)} (${range(r.ours)}) | ${fc.toFixed(0)} (${range(r.ffmpeg)}) | ${(oc / fc).toFixed(2)} | ${ow.toFixed(0)} | ${fw.toFixed(0)} | ${(ow / fw).toFixed(2)} |`;
  }),
  "",
  verdicts(),
  "",
];

/** The targets, judged from the figures above. */
function verdicts() {
  const perCore = rows.map((r) => ({ file: r.file, x: SECONDS / r.ours.cpu }));
  const slowest = perCore.reduce((a, b) => (b.x < a.x ? b : a));
  const ratios = rows.map((r) => ({ file: r.file, ratio: r.ffmpeg.cpu / r.ours.cpu }));
  const behind = ratios.filter((r) => r.ratio < 1);
  const lowest = ratios.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  return [
    `Target ≥ 50× realtime per core: ${slowest.x >= 50 ? "met" : "missed"} (slowest ${slowest.x.toFixed(0)}× on ${slowest.file}).`,
    `Target no slower than ffmpeg in CPU: ${behind.length === 0 ? "met" : "missed"} (ours at least as fast on ${rows.length - behind.length} of ${rows.length} files; lowest ratio ${lowest.ratio.toFixed(2)} on ${lowest.file}).`,
  ].join("\n");
}
const section = lines.join("\n");
console.log(section);
if (process.argv.includes("--write")) {
  const path = join(root, "benchmarks/RESULTS.md");
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n\n";
  const start = text.indexOf("## Library analysis");
  let next = start < 0 ? -1 : text.indexOf("\n## ", start + 1);
  if (next >= 0) next += 1;
  const updated =
    start < 0
      ? `${text.trimEnd()}\n\n${section}`
      : `${text.slice(0, start)}${section}${next >= 0 ? `\n${text.slice(next)}` : ""}`;
  writeFileSync(path, updated);
}
