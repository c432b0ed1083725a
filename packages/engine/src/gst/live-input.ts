import { spawn, type ChildProcess } from "node:child_process";
import { GrimnirError, isGrimnirError } from "@grimnir/core";
import { gstSourceDescription, parseLiveInputUri, type LiveInput } from "@grimnir/live";
import type { LiveSource } from "../mixer/live-layer.js";
import { PcmBuffer } from "../mixer/pcm-buffer.js";
import { gstLaunchBinary } from "./decoder.js";

/** Options of {@link GstLiveInput}. */
export interface GstLiveInputOptions {
  /** Output rate, Hz (the mixer's). */
  sampleRate: number;
  /** Wait before restarting a decoder that exited, ms (1000 by default). */
  retryMs?: number;
  /**
   * Hard cap on audio held for the mixer, frames (5 s by default): older audio
   * is dropped. The mixer keeps latency far lower; this only guards memory
   * when nothing reads.
   */
  maxBufferedFrames?: number;
  /** Called when a decoder run ends with an error (unreachable URL, 404, garbage), with GStreamer's reason. */
  onFailure?: (message: string) => void;
}

/**
 * Parse a live input URI (`http(s)://`, `icecast://`, `srt://`, `rtp://`,
 * see `parseLiveInputUri` of `@grimnir/live`). Throws `VALIDATION` naming
 * `input_uri` with the reason.
 */
export function parseInputUri(uri: unknown): LiveInput {
  if (typeof uri !== "string" || uri.trim() === "") {
    throw new GrimnirError(
      "VALIDATION",
      `input_uri must be a live input URI (http(s)://, icecast://, srt:// or rtp://), got ${JSON.stringify(uri)}`,
      { details: { field: "input_uri" } },
    );
  }
  try {
    return parseLiveInputUri(uri);
  } catch (err) {
    if (isGrimnirError(err) && err.code === "VALIDATION") {
      throw new GrimnirError("VALIDATION", `input_uri: ${err.message}`, {
        details: { ...err.details, field: "input_uri" },
        cause: err,
      });
    }
    throw err;
  }
}

/**
 * Split a gst-launch description into argv tokens: whitespace separates
 * tokens except inside double quotes, which stay in the token (gst-launch
 * parses `location="…"` itself), so URLs with `?` and `&` need no shell.
 */
export function gstLaunchArgs(description: string): string[] {
  const tokens: string[] = [];
  let token = "";
  let quoted = false;
  for (const ch of description) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (token !== "") tokens.push(token);
      token = "";
    } else token += ch;
  }
  if (token !== "") tokens.push(token);
  return tokens;
}

/**
 * Decoders for an HTTP input whose content type is known. `decodebin` has to
 * typefind first, and on a live MP3 stream (no server burst, as from the
 * harbor) that waits for 1–2 s of audio; a named parser starts in ~0.5 s.
 */
const HTTP_DECODERS: Record<string, string[]> = {
  "audio/mpeg": ["mpegaudioparse", "!", "mpg123audiodec"],
  "audio/mp3": ["mpegaudioparse", "!", "mpg123audiodec"],
};

/**
 * The gst-launch arguments of a live input decoder: the live source of
 * `@grimnir/live`'s `gstSourceDescription`, then conversion to interleaved
 * stereo F32LE at `sampleRate` on stdout. For an HTTP input whose
 * `contentType` is MP3 the description's `decodebin` is replaced by the MP3
 * parser and decoder (no typefinding delay).
 */
