import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** apt-get line that installs everything the engine's integration tests run. */
export const APT_LINE =
  "apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  for (const name of names) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
    if (!found) throw new Error(`${name} is not installed; install the engine's test dependencies with:\n  ${APT_LINE}`);
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a stereo 44.1 kHz WAV sine of `freq` Hz, `seconds` long, at linear `volume`, with GStreamer. */
export function makeTone(dir: string, name: string, freq: number, seconds: number, volume = 0.5): string {
  const path = join(dir, `${name}.wav`);
  const buffers = Math.round(seconds * 10);
  const r = spawnSync("gst-launch-1.0", [
    "-q",
    "audiotestsrc",
    "wave=sine",
    `freq=${freq}`,
    `volume=${volume}`,
    "samplesperbuffer=4410",
    `num-buffers=${buffers}`,
    "!",
    "audio/x-raw,format=S16LE,rate=44100,channels=2",
    "!",
    "wavenc",
    "!",
    "filesink",
    `location=${path}`,
  ]);
  if (r.status !== 0) throw new Error(`cannot generate ${path}: ${r.stderr.toString()}`);
  return path;
}

/** Goertzel power of `freq` in `samples[start, start + length)`, normalised to amplitude² of a full-scale sine ≈ 0.25. */
export function goertzel(samples: Float32Array, freq: number, start: number, length: number, rate = 44100): number {
  const k = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length && i < samples.length; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (length * length);
}

/** Per 10 ms window, which of `freqs` dominates (or "silence" below `floor` amplitude). */
export function toneTimeline(samples: Float32Array, freqs: number[], windowMs = 10, floor = 0.02, rate = 44100): (number | "silence")[] {
  const win = Math.round((rate * windowMs) / 1000);
  const out: (number | "silence")[] = [];
  for (let start = 0; start + win <= samples.length; start += win) {
    let best: number | "silence" = "silence";
    let bestAmp = floor;
    for (const f of freqs) {
      const amp = 2 * Math.sqrt(goertzel(samples, f, start, win, rate));
      if (amp > bestAmp) {
        bestAmp = amp;
        best = f;
      }
    }
    out.push(best);
  }
  return out;
}

/** Index of the first window from `from` where `tone` holds for `hold` consecutive windows; -1 when never. */
export function firstRun<T>(timeline: T[], tone: T, hold = 5, from = 0): number {
  for (let i = from; i + hold <= timeline.length; i++) {
    let ok = true;
    for (let j = 0; j < hold; j++) if (timeline[i + j] !== tone) ok = false;
    if (ok) return i;
  }
  return -1;
}

/** A listener: ffmpeg decoding `url` to mono float PCM at 44.1 kHz. */
export interface Listener {
  /** Resolves with the decoded audio once ffmpeg has `seconds` of it or stops. */
  done: Promise<Float32Array>;
  /** Wall time (performance.now) when the first decoded byte arrived. */
  firstByteAt: () => number | undefined;
  stop: () => void;
}

/** Start decoding `url` with ffmpeg like a listener would. */
export function listen(url: string, seconds: number): Listener {
  const child = spawn("ffmpeg", ["-nostdin", "-loglevel", "error", "-i", url, "-f", "f32le", "-ac", "1", "-ar", "44100", "-t", String(seconds), "-"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const chunks: Buffer[] = [];
  let first: number | undefined;
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    first ??= performance.now();
    chunks.push(c);
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Float32Array>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => {
      const all = Buffer.concat(chunks);
      if (all.length === 0) return reject(new Error(`listener got no audio from ${url}: ${stderr}`));
      const out = new Float32Array(Math.floor(all.length / 4));
      new Uint8Array(out.buffer).set(all.subarray(0, out.length * 4));
      resolve(out);
    });
  });
  return { done, firstByteAt: () => first, stop: () => child.kill("SIGKILL") };
}

/** A running icecast2 on a private loopback port. */
export interface Icecast {
  port: number;
  sourcePassword: string;
  stop: () => Promise<void>;
}

/** Start icecast2 on a free loopback port with a minimal config in a temp dir. */
export async function startIcecast(): Promise<Icecast> {
  requireBinaries("icecast2");
  const port = await freePort();
  const tmp = tempDir("grimnir-icecast-");
  const asRoot = process.getuid?.() === 0;
  const xml = `<icecast>
  <limits><clients>100</clients><sources>20</sources><queue-size>524288</queue-size><burst-size>0</burst-size><source-timeout>10</source-timeout></limits>
  <authentication><source-password>hackme</source-password><admin-user>admin</admin-user><admin-password>adminpw</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><logdir>${tmp.dir}</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><errorlog>-</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot>${asRoot ? "<changeowner><user>nobody</user><group>nogroup</group></changeowner>" : ""}</security>
</icecast>`;
  const config = join(tmp.dir, "icecast.xml");
  writeFileSync(config, xml);
  const child: ChildProcess = spawn("icecast2", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/status-json.xsl`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`icecast2 exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
    if (i === 99) throw new Error(`icecast2 did not answer on ${port}: ${stderr}`);
  }
  return {
    port,
    sourcePassword: "hackme",
    stop: async () => {
      child.kill("SIGKILL");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("close", r)));
      tmp.remove();
    },
  };
}

/** Poll `check` every 50 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
