import { spawn, type ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GrimnirError } from "@grimnir/core";
import { PcmBuffer } from "../mixer/pcm-buffer.js";
import { gaplessTrimOf } from "./mp3-gapless.js";

/** The GStreamer launcher the engine runs; `GRIMNIR_GST_LAUNCH` overrides it. */
export function gstLaunchBinary(): string {
  return process.env["GRIMNIR_GST_LAUNCH"] ?? "gst-launch-1.0";
}

/** Options of {@link startDecoder}. */
export interface DecoderOptions {
  /** Output rate, Hz. */
  sampleRate: number;
  /** Decoded audio kept ahead of the mixer before the decoder is paused, frames. */
  maxBufferedFrames?: number;
  /**
   * Receives the stream's title/artist tags (ICY `StreamTitle` of a webstream,
   * a file's ID3/Vorbis tags) each time GStreamer reports them. When set, the
   * decoder runs `gst-launch-1.0 -t` and sends PCM through fd 3 instead of
   * stdout, which carries the tag listing.
   */
  onTags?: (tags: StreamTags) => void;
}

/** Now-playing tags reported by a decoder. */
export interface StreamTags {
  title?: string;
  artist?: string;
}

/**
 * A path or URI as GStreamer's `uridecodebin` wants it. Local paths become
 * `file://` URLs. Throws `NOT_FOUND` for a local file that does not exist and
 * `VALIDATION` for an empty string.
 */
export function toDecoderUri(uriOrPath: string): string {
  if (uriOrPath.trim() === "") {
    throw new GrimnirError("VALIDATION", "uri must be a file path or URI, got an empty string", {
      details: { field: "uri" },
    });
  }
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(uriOrPath);
  const path = !isUrl
    ? uriOrPath
    : uriOrPath.startsWith("file://")
      ? fileURLToPath(uriOrPath)
      : undefined;
  if (path !== undefined) {
    if (!existsSync(path)) {
      throw new GrimnirError("NOT_FOUND", `media file ${path} does not exist`, {
        details: { field: "uri", file: path },
      });
    }
    return pathToFileURL(isAbsolute(path) ? path : `${process.cwd()}/${path}`).href;
  }
  return uriOrPath;
}

/**
 * Spawn a GStreamer decoder for `uri` that delivers interleaved stereo PCM at
 * `sampleRate` (16-bit on the pipe, float in the buffer) into the returned buffer, paused while more than
 * `maxBufferedFrames` wait. The buffer ends with an error when GStreamer
 * fails or decodes nothing; closing it kills the decoder.
 */
export function startDecoder(uri: string, options: DecoderOptions): PcmBuffer {
  const onTags = options.onTags;
  if (!onTags) {
    const child = spawn(
      gstLaunchBinary(),
      ["-q", "uridecodebin", `uri=${uri}`, "!", ...decoderTail(options.sampleRate)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    return attachDecoder(child, uri, options);
  }
  const child = spawn(
    gstLaunchBinary(),
    ["-t", "uridecodebin", `uri=${uri}`, "!", ...decoderTail(options.sampleRate, 3)],
    { stdio: ["ignore", "pipe", "pipe", "pipe"] },
  );
  const parser = new TagListingParser(onTags);
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (text: string) => parser.push(text));
  return attachDecoder(child, uri, options, child.stdio[3] as Readable);
}

/**
 * Reads `gst-launch-1.0 -t` output: each `FOUND TAG` block lists `name: value`
 * lines; the block's `title` / `artist` (when it has a title) are reported.
 * Progress lines are ignored.
 */
export class TagListingParser {
  readonly #onTags: (tags: StreamTags) => void;
  #rest = "";
  #block: StreamTags | undefined;

  /** A parser reporting to `onTags`. */
  constructor(onTags: (tags: StreamTags) => void) {
    this.#onTags = onTags;
  }

  /** Feed stdout text as it arrives (lines may be split anywhere). */
  push(text: string): void {
    const lines = (this.#rest + text).split("\n");
    this.#rest = lines.pop()!;
    for (const line of lines) this.#line(line.replace(/\r$/, ""));
  }

  #line(line: string): void {
    if (line.startsWith("FOUND TAG")) {
      this.#flush();
      this.#block = {};
      return;
    }
    const tag = /^\s+([a-z][a-z -]*):\s(.*)$/.exec(line);
    if (this.#block && tag) {
      if (tag[1] === "title") this.#block.title = tag[2]!.trim();
      else if (tag[1] === "artist") this.#block.artist = tag[2]!.trim();
      return;
    }
    // Any other line ends the block (tag lines are always indented).
    this.#flush();
  }

  #flush(): void {
    const block = this.#block;
    this.#block = undefined;
    if (block?.title !== undefined && block.title !== "") this.#onTags(block);
  }
}

