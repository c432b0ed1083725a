// DSP chain vs Liquidsoap: `node benchmarks/dsp.bench.mjs [--write] [--seconds 60] [--warmup 10] [--stations 1] [--rounds 1]`.
// What the processing chain costs on the playout job of benchmarks/engine.bench.mjs
// (a playlist of generated tracks, 3 s crossfades, MP3 128 kbps to a private icecast2),
// four subjects one after another in the same run:
//   (a) grimnir-engine without a DSP graph,
//   (b) grimnir-engine with loudness_normalize → agc → compressor → limiter,
//   (c) Liquidsoap without processing,
//   (d) Liquidsoap with normalize() → compress() → limit() after the crossfade.
// Reports CPU seconds per audio second of each process tree, the chain's marginal
// cost (b − a against d − c), RSS, and what a listener heard on each mount.
// With --write the "DSP chain vs Liquidsoap" section of benchmarks/RESULTS.md is
// replaced by this run's figures.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundleSources, root } from "./lib/bundle-sources.mjs";
import {
  drivePlaylist,
  ensureLiquidsoap,
  generateTracks,
  icecastProbe,
  TRACK_VOLUMES,
  liquidsoapScript,
  measureTree,
  startEngine,
  startLiquidsoap,
  stopChild,
} from "./lib/playout-job.mjs";

const SECTION = "## DSP chain vs Liquidsoap";
const SUBJECTS = ["ours-plain", "ours-dsp", "ls-plain", "ls-dsp"];

const { values: opts } = parseArgs({
  options: {
    write: { type: "boolean", default: false },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "10" },
    stations: { type: "string", default: "1" },
    rounds: { type: "string", default: "1" },
    // comma-separated subset of ours-plain,ours-dsp,ls-plain,ls-dsp (all by default)
    subjects: { type: "string", default: SUBJECTS.join(",") },
  },
});
const positive = (name) => {
  const v = Number(opts[name]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} must be a positive number, got "${opts[name]}"`);
    process.exit(2);
  }
  return v;
};
const MEASURE_S = positive("seconds");
const WARMUP_S = positive("warmup");
const ROUNDS = positive("rounds");
const STATION_COUNTS = opts.stations.split(",").map((s) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--stations takes positive integers separated by commas, got "${opts.stations}"`);
    process.exit(2);
  }
  return n;
});
const wanted = opts.subjects.split(",");
const unknown = wanted.filter((w) => !SUBJECTS.includes(w));
if (unknown.length > 0) {
  console.error(`unknown subject(s) ${unknown.join(", ")}; known: ${SUBJECTS.join(", ")}`);
  process.exit(2);
}
if (opts.write && SUBJECTS.some((s) => !wanted.includes(s))) {
  console.error("--write needs every subject");
  process.exit(2);
}
const TRACKS = 12;
const TRACK_S = 30;
const XFADE_MS = 3000;

/** The brief's chain, in graph order; parameters are the node types' defaults, spelled out. */
const DSP_GRAPH = {
  nodes: [
    {
      id: "loudness",
      type: "loudness_normalize",
      params: { target_lufs: -16, true_peak_limit: -1 },
    },
    {
      id: "agc",
      type: "agc",
      params: {
        enabled: true,
        target_level_db: -14,
        max_gain_db: 12,
        attack_ms: 100,
        release_ms: 3000,
      },
    },
    {
      id: "comp",
      type: "compressor",
      params: {
        threshold_db: -18,
        ratio: 3,
        knee_db: 6,
        attack_ms: 10,
        release_ms: 100,
        makeup_db: 0,
      },
    },
    {
      id: "limit",
      type: "limiter",
      params: { threshold_db: -1, release_ms: 50, lookahead_ms: 5, true_peak: true },
    },
  ],
};
/** Liquidsoap's closest operators with the same targets and times (its units: dB, ms). */
const LS_CHAIN = [
  "normalize(target=-16., lufs=true, s)",
  "compress(threshold=-18., ratio=3., knee=6., attack=10., release=100., gain=0., s)",
  "limit(threshold=-1., release=50., s)",
];

