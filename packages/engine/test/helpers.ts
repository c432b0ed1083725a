import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";

/** apt-get line that installs everything the engine's integration tests run. */
export const APT_LINE =
  "apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  for (const name of names) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
    if (!found)
      throw new Error(
        `${name} is not installed; install the engine's test dependencies with:\n  ${APT_LINE}`,
      );
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
export function makeTone(
  dir: string,
  name: string,
  freq: number,
  seconds: number,
  volume = 0.5,
): string {
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
export function goertzel(
  samples: Float32Array,
  freq: number,
  start: number,
  length: number,
  rate = 44100,
): number {
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
export function toneTimeline(
  samples: Float32Array,
  freqs: number[],
  windowMs = 10,
  floor = 0.02,
  rate = 44100,
): (number | "silence")[] {
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
  const child = spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      url,
      "-f",
      "f32le",
      "-ac",
      "1",
      "-ar",
      "44100",
      "-t",
      String(seconds),
      "-",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
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
      if (all.length === 0)
        return reject(new Error(`listener got no audio from ${url}: ${stderr}`));
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
  <limits><clients>100</clients><sources>20</sources><queue-size>524288</queue-size><burst-size>65536</burst-size><source-timeout>10</source-timeout></limits>
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
  const child: ChildProcess = spawn("icecast2", ["-c", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
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
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const v = await check();
    if (v !== undefined && v !== false) return v as T;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Amplitude of `freq` in Hann-windowed 50 ms windows every `hopMs`; `t` is the window centre in ms. */
export function toneEnvelope(
  samples: Float32Array,
  freq: number,
  hopMs = 2.5,
  rate = 44100,
): { t: number; amp: number }[] {
  const len = Math.round(rate * 0.05);
  const hop = Math.round((rate * hopMs) / 1000);
  const w = new Float64Array(len);
  let wsum = 0;
  for (let i = 0; i < len; i++) wsum += w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1));
  const k = (2 * Math.PI * freq) / rate;
  const out: { t: number; amp: number }[] = [];
  for (let start = 0; start + len <= samples.length; start += hop) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < len; i++) {
      const x = samples[start + i]! * w[i]!;
      re += x * Math.cos(k * i);
      im -= x * Math.sin(k * i);
    }
    out.push({ t: ((start + len / 2) * 1000) / rate, amp: (2 * Math.hypot(re, im)) / wsum });
  }
  return out;
}

/** Read a raw ICY stream and return the first non-empty StreamTitle. */
export function readStreamTitle(
  url: string,
  timeoutMs: number,
): Promise<{ metaint: number; title: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "Icy-MetaData": "1" } }, (res) => {
      const metaint = Number(res.headers["icy-metaint"]);
      let buf = Buffer.alloc(0);
      let pos = 0; // bytes consumed
      res.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length > pos + metaint) {
          const len = buf[pos + metaint]! * 16;
          if (buf.length < pos + metaint + 1 + len) return;
          const text = buf.subarray(pos + metaint + 1, pos + metaint + 1 + len).toString("utf8");
          pos += metaint + 1 + len;
          const m = /StreamTitle='([^']*)';/.exec(text);
          if (m) {
            req.destroy();
            clearTimeout(timer);
            resolve({ metaint, title: m[1]! });
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no StreamTitle from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

/** Write a stereo 16-bit 44.1 kHz WAV of consecutive sine segments, each `[freq, seconds]` at amplitude 0.5. */
export function writeSegmentsWav(path: string, segments: [number, number][]): string {
  const frames = segments.reduce((n, [, s]) => n + Math.round(s * 44100), 0);
  const buf = Buffer.alloc(44 + frames * 4);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + frames * 4, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(44100, 24);
  buf.writeUInt32LE(44100 * 4, 28);
  buf.writeUInt16LE(4, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(frames * 4, 40);
  let o = 44;
  for (const [freq, seconds] of segments) {
    for (let i = 0; i < Math.round(seconds * 44100); i++) {
      const v = Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * freq * i) / 44100));
      buf.writeInt16LE(v, o);
      buf.writeInt16LE(v, o + 2);
      o += 4;
    }
  }
  writeFileSync(path, buf);
  return path;
}
