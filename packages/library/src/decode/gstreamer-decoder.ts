import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { GrimnirError } from "@grimnir/core";

/** The apt-get line that installs every GStreamer package the decoder may need (Debian/Ubuntu). */
export const GSTREAMER_APT_INSTALL =
  "apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav";

/** Format of the decoded PCM: interleaved 32-bit float at the file's own rate and channel count. */
export interface PcmFormat {
  /** Sample rate, Hz (the file's own; nothing is resampled). */
  sampleRateHz: number;
  /** Interleaved channels per frame. */
  channels: number;
  /** BS.1770-4 weight per channel from GStreamer's channel positions (LFE 0, surrounds 1.41, others 1). */
  channelWeights: number[];
}

/** Receives decoded audio, in order. Calls are synchronous, so a slow sink slows the decoder (no buffering). */
export interface PcmSink {
  /** Called once, before any {@link PcmSink.data}. */
  format(format: PcmFormat): void;
  /** Whole interleaved frames, full scale ±1.0. The array may be reused after the call returns. */
  data(samples: Float32Array): void;
}

/** Options of {@link decodeFile}. */
export interface DecodeOptions {
  /** The gst-launch executable. Default "gst-launch-1.0" from PATH. */
  gstLaunch?: string;
  /** Abort decoding; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Why a file could not be decoded, in `GrimnirError.details.reason`. */
export type DecodeFailure =
  "missing" | "empty" | "not-audio" | "corrupt" | "no-audio" | "decoder-missing";

function decodeError(
  file: string,
  reason: DecodeFailure,
  message: string,
  cause?: unknown,
): GrimnirError {
  const code =
    reason === "missing"
      ? "NOT_FOUND"
      : reason === "decoder-missing"
        ? "ENGINE_UNAVAILABLE"
        : "VALIDATION";
  return new GrimnirError(code, message, { details: { file, reason }, cause });
}

// GstAudioChannelPosition bits (gst/audio/audio-channels.h) of the LFE and surround channels.
const LFE_BITS = (1 << 3) | (1 << 9);
const SURROUND_BITS = (1 << 4) | (1 << 5) | (1 << 10) | (1 << 11);

function weightsFromMask(channels: number, mask: bigint | undefined): number[] {
  if (mask === undefined || mask === 0n) return new Array<number>(channels).fill(1);
  const weights: number[] = [];
  for (let bit = 0; bit < 64 && weights.length < channels; bit++) {
    if (((mask >> BigInt(bit)) & 1n) === 0n) continue;
    const b = bit < 31 ? 1 << bit : 0;
    weights.push(b & LFE_BITS ? 0 : b & SURROUND_BITS ? 1.41 : 1);
  }
  while (weights.length < channels) weights.push(1);
  return weights;
}

/** Parse the caps gst-launch -v prints for the sink pad; undefined for other lines. */
export function parseSinkCaps(line: string): PcmFormat | undefined {
  if (!line.includes("GstFdSink") || !line.includes("caps = audio/x-raw")) return undefined;
  const rate = /rate=\(int\)(\d+)/.exec(line);
  const channels = /channels=\(int\)(\d+)/.exec(line);
  if (!rate || !channels) return undefined;
  const mask = /channel-mask=\(bitmask\)(0x[0-9a-fA-F]+)/.exec(line);
  const n = Number(channels[1]);
  return {
    sampleRateHz: Number(rate[1]),
    channels: n,
    channelWeights: weightsFromMask(n, mask ? BigInt(mask[1]!) : undefined),
  };
}

function classify(stderr: string): { reason: DecodeFailure; detail: string } {
  const lines = stderr.split("\n");
  const errLine =
    lines.find((l) => l.startsWith("ERROR: from element")) ??
    lines.find((l) => l.startsWith("ERROR"));
  const detail = (errLine ?? stderr.trim().split("\n")[0] ?? "").replace(
    /^ERROR: from element \S+: /,
    "",
  );
  const all = stderr.toLowerCase();
  if (
    all.includes("could not determine type of stream") ||
    all.includes("cannot decode plain text") ||
    all.includes("no suitable plugins") ||
    all.includes("not-linked") ||
    all.includes("missing")
  ) {
    return { reason: "not-audio", detail: detail || "not an audio file" };
  }
  return { reason: "corrupt", detail: detail || "decoder failed" };
}

/**
 * Decode `file` with a GStreamer child process (`filesrc ! decodebin !
 * audioconvert ! F32LE interleaved ! fdsink`), keeping the file's own sample
 * rate and channels, and stream the PCM into `sink`.
 *
 * Resolves with the format and the number of frames when the whole file is
 * decoded. Rejects with a {@link GrimnirError} whose `details` carry `file`
 * and a {@link DecodeFailure} `reason`: `NOT_FOUND` (missing), `VALIDATION`
 * (empty, not audio, corrupt, no audio stream) or `ENGINE_UNAVAILABLE`
 * (gst-launch-1.0 not installed; the message names the apt-get line).
 */
export async function decodeFile(
  file: string,
  sink: PcmSink,
  options: DecodeOptions = {},
): Promise<{ format: PcmFormat; frames: number }> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw decodeError(
      file,
      "missing",
      `audio file ${file} does not exist or cannot be read (${err.code ?? err.message})`,
      err,
    );
  });
  if (!info.isFile()) throw decodeError(file, "not-audio", `${file} is not a regular file`);
  if (info.size === 0)
    throw decodeError(file, "empty", `${file} is empty (0 bytes); expected an audio file`);

  const exe = options.gstLaunch ?? "gst-launch-1.0";
  // gst-launch parses its arguments as a pipeline description: quote the location.
  const location = `location="${file.replace(/(["\\])/g, "\\$1")}"`;
  const args = [
    "-v",
    "filesrc",
    location,
    "!",
    "decodebin",
    "!",
    "audioconvert",
    "!",
    "audio/x-raw,format=F32LE,layout=interleaved",
    "!",
    "fdsink",
    "fd=3",
    "sync=false",
  ];

  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      signal: options.signal,
    });
    let format: PcmFormat | undefined;
    let stdoutTail = "";
    let stderr = "";
    let frames = 0;
    let frameBytes = 0;
    let pending: Buffer[] = [];
    let carry = Buffer.alloc(0);
    let failed: GrimnirError | undefined;
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      child.kill("SIGKILL");
      reject(err);
    };

    const emit = (chunk: Buffer): void => {
      let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const whole = buf.length - (buf.length % frameBytes);
      carry = whole < buf.length ? Buffer.from(buf.subarray(whole)) : Buffer.alloc(0);
      if (whole === 0) return;
      buf = buf.subarray(0, whole);
      const samples =
        buf.byteOffset % 4 === 0
          ? new Float32Array(buf.buffer, buf.byteOffset, whole / 4)
          : new Float32Array(new Uint8Array(buf).buffer, 0, whole / 4);
      frames += whole / frameBytes;
      sink.data(samples);
    };

    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (text: string) => {
      const lines = (stdoutTail + text).split("\n");
      stdoutTail = lines.pop() ?? "";
      for (const line of lines) {
        const caps = parseSinkCaps(line);
        if (!caps) continue;
        if (!format) {
          format = caps;
          frameBytes = caps.channels * 4;
          try {
            sink.format(caps);
            for (const b of pending) emit(b);
          } catch (err) {
            fail(err);
          }
          pending = [];
        } else if (caps.channels !== format.channels || caps.sampleRateHz !== format.sampleRateHz) {
          failed = decodeError(
            file,
            "corrupt",
            `${file} changes audio format mid-stream (${format.sampleRateHz} Hz × ${format.channels} → ${caps.sampleRateHz} Hz × ${caps.channels}); expected one format`,
          );
          fail(failed);
        }
      }
    });
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      if (stderr.length < 64 * 1024) stderr += text;
    });
    const pcm = child.stdio[3] as NodeJS.ReadableStream;
    pcm.on("data", (chunk: Buffer) => {
      if (settled) return;
      if (!format) {
        pending.push(chunk);
        return;
      }
      try {
        emit(chunk);
      } catch (err) {
        fail(err);
      }
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") {
        fail(
          decodeError(
            file,
            "decoder-missing",
            `cannot decode ${file}: ${exe} not found; install GStreamer: ${GSTREAMER_APT_INSTALL}`,
            err,
          ),
        );
      } else {
        fail(err);
      }
    });
    let exited: number | null | undefined;
    let pcmEnded = false;
    const finish = (): void => {
      if (settled || exited === undefined || !pcmEnded) return;
      if (exited !== 0) {
        const { reason, detail } = classify(stderr);
        fail(decodeError(file, reason, `cannot decode ${file}: ${detail}`));
        return;
      }
      if (!format || frames === 0) {
        fail(
          decodeError(
            file,
            "no-audio",
            `${file} decoded to no audio; expected at least one audio frame`,
          ),
        );
        return;
      }
      settled = true;
      resolve({ format, frames });
    };
    pcm.on("end", () => {
      pcmEnded = true;
      finish();
    });
    child.on("close", (code) => {
      exited = code;
      pcmEnded = true;
      finish();
    });
  });
}
