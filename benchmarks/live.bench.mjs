// Live takeover: `node benchmarks/live.bench.mjs [--write] [--runs 10]`.
// A real grimnir-engine process (bundled from source) plays a 440 Hz program
// into a private icecast2; a DJ (ffmpeg, real time, MP3 128 kbps) streams to the
// real Harbor of @grimnir/live with a live token. Measured, in the engine's own
// clock (its `live_started` / `live_connected` events carry the time the first
// live sample is due on air):
//  - takeover: RouteLive RPC sent → first live sample in the mix (a fresh live
//    input decoder each run: HEAD probe, connect, decode, start buffer);
//  - DJ reconnect through the harbor: the DJ's ffmpeg restarted → live audio on air
//    again, without a new RouteLive (the harbor keeps the engine's pull open);
//  - DJ reconnect on a plain Icecast mount: the mount disappears with the DJ, the
//    engine's decoder exits and is retried every second.
// With --write the "## Live takeover" section of benchmarks/RESULTS.md is replaced.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { bundleSources } from "./lib/bundle-sources.mjs";

const { values: opts } = parseArgs({
  options: {
    write: { type: "boolean", default: false },
    runs: { type: "string", default: "10" },
  },
});
const RUNS = Number(opts.runs);
const LEAD_MS = 150;
const FADE_MS = 500;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const startedAt = new Date();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- bundle the engine, its client, the harbor and the testkit from source ------
const { work, bin, load } = await bundleSources("grimnir-live-bench-", {
  "engine-main": "packages/engine/src/engine-main.ts",
  engine: "packages/engine/src/index.ts",
  live: "packages/live/src/index.ts",
  core: "packages/core/src/index.ts",
  testkit: "packages/testkit/src/index.ts",
});
const { EngineClient } = await load("engine");
const { Harbor, LiveService } = await load("live");
const { MemoryBus, MemoryStore } = await load("core");
const { startIcecast, freePort, waitFor, makeTone, tempDir } = await load("testkit");

function dj(url, freq) {
  const child = spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=${freq}:sample_rate=44100`,
      "-c:a",
      "libmp3lame",
      "-b:a",
      "128k",
      "-content_type",
      "audio/mpeg",
      "-f",
      "mp3",
      url,
    ],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
  return child;
}
async function kill(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGKILL");
  await new Promise((r) => child.once("close", r));
}
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, worst: sorted.at(-1), best: sorted[0], n: sorted.length };
}

const icecast = await startIcecast();
const tones = tempDir("grimnir-live-bench-tones-");
const program = makeTone(tones.dir, "program", 440, 600, 0.5);
const store = new MemoryStore();
const bus = new MemoryBus();
const live = new LiveService({ store, bus, liveTimeoutSec: 3600, log: () => undefined });
const harbor = new Harbor({ live, log: () => undefined });
await harbor.start();

const port = await freePort();
const engine = spawn(process.execPath, [join(bin, "engine-main.js"), "--port", String(port)], {
  stdio: ["ignore", "pipe", "pipe"],
});
let engineErr = "";
engine.stderr.on("data", (c) => (engineErr += c));
await new Promise((resolve, reject) => {
  engine.stdout.on("data", (c) => String(c).includes("listening") && resolve());
  engine.once("exit", () => reject(new Error(`engine exited: ${engineErr}`)));
});
const client = new EngineClient({ address: `127.0.0.1:${port}` });
const events = [];
await client.subscribe("bench", { onEvent: (e) => events.push(e) });
const nextEvent = (type, after) =>
  waitFor(
    () => events.find((e) => e.type === type && e.at > after && !e.seen),
    15_000,
    `${type} event`,
  ).then((e) => {
    e.seen = true;
    return e;
  });

const takeover = [];
const harborReconnect = [];
const retryReconnect = [];
const djs = [];
try {
  await client.configureOutputs("bench", [
    {
      name: "main",
      format: "mp3",
      icecastUrl: `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/bench.mp3`,
    },
  ]);
  const token = await live.generateToken("bench", {
    mountId: "studio",
    userId: "dj-bench",
    priority: 1,
    ttlMs: 3_600_000,
  });
  const harborDj = `icecast://source:${token.token}@127.0.0.1:${harbor.port}/studio`;
  djs.push(dj(harborDj, 660));
  const harborUri = harbor.inputUri("studio");
  await waitFor(() => harbor.mounts().length > 0 || undefined, 10_000, "the DJ on the harbor");
  await sleep(1000);

  // Takeover: program playing, RouteLive, live_started; then fail back with a Play.
  for (let run = 0; run < RUNS; run++) {
    await client.play("bench", { itemId: `p${run}`, uri: program, crossfadeMs: 0 });
    await sleep(1500);
    const t0 = Date.now();
    await client.routeLive("bench", { inputUri: harborUri, priority: 1, fadeInMs: FADE_MS });
    const started = await nextEvent("live_started", t0);
    takeover.push(started.at - t0);
    await sleep(1000);
  }

  // Harbor reconnect: live on air, the DJ drops and comes back.
  for (let run = 0; run < RUNS; run++) {
    await kill(djs.pop());
    await nextEvent("live_disconnected", 0);
    await sleep(500);
    const t1 = Date.now();
    djs.push(dj(harborDj, 660));
    const back = await nextEvent("live_connected", t1);
    harborReconnect.push(back.at - t1);
    await sleep(1500);
  }

  // Plain Icecast mount as the input: the decoder exits with the DJ and is retried every second.
  const iceDj = `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/dj.mp3`;
  const iceUri = `http://127.0.0.1:${icecast.port}/dj.mp3`;
  await kill(djs.pop());
  await nextEvent("live_disconnected", 0);
  djs.push(dj(iceDj, 770));
  await sleep(1500);
  const t2 = Date.now();
  await client.routeLive("bench", { inputUri: iceUri, priority: 1, fadeInMs: FADE_MS });
  await nextEvent("live_connected", t2);
  for (let run = 0; run < RUNS; run++) {
    await sleep(1500);
    await kill(djs.pop());
    await nextEvent("live_disconnected", 0);
    await sleep(500);
    const t1 = Date.now();
    djs.push(dj(iceDj, 770));
    const back = await nextEvent("live_connected", t1);
    retryReconnect.push(back.at - t1);
  }
} finally {
  for (const child of djs) await kill(child);
  client.close();
  engine.kill("SIGTERM");
  await harbor.stop();
  await icecast.stop();
  tones.remove();
  rmSync(work, { recursive: true, force: true });
}

