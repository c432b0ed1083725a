import { spawn, spawnSync } from "node:child_process";
import { constants, rmSync } from "node:fs";
import { mkdtemp, open, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  if (!/GstF(d|ile)Sink/.test(line) || !line.includes("caps = audio/x-raw")) return undefined;
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
 * audioconvert ! F32LE interleaved ! filesink` into a named pipe, read in
 * 1 MiB reads), keeping the file's own sample rate and channels, and stream
 * the PCM into `sink`. MP3 is decoded by mpg123 when installed (see
 * {@link decoderEnv}).
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
  // The PCM goes through a named pipe read with large reads into one reused
  // buffer: a stdio pipe would hand every 64 kB to a stream as a new Buffer,
  // which costs about as much CPU as the analysis itself.
  const fifo = await takeFifo();
  const pipe = { quiet: false };
  try {
    return await decodeThroughFifo(file, exe, fifo, sink, options, pipe);
  } finally {
    // A pipe no process holds any more is reused; otherwise it is removed.
    if (pipe.quiet) idleFifos.push(fifo);
    else await rm(fifo, { force: true });
  }
}

/** Named pipes of finished decodes: reused, so a decode does not start a `mkfifo` process (≈ 20 ms of CPU) each time. */
const idleFifos: string[] = [];
let fifoDir: Promise<string> | undefined;
let fifoCount = 0;

/** Temporary directories of named pipes are `grimnir-pcm-<pid>-…`. */
const FIFO_DIR = /^grimnir-pcm-(\d+)-/;

/**
 * An idle named pipe, or a new one in this process's own temporary directory,
 * removed when the process exits (or, if it was killed, by the next process
 * that makes one).
 */
async function takeFifo(): Promise<string> {
  const idle = idleFifos.pop();
  if (idle !== undefined) return idle;
  fifoDir ??= (async () => {
    await removeStaleFifoDirs();
    const dir = await mkdtemp(join(tmpdir(), `grimnir-pcm-${process.pid}-`));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  const fifo = join(await fifoDir, `pcm-${fifoCount++}`);
  const made = spawnSync("mkfifo", ["-m", "600", fifo]);
  if (made.status !== 0)
    throw new Error(`mkfifo ${fifo} failed: ${made.stderr?.toString() ?? made.error?.message}`);
  return fifo;
}

/** Remove the pipe directories of processes that no longer run. */
async function removeStaleFifoDirs(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const pid = FIFO_DIR.exec(name)?.[1];
    if (pid !== undefined && !isRunning(Number(pid)))
      await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Decoders decodebin should prefer, as `GST_PLUGIN_FEATURE_RANK` entries:
 * for MP3 it would otherwise pick libav's `avdec_mp3` (same "marginal" rank,
 * first by name), which costs about three times the CPU of mpg123's and
 * converts from 16-bit; mpg123 decodes straight to float, sample-aligned with
 * it (same 529-sample decoder delay) and closer to ffmpeg's own decoder.
 */
const PREFERRED_DECODERS = "mpg123audiodec:PRIMARY";

/** The decoder's environment: `env` with {@link PREFERRED_DECODERS} first, so a rank the user set still wins. */
export function decoderEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = env.GST_PLUGIN_FEATURE_RANK;
  return {
    ...env,
    GST_PLUGIN_FEATURE_RANK:
      own === undefined || own === "" ? PREFERRED_DECODERS : `${PREFERRED_DECODERS},${own}`,
  };
}

/** gst-launch pipeline arguments parse `key=value` as a pipeline description: quote the value. */
function quoted(path: string): string {
  return `"${path.replace(/(["\\])/g, "\\$1")}"`;
}