/**
 * The pipeline after the decoding element: interleaved stereo signed 16-bit at
 * the mixer's rate, written to `fd` (stdout by default). 16-bit halves the pipe
 * traffic of float and is what MP3 decoders (mpg123) produce natively, so for
 * the usual 44.1 kHz stereo file `audioconvert` and `audioresample` pass
 * buffers through untouched. Sources with more than 16 bits lose the bits
 * below −96 dBFS.
 */
export function decoderTail(sampleRate: number, fd = 1): string[] {
  return [
    "audioconvert",
    "!",
    "audioresample",
    "!",
    `audio/x-raw,format=S16LE,rate=${sampleRate},channels=2,layout=interleaved`,
    "!",
    "fdsink",
    `fd=${fd}`,
  ];
}

/**
 * Wire a running decoder process (16-bit PCM from {@link decoderTail} on its stdout, or `pcm`) to a new {@link PcmBuffer}:
 * a local MP3's encoder delay and padding cut off (LAME tag, so MP3s join
 * gaplessly and positions match `@grimnir/library`'s analysis), back-pressure (the pipe is paused above `maxBufferedFrames`), a killed
 * process on close, and the buffer ending with GStreamer's error when the
 * process fails or produced nothing. `uri` names the source in messages.
 */
export function attachDecoder(
  child: ChildProcess,
  uri: string,
  options: DecoderOptions,
  pcm: Readable = child.stdout!,
): PcmBuffer {
  const maxFrames = options.maxBufferedFrames ?? options.sampleRate * 10;
  const buffer = new PcmBuffer(2, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const trim = gaplessTrimOf(uri, options.sampleRate);
  if (trim) buffer.trim(trim.startFrames, trim.lengthFrames);
  const stdout = pcm;
  let stderr = "";
  let bytes = 0;
  let paused = false;
  stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    buffer.pushS16Bytes(chunk);
    if (buffer.availableFrames() > maxFrames && !paused) {
      paused = true;
      stdout.pause();
    }
  });
  buffer.onDrain(() => {
    if (paused && buffer.availableFrames() < maxFrames / 2) {
      paused = false;
      stdout.resume();
    }
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString("utf8");
  });
  child.on("error", (err) => {
    buffer.end(
      new Error(
        `cannot run ${gstLaunchBinary()}: ${err.message} (apt-get install -y gstreamer1.0-tools)`,
      ),
    );
  });
  child.on("close", (code, signal) => {
    if (signal === "SIGKILL") return buffer.end();
    if (code !== 0) return buffer.end(new Error(decoderMessage(uri, stderr, code)));
    if (bytes === 0) return buffer.end(new Error(`no audio decoded from ${uri}`));
    buffer.end();
  });
  return buffer;
}

/** The first GStreamer ERROR line, which names the element and the problem. */
function decoderMessage(uri: string, stderr: string, code: number | null): string {
  const line =
    stderr.split("\n").find((l) => l.startsWith("ERROR")) ?? stderr.trim().split("\n")[0] ?? "";
  return `cannot decode ${uri} (exit ${code}): ${line}`.trim();
}
