// Engine vs Liquidsoap: `node benchmarks/engine.bench.mjs [--write] [--seconds 60] [--warmup 10] [--stations 1,8] [--rounds 1]`
// (`--help` lists every option; a quick look at our engine alone:
// `--stations 1 --subjects ours --seconds 30 --warmup 5`).
// The same job for (a) grimnir-engine, (b) Liquidsoap and (c) a bare gst-launch
// decode→encode pipeline (the floor), one after another in the same run, into one
// private icecast2: a playlist of 12 generated 30 s MP3 tracks per station, 3 s
// crossfades, loudness normalisation, MP3 128 kbps 44.1 kHz stereo to Icecast.
// Measures CPU seconds per audio second (utime+stime+cutime+cstime over the
// process tree, from /proc) and RSS (sum over the tree, sampled every second).
// With --write the "Engine vs Liquidsoap" section of benchmarks/RESULTS.md is
// replaced by this run's figures.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { bundleSources } from "./lib/bundle-sources.mjs";
import {
  drivePlaylist,
  ensureLiquidsoap,
  generateTracks,
  icecastProbe,
  measureTree,
  stopChild,
} from "./lib/playout-job.mjs";

const HELP = `node benchmarks/engine.bench.mjs [options]
  --write                 replace the "Engine vs Liquidsoap" section of benchmarks/RESULTS.md (needs every subject)
  --seconds N             measured window per subject, s (60)
  --warmup N              played before the window, s (10)
  --stations 1,8          station counts
  --rounds N              rounds per station count, order alternated (1)
  --subjects LIST         subset of ours,liquidsoap,floor,emergency (all)
  --emergencies N         InsertEmergency calls in the emergency part (30)
  --lame-quality N        LAME algorithm quality (0 best … 9 fastest) Liquidsoap's %mp3 uses (3 = what lamemp3enc,
                          and so our engine and the floor, use; Liquidsoap's own default is 2)
  --engine-node-args=STR  extra Node flags for the engine process, e.g. "--engine-node-args=--cpu-prof --cpu-prof-dir=/tmp/prof"
                          (with "=": the value starts with a dash)
  --help                  this text`;

