// HTTP API benchmark: `node benchmarks/http.bench.mjs [--write]` (or `pnpm bench http`).
// 1. `wrk` (Debian package wrk) on loopback against GET /api/v1/public/now-playing
//    of an API in its own process (MemoryStore + MemoryBus, rate limiting off,
//    no tracing SDK), server pinned to CPU 0 and wrk (1 thread) to CPU 1 with
//    taskset. Target: ≥ 10,000 req/s with p99 < 10 ms.
// 2. WebSocket fan-out: 5,000 `ws` clients (in a separate process, CPU 1) on
//    /api/v1/events?topics=now_playing; the server publishes 20 now_playing
//    events 400 ms apart and every client records publish → receive latency
//    (its clock at the ws 'message' event; payloads are parsed after the run),
//    after one unmeasured warm-up event.
//    Target: p99 < 100 ms over all deliveries.
// The machine is shared: the load average at start and end is recorded.
// With --write the "## HTTP API" section of benchmarks/RESULTS.md is replaced.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLIENTS = Number(process.env.GRIMNIR_BENCH_WS_CLIENTS ?? 5000);
const EVENTS = 20;
const WRK_SECONDS = Number(process.env.GRIMNIR_BENCH_WRK_SECONDS ?? 15);
const WRK_CONNECTIONS = 64;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
const loadAtStart = load();
/** The 1-minute figure of a formatted load average. */
const loadavg1 = (formatted) => Number(formatted.split(" / ")[0]);

if (spawnSync("sh", ["-c", "command -v wrk"]).status !== 0) {
  console.error("wrk is missing: apt-get install -y wrk (listed in scripts/system-deps.txt)");
  process.exit(2);
}
// GRIMNIR_BENCH_PIN=0 lets the scheduler place the processes (fairer on a loaded machine).
const PINNED =
  process.env.GRIMNIR_BENCH_PIN !== "0" &&
  spawnSync("sh", ["-c", "command -v taskset"]).status === 0 &&
  cpus().length > 1;
const pin = (cpu, argv) => (PINNED ? ["taskset", "-c", String(cpu), ...argv] : argv);

// --- the API server, bundled from the sources, in its own process ---
const out = mkdtempSync(join(tmpdir(), "grimnir-http-bench-"));
const serverEntry = join(out, "server.ts");
writeFileSync(
  serverEntry,
  `
import { createInterface } from "node:readline";
import { MemoryBus, MemoryBusHub, MemoryStore } from ${JSON.stringify(join(root, "packages/core/src/index.ts"))};
import { createApi, hashPassword } from ${JSON.stringify(join(root, "packages/http/src/index.ts"))};
const store = new MemoryStore();
const bus = new MemoryBus({ hub: new MemoryBusHub() });
const station = await store.stations.create({ name: "Bench FM", timezone: "UTC", slug: "bench", active: true });
await store.users.create({
  username: "bench", disabled: false, roles: [{ stationId: "*", role: "admin" }],
  passwordHash: await hashPassword("bench-password-1", { ln: 10 }),
});
const api = createApi({
  store, bus, auth: { jwtSecret: "bench-secret-bench-secret-bench-secret-01" },
  rateLimit: { enabled: false }, defaultMetrics: false,
});
await api.listen({ port: 0, host: "127.0.0.1" });
const login = await api.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "bench", password: "bench-password-1" } });
await bus.publish("now_playing", station.id, { title: "Warm-up", artist: "Bench", startedAt: Date.now(), durationMs: 180000, priority: 3 });
console.log(JSON.stringify({ port: api.server.address().port, stationId: station.id, token: login.json().accessToken }));
let seq = 0;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "warm-up") {
    void bus.publish("now_playing", station.id, { title: "Warm-up fan-out", artist: "Bench", startedAt: Date.now(), durationMs: 180000, priority: 3 });
  }
  if (line === "publish") {
    seq++;
    void bus.publish("now_playing", station.id, { title: "Track " + seq, artist: "Bench", startedAt: Date.now(), durationMs: 180000, priority: 3 });
  }
  if (line === "cpu") {
    const { user, system } = process.cpuUsage();
    console.log(JSON.stringify({ cpuUs: user + system }));
  }
  if (line === "exit") void api.close().then(() => process.exit(0));
});
`,
);
await build({
  entry: { server: serverEntry },
  outDir: out,
  format: ["esm"],
  platform: "node",
  target: "node20",
  bundle: true,
  dts: false,
  silent: true,
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  esbuildOptions(options) {
    options.conditions = ["source"];
    options.nodePaths = [join(root, "packages/http/node_modules"), join(root, "node_modules")];
  },
});

