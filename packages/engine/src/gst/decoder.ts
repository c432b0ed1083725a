import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GrimnirError } from "@grimnir/core";
import { PcmBuffer } from "../mixer/pcm-buffer.js";

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
 * Spawn a GStreamer decoder for `uri` that delivers interleaved stereo float
 * PCM at `sampleRate` into the returned buffer, paused while more than
 * `maxBufferedFrames` wait. The buffer ends with an error when GStreamer
 * fails or decodes nothing; closing it kills the decoder.
 */
export function startDecoder(uri: string, options: DecoderOptions): PcmBuffer {
  const child = spawn(
    gstLaunchBinary(),
    ["-q", "uridecodebin", `uri=${uri}`, "!", ...decoderTail(options.sampleRate)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return attachDecoder(child, uri, options);
}

/** The pipeline after the decoding element: convert to the mixer's format and write it to stdout. */
export function decoderTail(sampleRate: number): string[] {
  return [
    "audioconvert",
    "!",
    "audioresample",
    "!",
    `audio/x-raw,format=F32LE,rate=${sampleRate},channels=2,layout=interleaved`,
    "!",
    "fdsink",
    "fd=1",
  ];
}

/**
 * Wire a running decoder process (PCM on its stdout) to a new {@link PcmBuffer}:
 * back-pressure (the pipe is paused above `maxBufferedFrames`), a killed
 * process on close, and the buffer ending with GStreamer's error when the
 * process fails or produced nothing. `uri` names the source in messages.
 */
export function attachDecoder(
  child: ChildProcess,
  uri: string,
  options: DecoderOptions,
): PcmBuffer {
  const maxFrames = options.maxBufferedFrames ?? options.sampleRate * 10;
  const buffer = new PcmBuffer(2, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const stdout = child.stdout!;
  let stderr = "";
  let bytes = 0;
  let paused = false;
  stdout.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    buffer.pushBytes(chunk);
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
