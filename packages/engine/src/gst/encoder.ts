import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { GrimnirError } from "@grimnir/core";
import { gstLaunchBinary } from "./decoder.js";

/** An Icecast mount the encoder pushes to with `shout2send`. */
export interface IcecastTarget {
  host: string;
  port: number;
  mount: string;
  username: string;
  password: string;
}

/** Parse `icecast://user:password@host:port/mount`; throws `VALIDATION` naming `field`. */
export function parseIcecastUrl(url: string, field = "icecast_url"): IcecastTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new GrimnirError(
      "VALIDATION",
      `${field} must be icecast://user:password@host:port/mount, got "${url}"`,
      {
        details: { field },
        cause: err,
      },
    );
  }
  if (
    parsed.protocol !== "icecast:" ||
    !parsed.hostname ||
    parsed.pathname.length < 2 ||
    !parsed.password
  ) {
    throw new GrimnirError(
      "VALIDATION",
      `${field} must be icecast://user:password@host:port/mount, got "${url}"`,
      {
        details: { field },
      },
    );
  }
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 8000),
    mount: decodeURIComponent(parsed.pathname),
    username: decodeURIComponent(parsed.username || "source"),
    password: decodeURIComponent(parsed.password),
  };
}

/** An HLS output written by `hlssink2` into a directory. */
export interface HlsTarget {
  /** Directory for the playlist and segments (must exist). */
  directory: string;
  /** Playlist `<name>.m3u8`, segments `<name>-00001.ts`. */
  name: string;
  /** Target segment duration, s. */
  segmentSeconds: number;
  /** Segments listed in the playlist; twice as many are kept on disk. */
  playlistLength: number;
}

/** Codecs a station's outputs can be encoded in. */
export type OutputCodec = "mp3" | "aac" | "opus" | "vorbis";

/** One encoder branch of a station: a (codec, bitrate) pair and the outputs fed from it. */
export interface Encoding {
  codec: OutputCodec;
  /** kbit/s */
  bitrateKbps: number;
  /** Icecast mounts pushed with `shout2send` (MP3 and Opus/Ogg only; AAC mounts stream to the engine instead). */
  icecast: IcecastTarget[];
  /** HLS outputs (MP3 branches only): MP3 in MPEG-TS segments plus a live playlist. */
  hls?: HlsTarget[];
  /** True to hand the encoded bytes to the engine (built-in HTTP stream, AAC Icecast source client). */
  stream: boolean;
}

/** What one station's encoder process produces: one branch per distinct (codec, bitrate). */
export interface EncoderConfig {
  sampleRate: number;
  encodings: Encoding[];
}

/** The elements encoding raw audio into `codec` at `bitrateKbps`. */
function codecElements(codec: OutputCodec, bitrateKbps: number): string[] {
  switch (codec) {
    case "mp3":
      return ["lamemp3enc", "target=bitrate", `bitrate=${bitrateKbps}`, "cbr=true"];
    case "aac":
      // ADTS frames: self-synchronising, so a listener can join anywhere.
      return [
        "avenc_aac",
        `bitrate=${bitrateKbps * 1000}`,
        "!",
        "aacparse",
        "!",
        "audio/mpeg,mpegversion=4,stream-format=adts",
      ];
    case "opus":
      // Opus runs at 48 kHz.
      return [
        "audioresample",
        "!",
        "audio/x-raw,rate=48000",
        "!",
        "opusenc",
        `bitrate=${bitrateKbps * 1000}`,
        "!",
        "oggmux",
      ];
    case "vorbis":
      // Managed bitrate (average), in an Ogg stream like Opus.
      return ["vorbisenc", `bitrate=${bitrateKbps * 1000}`, "!", "oggmux"];
  }
}

/** The file descriptor of the child that carries encoding `k`'s bytes, when it streams (3, 4, …). */
export function streamFds(config: EncoderConfig): (number | undefined)[] {
  let next = 3;
  return config.encodings.map((e) => (e.stream ? next++ : undefined));
}

/**
 * gst-launch arguments of the encoder: raw signed 16-bit PCM on stdin (what
 * `lamemp3enc` takes, so MP3 needs no conversion) → (a `tee` to every encoding
 * when there are several) → one encoder per encoding → its outputs (through a
 * `tee` and a `queue` each when it has several, or HLS). Streamed encodings
 * leave through `fdsink fd=3`, `fd=4`… in the order of {@link streamFds}.
 * MP3 is LAME constant bitrate at `lamemp3enc`'s standard engine quality
 * (LAME's own default algorithm quality, 3 on LAME's 0–9 scale).
 */
