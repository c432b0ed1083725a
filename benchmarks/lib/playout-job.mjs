// The playout job the engine and DSP benchmarks share: generated playlist tracks,
// Liquidsoap from Debian, a private icecast2's mounts as a listener sees them, and
// CPU/RSS of process trees read from /proc.
import { spawnSync } from "node:child_process";
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