const loadAtStart = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const startedAt = new Date();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { lsVersion, gstVersion } = ensureLiquidsoap();
// The engine is bundled from the working tree: say which commit, and whether its sources differed.
const git = (...args) => spawnSync("git", args, { cwd: root, encoding: "utf8" }).stdout.trim();
const engineDirty = git("status", "--porcelain", "--", "packages/engine/src", "packages/core/src")
  .split("\n")
  .filter(Boolean).length;
const engineSource = `working tree at ${git("rev-parse", "--short", "HEAD")}${engineDirty ? ` with ${engineDirty} uncommitted file(s) under packages/engine/src and packages/core/src` : ", no uncommitted engine/core changes"}`;
const { work, bin, load } = await bundleSources("grimnir-dsp-bench-", {
  "engine-main": "packages/engine/src/engine-main.ts",
  engine: "packages/engine/src/index.ts",
  testkit: "packages/testkit/src/index.ts",
});
const { EngineClient } = await load("engine");
const { startIcecast, freePort, waitFor, listen } = await load("testkit");

const trackDir = join(work, "tracks");
mkdirSync(trackDir);
const tracks = generateTracks(trackDir, TRACKS, TRACK_S);

const icecast = await startIcecast();
const icePort = icecast.port;
const { mounts, waitMounts, heard } = icecastProbe(icePort, { waitFor, listen });

async function liveCount(ids) {
  const have = await mounts();
  return ids.filter((id) => have.includes(`/${id}.mp3`)).length;
}