const { values: opts } = parseArgs({
  options: {
    help: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "10" },
    stations: { type: "string", default: "1,8" },
    rounds: { type: "string", default: "1" },
    // comma-separated subset of ours,liquidsoap,floor,emergency (all by default)
    subjects: { type: "string", default: "ours,liquidsoap,floor,emergency" },
    // InsertEmergency calls measured by the emergency part
    emergencies: { type: "string", default: "30" },
    // extra Node flags for the engine process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    "engine-node-args": { type: "string", default: "" },
    // LAME internal quality of Liquidsoap's %mp3 (lamemp3enc's standard engine quality is LAME's default, 3)
    "lame-quality": { type: "string", default: "3" },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const LAME_QUALITY = Number(opts["lame-quality"]);
if (!Number.isInteger(LAME_QUALITY) || LAME_QUALITY < 0 || LAME_QUALITY > 9) {
  console.error(`--lame-quality must be an integer 0–9, got "${opts["lame-quality"]}"`);
  process.exit(2);
}
const MEASURE_S = Number(opts.seconds);
const WARMUP_S = Number(opts.warmup);
const STATION_COUNTS = opts.stations.split(",").map(Number);
const ROUNDS = Number(opts.rounds);
const TRACKS = 12;
const TRACK_S = 30;
const XFADE_MS = 3000;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const startedAt = new Date();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- Liquidsoap -------------------------------------------------------------
const { lsVersion, gstVersion } = ensureLiquidsoap();

// --- bundle the engine process, its client and the testkit from source ------
const { work, bin } = await bundleSources("grimnir-engine-bench-", {
  "engine-main": "packages/engine/src/engine-main.ts",
  engine: "packages/engine/src/index.ts",
  testkit: "packages/testkit/src/index.ts",
});
const { EngineClient } = await import(pathToFileURL(join(bin, "engine.js")).href);
const { startIcecast, freePort, waitFor, listen } = await import(
  pathToFileURL(join(bin, "testkit.js")).href
);

// --- tracks -------------------------------------------------------------------
const trackDir = join(work, "tracks");
mkdirSync(trackDir);
const tracks = generateTracks(trackDir, TRACKS, TRACK_S);
// The floor plays the same files back to back (MP3 frames concatenate).
const allMp3 = join(work, "all.mp3");
writeFileSync(allMp3, Buffer.concat(tracks.map((t) => readFileSync(t))));

const measure = (pids, stations) => measureTree(pids, stations, MEASURE_S);

// --- icecast --------------------------------------------------------------------
const icecast = await startIcecast();
const icePort = icecast.port;
const { mounts, waitMounts, heard } = icecastProbe(icePort, { waitFor, listen });

// --- (a) grimnir-engine ---------------------------------------------------------
async function runEngine(n, tag) {
  const port = await freePort();
  const nodeArgs = opts["engine-node-args"].split(" ").filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(bin, "engine-main.js"), "--port", String(port)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (c) => String(c).includes("listening") && resolve());
    child.once("exit", () => reject(new Error(`engine exited: ${stderr}`)));
  });
  const client = new EngineClient({ address: `127.0.0.1:${port}` });
  const ids = Array.from({ length: n }, (_, i) => `eng${tag}s${i}`);
  let driver;
  try {
    for (const id of ids) {
      await client.loadGraph(id, {
        nodes: [
          {
            id: "norm",
            type: "loudness_normalize",
            params: { target_lufs: -16, true_peak_limit: -1 },
          },
        ],
      });
      await client.configureOutputs(id, [
        {
          name: "main",
          format: "mp3",
          bitrateKbps: 128,
          icecastUrl: `icecast://source:hackme@127.0.0.1:${icePort}/${id}.mp3`,
        },
      ]);
    }
    await waitMounts(ids.map((id) => `/${id}.mp3`));
    // The control plane's part: each track is queued 5 s ahead of its crossfade,
    // which starts 3 s before the end of the previous track (at its 27th second).
    driver = await drivePlaylist(client, ids, tracks, { trackS: TRACK_S, xfadeMs: XFADE_MS });
    await sleep(WARMUP_S * 1000);
    const before = await client.fullStatus();
    const m = await measure([child.pid], n);
    const after = await client.fullStatus();
    const have = await mounts();
    m.mountsLive = ids.filter((id) => have.includes(`/${id}.mp3`)).length;
    const underruns = (st) => st.stations.reduce((a, s) => a + (s.underruns ?? 0), 0);
    m.heardDb = await heard(`/${ids[0]}.mp3`);
    m.underruns = underruns(after) - underruns(before);
    m.note = `underruns in window ${m.underruns}, playing item ${after.stations.find((x) => x.stationId === ids[0])?.currentItemId ?? "?"} at end`;
    return m;
  } finally {
    await driver?.stop().catch(() => {});
    client.close();
    await stopChild(child);
  }
}

