import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** apt-get line that installs what the live package's integration tests run. */
export const APT_LINE = "apt-get install -y icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  for (const name of names) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
    if (!found) {
      throw new Error(
        `${name} is not installed; install the live package's test dependencies with:\n  ${APT_LINE}`,
      );
    }
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

/** Poll `check` every 25 ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A DJ client: ffmpeg pushing a sine tone to an Icecast-compatible server. */
export interface FfmpegSource {
  child: ChildProcess;
  /** Resolves with ffmpeg's exit code and stderr once it stops. */
  exited: Promise<{ code: number | null; stderr: string }>;
  stop: () => Promise<void>;
}

const CODECS = {
  mp3: ["-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3"],
  // Small Ogg pages, as live DJ software sends them (ffmpeg buffers up to 1 s by default).
  opus: [
    "-c:a",
    "libopus",
    "-b:a",
    "96k",
    "-content_type",
    "audio/ogg",
    "-page_duration",
    "100000",
    "-f",
    "ogg",
  ],
  vorbis: [
    "-c:a",
    "libvorbis",
    "-b:a",
    "96k",
    "-content_type",
    "audio/ogg",
    "-page_duration",
    "100000",
    "-f",
    "ogg",
  ],
  aac: ["-c:a", "aac", "-b:a", "128k", "-content_type", "audio/aac", "-f", "adts"],
} as const;

/** Push a `freq` Hz tone in real time for `seconds` (0 = until stopped) to `url` (`icecast://user:pass@host:port/mount`). */
export function ffmpegSource(
  url: string,
  freq: number,
  seconds: number,
  codec: keyof typeof CODECS = "mp3",
  extra: string[] = [],
): FfmpegSource {
  requireBinaries("ffmpeg");
  const duration = seconds > 0 ? ["-t", String(seconds)] : [];
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
      ...duration,
      ...CODECS[codec],
      ...extra,
      url,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on("close", (code) => resolve({ code, stderr }));
  });
  return {
    child,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Encode `seconds` of a `freq` Hz tone to an in-memory MP3 with ffmpeg. */
export function mp3Bytes(freq: number, seconds: number): Buffer {
  requireBinaries("ffmpeg");
  const r = spawnSync(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=${freq}`,
      "-t",
      String(seconds),
      "-c:a",
      "libmp3lame",
      "-b:a",
      "128k",
      "-f",
      "mp3",
      "-",
    ],
    { maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not encode a tone: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Goertzel amplitude of `freq` in `samples[start, start + length)` (≈ the sine's peak amplitude). */
export function toneAmplitude(
  samples: Float32Array,
  freq: number,
  start = 0,
  length = samples.length - start,
  rate = 44100,
): number {
  const k = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  const end = Math.min(samples.length, start + length);
  for (let i = start; i < end; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const n = end - start;
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coeff * s1 * s2))) / n;
}

/** Decode `seconds` of `url` with ffmpeg to mono float PCM at 44.1 kHz, like a listener. */
export function listen(url: string, seconds: number): Promise<Float32Array> {
  requireBinaries("ffmpeg");
  const child = spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-probesize",
      "16384",
      "-analyzeduration",
      "300000",
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
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => chunks.push(c));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 10) * 1000);
  return new Promise<Float32Array>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(killer);
      const all = Buffer.concat(chunks);
      if (all.length < 4) return reject(new Error(`listener got no audio from ${url}: ${stderr}`));
      const out = new Float32Array(Math.floor(all.length / 4));
      new Uint8Array(out.buffer).set(all.subarray(0, out.length * 4));
      resolve(out);
    });
  });
}

/** Which of `freqs` dominates the decoded audio, by Goertzel amplitude. */
export function dominantTone(
  samples: Float32Array,
  freqs: number[],
): { freq: number; amplitude: number } {
  // Skip the decoder's first 100 ms.
  const start = Math.min(4410, Math.floor(samples.length / 4));
  return freqs
    .map((freq) => ({ freq, amplitude: toneAmplitude(samples, freq, start) }))
    .sort((a, b) => b.amplitude - a.amplitude)[0]!;
}

/** A raw HTTP exchange: send `head` (+ `body`), resolve with the status line and the socket. */
export function rawRequest(
  port: number,
  head: string,
  body?: Buffer,
): Promise<{ status: number; text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    let settled = false;
    socket.on("error", (err) => {
      if (!settled) reject(err);
    });
    socket.on("data", (c: Buffer) => {
      text += c.toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m && !settled && (text.includes("\r\n\r\n") || text.includes("\n\n"))) {
        settled = true;
        setTimeout(() => resolve({ status: Number(m[1]), text, socket }), 30);
      }
    });
    socket.on("close", () => {
      if (!settled) {
        settled = true;
        resolve({ status: 0, text, socket });
      }
    });
    socket.write(head);
    if (body !== undefined) socket.write(body);
  });
}

/** The head of a source request with basic auth. */
export function sourceHead(options: {
  method?: "SOURCE" | "PUT";
  mount: string;
  password: string;
  user?: string;
  contentType?: string;
  expect100?: boolean;
  extra?: string[];
}): string {
  const auth = Buffer.from(`${options.user ?? "source"}:${options.password}`).toString("base64");
  const lines = [
    `${options.method ?? "PUT"} /${options.mount} HTTP/1.1`,
    "Host: 127.0.0.1",
    `Authorization: Basic ${auth}`,
    ...(options.contentType === undefined ? [] : [`Content-Type: ${options.contentType}`]),
    ...(options.expect100 === true ? ["Expect: 100-continue"] : []),
    ...(options.extra ?? []),
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** A running icecast2 on a private loopback port. */
export interface Icecast {
  port: number;
  sourcePassword: string;
  stop: () => Promise<void>;
}

/** Start icecast2 on a free loopback port with a minimal config in a temp dir. */
export async function startIcecast(): Promise<Icecast> {
  requireBinaries("icecast2", "ffmpeg");
  const port = await freePort();
  const tmp = tempDir("grimnir-live-icecast-");
  const asRoot = process.getuid?.() === 0;
  const xml = `<icecast>
  <limits><clients>100</clients><sources>20</sources><queue-size>524288</queue-size><burst-size>16384</burst-size><source-timeout>5</source-timeout></limits>
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
  const child = spawn("icecast2", ["-c", config], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await new Promise((r) =>
      child.exitCode !== null || child.signalCode !== null ? r(null) : child.once("close", r),
    );
    tmp.remove();
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`icecast2 exited: ${stderr}`);
        return fetch(`http://127.0.0.1:${port}/status-json.xsl`).then(
          (r) => r.ok,
          () => false,
        );
      },
      10_000,
      `icecast2 on port ${port}`,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, sourcePassword: "hackme", stop };
}
