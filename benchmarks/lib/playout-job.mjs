// The playout job the engine and DSP benchmarks share: generated playlist tracks,
// Liquidsoap from Debian, a private icecast2's mounts as a listener sees them,
// CPU/RSS of process trees read from /proc, and the subjects: a bundled
// grimnir-engine driven through the playlist as the executor would, and a
// Liquidsoap script playing the same playlist.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd) => spawnSync("sh", ["-c", cmd], { encoding: "utf8" });

/**
 * Makes sure `liquidsoap` is on the PATH, installing the Debian package when running
 * as root (exits the process with a hint otherwise).
 * @returns {{ lsVersion: string, gstVersion: string }} first lines of `--version`
 */
export function ensureLiquidsoap() {
  if (sh("command -v liquidsoap").status !== 0) {
    if (process.getuid?.() !== 0) {
      console.error("liquidsoap is missing; install it with: apt-get install -y liquidsoap");
      process.exit(1);
    }
    console.log("installing liquidsoap (apt-get install -y liquidsoap)…");
    const r = spawnSync("apt-get", ["install", "-y", "liquidsoap"], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (r.status !== 0) process.exit(1);
  }
  return {
    lsVersion: sh("liquidsoap --version").stdout.split("\n")[0].trim(),
    gstVersion: sh("gst-launch-1.0 --version").stdout.split("\n")[0].trim(),
  };
}

/** Levels (linear amplitude) the generated tracks cycle through, so normalisers have work. */
export const TRACK_VOLUMES = [0.05, 0.1, 0.2, 0.4, 0.7, 0.9];

/**
 * Writes `count` MP3 tracks (192 kbps CBR, 44.1 kHz stereo) of `seconds` each into
 * `dir`: even ones sines at 220 + 55·k Hz, odd ones pink noise, at the levels of
 * {@link TRACK_VOLUMES} in turn.
 * @param {string} dir existing directory
 * @param {number} count
 * @param {number} seconds whole seconds per track
 * @returns {string[]} the paths, in playlist order (`t00.mp3`, `t01.mp3`, …)
 */
export function generateTracks(dir, count, seconds) {
  const tracks = [];
  for (let k = 0; k < count; k++) {
    const path = join(dir, `t${String(k).padStart(2, "0")}.mp3`);
    const volume = TRACK_VOLUMES[k % TRACK_VOLUMES.length];
    const wave = k % 2 === 0 ? ["wave=sine", `freq=${220 + 55 * k}`] : ["wave=pink-noise"];
    const r = spawnSync("gst-launch-1.0", [
      "-q",
      "audiotestsrc",
      ...wave,
      `volume=${volume}`,
      "samplesperbuffer=4410",
      `num-buffers=${seconds * 10}`,
      "!",
      "audio/x-raw,format=S16LE,rate=44100,channels=2",
      "!",
      "lamemp3enc",
      "target=bitrate",
      "bitrate=192",
      "cbr=true",
      "!",
      "filesink",
      `location=${path}`,
    ]);
    if (r.status !== 0) throw new Error(`cannot generate ${path}: ${r.stderr}`);
    tracks.push(path);
  }
  return tracks;
}

// --- /proc measurement ----------------------------------------------------------
const CLK_TCK = Number(sh("getconf CLK_TCK").stdout) || 100;
const PAGE = Number(sh("getconf PAGESIZE").stdout) || 4096;

function procTable() {
  const table = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // f[0] = field 3 (state): ppid=4, utime=14, stime=15, cutime=16, cstime=17, rss=24
    table.set(Number(name), {
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
      self: Number(f[11]) + Number(f[12]),
      selfSys: Number(f[12]),
      rss: Number(f[21]) * PAGE,
      comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
    });
  }
  return table;
}

/**
 * CPU seconds (self + reaped children) and memory of the process trees under `pids`.
 * @param {number[]} pids tree roots
 * @returns {{ cpuS: number, rootSelfS: number, rootSysS: number, rss: number, pss: number, procs: number }}
 *   cpuS over the trees; rootSelfS/rootSysS of the roots alone (user+system / system);
 *   rss and pss in bytes summed over the trees' live processes
 */
