import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { MemoryBus, MemoryStore } from "@grimnir/core";
import {
  listen as startListener,
  requireBinaries as requireTools,
  toneAmplitude,
} from "@grimnir/testkit";
import { Harbor, LiveService, type HarborOptions, type LiveServiceOptions } from "../src/index.js";

export { freePort, tempDir, waitFor, startIcecast, toneAmplitude } from "@grimnir/testkit";
export type { Icecast } from "@grimnir/testkit";

/** apt-get line that installs what the live package's integration tests run. */
export const APT_LINE = "apt-get install -y icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  requireTools(APT_LINE, ...names);
}

/** Decode `seconds` of `url` with ffmpeg as a listener would; mono float PCM at 44.1 kHz. */
export function listen(url: string, seconds: number): Promise<Float32Array> {
  requireBinaries("ffmpeg");
  return startListener(url, seconds).done;
}

/** A DJ client: ffmpeg pushing a sine tone to an Icecast-compatible server. */
export interface FfmpegSource {
  child: ChildProcess;
  /** Resolves with ffmpeg's exit code and stderr once it stops. */
  exited: Promise<{ code: number | null; stderr: string }>;
  stop: () => Promise<void>;
}

/** Ogg with small pages, as live DJ software sends them (ffmpeg buffers up to 1 s by default). */
const oggCodec = (codec: "libopus" | "libvorbis") =>
  [
    "-c:a",
    codec,
    "-b:a",
    "96k",
    "-content_type",
    "audio/ogg",
    "-page_duration",
    "100000",
    "-f",
    "ogg",
  ] as const;

const CODECS = {
  mp3: ["-c:a", "libmp3lame", "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3"],
  opus: oggCodec("libopus"),
  vorbis: oggCodec("libvorbis"),
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

/** A live service and its harbor over a memory store and bus, as {@link useHarbor} starts them. */
export interface HarborFixture {
  store: MemoryStore;
  bus: MemoryBus;
  live: LiveService;
  harbor: Harbor;
  /** The harbor's port, once `beforeAll` ran. */
  port: number;
}

/**
 * A {@link LiveService} (with `liveOptions`) and a {@link Harbor} (with
 * `harborOptions`) over a fresh memory store and bus: the harbor starts on a
 * free loopback port in `beforeAll` (failing without ffmpeg) and everything
 * is stopped in `afterAll`.
 */
export function useHarbor(
  liveOptions: Omit<LiveServiceOptions, "store" | "bus">,
  harborOptions: Omit<HarborOptions, "live"> = {},
): HarborFixture {
  const store = new MemoryStore();
  const bus = new MemoryBus();
  const live = new LiveService({ store, bus, ...liveOptions });
  const harbor = new Harbor({ live, ...harborOptions });
  const fixture: HarborFixture = { store, bus, live, harbor, port: 0 };
  beforeAll(async () => {
    requireBinaries("ffmpeg");
    fixture.port = await harbor.start();
  });
  afterAll(async () => {
    await harbor.stop();
    await live.close();
    await bus.close();
  });
  return fixture;
}