async function decodeThroughFifo(
  file: string,
  exe: string,
  fifo: string,
  sink: PcmSink,
  options: DecodeOptions,
  pipe: { quiet: boolean },
): Promise<{ format: PcmFormat; frames: number }> {
  const args = [
    "-v",
    "filesrc",
    `location=${quoted(file)}`,
    "!",
    "decodebin",
    "!",
    "audioconvert",
    "!",
    "audio/x-raw,format=F32LE,layout=interleaved",
    "!",
    "filesink",
    `location=${quoted(fifo)}`,
    "sync=false",
  ];
  const child = spawn(exe, args, {
    stdio: ["ignore", "pipe", "pipe"],
    signal: options.signal,
    env: decoderEnv(process.env),
  });
  let format: PcmFormat | undefined;
  let formatError: GrimnirError | undefined;
  let stdoutTail = "";
  let stderr = "";
  let spawnError: unknown;
  let onFormat: () => void = () => undefined;
  const formatKnown = new Promise<void>((resolve) => (onFormat = resolve));

  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text: string) => {
    const lines = (stdoutTail + text).split("\n");
    stdoutTail = lines.pop() ?? "";
    for (const line of lines) {
      const caps = parseSinkCaps(line);
      if (!caps) continue;
      if (!format) {
        format = caps;
        onFormat();
      } else if (caps.channels !== format.channels || caps.sampleRateHz !== format.sampleRateHz) {
        formatError ??= decodeError(
          file,
          "corrupt",
          `${file} changes audio format mid-stream (${format.sampleRateHz} Hz × ${format.channels} → ${caps.sampleRateHz} Hz × ${caps.channels}); expected one format`,
        );
        child.kill("SIGKILL");
      }
    }
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    if (stderr.length < 64 * 1024) stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", (err) => {
      spawnError = err;
    });
    child.on("close", (code) => {
      onFormat();
      resolve(code);
    });
  });

  // Opening a FIFO for reading blocks until a writer opens it. If GStreamer
  // exits without ever opening it, open it for writing once ourselves so the
  // reader sees end-of-file instead of waiting forever.
  let opened = false;
  const reader = open(fifo, "r").then((handle) => {
    opened = true;
    return handle;
  });
  const unblocked = exited.then(async () => {
    if (opened) return;
    const unblock = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(
      () => undefined,
    );
    await unblock?.close();
  });

  const handle = await reader;
  let frames = 0;
  let sinkError: unknown;
  // Bytes read before gst-launch's caps line arrives (its stdout is block-buffered).
  const early: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 20);
  let fill = 0;
  let started = false;
  const feed = (): void => {
    const frameBytes = format!.channels * 4;
    const whole = fill - (fill % frameBytes);
    if (whole === 0) return;
    frames += whole / frameBytes;
    sink.data(new Float32Array(buf.buffer, buf.byteOffset, whole >> 2));
    buf.copyWithin(0, whole, fill);
    fill -= whole;
  };
  const start = (): void => {
    started = true;
    sink.format(format!);
    for (const chunk of early) {
      for (let at = 0; at < chunk.length;) {
        const n = chunk.copy(buf, fill, at);
        fill += n;
        at += n;
        feed();
      }
    }
    early.length = 0;
  };
  try {
    while (formatError === undefined) {
      if (!started && format !== undefined) start();
      const { bytesRead } = await handle.read(buf, fill, buf.length - fill, null);
      if (bytesRead === 0) break;
      if (!started) {
        // Not started means nothing is buffered in buf: keep these bytes in order after the earlier ones.
        early.push(Buffer.from(buf.subarray(0, bytesRead)));
        if (format !== undefined) start();
        continue;
      }
      fill += bytesRead;
      feed();
    }
    await formatKnown;
    if (!started && format !== undefined && formatError === undefined) start();
  } catch (err) {
    sinkError = err;
  } finally {
    await handle.close();
    if (sinkError !== undefined || formatError !== undefined) child.kill("SIGKILL");
  }
  const code = await exited;
  await unblocked;
  // GStreamer has exited and every end of the pipe is closed: it can serve another decode.
  pipe.quiet = true;
  if (sinkError !== undefined) throw sinkError;
  if (formatError !== undefined) throw formatError;
  if (spawnError !== undefined) {
    const err = spawnError as NodeJS.ErrnoException;
    if (err.code === "ENOENT")
      throw decodeError(
        file,
        "decoder-missing",
        `cannot decode ${file}: ${exe} not found; install GStreamer: ${GSTREAMER_APT_INSTALL}`,
        err,
      );
    throw err;
  }
  if (options.signal?.aborted === true) throw options.signal.reason;
  if (code !== 0) {
    const { reason, detail } = classify(stderr);
    throw decodeError(file, reason, `cannot decode ${file}: ${detail}`);
  }
  if (!format || frames === 0)
    throw decodeError(
      file,
      "no-audio",
      `${file} decoded to no audio; expected at least one audio frame`,
    );
  return { format, frames };
}