export function treeUsage(pids) {
  const table = procTable();
  const children = new Map();
  for (const [pid, p] of table) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(pid);
  }
  let ticks = 0;
  let rootSelf = 0;
  let rootSys = 0;
  for (const pid of pids) {
    rootSelf += table.get(pid)?.self ?? 0;
    rootSys += table.get(pid)?.selfSys ?? 0;
  }
  let rss = 0;
  let pss = 0;
  let procs = 0;
  const stack = [...pids];
  while (stack.length) {
    const pid = stack.pop();
    const p = table.get(pid);
    if (!p) continue;
    ticks += p.ticks;
    rss += p.rss;
    try {
      // PSS shares library pages between the processes mapping them (summed RSS counts them per process)
      pss +=
        Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0) *
        1024;
    } catch {
      // exited meanwhile
    }
    procs++;
    stack.push(...(children.get(pid) ?? []));
  }
  return {
    cpuS: ticks / CLK_TCK,
    rootSelfS: rootSelf / CLK_TCK,
    rootSysS: rootSys / CLK_TCK,
    rss,
    pss,
    procs,
  };
}

/**
 * Measures the trees under `pids` for `seconds` of wall time, sampling memory every second.
 * @param {number[]} pids tree roots
 * @param {number} stations stations the trees play (audio seconds = stations × wall seconds)
 * @param {number} seconds measuring window
 * @returns {Promise<{ stations: number, wallS: number, cpuS: number, cpuPerAudioS: number,
 *   rootShare: number, rootSysShare: number, rssMiB: number, peakRssMiB: number,
 *   rssPerStationMiB: number, pssMiB: number, procs: number }>} rootShare/rootSysShare are
 *   fractions of cpuS spent in the roots themselves; memory figures are means over the samples
 */
export async function measureTree(pids, stations, seconds) {
  const t0 = performance.now();
  const u0 = treeUsage(pids);
  const rssSamples = [];
  const pssSamples = [];
  const procSamples = [];
  while (performance.now() - t0 < seconds * 1000) {
    await sleep(1000);
    const u = treeUsage(pids);
    rssSamples.push(u.rss);
    pssSamples.push(u.pss);
    procSamples.push(u.procs);
  }
  const u1 = treeUsage(pids);
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = u1.cpuS - u0.cpuS;
  const rootShare = (u1.rootSelfS - u0.rootSelfS) / cpuS;
  const rootSysShare = (u1.rootSysS - u0.rootSysS) / cpuS;
  const meanRss = rssSamples.reduce((a, b) => a + b, 0) / rssSamples.length;
  return {
    stations,
    wallS,
    cpuS,
    cpuPerAudioS: cpuS / (wallS * stations),
    rootShare,
    rootSysShare,
    rssMiB: meanRss / 2 ** 20,
    peakRssMiB: Math.max(...rssSamples) / 2 ** 20,
    rssPerStationMiB: meanRss / 2 ** 20 / stations,
    pssMiB: pssSamples.reduce((a, b) => a + b, 0) / pssSamples.length / 2 ** 20,
    procs: Math.max(...procSamples),
  };
}

// --- icecast --------------------------------------------------------------------
/**
 * What a private icecast2 on `port` serves, seen from outside.
 * @param {number} port
 * @param {{ waitFor: Function, listen: Function }} testkit the bundled testkit's helpers
 */
export function icecastProbe(port, { waitFor, listen }) {
  /** @returns {Promise<string[]>} mount paths currently fed by a source, e.g. "/s0.mp3" */
  async function mounts() {
    const json = await fetch(`http://127.0.0.1:${port}/status-json.xsl`).then((r) => r.text());
    return [...json.matchAll(/"listenurl":"[^"]*?(\/[^"/]+)"/g)].map((m) => m[1]);
  }
  /** Resolves once every mount in `names` is live; rejects after `ms`. */
  async function waitMounts(names, ms = 20_000) {
    await waitFor(
      async () => {
        const have = await mounts();
        return names.every((n) => have.includes(n));
      },
      ms,
      `mounts ${names.join(", ")} on icecast`,
      200,
    );
  }
  /** Listens to a mount for 4 s as a listener would (ffmpeg): RMS level, dBFS, of what it carries. */
  async function heard(mount) {
    const pcm = await listen(`http://127.0.0.1:${port}${mount}`, 4).done.catch(
      () => new Float32Array(0),
    );
    let sum = 0;
    for (const x of pcm) sum += x * x;
    return pcm.length ? 10 * Math.log10(sum / pcm.length + 1e-12) : -Infinity;
  }
  return { mounts, waitMounts, heard };
}

/**
 * SIGTERM, then SIGKILL after 5 s; resolves when the child has closed.
 * @param {import("node:child_process").ChildProcess} child
 */
export function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("close", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// --- subjects -------------------------------------------------------------------
/**
 * Starts a bundled `grimnir-engine` process on a free loopback port and waits until it listens.
 * @param {string} bin directory holding the bundled `engine-main.js`
 * @param {{ freePort: () => Promise<number>, nodeArgs?: string[] }} options
 * @returns {Promise<{ child: import("node:child_process").ChildProcess, port: number }>}
 */
export async function startEngine(bin, { freePort, nodeArgs = [] }) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(bin, "engine-main.js"), "--port", String(port)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (c) => (stderr = (stderr + c).slice(-4000)));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", (c) => String(c).includes("listening") && resolve());
    child.once("exit", () => reject(new Error(`engine exited: ${stderr}`)));
  });
  return { child, port };
}