const loadAtEnd = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const fmt = (v) => `${Math.round(v)} ms`;
const row = (name, values, note) => {
  const s = stats(values);
  return `| ${name} | ${s.n} | ${fmt(s.median)} | ${fmt(s.worst)} | ${fmt(s.best)} | ${note} |`;
};
const cmd = `node benchmarks/live.bench.mjs${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`;
const section = [
  "## Live takeover",
  "",
  `Command: \`${cmd}\``,
  `Date: ${startedAt.toISOString()}; machine: ${cpus().length} cores (\`nproc\`) ${cpus()[0]?.model ?? ""}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average at start ${loadAtStart}, at end ${loadAtEnd}`,
  "",
  "One `grimnir-engine` process (bundled from source) playing a 440 Hz program to a private icecast2; the DJ is `ffmpeg -re` sending a 660 Hz MP3 (128 kbps) to the real `Harbor` of `@grimnir/live` with a live token. Times are from the engine's events: `at` of `live_started` / `live_connected` is when the first live sample is due on air on the engine clock (it is written to the encoder up to the 150 ms lead earlier).",
  "",
  "| measure | runs | median | worst | best | what it includes |",
  "|---|---:|---:|---:|---:|---|",
  row(
    "RouteLive RPC → first live sample on air",
    takeover,
    `HEAD probe, new input decoder (gst-launch souphttpsrc from the harbor, mpegaudioparse, mpg123), 450 ms start buffer (300 ms target + ${LEAD_MS} ms lead); the ${FADE_MS} ms fade starts there`,
  ),
  row(
    "RouteLive RPC → first live sample into the encoder (above − lead)",
    takeover.map((v) => v - LEAD_MS),
    "as above without the lead",
  ),
  row(
    "DJ reconnect via the harbor → live audio on air",
    harborReconnect,
    "ffmpeg start and connect, harbor auth, 450 ms start buffer; no new RouteLive (the harbor keeps the engine's pull open through the grace)",
  ),
  row(
    "DJ reconnect on a plain Icecast mount → live audio on air",
    retryReconnect,
    "ffmpeg start, Icecast mount, the engine's 1 s retry (HEAD 404 until the mount is back), new decoder (Icecast burst fills the buffer at once)",
  ),
  "",
  "- The machine is shared with other jobs; figures are indicative.",
  "",
  "",
].join("\n");
console.log("\n" + section);

if (opts.write) {
  const file = join(root, "benchmarks/RESULTS.md");
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\n";
  const start = text.indexOf("## Live takeover");
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : "");
  } else text = text.trimEnd() + "\n\n" + section;
  writeFileSync(file, text.trimEnd() + "\n");
}
process.exit(0);