// --- (b) Liquidsoap -------------------------------------------------------------
async function runLiquidsoap(n, tag) {
  const ids = Array.from({ length: n }, (_, i) => `ls${tag}s${i}`);
  const lines = [
    "settings.init.allow_root.set(true)",
    "settings.log.stdout.set(true)",
    "settings.log.file.set(false)",
    "settings.log.level.set(3)",
    "settings.frame.audio.samplerate.set(44100)",
    "def station(m) =",
    `  s = playlist(mode="normal", reload_mode="never", "${trackDir}")`,
    "  s = normalize(s)",
    `  s = crossfade(duration=${(XFADE_MS / 1000).toFixed(1)}, s)`,
    `  output.icecast(%mp3(bitrate=128, samplerate=44100, stereo=true, internal_quality=${LAME_QUALITY}), host="127.0.0.1", port=${icePort}, password="hackme", mount=m, mksafe(s))`,
    "end",
    ...ids.map((id) => `station("${id}.mp3")`),
  ];
  const script = join(work, `${tag}-${n}.liq`);
  writeFileSync(script, lines.join("\n") + "\n");
  const child = spawn("liquidsoap", [script], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let transitions = 0;
  const onLog = (c) => {
    transitions += (String(c).match(/transition:/g) ?? []).length;
    log = (log + c).slice(-4000);
  };
  child.stdout.on("data", onLog);
  child.stderr.on("data", onLog);
  try {
    await waitMounts(
      ids.map((id) => `/${id}.mp3`),
      90_000,
    ).catch((err) => {
      throw new Error(`${err.message}\nliquidsoap log:\n${log}`);
    });
    await sleep(WARMUP_S * 1000);
    const t0 = transitions;
    const m = await measure([child.pid], n);
    const have = await mounts();
    m.mountsLive = ids.filter((id) => have.includes(`/${id}.mp3`)).length;
    m.heardDb = await heard(`/${ids[0]}.mp3`);
    m.note = `crossfades in window ${transitions - t0}`;
    return m;
  } finally {
    await stopChild(child);
  }
}

// --- (c) bare gst-launch floor --------------------------------------------------
async function runFloor(n, tag) {
  const ids = Array.from({ length: n }, (_, i) => `gst${tag}s${i}`);
  const children = ids.map((id) =>
    spawn(
      "gst-launch-1.0",
      [
        "-q",
        "uridecodebin",
        `uri=${pathToFileURL(allMp3).href}`,
        "!",
        "audioconvert",
        "!",
        "audioresample",
        "!",
        "audio/x-raw,rate=44100,channels=2",
        "!",
        "lamemp3enc",
        "target=bitrate",
        "bitrate=128",
        "cbr=true",
        "!",
        "shout2send",
        "ip=127.0.0.1",
        `port=${icePort}`,
        "password=hackme",
        `mount=/${id}.mp3`,
        "sync=true",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    ),
  );
  try {
    await waitMounts(ids.map((id) => `/${id}.mp3`));
    await sleep(WARMUP_S * 1000);
    const m = await measure(
      children.map((c) => c.pid),
      n,
    );
    const have = await mounts();
    m.mountsLive = ids.filter((id) => have.includes(`/${id}.mp3`)).length;
    m.heardDb = await heard(`/${ids[0]}.mp3`);
    return m;
  } finally {
    await Promise.all(children.map(stopChild));
  }
}

// --- (d) InsertEmergency latency -------------------------------------------------
// One station playing the playlist to Icecast; every 1.5 s an InsertEmergency of a
// 0.5 s MP3 alert that was not preloaded. The engine's emergency_started event
// carries latency_ms: InsertEmergency received → first alert frame written to the
// encoder. The driver also times call → event arriving back over gRPC.
async function runEmergency(count) {
  const alert = join(work, "alert.mp3");
  const r = spawnSync("gst-launch-1.0", [
    "-q",
    "audiotestsrc",
    "wave=sine",
    "freq=1000",
    "volume=0.5",
    "samplesperbuffer=4410",
    "num-buffers=5",
    "!",
    "audio/x-raw,format=S16LE,rate=44100,channels=2",
    "!",
    "lamemp3enc",
    "target=bitrate",
    "bitrate=128",
    "cbr=true",
    "!",
    "filesink",
    `location=${alert}`,
  ]);
  if (r.status !== 0) throw new Error(`cannot generate ${alert}: ${r.stderr}`);
  const port = await freePort();
  const child = spawn(process.execPath, [join(bin, "engine-main.js"), "--port", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (c) => String(c).includes("listening") && resolve());
    child.once("exit", () => reject(new Error(`engine exited: ${stderr}`)));
  });
  const client = new EngineClient({ address: `127.0.0.1:${port}` });
  const id = "emergency";
  const events = [];
  const sub = await client.subscribe(id, {
    onEvent: (e) => events.push({ ...e, got: performance.now() }),
  });
  try {
    await client.configureOutputs(id, [
      {
        name: "main",
        format: "mp3",
        bitrateKbps: 128,
        icecastUrl: `icecast://source:hackme@127.0.0.1:${icePort}/${id}.mp3`,
      },
    ]);
    await waitMounts([`/${id}.mp3`]);
    await client.play(id, { itemId: "prog", uri: tracks[0] });
    await sleep(3000);
    const engineMs = [];
    const roundTripMs = [];
    for (let k = 0; k < count; k++) {
      const itemId = `alert-${k}`;
      const t0 = performance.now();
      await client.insertEmergency(id, { itemId, uri: alert });
      const started = await waitFor(
        () => events.find((e) => e.type === "emergency_started" && e.itemId === itemId),
        10_000,
        `emergency_started of ${itemId}`,
        2,
      );
      engineMs.push(started.latencyMs);
      roundTripMs.push(started.got - t0);
      await waitFor(
        () => events.find((e) => e.type === "emergency_ended" && e.at >= started.at),
        10_000,
        `emergency_ended after ${itemId}`,
        20,
      );
      await sleep(1000);
    }
    return { engineMs, roundTripMs, load: loadavg()[0] };
  } finally {
    await sub.unsubscribe();
    client.close();
    await stopChild(child);
  }
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

// --- run ------------------------------------------------------------------------
const results = [];
let emergency;
try {
  for (const n of STATION_COUNTS) {
    for (let round = 0; round < ROUNDS; round++) {
      // alternate the order between rounds so drift in machine load hits both
      const order =
        round % 2 === 0 ? ["ours", "liquidsoap", "floor"] : ["liquidsoap", "ours", "floor"];
      for (const who of order.filter((w) => opts.subjects.split(",").includes(w))) {
        const tag = `${n}r${round}`;
        console.log(`${new Date().toISOString()} ${who}, ${n} station(s), round ${round + 1}`);
        const load = loadavg()[0];
        const m =
          who === "ours"
            ? await runEngine(n, tag)
            : who === "liquidsoap"
              ? await runLiquidsoap(n, tag)
              : await runFloor(n, tag);
        m.who = who;
        m.round = round;
        m.load = load;
        results.push(m);
        console.log(
          `  CPU ${m.cpuS.toFixed(2)} s over ${m.wallS.toFixed(1)} s → ${m.cpuPerAudioS.toFixed(4)} CPU s / audio s; RSS ${m.rssMiB.toFixed(1)} MiB, PSS ${m.pssMiB.toFixed(1)} MiB (RSS peak ${m.peakRssMiB.toFixed(1)}, ${m.procs} procs); top process itself ${(100 * m.rootShare).toFixed(0)} % of the CPU (${(100 * m.rootSysShare).toFixed(0)} % in the kernel); mounts live ${m.mountsLive}/${n}, heard ${m.heardDb.toFixed(1)} dBFS${m.note ? "; " + m.note : ""}; load ${load.toFixed(1)}`,
        );
      }
    }
  }
  if (opts.subjects.split(",").includes("emergency")) {
    console.log(`${new Date().toISOString()} emergency latency, ${opts.emergencies} inserts`);
    emergency = await runEmergency(Number(opts.emergencies));
    console.log(
      `  engine: median ${quantile(emergency.engineMs, 0.5).toFixed(1)} ms, p99 ${quantile(emergency.engineMs, 0.99).toFixed(1)} ms, max ${Math.max(...emergency.engineMs).toFixed(1)} ms; call → event back: median ${quantile(emergency.roundTripMs, 0.5).toFixed(1)} ms, p99 ${quantile(emergency.roundTripMs, 0.99).toFixed(1)} ms; load ${emergency.load.toFixed(1)}`,
    );
  }
} finally {
  await icecast.stop();
  rmSync(work, { recursive: true, force: true });
}

// --- report ---------------------------------------------------------------------
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/**
 * One generated sentence per station count: our ratios against the targets,
 * whether our row is valid (a starved engine renders less than the job), the
 * Node process's share and the floor's ratio.
 */
function readingOf(n, ours, ls, floor) {
  const cpu = ours.cpu / ls.cpu;
  const rss = ours.rss / ls.rss;
  // Starved: underruns in the window, or the listener heard far less than the ≈ −15 dBFS the job plays at.
  const starved = ours.underruns > 0 || ours.heardMin < -25;
  const validity = starved
    ? `**not valid** — the engine was starved of CPU (${ours.underruns} underruns in the window, the listener heard ${ours.heard} dBFS), so it did less than the job and its ratio understates its cost`
    : `valid (no underruns, the listener heard ${ours.heard} dBFS)`;
  return `- ${n} station${n === 1 ? "" : "s"} (load ${ours.loads} when ours started): our row is ${validity}. CPU **${cpu.toFixed(2)}×** Liquidsoap (target ≤ 0.5×: ${cpu <= 0.5 ? "met" : "missed"}), ${(100 * ours.rootShare).toFixed(0)} % of it in the Node process (${(ours.cpu * ours.rootShare).toFixed(4)} CPU s per audio second) and ${(100 * (1 - ours.rootShare)).toFixed(0)} % in its gst-launch decoders and encoder (${(ours.cpu * (1 - ours.rootShare)).toFixed(4)}); RSS **${rss.toFixed(2)}×** (target ≤ 1×: ${rss <= 1 ? "met" : "missed"}), PSS ${(ours.pss / ls.pss).toFixed(2)}×. The bare gst-launch decode → encode floor alone is ${(floor.cpu / ls.cpu).toFixed(2)}× Liquidsoap's CPU.`;
}

const rows = [];
const reading = [];
for (const n of STATION_COUNTS) {
  const of = (who) => results.filter((r) => r.stations === n && r.who === who);
  const agg = (who) => {
    const rs = of(who);
    return {
      cpu: mean(rs.map((r) => r.cpuPerAudioS)),
      rss: mean(rs.map((r) => r.rssMiB)),
      pss: mean(rs.map((r) => r.pssMiB)),
      procs: Math.max(...rs.map((r) => r.procs)),
      rootShare: mean(rs.map((r) => r.rootShare)),
      note: rs
        .map((r) => r.note)
        .filter(Boolean)
        .join("; "),
      live: Math.min(...rs.map((r) => r.mountsLive)),
      heard: rs.map((r) => r.heardDb.toFixed(0)).join("/"),
      heardMin: Math.min(...rs.map((r) => r.heardDb)),
      underruns: rs.reduce((sum, r) => sum + (r.underruns ?? 0), 0),
      loads: rs.map((r) => r.load.toFixed(1)).join("/"),
    };
  };
  const ls = agg("liquidsoap");
  reading.push(readingOf(n, agg("ours"), ls, agg("floor")));
  for (const who of ["ours", "liquidsoap", "floor"]) {
    const a = agg(who);
    rows.push(
      `| ${n} | ${who === "ours" ? "grimnir-engine" : who === "floor" ? "gst-launch floor" : "Liquidsoap"} | ${a.cpu.toFixed(4)} | ${(a.cpu * n * 100).toFixed(1)} % | ${a.rss.toFixed(0)} | ${(a.rss / n).toFixed(1)} | **${(a.cpu / ls.cpu).toFixed(2)}×** | **${(a.rss / ls.rss).toFixed(2)}×** | ${a.pss.toFixed(0)} (${(a.pss / ls.pss).toFixed(2)}×) | ${a.procs} | ${who === "ours" ? (100 * a.rootShare).toFixed(0) + " %" : "–"} | ${a.live}/${n}, ${a.heard} dBFS${a.note ? "; " + a.note : ""} |`,
    );
  }
}
const loadAtEnd = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const cmd = `node benchmarks/engine.bench.mjs${process.argv.slice(2).length ? " " + process.argv.slice(2).join(" ") : ""}`;
const section = [
  "## Engine vs Liquidsoap",
  "",
  `Command: \`${cmd}\``,
  `Date: ${startedAt.toISOString()}; machine: ${cpus().length} cores (\`nproc\`) ${cpus()[0]?.model ?? ""}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average at start ${loadAtStart}, at end ${loadAtEnd}`,
  `Versions: ${lsVersion} (Debian package), ${gstVersion}`,
  "",
  `Job per station: playlist of ${TRACKS} generated ${TRACK_S} s MP3 tracks (sines and pink noise at 6 levels, 192 kbps), ${XFADE_MS / 1000} s crossfades, loudness normalisation, MP3 128 kbps CBR 44.1 kHz stereo at LAME algorithm quality ${LAME_QUALITY} for every subject (ours and the floor: \`lamemp3enc\` at its standard engine quality, which leaves LAME's default, 3; Liquidsoap: \`internal_quality=${LAME_QUALITY}\`) to a private icecast2; ${WARMUP_S} s warm-up, then ${MEASURE_S} s measured; ${ROUNDS} round(s) per station count, subjects run one after another (order alternated between rounds).`,
  "CPU = Δ(utime+stime+cutime+cstime) over the process tree (engine + its gst-launch decoder/encoder children, reaped children included; liquidsoap; the gst-launch processes), per audio second (stations × wall seconds). RSS = mean over 1 s samples of the tree's summed RSS (counts shared libraries once per process, which penalises multi-process designs); PSS (from smaps_rollup) splits shared pages between processes. Ratios are to Liquidsoap (targets: CPU ≤ 0.5×, RSS ≤ 1×).",
  "",
  "| stations | subject | CPU s / audio s | CPU (% of a core) | RSS MiB | RSS MiB / station | CPU vs Liquidsoap | RSS vs Liquidsoap | PSS MiB (vs Liquidsoap) | max procs | CPU in the Node process | check |",
  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ...rows,
  "",
  "Reading this run (generated from the figures above):",
  "",
  ...reading,
  "",
  "Notes:",
  "",
  "- ours: one `grimnir-engine` process (bundled from source, 40 ms render tick, 150 ms lead) driven over gRPC by this script as the executor would: `LoadGraph` with one `loudness_normalize` node (−16 LUFS, −1 dBTP true-peak limiter), `ConfigureOutputs` with one Icecast mount, each next track `Play`ed 5 s ahead with `crossfadeMs: 3000` and `atMs` = 3 s before the previous track's end. The driver's CPU is not counted (it is the control plane's).",
  `- Liquidsoap: one process for all stations, per station \`playlist(mode="normal") → normalize() → crossfade(duration=3.) → output.icecast(%mp3(bitrate=128, samplerate=44100, stereo=true, internal_quality=${LAME_QUALITY}), mksafe(…))\`. Liquidsoap's default \`internal_quality\` is 2, a slower LAME mode than \`lamemp3enc\`'s (LAME's default, 3; \`encoding-engine-quality=high\` would be 2), so it is set to ${LAME_QUALITY} to compare like with like (in an offline test on 2026-11-25, LAME at 2 took about 1.6× the CPU of 3 for a 128 kbps CBR encode). Its \`normalize()\` is an RMS gain rider without a limiter, ours is BS.1770 short-term loudness plus a true-peak limiter — ours does somewhat more work.`,
  "- floor: per station one `gst-launch-1.0 uridecodebin (the 12 files concatenated) ! audioconvert ! audioresample ! lamemp3enc cbr 128 ! shout2send sync=true`: decode + encode only, no mixing, crossfade or normalisation.",
  "- CPU in the Node process: share of our tree's CPU spent in the engine's Node process itself (mixer, DSP, pacing, gRPC); the rest is its gst-launch children (one decoder per playing/queued item, mostly a warm `fdsrc ! mpegaudioparse ! mpg123audiodec` process fed the file's bytes, plus the idle warm MP3 and WAV decoders; one `fdsrc ! rawaudioparse ! audioconvert ! lamemp3enc ! shout2send` encoder per station). PCM crosses the pipes as 16-bit stereo in both directions.",
  "- check: mounts still live on Icecast after the window, RMS level a 4 s ffmpeg listener heard on the first station's mount afterwards (not silence), engine underruns and the item playing at the end (items are numbered from 0), Liquidsoap crossfade transitions logged during the window.",
  "- The machine is shared with other jobs; figures are indicative, not precise.",
  "- Earlier runs of this job: before the render-path work of issue 5 (true-peak limiter skipping windows that cannot reach the ceiling and computing its 3 phases in one pass, normaliser gain ramps without a `pow` per sample, meters/decks/mixer without per-sample calls on steady gains, DSP stems deinterleaved only when read, 20 ms render tick instead of 10 ms) 2.71–3.12× Liquidsoap's CPU with 50–63 % of it in the Node process (runs of 2026-11-25 16:50 and 17:06 UTC, load 1.6–6.5); after it 1.74× at 1 station, 57 % in the Node process (19:38 UTC, load 13–21). Those runs had float PCM on every pipe, a 20 ms tick and Liquidsoap at its default `internal_quality=2` (dearer for Liquidsoap than this run's setting). Since then: decoders deliver 16-bit PCM that stays 16-bit until the mixer reads it (no float copy per pipe chunk), the engine sends the encoder 16-bit (no float pipe, no `tee`/`queue` thread for a single output), a 40 ms render tick, and MP3 encoder delay/padding trimmed from decoded files (LAME tag).",
  "",
  ...(emergency
    ? [
        "### InsertEmergency latency",
        "",
        `${emergency.engineMs.length} \`InsertEmergency\` calls on one station playing the playlist to Icecast (same engine build, same run), each a 0.5 s MP3 alert that was **not** preloaded, 1 s after the previous alert ended; load average ${emergency.load.toFixed(1)} at the end of this part.`,
        "",
        "| measured | median | p99 | max |",
        "|---|---:|---:|---:|",
        `| engine: RPC received → first alert frame written to the encoder (\`emergency_started.latency_ms\`) | ${quantile(emergency.engineMs, 0.5).toFixed(1)} ms | ${quantile(emergency.engineMs, 0.99).toFixed(1)} ms | ${Math.max(...emergency.engineMs).toFixed(1)} ms |`,
        `| client: \`insertEmergency()\` called → \`emergency_started\` event received over gRPC | ${quantile(emergency.roundTripMs, 0.5).toFixed(1)} ms | ${quantile(emergency.roundTripMs, 0.99).toFixed(1)} ms | ${Math.max(...emergency.roundTripMs).toFixed(1)} ms |`,
        "",
        "The alert is decoded by a warm decoder (an idle `gst-launch-1.0 fdsrc ! mpegaudioparse ! mpg123audiodec …` process the engine keeps per file kind) and sounds after 20 ms of decoded audio (the station renders every 2 ms until it does). Before warm decoders, a new `uridecodebin` process per alert plus a 300 ms start buffer gave 119–202 ms (RPC → first sample into the encoder, earlier run of the executor's end-to-end test). The encoder's input still has the 150 ms pacing lead of program audio queued ahead of the alert.",
        "",
      ]
    : []),
  "",
].join("\n");
console.log("\n" + section);

if (opts.write) {
  for (const who of ["ours", "liquidsoap", "floor", "emergency"]) {
    if (!opts.subjects.split(",").includes(who)) {
      console.error(`--write needs every subject; ${who} was not run`);
      process.exit(2);
    }
  }
  const file = join(root, "benchmarks/RESULTS.md");
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\n";
  const start = text.indexOf("## Engine vs Liquidsoap");
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : "");
  } else text = text.trimEnd() + "\n\n" + section;
  writeFileSync(file, text.trimEnd() + "\n");
}
process.exit(0);
