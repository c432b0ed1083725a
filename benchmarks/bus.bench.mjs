// Event bus benchmark (issue 9): publish→receive latency (median, p99) and messages/s
// of RedisBus and NatsBus on loopback with 1 and 100 subscribers, next to the raw
// clients (ioredis, nats.js) moving the same JSON envelopes in the same run, and the
// server's own PUBLISH rate from `redis-benchmark`.
//
//   node benchmarks/bus.bench.mjs [--write]   # private redis-server and nats-server -js
//   BENCH_LATENCY_MSGS=500 BENCH_THROUGHPUT_MSGS=5000 node benchmarks/bus.bench.mjs
//
// Needs Debian `redis-server`, `redis-tools` and `nats-server`. With --write, the
// "Event bus" section of benchmarks/RESULTS.md is replaced by this run's figures.
//
// Method, every client in this one Node process, each subscriber on its own connection:
// - latency: one event at a time; the clock starts when `publish` is called and each
//   subscriber's handler records when the event reaches it (every delivery is a sample);
//   the next event is published once every subscriber has it.
// - messages/s: N events published with up to 100 in flight; elapsed = first publish to the
//   last delivery at the last subscriber. Deliveries/s = messages/s × subscribers.
// "raw" handlers JSON.parse the same envelope text, so the difference is our layer
// (envelope building and checking, channel validation, per-subscription ordered queue,
// duplicate filter, outbox checks and, on NATS, the PING/PONG round trip per publish).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { TextDecoder, TextEncoder } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "packages", "bus-redis");
const require = createRequire(join(pkg, "package.json"));
const { build } = require("esbuild");

const LATENCY_MSGS = Number(process.env.BENCH_LATENCY_MSGS ?? 2000);
const THROUGHPUT_MSGS = Number(process.env.BENCH_THROUGHPUT_MSGS ?? 20_000);
const FANOUT = 100;
const WINDOW = 100;
const STATION = "bench";