export function liveInputPipeline(
  input: LiveInput,
  sampleRate: number,
  contentType?: string,
): string[] {
  const source = gstLaunchArgs(gstSourceDescription(input));
  const mime = contentType?.split(";")[0]!.trim().toLowerCase();
  const decoder = input.kind === "http" && mime ? HTTP_DECODERS[mime] : undefined;
  if (decoder && source.at(-1) === "decodebin") source.splice(-1, 1, ...decoder);
  return [
    "-q",
    ...source,
    "!",
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
 * A routed live input: a `gst-launch-1.0` child decoding the input to raw PCM
 * for the mixer's live layer. Unlike a file decoder it is never paused (a live
 * source cannot wait) and it is restarted every `retryMs` while it stays
 * open, whatever ended it (the DJ dropped, the URL answered 404, garbage), so
 * a DJ who comes back is on air again without a new RouteLive.
 */
export class GstLiveInput implements LiveSource {
  readonly uri: string;
  readonly #input: LiveInput;
  readonly #options: Required<Omit<GstLiveInputOptions, "onFailure">> &
    Pick<GstLiveInputOptions, "onFailure">;
  #buffer = new PcmBuffer(2);
  #child: ChildProcess | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;
  #lastError: string | undefined;
  #starts = 0;

  /** Validate `uri` (see {@link parseInputUri}) and start decoding it. */
  constructor(uri: string, options: GstLiveInputOptions) {
    this.#input = parseInputUri(uri);
    this.uri = uri;
    this.#options = {
      retryMs: 1000,
      maxBufferedFrames: options.sampleRate * 5,
      ...options,
    };
    void this.#start();
  }

  /** True while a decoder process runs. */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** GStreamer's reason for the last failed run. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Decoder runs started so far (1 + restarts). */
  get starts(): number {
    return this.#starts;
  }

  availableFrames(): number {
    return this.#buffer.availableFrames();
  }

  read(out: Float32Array, offsetFrames: number, frames: number): number {
    return this.#buffer.read(out, offsetFrames, frames);
  }

  skip(frames: number): number {
    return this.#buffer.skip(frames);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#child?.kill("SIGKILL");
    this.#child = undefined;
    this.#buffer.close();
  }

  /**
   * HEAD an HTTP input first: a missing mount (404) is retried without
   * spawning a decoder, and a known content type picks its decoder.
   */
  async #probe(): Promise<{ contentType?: string; missing?: string }> {
    if (this.#input.kind !== "http") return {};
    let res: Response;
    try {
      res = await fetch(this.#input.url, { method: "HEAD", signal: AbortSignal.timeout(2000) });
    } catch (err) {
      return { missing: `live input ${this.uri} cannot be reached: ${(err as Error).message}` };
    }
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410)
      return { missing: `live input ${this.uri} answered HTTP ${res.status} (not live)` };
    // Other answers (a server without HEAD) leave the decision to the decoder.
    return res.ok ? { contentType: res.headers.get("content-type") ?? undefined } : {};
  }

  async #start(): Promise<void> {
    if (this.#closed) return;
    this.#starts++;
    const probe = await this.#probe();
    if (this.#closed) return;
    if (probe.missing !== undefined) {
      this.#lastError = probe.missing;
      this.#options.onFailure?.(probe.missing);
      this.#retry = setTimeout(() => void this.#start(), this.#options.retryMs);
      return;
    }
    const buffer = new PcmBuffer(2);
    const child = spawn(
      gstLaunchBinary(),
      liveInputPipeline(this.#input, this.#options.sampleRate, probe.contentType),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#child = child;
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      // A fresh run's audio replaces what the previous one left.
      if (this.#buffer !== buffer) this.#buffer = buffer;
      buffer.pushBytes(chunk);
      const excess = buffer.availableFrames() - this.#options.maxBufferedFrames;
      if (excess > 0) buffer.skip(excess);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString("utf8");
    });
    let ended = false;
    const end = (message: string | undefined): void => {
      if (ended) return;
      ended = true;
      if (this.#child === child) this.#child = undefined;
      if (this.#closed) return;
      if (message !== undefined) {
        this.#lastError = message;
        this.#options.onFailure?.(message);
      }
      this.#retry = setTimeout(() => void this.#start(), this.#options.retryMs);
    };
    child.on("error", (err) =>
      end(
        `cannot run ${gstLaunchBinary()}: ${err.message} (apt-get install -y gstreamer1.0-tools)`,
      ),
    );
    child.on("close", (code, signal) => {
      if (signal === "SIGKILL" && this.#closed) return end(undefined);
      const line =
        stderr.split("\n").find((l) => l.startsWith("ERROR")) ?? stderr.trim().split("\n")[0] ?? "";
      end(
        code === 0
          ? `live input ${this.uri} ended (end of stream)`
          : `live input ${this.uri} failed (exit ${code ?? signal}): ${line}`.trim(),
      );
    });
  }
}