/** (a) and (b): one engine process, `n` stations, with or without the chain. */
async function runEngine(n, tag, withDsp) {
  const { child, port } = await startEngine(bin, { freePort });
  const client = new EngineClient({ address: `127.0.0.1:${port}` });
  const ids = Array.from({ length: n }, (_, i) => `eng${withDsp ? "dsp" : "plain"}${tag}s${i}`);
  // Telemetry of the first station (sent every second whether or not anyone subscribes):
  // shows the chain is on air and working.
  const samples = [];
  const sub = await client.subscribe(ids[0], { onSample: (s) => samples.push(s) });
  let driver;
  try {
    for (const id of ids) {
      if (withDsp) await client.loadGraph(id, DSP_GRAPH);
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
    driver = await drivePlaylist(client, ids, tracks, { trackS: TRACK_S, xfadeMs: XFADE_MS });
    await sleep(WARMUP_S * 1000);
    const before = await client.fullStatus();
    const from = samples.length;
    const m = await measureTree([child.pid], n, MEASURE_S);
    const after = await client.fullStatus();
    m.mountsLive = await liveCount(ids);
    m.heardDb = await heard(`/${ids[0]}.mp3`);
    const underruns = (st) => st.stations.reduce((a, s) => a + (s.underruns ?? 0), 0);
    m.underruns = underruns(after) - underruns(before);
    m.dsp = dspSummary(samples.slice(from));
    return m;
  } finally {
    await driver?.stop();
    await sub.unsubscribe();
    client.close();
    await stopChild(child);
  }
}

/** Per node of the chain over the window: most gain reduction and the range of applied gain, dB. */
function dspSummary(samples) {
  const nodes = new Map();
  for (const s of samples) {
    for (const d of s.dsp) {
      const n = nodes.get(d.nodeId) ?? {
        type: d.type,
        maxGr: 0,
        minGain: Infinity,
        maxGain: -Infinity,
        grSeen: false,
      };
      if (d.gainReductionDb !== undefined) {
        n.grSeen = true;
        n.maxGr = Math.max(n.maxGr, d.gainReductionDb);
      }
      if (d.gainDb !== undefined) {
        n.minGain = Math.min(n.minGain, d.gainDb);
        n.maxGain = Math.max(n.maxGain, d.gainDb);
      }
      nodes.set(d.nodeId, n);
    }
  }
  return [...nodes].map(([id, n]) => ({ id, ...n }));
}

/** (c) and (d): one Liquidsoap process, `n` stations, with or without the chain. */
async function runLiquidsoap(n, tag, withDsp) {
  const ids = Array.from({ length: n }, (_, i) => `ls${withDsp ? "dsp" : "plain"}${tag}s${i}`);
  const script = join(work, `ls-${withDsp ? "dsp" : "plain"}-${tag}.liq`);
  writeFileSync(
    script,
    liquidsoapScript({
      trackDir,
      icePort,
      ids,
      xfadeS: XFADE_MS / 1000,
      afterCrossfade: withDsp ? LS_CHAIN : [],
    }),
  );
  const ls = startLiquidsoap(script);
  try {
    await waitMounts(
      ids.map((id) => `/${id}.mp3`),
      90_000,
    ).catch((err) => {
      throw new Error(`${err.message}\nliquidsoap log:\n${ls.log()}`);
    });
    await sleep(WARMUP_S * 1000);
    const t0 = ls.transitions();
    const m = await measureTree([ls.child.pid], n, MEASURE_S);
    m.mountsLive = await liveCount(ids);
    m.heardDb = await heard(`/${ids[0]}.mp3`);
    m.crossfades = ls.transitions() - t0;
    return m;
  } finally {
    await stopChild(ls.child);
  }
}

const run = {
  "ours-plain": (n, tag) => runEngine(n, tag, false),
  "ours-dsp": (n, tag) => runEngine(n, tag, true),
  "ls-plain": (n, tag) => runLiquidsoap(n, tag, false),
  "ls-dsp": (n, tag) => runLiquidsoap(n, tag, true),
};

const results = [];
try {
  for (const n of STATION_COUNTS) {
    for (let round = 0; round < ROUNDS; round++) {
      // Each pair (plain, processed) runs back to back so load drift hits both alike;
      // odd rounds reverse the order.
      const order = round % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse();
      for (const who of order.filter((w) => wanted.includes(w))) {
        const tag = `${n}r${round}`;
        const loadBefore = loadavg()[0];
        console.log(`${new Date().toISOString()} ${who}, ${n} station(s), round ${round + 1}`);
        const m = await run[who](n, tag);
        Object.assign(m, { who, round, loadBefore, loadAfter: loadavg()[0] });
        results.push(m);
        console.log(
          `  CPU ${m.cpuS.toFixed(2)} s over ${m.wallS.toFixed(1)} s → ${m.cpuPerAudioS.toFixed(4)} CPU s / audio s; RSS ${m.rssMiB.toFixed(1)} MiB (peak ${m.peakRssMiB.toFixed(1)}, ${m.procs} procs); mounts live ${m.mountsLive}/${n}, heard ${m.heardDb.toFixed(1)} dBFS; ${checkNote(m)}; load ${loadBefore.toFixed(1)} → ${m.loadAfter.toFixed(1)}`,
        );
      }
    }
  }
} finally {
  await icecast.stop();
  rmSync(work, { recursive: true, force: true });
}

/** Node types whose telemetry reports gain reduction. */
const DYNAMICS = ["compressor", "limiter"];

function checkNote(m) {
  if (m.crossfades !== undefined) return `crossfades in window ${m.crossfades}`;
  const dsp = m.dsp
    .map((d) =>
      `${d.type} ${d.grSeen || DYNAMICS.includes(d.type) ? `GR ≤ ${d.maxGr.toFixed(1)} dB ` : ""}${Number.isFinite(d.minGain) ? `gain ${d.minGain.toFixed(1)}…${d.maxGain.toFixed(1)} dB` : ""}`.trim(),
    )
    .join(", ");
  return `underruns in window ${m.underruns}${dsp ? `; chain telemetry: ${dsp}` : ""}`;
}

// --- report ---------------------------------------------------------------------
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const SILENCE_DB = -60;
const label = {
  "ours-plain": "(a) grimnir-engine, no DSP graph",
  "ours-dsp": "(b) grimnir-engine, loudness → AGC → compressor → limiter",
  "ls-plain": "(c) Liquidsoap, no processing",
  "ls-dsp": "(d) Liquidsoap, normalize → compress → limit",
};
const rows = [];
const marginRows = [];
const verdicts = [];
for (const n of STATION_COUNTS) {
  const agg = (who) => {
    const rs = results.filter((r) => r.stations === n && r.who === who);
    return {
      cpu: mean(rs.map((r) => r.cpuPerAudioS)),
      rss: mean(rs.map((r) => r.rssMiB)),
      live: Math.min(...rs.map((r) => r.mountsLive)),
      heard: rs.map((r) => r.heardDb),
      load: rs.map((r) => `${r.loadBefore.toFixed(1)}→${r.loadAfter.toFixed(1)}`).join(", "),
      // identical notes from several rounds are given once
      notes: [...new Set(rs.map(checkNote))].join("; "),
    };
  };
  const a = Object.fromEntries(SUBJECTS.map((who) => [who, agg(who)]));
  for (const who of SUBJECTS) {
    const s = a[who];
    const heardOk = s.heard.every((db) => db > SILENCE_DB) && s.live === n;
    if (!heardOk)
      verdicts.push(`${n} station(s), ${label[who]}: a listener heard silence or a mount was down`);
    rows.push(
      `| ${n} | ${label[who]} | ${s.cpu.toFixed(4)} | ${(s.cpu * n * 100).toFixed(1)} % | ${s.rss.toFixed(0)} | ${s.live}/${n}, ${s.heard.map((db) => db.toFixed(1)).join("/")} dBFS (${heardOk ? "audio" : "**silence**"}) | ${s.load} | ${s.notes} |`,
    );
  }
  // Each round's margin comes from a pair of subjects run back to back; the spread
  // between rounds is the noise the comparison has to beat.
  const margins = (plain, dsp) => {
    const per = [];
    for (let round = 0; round < ROUNDS; round++) {
      const at = (who) =>
        results.find((r) => r.stations === n && r.who === who && r.round === round);
      per.push(at(dsp).cpuPerAudioS - at(plain).cpuPerAudioS);
    }
    return { mean: mean(per), min: Math.min(...per), max: Math.max(...per), per };
  };
  const ours = margins("ours-plain", "ours-dsp");
  const theirs = margins("ls-plain", "ls-dsp");
  const pct = (m, base) => `${m >= 0 ? "+" : ""}${((100 * m) / base).toFixed(0)} %`;
  const spread = (m) =>
    ROUNDS > 1 ? ` [rounds ${m.per.map((x) => x.toFixed(4)).join(", ")}]` : "";
  marginRows.push(
    `| ${n} | ${ours.mean.toFixed(4)} (${pct(ours.mean, a["ours-plain"].cpu)} of (a))${spread(ours)} | ${theirs.mean.toFixed(4)} (${pct(theirs.mean, a["ls-plain"].cpu)} of (c))${spread(theirs)} | ${theirs.mean > 0 && ours.mean > 0 ? `${(ours.mean / theirs.mean).toFixed(2)}×` : "n/a (a margin ≤ 0)"} | ${(a["ours-plain"].cpu / a["ls-plain"].cpu).toFixed(2)}× | ${(a["ours-dsp"].cpu / a["ls-dsp"].cpu).toFixed(2)}× | ${(a["ours-dsp"].rss / a["ls-dsp"].rss).toFixed(2)}× |`,
  );
  const overlap = ROUNDS > 1 && ours.min <= theirs.max && theirs.min <= ours.max;
  const comparison = overlap
    ? "the two margins' ranges over the rounds overlap, so neither chain is measurably cheaper"
    : `ours is ${ours.mean < theirs.mean ? "cheaper" : "dearer"} by ${Math.abs(ours.mean - theirs.mean).toFixed(4)} CPU s per audio s per station${ROUNDS > 1 ? " (the rounds' ranges do not overlap)" : " (one round: no spread to judge noise by)"}`;
  verdicts.push(
    `${n} station(s): our chain adds ${ours.mean.toFixed(4)} CPU s per audio s (${(ours.mean * 100).toFixed(1)} % of a core per station), Liquidsoap's ${theirs.mean.toFixed(4)} (${(theirs.mean * 100).toFixed(1)} %): ${comparison}. With the chain on, our whole tree costs ${(a["ours-dsp"].cpu / a["ls-dsp"].cpu).toFixed(2)}× Liquidsoap's CPU (${(a["ours-plain"].cpu / a["ls-plain"].cpu).toFixed(2)}× without it) and ${(a["ours-dsp"].rss / a["ls-dsp"].rss).toFixed(2)}× its RSS.`,
  );
}
const loadAtEnd = loadavg()
  .map((l) => l.toFixed(1))
  .join(" ");
const cmd = `node benchmarks/dsp.bench.mjs${process.argv.length > 2 ? " " + process.argv.slice(2).join(" ") : ""}`;
const section = [
  SECTION,
  "",
  `Command: \`${cmd}\``,
  `Date: ${startedAt.toISOString()}; machine: ${cpus().length} cores (\`nproc\`) ${cpus()[0]?.model ?? ""}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average at start ${loadAtStart}, at end ${loadAtEnd}`,
  `Versions: ${lsVersion} (Debian package), ${gstVersion}; grimnir-engine bundled from the ${engineSource}`,
  "",
  `Job per station: playlist of ${TRACKS} generated ${TRACK_S} s MP3 tracks (sines and pink noise, amplitudes ${TRACK_VOLUMES.join(", ")} in turn), ${XFADE_MS / 1000} s crossfades, MP3 128 kbps 44.1 kHz stereo to a private icecast2; ${WARMUP_S} s warm-up, then ${MEASURE_S} s measured; ${ROUNDS} round(s), the four subjects one after another in one run.`,
  "CPU = Δ(utime+stime+cutime+cstime) over the process tree (engine + its gst-launch children; liquidsoap), per audio second (stations × wall seconds); RSS = mean of 1 s samples of the tree's summed RSS. Load = 1-minute load average before → after each subject.",
  "",
  "| stations | subject | CPU s / audio s | CPU (% of a core) | RSS MiB | listener check (mounts live, RMS heard) | load | notes |",
  "|---:|---|---:|---:|---:|---|---|---|",
  ...rows,
  "",
  "Marginal cost of the chain (processed − plain, CPU s per audio s per station) and ratios to Liquidsoap:",
  "",
  "| stations | ours: (b) − (a) | Liquidsoap: (d) − (c) | our margin / Liquidsoap's | (a) / (c) | (b) / (d) | RSS (b) / (d) |",
  "|---:|---:|---:|---:|---:|---:|---:|",
  ...marginRows,
  "",
  "Findings (generated from the figures above):",
  "",
  ...verdicts.map((v) => `- ${v}`),
  "",
  "Notes:",
  "",
  `- (b) sends \`LoadGraph\` with ${DSP_GRAPH.nodes
    .map(
      (node) =>
        `\`${node.type}\` (${Object.entries(node.params)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
    )
    .join(
      " → ",
    )} on the station's mix; (a) loads no graph. Both are driven as the executor would (each next track \`Play\`ed 5 s ahead with a 3 s crossfade), and both subscribe to the first station's telemetry, which the notes summarise (most gain reduction, range of applied gain over the window).`,
  `- (d) is (c) plus \`${LS_CHAIN.join("` → `")}\` after \`crossfade()\` (on the mix, like ours). Liquidsoap has no separate AGC: its \`normalize()\` is a gain rider (here on LUFS), so (d) has three stages to our four; its \`limit()\` is \`compress()\` with ratio 20 and no look-ahead or true-peak detection, while our limiter looks 5 ms ahead and limits 4× oversampled true peaks.`,
  `- Listener check: after each window ffmpeg listens to the first station's mount for 4 s; "audio" means an RMS above ${SILENCE_DB} dBFS and every mount still live.`,
  `- The machine is shared with other jobs (load column); ${ROUNDS > 1 ? "the per-round margins in brackets show the run-to-run spread" : "one round gives no run-to-run spread, so small differences between the margins may be noise"}.`,
  "",
].join("\n");
console.log("\n" + section);

if (opts.write) {
  const file = join(root, "benchmarks/RESULTS.md");
  // Re-read right before writing: other benchmarks write their own sections.
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\n";
  const start = text.indexOf(SECTION);
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : "");
  } else text = text.trimEnd() + "\n\n" + section;
  writeFileSync(file, text.trimEnd() + "\n");
  console.log(`wrote "${SECTION}" to ${file}`);
}
process.exit(0);