if (process.env.GRIMNIR_BENCH_BUILD_ONLY) {
  console.log(out);
  process.exit(0);
}
const server = spawn(
  ...(([cmd, ...args]) => [cmd, args])(pin(0, [process.execPath, join(out, "server.js")])),
  {
    stdio: ["pipe", "pipe", "inherit"],
  },
);
// Never leave the server behind (it holds our stderr), whatever ends this script.
process.on("exit", () => server.kill("SIGKILL"));
const serverLines = createInterface({ input: server.stdout });
const serverQueue = [];
let serverWaiting;
serverLines.on("line", (line) => {
  serverQueue.push(line);
  serverWaiting?.();
});
const serverLine = async () => {
  while (serverQueue.length === 0) {
    if (server.exitCode !== null) throw new Error(`bench server exited with ${server.exitCode}`);
    await new Promise((resolve) => {
      serverWaiting = resolve;
      setTimeout(resolve, 500);
    });
  }
  return JSON.parse(serverQueue.shift());
};
/** The server process's CPU time so far (user + system), µs. */
const serverCpu = async () => {
  server.stdin.write("cpu\n");
  return (await serverLine()).cpuUs;
};
const info = await serverLine();
const base = `http://127.0.0.1:${info.port}`;
const url = `${base}/api/v1/public/now-playing?station=${info.stationId}`;

// --- 1. wrk ---
function runWrk(seconds) {
  const argv = pin(1, ["wrk", "-t1", `-c${WRK_CONNECTIONS}`, `-d${seconds}s`, "--latency", url]);
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  return r.stdout;
}
const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
runWrk(3); // warm-up (JIT, caches)
const cpuBeforeWrk = await serverCpu();
const wrkOut = runWrk(WRK_SECONDS);
const wrkCpuUs = (await serverCpu()) - cpuBeforeWrk;
const wrkRequests = Number(/(\d+) requests in/.exec(wrkOut)[1]);
// Server CPU per request: how much of a core one answer costs, whatever else runs on the machine.
const cpuPerRequestUs = wrkCpuUs / wrkRequests;
const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrkOut)[1]);
const pct = (p) => {
  const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(wrkOut);
  return m === null ? NaN : toMs(m[1], m[2]);
};
const wrk = { rps, p50: pct(50), p90: pct(90), p99: pct(99) };
const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(wrkOut)?.[1] ?? "0";
console.log(wrkOut);