/**
 * Drives stations of an engine through a playlist as the executor would: the first
 * track `Play`ed at once, each next one 5 s ahead of its crossfade, which starts
 * `xfadeMs` before the end of the previous track.
 * @param {{ play: Function }} client an `EngineClient`
 * @param {string[]} ids station ids; station i starts at track i (mod the playlist)
 * @param {string[]} tracks paths, all `trackS` seconds long
 * @param {{ trackS: number, xfadeMs: number }} timing
 * @returns {Promise<{ stop: () => Promise<void> }>} resolves once every first track is playing
 */
export async function drivePlaylist(client, ids, tracks, { trackS, xfadeMs }) {
  const state = ids.map((id, i) => ({ id, next: i % tracks.length, seq: 0, startAt: 0 }));
  const queue = async (s, atMs) => {
    const k = s.next;
    s.next = (s.next + 1) % tracks.length;
    await client.play(s.id, {
      itemId: `${s.id}-${s.seq++}`,
      uri: tracks[k],
      title: `track ${k}`,
      ...(atMs === undefined ? {} : { crossfadeMs: xfadeMs, atMs, curve: "linear" }),
    });
  };
  const t0 = Date.now() + 500;
  for (const s of state) {
    await queue(s, undefined);
    s.startAt = t0 + (trackS * 1000 - xfadeMs);
  }
  let stopped = false;
  const driver = (async () => {
    while (!stopped) {
      for (const s of state) {
        if (Date.now() >= s.startAt - 5000) {
          await queue(s, s.startAt);
          s.startAt += trackS * 1000 - xfadeMs;
        }
      }
      await sleep(200);
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await driver;
    },
  };
}

/**
 * A Liquidsoap 2.1 script playing `ids.length` stations, each
 * `playlist(trackDir) → before… → crossfade → after… → output.icecast(MP3 128 kbps)`.
 * @param {{ trackDir: string, icePort: number, ids: string[], xfadeS: number,
 *   beforeCrossfade?: string[], afterCrossfade?: string[] }} job operator calls as
 *   Liquidsoap expressions of `s`, e.g. `"normalize(s)"`, applied in order
 * @returns {string} the script; mounts are `/<id>.mp3`
 */
export function liquidsoapScript({
  trackDir,
  icePort,
  ids,
  xfadeS,
  beforeCrossfade = [],
  afterCrossfade = [],
}) {
  return [
    "settings.init.allow_root.set(true)",
    "settings.log.stdout.set(true)",
    "settings.log.file.set(false)",
    "settings.log.level.set(3)",
    "settings.frame.audio.samplerate.set(44100)",
    "def station(m) =",
    `  s = playlist(mode="normal", reload_mode="never", "${trackDir}")`,
    ...beforeCrossfade.map((op) => `  s = ${op}`),
    `  s = crossfade(duration=${xfadeS.toFixed(1)}, s)`,
    ...afterCrossfade.map((op) => `  s = ${op}`),
    `  output.icecast(%mp3(bitrate=128, samplerate=44100, stereo=true), host="127.0.0.1", port=${icePort}, password="hackme", mount=m, mksafe(s))`,
    "end",
    ...ids.map((id) => `station("${id}.mp3")`),
    "",
  ].join("\n");
}

/**
 * Runs `liquidsoap <script>`, keeping the tail of its log and counting the
 * crossfade transitions it logs.
 * @param {string} script path of a script (see {@link liquidsoapScript})
 * @returns {{ child: import("node:child_process").ChildProcess, transitions: () => number, log: () => string }}
 */
export function startLiquidsoap(script) {
  const child = spawn("liquidsoap", [script], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  let transitions = 0;
  const onLog = (c) => {
    transitions += (String(c).match(/transition:/g) ?? []).length;
    log = (log + c).slice(-4000);
  };
  child.stdout.on("data", onLog);
  child.stderr.on("data", onLog);
  return { child, transitions: () => transitions, log: () => log };
}
