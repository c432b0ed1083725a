import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
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

/** What one station's encoder produces. */
export interface EncoderConfig {
  sampleRate: number;
  /** MP3 bitrate, kbit/s. */
  bitrateKbps: number;
  /** Icecast mounts to push to. */
  icecast: IcecastTarget[];
  /** True to also emit the MP3 byte stream on stdout (for the built-in HTTP stream). */
  stdoutStream: boolean;
  /** HLS outputs: MP3 in MPEG-TS segments plus a live playlist. */
  hls?: HlsTarget[];
}

/** gst-launch arguments of the encoder: raw float PCM on stdin → MP3 → tee → every output. */
export function encoderArgs(config: EncoderConfig): string[] {
  const args = [
    "-q",
    "fdsrc",
    "fd=0",
    "blocksize=4096",
    "!",
    "rawaudioparse",
    "use-sink-caps=false",
    "format=pcm",
    "pcm-format=f32le",
    `sample-rate=${config.sampleRate}`,
    "num-channels=2",
    "!",
    "audioconvert",
    "!",
    "lamemp3enc",
    "target=bitrate",
    `bitrate=${config.bitrateKbps}`,
    "cbr=true",
    "!",
    "tee",
    "name=t",
  ];
  for (const target of config.icecast) {
    args.push(
      "t.",
      "!",
      "queue",
      "!",
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
    );
  }
  for (const [i, hls] of (config.hls ?? []).entries()) {
    const sink = `hls${i}`;
    args.push(
      "hlssink2",
      `name=${sink}`,
      `location=${join(hls.directory, `${hls.name}-%05d.ts`)}`,
      `playlist-location=${join(hls.directory, `${hls.name}.m3u8`)}`,
      `target-duration=${Math.round(hls.segmentSeconds)}`,
      `playlist-length=${hls.playlistLength}`,
      `max-files=${hls.playlistLength * 2}`,
      "t.",
      "!",
      "queue",
      "!",
      "mpegaudioparse",
      "!",
      `${sink}.audio`,
    );
  }
  if (config.stdoutStream)
    args.push("t.", "!", "queue", "!", "fdsink", "fd=1", "sync=false", "async=false");
  if (config.icecast.length === 0 && !config.stdoutStream && (config.hls ?? []).length === 0)
    args.push("t.", "!", "queue", "!", "fakesink", "sync=false", "async=false");
  return args;
}

/** A running encoder process; see {@link startEncoder}. */
export interface EncoderProcess {
  readonly child: ChildProcess;
  /** Write mixed PCM; returns false when the pipe is full or the encoder is gone (the block is dropped then). */
  write(samples: Float32Array): boolean;
  /** Stop the encoder (closes stdin, kills after 1 s). */
  stop(): void;
}

/**
 * Start one station's encoder. `onMp3` receives the MP3 stream when
 * `stdoutStream` is set; `onExit` is called once with GStreamer's error text
 * when the process ends for any reason other than {@link EncoderProcess.stop}.
 */
export function startEncoder(
  config: EncoderConfig,
  onMp3: (chunk: Buffer) => void,
  onExit: (message: string) => void,
): EncoderProcess {
  const child = spawn(gstLaunchBinary(), encoderArgs(config), { stdio: ["pipe", "pipe", "pipe"] });
  let stopped = false;
  let stderr = "";
  child.stdout!.on("data", onMp3);
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
      return stdin.write(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
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