// --- 2. WebSocket fan-out, clients in their own process ---
const clientsScript = join(out, "clients.mjs");
const wsPath = createRequire(join(root, "packages/http/package.json")).resolve("ws");
writeFileSync(
  clientsScript,
  `
import { createRequire } from "node:module";
const WebSocket = createRequire(${JSON.stringify(wsPath)})(${JSON.stringify(wsPath)});
const [url, count, events] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
// The 'message' handler only notes the arrival time and keeps the payload: parsing 5,000
// payloads per event in this one process would delay the next socket's read and be
// counted as delivery latency. Payloads are parsed after the run; times go to a
// preallocated array so the retained garbage (and GC pauses here) stays small.
const arrivals = new Float64Array(count * (events + 1));
let received = 0;
const payloads = [];
let ready = 0;
let failed = 0;
const sockets = [];
function open(i) {
  return new Promise((resolve) => {
    // skipUTF8Validation: the client's own CPU per message is not server delivery time.
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(ws);
    let isReady = false;
    ws.on("message", (data) => {
      // The server's first message on every socket is {"type":"ready"}.
      if (!isReady) { isReady = true; ready++; return resolve(); }
      arrivals[received++] = Date.now();
      payloads.push(data);
      // Every socket also gets the unmeasured warm-up event.
      if (received === ready * (events + 1)) finish();
    });
    ws.on("error", () => { failed++; resolve(); });
  });
}
// Open in batches so the handshakes do not all queue at once.
for (let i = 0; i < count; i += 250) {
  await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, j) => open(i + j)));
}
console.log(JSON.stringify({ ready, failed }));
const timer = setTimeout(finish, 60000);
function finish() {
  clearTimeout(timer);
  for (const ws of sockets) ws.terminate();
  const latencies = [];
  const perEvent = new Map();
  for (let k = 0; k < payloads.length; k++) {
    const { payload } = JSON.parse(payloads[k].toString());
    const seq = Number(/^Track (\\d+)$/.exec(payload.title)?.[1]);
    if (!Number.isInteger(seq)) continue;
    const latency = arrivals[k] - payload.startedAt;
    latencies.push(latency);
    const e = perEvent.get(seq) ?? { received: 0, last: 0 };
    e.received++;
    e.last = Math.max(e.last, latency);
    perEvent.set(seq, e);
  }
  // Exit only once the (large) line is flushed to the pipe.
  process.stdout.write(JSON.stringify({ latencies, perEvent: [...perEvent.entries()] }) + "\\n", () =>
    process.exit(0),
  );
}
`,
);
const clients = spawn(
  ...(([cmd, ...args]) => [cmd, args])(
    pin(1, [
      process.execPath,
      "--max-old-space-size=2048",
      // A larger young generation: fewer client GC pauses counted as delivery latency.
      "--max-semi-space-size=64",
      clientsScript,
      `ws://127.0.0.1:${info.port}/api/v1/events?topics=now_playing&token=${info.token}`,
      String(CLIENTS),
      String(EVENTS),
    ]),
  ),
  { stdio: ["ignore", "pipe", "inherit"] },
);
const clientLines = createInterface({ input: clients.stdout, crlfDelay: Infinity });
const connectStart = Date.now();
// Every line is queued as it comes (one may arrive while nobody waits).
const lines = [];
let waiting;
clientLines.on("line", (line) => {
  lines.push(line);
  waiting?.();
});
const nextLine = async () => {
  while (lines.length === 0) {
    if (clients.exitCode !== null) throw new Error(`clients exited with ${clients.exitCode}`);
    await new Promise((resolve) => {
      waiting = resolve;
      setTimeout(resolve, 500);
    });
  }
  return lines.shift();
};
const connected = JSON.parse(await nextLine());
const connectMs = Date.now() - connectStart;
console.log(`ws clients: ${connected.ready} ready, ${connected.failed} failed, in ${connectMs} ms`);
await new Promise((resolve) => setTimeout(resolve, 1000));
// One unmeasured event to every client first (JIT warm-up of the fan-out path, like wrk's warm-up).
server.stdin.write("warm-up\n");
await new Promise((resolve) => setTimeout(resolve, 1000));
const cpuBeforeFan = await serverCpu();
for (let i = 0; i < EVENTS; i++) {
  server.stdin.write("publish\n");
  await new Promise((resolve) => setTimeout(resolve, 400));
}
const fan = JSON.parse(await nextLine());
// Server CPU per event fanned out to every client (includes the idle clients' pings, negligible).
const cpuPerEventMs = ((await serverCpu()) - cpuBeforeFan) / EVENTS / 1000;
server.stdin.write("exit\n");
await new Promise((resolve) => server.once("exit", resolve));
rmSync(out, { recursive: true, force: true });

const sorted = fan.latencies.sort((a, b) => a - b);
const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const delivered = sorted.length;
const expected = connected.ready * EVENTS;
const lastPerEvent = fan.perEvent.map(([, e]) => e.last).sort((a, b) => a - b);
const ws = {
  delivered,
  expected,
  p50: q(50),
  p99: q(99),
  max: sorted[sorted.length - 1],
  medianLast: lastPerEvent[Math.floor(lastPerEvent.length / 2)],
};
const loadAtEnd = load();