async function loadBusPackage() {
  const outdir = join(pkg, "node_modules", ".cache", "grimnir-bus-redis");
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "bench-bus.mjs");
  await build({
    stdin: {
      contents: [
        'export { RedisBus, NatsBus, channelFor, encodeEvent } from "./src/index.ts";',
        'export { startRedis, startNats } from "@grimnir/testkit";',
        'export { Redis } from "ioredis";',
        'export { connect as natsConnect } from "nats";',
      ].join("\n"),
      resolveDir: pkg,
      loader: "ts",
    },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    external: ["ioredis", "nats"],
    logLevel: "silent",
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}

const lib = await loadBusPackage();
const { RedisBus, NatsBus, channelFor, Redis, natsConnect, startRedis, startNats } = lib;
const quiet = { warn: () => undefined };
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function payload(seq) {
  return { title: "bench title", artist: "bench artist", startedAt: seq, priority: 3 };
}

/** The envelope our buses put on the wire, built here for the raw clients. */
function envelope(seq) {
  return JSON.stringify({
    v: 1,
    id: `bench-${seq}-${performance.now()}`,
    topic: "now_playing",
    stationId: STATION,
    at: Date.now(),
    payload: payload(seq),
  });
}

/**
 * A publisher and `n` subscribers of one kind. `publish(seq)` returns a promise
 * (resolved when the client says it is sent); `flush()` waits for outstanding sends;
 * every subscriber calls `sink(seq)` for each event it receives.
 */
const clients = {
  async RedisBus(url, n, sink) {
    const pub = await RedisBus.connect({ url, logger: quiet });
    const subs = [];
    for (let i = 0; i < n; i++) {
      const bus = await RedisBus.connect({ url, logger: quiet });
      await bus.subscribe("now_playing", STATION, (e) => sink(e.payload.startedAt));
      subs.push(bus);
    }
    return {
      publish: (seq) => pub.publish("now_playing", STATION, payload(seq)),
      flush: async () => undefined,
      close: async () => Promise.all([pub, ...subs].map((b) => b.close())),
    };
  },
  async "raw ioredis"(url, n, sink) {
    const channel = channelFor("grimnir", STATION, "now_playing");
    const pub = new Redis(url);
    const subs = [];
    for (let i = 0; i < n; i++) {
      const sub = new Redis(url);
      sub.on("message", (_channel, message) => sink(JSON.parse(message).payload.startedAt));
      await sub.subscribe(channel);
      subs.push(sub);
    }
    return {
      publish: (seq) => pub.publish(channel, envelope(seq)),
      flush: async () => undefined,
      close: async () => [pub, ...subs].forEach((c) => c.disconnect()),
    };
  },
  async NatsBus(url, n, sink) {
    const pub = await NatsBus.connect({ url, logger: quiet });
    const subs = [];
    for (let i = 0; i < n; i++) {
      const bus = await NatsBus.connect({ url, logger: quiet });
      await bus.subscribe("now_playing", STATION, (e) => sink(e.payload.startedAt));
      subs.push(bus);
    }
    return {
      publish: (seq) => pub.publish("now_playing", STATION, payload(seq)),
      flush: async () => undefined,
      close: async () => Promise.all([pub, ...subs].map((b) => b.close())),
    };
  },
  async "raw nats.js"(url, n, sink) {
    const subject = channelFor("grimnir", STATION, "now_playing");
    const servers = url.replace("nats://", "");
    const pub = await natsConnect({ servers });
    const subs = [];
    for (let i = 0; i < n; i++) {
      const nc = await natsConnect({ servers });
      nc.subscribe(subject, {
        callback: (error, msg) => {
          if (error === null) sink(JSON.parse(decoder.decode(msg.data)).payload.startedAt);
        },
      });
      await nc.flush();
      subs.push(nc);
    }
    return {
      // nats.js buffers publishes and writes them on the next tick; flush() is its round trip.
      publish: async (seq) => pub.publish(subject, encoder.encode(envelope(seq))),
      flush: () => pub.flush(),
      close: async () => Promise.all([pub, ...subs].map((c) => c.close())),
    };
  },
};

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

async function run(kind, url, subscribers) {
  // One sink for both phases; the phase decides what a delivery means.
  let onDelivery = () => undefined;
  const client = await clients[kind](url, subscribers, (seq) => onDelivery(seq));

  // Latency: one event at a time.
  const samples = [];
  let lost = 0;
  const latencyMsgs = subscribers === 1 ? LATENCY_MSGS : Math.ceil(LATENCY_MSGS / 5);
  const warmup = 100;
  for (let seq = 0; seq < warmup + latencyMsgs; seq++) {
    let got = 0;
    let done;
    const all = new Promise((resolve) => (done = resolve));
    const t0 = performance.now();
    onDelivery = (s) => {
      if (s !== seq) return;
      if (seq >= warmup) samples.push(performance.now() - t0);
      if (++got === subscribers) done(true);
    };
    await client.publish(seq);
    const timer = setTimeout(() => done(false), 5000);
    if (!(await all)) lost += subscribers - got;
    clearTimeout(timer);
  }
  samples.sort((a, b) => a - b);

  // Throughput: many events, up to WINDOW in flight.
  const total = subscribers === 1 ? THROUGHPUT_MSGS : Math.ceil(THROUGHPUT_MSGS / 10);
  const base = 1_000_000;
  let delivered = 0;
  let last = 0;
  let finished;
  const allDelivered = new Promise((resolve) => (finished = resolve));
  onDelivery = (s) => {
    if (s < base) return;
    delivered++;
    if (delivered === total * subscribers) {
      last = performance.now();
      finished(true);
    }
  };
  const start = performance.now();
  for (let i = 0; i < total; i += WINDOW) {
    const batch = [];
    for (let j = i; j < Math.min(total, i + WINDOW); j++) batch.push(client.publish(base + j));
    await Promise.all(batch);
    await client.flush();
  }
  const timer = setTimeout(() => finished(false), 120_000);
  const complete = await allDelivered;
  clearTimeout(timer);
  const elapsed = ((complete ? last : performance.now()) - start) / 1000;
  await client.close();
  return {
    kind,
    subscribers,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    samples: samples.length,
    lost: lost + (total * subscribers - delivered),
    msgsPerSec: total / elapsed,
    deliveriesPerSec: delivered / elapsed,
    published: total,
  };
}

function redisBenchmark(port, clientsCount) {
  const channel = channelFor("grimnir", STATION, "now_playing");
  const out = execFileSync(
    "redis-benchmark",
    [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-n",
      "100000",
      "-c",
      String(clientsCount),
      "-q",
      "PUBLISH",
      channel,
      envelope(0),
    ],
    { encoding: "utf8" },
  );
  // The progress lines end in \r; the summary is the last one.
  const summary = out.split("\r").at(-1).trim();
  const rate = /([\d.]+) requests per second/.exec(summary);
  const p50 = /p50=([\d.]+) msec/.exec(summary);
  if (rate === null) throw new Error(`redis-benchmark printed no rate: ${summary}`);
  return { rate: Number(rate[1]), p50: p50 ? Number(p50[1]) : NaN };
}

const loadStart = loadavg();
const redis = await startRedis();
const nats = await startNats();
const results = [];
const benchmarkFigures = {};
try {
  for (const subscribers of [1, FANOUT]) {
    for (const kind of ["RedisBus", "raw ioredis"]) {
      const r = await run(kind, redis.url, subscribers);
      console.log(JSON.stringify(r));
      results.push({ bus: "Redis", ...r });
    }
    for (const kind of ["NatsBus", "raw nats.js"]) {
      const r = await run(kind, nats.url, subscribers);
      console.log(JSON.stringify(r));
      results.push({ bus: "NATS", ...r });
    }
  }
  for (const c of [1, 50]) {
    benchmarkFigures[c] = redisBenchmark(redis.port, c);
    console.log(`redis-benchmark -c ${c}: ${JSON.stringify(benchmarkFigures[c])}`);
  }
} finally {
  await redis.stop();
  await nats.stop();
}
const loadEnd = loadavg();

const version = (cmd) => {
  try {
    return execFileSync(cmd, ["--version"], { encoding: "utf8" }).trim().split("\n")[0];
  } catch (error) {
    return `${cmd}: ${error.message}`;
  }
};
const find = (bus, kind, subscribers) =>
  results.find((r) => r.bus === bus && r.kind === kind && r.subscribers === subscribers);
const ms = (x) => (x === undefined ? "–" : x < 1 ? x.toFixed(3) : x.toFixed(2));
const rate = (x) => Math.round(x).toLocaleString("en");

const rows = [];
for (const [bus, ours, raw] of [
  ["Redis", "RedisBus", "raw ioredis"],
  ["NATS", "NatsBus", "raw nats.js"],
]) {
  for (const subscribers of [1, FANOUT]) {
    const o = find(bus, ours, subscribers);
    const r = find(bus, raw, subscribers);
    for (const x of [o, r]) {
      rows.push(
        `| ${x.kind} | ${subscribers} | ${ms(x.p50)} | ${ms(x.p99)} | ${rate(x.msgsPerSec)} | ${rate(x.deliveriesPerSec)} | ${x.lost} |`,
      );
    }
    rows.push(
      `| **ours / raw** | ${subscribers} | ${(o.p50 / r.p50).toFixed(2)} | ${(o.p99 / r.p99).toFixed(2)} | ${(o.msgsPerSec / r.msgsPerSec).toFixed(2)} | | |`,
    );
  }
}

const lines = [
  "## Event bus",
  "",
  `- command: \`${process.env.BENCH_LATENCY_MSGS || process.env.BENCH_THROUGHPUT_MSGS ? `BENCH_LATENCY_MSGS=${LATENCY_MSGS} BENCH_THROUGHPUT_MSGS=${THROUGHPUT_MSGS} ` : ""}node benchmarks/bus.bench.mjs --write\``,
  `- date: ${new Date().toISOString()}; load average (1/5/15 min) at start ${loadStart.map((x) => x.toFixed(1)).join(" / ")}, at end ${loadEnd.map((x) => x.toFixed(1)).join(" / ")} — the machine is shared, figures are noisy`,
  `- machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${version("redis-server")}; ${version("nats-server")}; private servers on loopback, every client in one Node process, each subscriber on its own connection`,
  `- latency: ${LATENCY_MSGS} events one at a time with 1 subscriber (${Math.ceil(LATENCY_MSGS / 5)} with ${FANOUT}; every delivery is a sample), clock from the \`publish\` call to the subscriber's handler; messages/s: ${THROUGHPUT_MSGS.toLocaleString("en")} events with 1 subscriber (${Math.ceil(THROUGHPUT_MSGS / 10).toLocaleString("en")} with ${FANOUT}), up to ${WINDOW} in flight, first publish to last delivery`,
  "- raw = ioredis / nats.js publishing the same JSON envelope text, handler `JSON.parse`s it",
  "",
  "| client | subscribers | latency p50 ms | latency p99 ms | messages/s | deliveries/s | lost |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...rows,
  "",
  `Server side, \`redis-benchmark -n 100000 -q PUBLISH <channel> <envelope>\` (no subscribers; it measures the PUBLISH command rate, not delivery): ${rate(benchmarkFigures[1].rate)} req/s with 1 client (p50 ${benchmarkFigures[1].p50} ms), ${rate(benchmarkFigures[50].rate)} req/s with 50 clients (p50 ${benchmarkFigures[50].p50} ms).`,
  "Where our time goes, per event: a fresh id and envelope (`JSON.stringify` and a byte-size check), a parsed copy returned to the publisher, channel and envelope checks at every subscriber, and a per-subscription ordered queue (one `setImmediate` hop); `NatsBus.publish` also waits for a PING/PONG, one per tick shared by the publishes made in it.",
  "`nats bench` was not run: Debian's `nats-server` package ships only the server and the `nats` CLI (natscli) is not packaged, so the raw nats.js figures above are the NATS baseline.",
  "",
];
const text = lines.join("\n");
console.log(text);
if (process.argv.includes("--write")) {
  const file = join(root, "benchmarks", "RESULTS.md");
  const current = readFileSync(file, "utf8");
  const start = current.indexOf("## Event bus");
  let next;
  if (start >= 0) {
    next = current.indexOf("\n## ", start + 1);
    const updated = current.slice(0, start) + text + (next >= 0 ? current.slice(next + 1) : "");
    writeFileSync(file, updated);
  } else {
    writeFileSync(file, `${current.trimEnd()}\n\n${text}`);
  }
}
