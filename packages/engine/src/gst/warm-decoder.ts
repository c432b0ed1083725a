import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PcmBuffer } from "../mixer/pcm-buffer.js";
import { attachDecoder, decoderTail, gstLaunchBinary } from "./decoder.js";

/** File kinds a warm decoder is kept running for. */
export type WarmDecoderKind = "mp3" | "wav";

/**
 * Elements decoding each kind from a byte stream. Named explicitly (not
 * `decodebin`): autoplugging loads its plugins only when data arrives, which
 * costs hundreds of ms, while these are loaded when the process starts.
 */
const DECODE: Record<WarmDecoderKind, string[]> = {
  // mpegaudioparse skips an ID3v2 tag itself; id3demux would typefind what follows it (~40 ms more).
  mp3: ["mpegaudioparse", "!", "mpg123audiodec"],
  wav: ["wavparse"],
};

/**
 * The kind of a file from its first bytes (≥ 12): RIFF/WAVE, or MP3 (an ID3v2
 * tag or an MPEG audio frame header; ADTS AAC, whose layer bits are 0, is
 * not MP3). `undefined` for anything else.
 */
export function sniffWarmKind(head: Uint8Array): WarmDecoderKind | undefined {
  const text = (from: number, to: number): string =>
    String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 12 && text(0, 4) === "RIFF" && text(8, 12) === "WAVE") return "wav";
  if (head.length >= 3 && text(0, 3) === "ID3") return "mp3";
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0)
    return "mp3";
  return undefined;
}

/** Options of {@link WarmDecoderPool}. */
export interface WarmDecoderPoolOptions {
  /** Output rate, Hz. */
  sampleRate: number;
  /** Kinds kept warm; mp3 and wav by default. */
  kinds?: WarmDecoderKind[];
  /** Delay before a used warm decoder is replaced, ms (200 by default, so the new process does not compete with the item that just started). */
  respawnDelayMs?: number;
}

/**
 * One already-running GStreamer decoder per file kind (`gst-launch-1.0 fdsrc
 * fd=0 ! <decoder> ! audioconvert ! audioresample ! S16LE ! fdsink fd=1`,
 * plugins loaded, waiting for bytes), so an item that was not preloaded — an
 * emergency above all — has audio within a few ms instead of the 100–500 ms
 * a new decoder process needs. {@link WarmDecoderPool.take} hands the warm
 * process the file's bytes and starts a replacement shortly after. Only local
 * files of a kept kind qualify; everything else is decoded as before.
 */
export class WarmDecoderPool {
  readonly #options: Required<WarmDecoderPoolOptions>;
  readonly #warm = new Map<WarmDecoderKind, ChildProcess>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  #broken = false;

  /** Starts one warm decoder per kind at once. */
  constructor(options: WarmDecoderPoolOptions) {
    this.#options = {
      sampleRate: options.sampleRate,
      kinds: options.kinds ?? ["mp3", "wav"],
      respawnDelayMs: options.respawnDelayMs ?? 200,
    };
    for (const kind of this.#options.kinds) this.#spawn(kind);
  }

  /** Kinds with a warm decoder ready now. */
  get ready(): WarmDecoderKind[] {
    return [...this.#warm.keys()];
  }

  /**
   * Decode `uri` on a warm decoder: the returned buffer fills like one from
   * `startDecoder`. `undefined` when none fits (not a local file, another
   * kind, no warm process ready): the caller starts a decoder the usual way.
   */
  take(uri: string): PcmBuffer | undefined {
    if (this.#closed || !uri.startsWith("file://")) return undefined;
    const path = fileURLToPath(uri);
    const head = new Uint8Array(16);
    let got: number;
    try {
      const fd = openSync(path, "r");
      try {
        got = readSync(fd, head, 0, head.length, 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Unreadable here: the regular decoder reports it with GStreamer's message.
      return undefined;
    }
    const kind = sniffWarmKind(head.subarray(0, got));
    if (!kind) return undefined;
    const child = this.#warm.get(kind);
    if (!child) return undefined;
    this.#warm.delete(kind);
    const buffer = attachDecoder(child, uri, { sampleRate: this.#options.sampleRate });
    const file = createReadStream(path);
    // A reader that closes early kills the decoder; its stdin then fails with EPIPE, which is expected.
    child.stdin!.on("error", () => file.destroy());
    file.on("error", (err) => {
      child.stderr!.emit("data", Buffer.from(`ERROR: reading ${path}: ${err.message}\n`));
      child.kill("SIGTERM");
    });
    file.pipe(child.stdin!);
    this.#later(() => this.#spawn(kind));
    return buffer;
  }

  /** Kill the warm decoders; {@link WarmDecoderPool.take} answers `undefined` from now on. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const child of this.#warm.values()) child.kill("SIGKILL");
    this.#warm.clear();
  }

  #later(fn: () => void, ms = this.#options.respawnDelayMs): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #spawn(kind: WarmDecoderKind): void {
    if (this.#closed || this.#broken || this.#warm.has(kind)) return;
    const child = spawn(
      gstLaunchBinary(),
      ["-q", "fdsrc", "fd=0", "!", ...DECODE[kind], "!", ...decoderTail(this.#options.sampleRate)],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    // No gst-launch at all: stay cold (the regular decoder reports the missing binary).
    child.on("error", () => {
      this.#broken = true;
      if (this.#warm.get(kind) === child) this.#warm.delete(kind);
    });
    child.on("exit", () => {
      // A warm decoder that died idle (killed from outside) is replaced after a second.
      if (this.#warm.get(kind) !== child) return;
      this.#warm.delete(kind);
      this.#later(() => this.#spawn(kind), 1000);
    });
    this.#warm.set(kind, child);
  }
}