const targets = [
  {
    name: "now-playing throughput",
    met: wrk.rps >= 10_000,
    figure: `${Math.round(wrk.rps).toLocaleString("en")} req/s (target ≥ 10,000)`,
  },
  {
    name: "now-playing p99",
    met: wrk.p99 < 10,
    figure: `${wrk.p99.toFixed(2)} ms (target < 10 ms)`,
  },
  {
    name: "WebSocket delivery",
    met: delivered === CLIENTS * EVENTS,
    figure: `${delivered.toLocaleString("en")} of ${(CLIENTS * EVENTS).toLocaleString("en")} events delivered`,
  },
  { name: "WebSocket fan-out p99", met: ws.p99 < 100, figure: `${ws.p99} ms (target < 100 ms)` },
];
const missed = targets.filter((t) => !t.met);
const mark = (ok) => (ok ? "met" : "**missed**");
// Load above the core count means other processes competed for the pinned CPUs.
const cores = cpus().length;
const highLoad = Math.max(loadavg1(loadAtStart), loadavg1(loadAtEnd)) > cores;
const cpuPerClientUs = (cpuPerEventMs * 1000) / Math.max(1, connected.ready);
const section = [
  "## HTTP API",
  "",
  `Command: \`node benchmarks/http.bench.mjs --write\` — ${new Date().toISOString()} — ${cpus()[0]?.model ?? "?"} × ${cores}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average (1/5/15 min) ${loadAtStart} at start, ${loadAtEnd} at end.`,
  "",
  `API in its own process (MemoryStore, MemoryBus, rate limiting off, no tracing SDK)${PINNED ? " pinned to CPU 0" : " (not pinned: GRIMNIR_BENCH_PIN=0)"}; wrk 1 thread × ${WRK_CONNECTIONS} connections${PINNED ? " pinned to CPU 1" : ""}, ${WRK_SECONDS} s after a 3 s warm-up, on loopback; WebSocket clients (\`ws\`, no compression) in a third process${PINNED ? " on CPU 1" : ""}. Fan-out latency is the client's clock at the socket's \`message\` event minus the \`startedAt\` the server stamped just before publishing; the client only notes that time and keeps the payload, and parses the payloads after the run, so JSON parsing in the one client process is not counted as delivery time (client: \`skipUTF8Validation\`, \`--max-semi-space-size=64\`). One unmeasured warm-up event goes to every client before the ${EVENTS} measured ones.`,
  "",
  "| measurement | result | target | |",
  "|---|---:|---:|---|",
  `| GET /api/v1/public/now-playing throughput | **${Math.round(wrk.rps).toLocaleString("en")} req/s** | ≥ 10,000 req/s | ${mark(targets[0].met)} |`,
  `| … latency p50 / p90 / p99 | ${wrk.p50.toFixed(2)} / ${wrk.p90.toFixed(2)} / **${wrk.p99.toFixed(2)} ms** | p99 < 10 ms | ${mark(targets[1].met)} |`,
  `| … non-2xx answers | ${non2xx} | 0 | |`,
  `| … server CPU per request (${wrkRequests.toLocaleString("en")} requests) | ${cpuPerRequestUs.toFixed(1)} µs, i.e. ≈ ${Math.round(1e6 / cpuPerRequestUs).toLocaleString("en")} req/s per idle core | | |`,
  `| WebSocket fan-out: ${EVENTS} now_playing events × ${connected.ready.toLocaleString("en")} clients (connected in ${(connectMs / 1000).toFixed(1)} s, ${connected.failed} failed) | ${delivered.toLocaleString("en")} of ${expected.toLocaleString("en")} delivered | all | ${mark(targets[2].met)} |`,
  `| … publish → receive latency p50 / p99 / max | ${ws.p50} / **${ws.p99}** / ${ws.max} ms | p99 < 100 ms | ${mark(targets[3].met)} |`,
  `| … median time until the last client had an event | ${ws.medianLast} ms | | |`,
  `| … server CPU per event sent to all ${connected.ready.toLocaleString("en")} clients | ${cpuPerEventMs.toFixed(1)} ms (${cpuPerClientUs.toFixed(1)} µs per client) | | |`,
  "",
  ...(missed.length === 0
    ? [`All ${targets.length} targets met.`, ""]
    : [
        `Missed: ${missed.map((t) => `${t.name} ${t.figure}`).join("; ")}.` +
          (highLoad
            ? ` The load average was ${loadAtStart} at the start and ${loadAtEnd} at the end on ${cores} cores, so other processes shared the pinned CPUs: wall-clock figures are inflated, the server CPU figures much less so.`
            : ""),
        "",
      ]),
];
const text = section.join("\n");
console.log(text);
if (process.argv.includes("--write")) {
  const file = join(root, "benchmarks/RESULTS.md");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\n";
  const re = /## HTTP API\n[\s\S]*?(?=\n## |$)/;
  writeFileSync(
    file,
    re.test(current)
      ? current.replace(re, text.trimEnd() + "\n")
      : `${current.trimEnd()}\n\n${text}`,
  );
}
process.exit(missed.length === 0 ? 0 : 1);