export function encoderArgs(config: EncoderConfig): string[] {
  const args = [
    "-q",
    "fdsrc",
    "fd=0",
    // Larger than one render block (40 ms of 16-bit stereo is 7 KiB): one read per write.
    "blocksize=16384",
    "!",
    "rawaudioparse",
    "use-sink-caps=false",
    "format=pcm",
    "pcm-format=s16le",
    `sample-rate=${config.sampleRate}`,
    "num-channels=2",
  ];
  const fds = streamFds(config);
  const several = config.encodings.length > 1;
  // One encoding (the usual case) needs no raw tee and no extra queue thread.
  if (several) args.push("!", "tee", "name=raw");
  for (const [k, enc] of config.encodings.entries()) {
    // Each branch converts on its own: the encoders want different sample formats.
    if (several) args.push("raw.", "!", "queue");
    args.push("!", "audioconvert", "!", ...codecElements(enc.codec, enc.bitrateKbps));
    // Each output's elements after the encoder.
    const sinks: string[][] = [];
    for (const target of enc.icecast) {
      sinks.push([
        "shout2send",
        `ip=${target.host}`,
        `port=${target.port}`,
        `mount=${target.mount}`,
        `username=${target.username}`,
        `password=${target.password}`,
        // Titles come from SetMetadata through Icecast's admin API, not from (absent) stream tags.
        "send-title-info=false",
        "sync=false",
        "async=false",
      ]);
    }
    if (enc.stream) sinks.push(["fdsink", `fd=${fds[k]}`, "sync=false", "async=false"]);
    const hlsTargets = enc.hls ?? [];
    if (sinks.length === 0 && hlsTargets.length === 0)
      sinks.push(["fakesink", "sync=false", "async=false"]);
    if (sinks.length === 1 && hlsTargets.length === 0) {
      // A single output (the usual case) hangs off the encoder directly: no tee, no queue thread.
      args.push("!", ...sinks[0]!);
      continue;
    }
    args.push("!", "tee", `name=t${k}`);
    for (const sink of sinks) args.push(`t${k}.`, "!", "queue", "!", ...sink);
    for (const [i, hls] of hlsTargets.entries()) {
      const sink = `hls${k}x${i}`;
      args.push(
        "hlssink2",
        `name=${sink}`,
        `location=${join(hls.directory, `${hls.name}-%05d.ts`)}`,
        `playlist-location=${join(hls.directory, `${hls.name}.m3u8`)}`,
        `target-duration=${Math.round(hls.segmentSeconds)}`,
        `playlist-length=${hls.playlistLength}`,
        `max-files=${hls.playlistLength * 2}`,
        `t${k}.`,
        "!",
        "queue",
        "!",
        "mpegaudioparse",
        "!",
        `${sink}.audio`,
      );
    }
  }
  return args;
}

/** A running encoder process; see {@link startEncoder}. */
export interface EncoderProcess {
  readonly child: ChildProcess;
  /**
   * Write mixed float PCM (sent as 16-bit, clipped to ±1); returns false when
   * the encoder is gone (the block is dropped) or its pipe is full (the block
   * is queued in the process meanwhile).
   */
  write(samples: Float32Array): boolean;
  /** Stop the encoder (closes stdin, kills after 1 s). */
  stop(): void;
}

/**
 * Start one station's encoder. `onBytes` receives the encoded bytes of each
 * streamed encoding (its index in `config.encodings`); `onExit` is called once
 * with GStreamer's error text when the process ends for any reason other than
 * {@link EncoderProcess.stop}.
 */
export function startEncoder(
  config: EncoderConfig,
  onBytes: (encoding: number, chunk: Buffer) => void,
  onExit: (message: string) => void,
): EncoderProcess {
  const fds = streamFds(config);
  const extra = fds.filter((fd) => fd !== undefined).map(() => "pipe" as const);
  const child = spawn(gstLaunchBinary(), encoderArgs(config), {
    stdio: ["pipe", "ignore", "pipe", ...extra],
  });
  let stopped = false;
  let stderr = "";
  for (const [k, fd] of fds.entries()) {
    if (fd !== undefined) (child.stdio[fd] as Readable).on("data", (c: Buffer) => onBytes(k, c));
  }
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString("utf8");
  });
  // A dead encoder's stdin errors with EPIPE; the exit handler reports it.
  child.stdin!.on("error", (err) => {
    if (!stopped) stderr += `\nstdin: ${err.message}`;
  });
  child.on("error", (err) => {
    stderr += `\ncannot run ${gstLaunchBinary()}: ${err.message} (apt-get install -y gstreamer1.0-tools)`;
  });
  child.on("close", (code, signal) => {
    if (!stopped)
      onExit(`encoder exited (code ${code}, signal ${signal}): ${stderr.trim().slice(0, 500)}`);
  });
  return {
    child,
    write(samples) {
      const stdin = child.stdin!;
      if (stopped || !stdin.writable) return false;
      return stdin.write(toS16(samples));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 1000);
      timer.unref();
      child.once("close", () => clearTimeout(timer));
    },
  };
}

/** Float samples as little-endian signed 16-bit bytes, rounded and clipped to the 16-bit range. */
export function toS16(samples: Float32Array): Buffer {
  const bytes = Buffer.allocUnsafe(samples.length * 2);
  // Buffers from Node's pool start on 8-byte boundaries, so an Int16Array view is aligned.
  const out = new Int16Array(bytes.buffer, bytes.byteOffset, samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = Math.round(samples[i]! * 32768);
    out[i] = x > 32767 ? 32767 : x < -32768 ? -32768 : x;
  }
  return bytes;
}
