import {
  startEncoder,
  type Encoding,
  type EncoderProcess,
  type HlsTarget,
  type IcecastTarget,
  type OutputCodec,
} from "../gst/encoder.js";
import type { HttpStreamMount } from "../outputs/http-stream.js";
import { IcecastSourceClient } from "../outputs/icecast-source.js";
import { Recorder, type RecordingTarget } from "../outputs/recorder.js";
import type { StationClock } from "./station-clock.js";
import type { CueLine, StationEvent } from "./station-events.js";

/** A station's outputs after validation. */
export interface StationOutputs {
  /** Icecast mounts, each with its codec and bitrate (kbit/s); AAC ones go through the engine's own source client. */
  icecast: { name: string; target: IcecastTarget; codec: OutputCodec; bitrateKbps: number }[];
  /** Built-in HTTP stream mounts (codec and bitrate are the mount's). */
  http: { name: string; mount: HttpStreamMount }[];
  /** HLS outputs (MP3 branches of the station's encoder at `bitrateKbps`). */
  hls: (HlsTarget & { bitrateKbps: number })[];
  /** Aircheck recordings (written from the processed PCM, not the MP3). */
  recordings: RecordingTarget[];
}

/** The station's encoder branches and, per branch, the HTTP mounts its bytes go to. */
export interface EncoderPlan {
  /** One branch per distinct (codec, bitrate), in order of first use: Icecast, then HLS, then HTTP. */
  encodings: Encoding[];
  /** `httpMounts[k]` receive branch `k`'s encoded bytes (AAC Icecast sources are added by {@link OutputFeed}). */
  httpMounts: HttpStreamMount[][];
}

/** Anything an encoder branch's bytes can be handed to: an HTTP stream mount, an Icecast source client. */
export interface ByteSink {
  /** Take `chunk` now; must not block the encoder's reader (drop rather than queue without bound). */
  write(chunk: Buffer): void;
}

/**
 * True when Icecast output `out` is sent by the engine's own
 * {@link IcecastSourceClient} rather than by `shout2send`, which takes MP3
 * and Ogg only: AAC.
 */
export function usesSourceClient(out: { codec: OutputCodec }): boolean {
  return out.codec === "aac";
}

/**
 * Group a station's encoded outputs into encoder branches: every Icecast,
 * HLS (always MP3) and HTTP output with the same codec and bitrate shares
 * one branch, all fed by the one mix. An AAC Icecast output makes its branch
 * stream its bytes to the engine (for the source client) instead of adding a
 * `shout2send` sink.
 */
export function planEncodings(outputs: StationOutputs): EncoderPlan {
  const encodings: Encoding[] = [];
  const httpMounts: HttpStreamMount[][] = [];
  const branch = (codec: OutputCodec, bitrateKbps: number): number => {
    let k = encodings.findIndex((e) => e.codec === codec && e.bitrateKbps === bitrateKbps);
    if (k < 0) {
      k = encodings.push({ codec, bitrateKbps, icecast: [], hls: [], stream: false }) - 1;
      httpMounts.push([]);
    }
    return k;
  };
  for (const out of outputs.icecast) {
    const k = branch(out.codec, out.bitrateKbps);
    if (usesSourceClient(out)) encodings[k]!.stream = true;
    else encodings[k]!.icecast.push(out.target);
  }
  for (const out of outputs.hls) encodings[branch("mp3", out.bitrateKbps)]!.hls!.push(out);
  for (const out of outputs.http) {
    const k = branch(out.mount.codec, out.mount.bitrateKbps);
    encodings[k]!.stream = true;
    httpMounts[k]!.push(out.mount);
  }
  return { encodings, httpMounts };
}

/** What a new recording starts with as now playing: the cue fields of the item on air. */
export type NowPlaying = Omit<CueLine, "type">;

/**
 * Feeds a station's mix to its outputs: the single encoder process every
 * Icecast, HLS and HTTP output hangs off (restarted a second after it fails;
 * the mix keeps running meanwhile), the Icecast source clients of AAC mounts
 * (which stay connected across encoder restarts), and the recorders, which
 * get each block once it is due in real time. Also pushes the now-playing
 * title to the outputs and reports their failures as `output_failure`.
 */
export class OutputFeed {
  readonly #stationId: string;
  readonly #clock: StationClock;
  readonly #emit: (event: StationEvent) => void;
  #encoder: EncoderProcess | undefined;
  #outputs: StationOutputs = { icecast: [], http: [], hls: [], recordings: [] };
  #recorders: Recorder[] = [];
  /** Source clients of AAC Icecast outputs, by output name, with the key that says when to replace one. */
  #sources = new Map<string, { key: string; client: IcecastSourceClient }>();
  /** Rendered blocks not yet due in real time, for recorders (≤ the lead). */
  #recent: { frame: number; block: Float32Array }[] = [];
  #title: string | undefined;
  #closed = false;
  #restartTimer: NodeJS.Timeout | undefined;

  /** A feed without outputs for station `stationId`. */
  constructor(stationId: string, clock: StationClock, emit: (event: StationEvent) => void) {
    this.#stationId = stationId;
    this.#clock = clock;
    this.#emit = emit;
  }

  /** Outputs in use now. */
  get outputs(): StationOutputs {
    return this.#outputs;
  }

  /** Current now-playing title sent to outputs. */
  get title(): string | undefined {
    return this.#title;
  }

  /** True while at least one recording runs (so cue lines are worth building). */
  get recording(): boolean {
    return this.#recorders.length > 0;
  }

  /** Send rendered block `block` (interleaved stereo starting at output frame `frame`) to the encoder; keep it for the recorders. */
  write(frame: number, block: Float32Array): void {
    this.#encoder?.write(block);
    this.#recent.push({ frame, block });
  }

  /** Give recorders every rendered frame that is due by `due`, then forget blocks nobody needs. */
  feedRecorders(due: number): void {
    for (const rec of this.#recorders) {
      for (const { frame, block } of this.#recent) {
        const frames = block.length / 2;
        if (frame + frames <= rec.frame || frame >= due) continue;
        rec.write(block.subarray(0, Math.min(frames, due - frame) * 2), frame);
      }
    }
    this.#recent = this.#recent.filter(({ frame, block }) => frame + block.length / 2 > due);
  }

  /** Write `line` into every recording's cue log at output frame `frame`. */
  cue(frame: number, line: CueLine): void {
    for (const rec of this.#recorders) rec.cue(frame, line);
  }

  /** Set the now-playing title on every output (HTTP mounts at once, Icecast mounts by their admin API). */
  setTitle(text: string): void {
    this.#title = text;
    for (const out of this.#outputs.http) out.mount.setTitle(text);
    for (const out of this.#outputs.icecast)
      void this.#pushIcecastTitle(out.name, out.target, text);
  }

  /**
   * Replace the outputs; restarts the encoder with a tee to all of them.
   * Recordings that stay (same name and directory) continue without a break;
   * new ones start at the frame due now with `nowPlaying`; removed ones end.
   */
  configure(outputs: StationOutputs, nowPlaying: NowPlaying | undefined): void {
    this.#outputs = outputs;
    const key = (t: RecordingTarget): string => `${t.name}\u0000${t.directory}`;
    const wanted = new Set(outputs.recordings.map(key));
    // A recording that ends gets everything due up to now, not only up to the last tick.
    this.feedRecorders(this.#clock.dueFrame);
    for (const rec of this.#recorders) if (!wanted.has(key(rec.target))) void rec.close();
    const kept = this.#recorders.filter((r) => wanted.has(key(r.target)));
    const have = new Set(kept.map((r) => key(r.target)));
    for (const target of outputs.recordings) {
      if (have.has(key(target))) continue;
      kept.push(
        new Recorder(
          target,
          this.#clock.sampleRate,
          this.#clock.dueFrame,
          (f) => this.#clock.epochOf(f),
          (message) => this.#failed(message),
          nowPlaying,
        ),
      );
    }
    this.#recorders = kept;
    if (this.#title !== undefined) for (const out of outputs.http) out.mount.setTitle(this.#title);
    this.#configureSources();
    this.#restartEncoder();
  }

  /** End every recording (flushing what is due now); resolves when their files are complete. */
  async closeRecordings(): Promise<void> {
    this.feedRecorders(this.#clock.dueFrame);
    const recorders = this.#recorders;
    this.#recorders = [];
    await Promise.all(recorders.map((r) => r.close()));
  }

  /** Stop the encoder for good (no restart); call {@link OutputFeed.closeRecordings} first. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    this.#encoder?.stop();
    this.#encoder = undefined;
    for (const { client } of this.#sources.values()) client.close();
    this.#sources.clear();
  }

  /** Keep the source clients of AAC Icecast outputs that stay unchanged; connect new ones, close the rest. */
  #configureSources(): void {
    const wanted = new Map<string, { key: string; out: StationOutputs["icecast"][number] }>();
    for (const out of this.#outputs.icecast) {
      if (!usesSourceClient(out)) continue;
      const { host, port, mount, username, password } = out.target;
      const key = JSON.stringify([
        host,
        port,
        mount,
        username,
        password,
        out.codec,
        out.bitrateKbps,
      ]);
      wanted.set(out.name, { key, out });
    }
    for (const [name, source] of this.#sources) {
      if (wanted.get(name)?.key === source.key) continue;
      source.client.close();
      this.#sources.delete(name);
    }
    for (const [name, { key, out }] of wanted) {
      if (this.#sources.has(name)) continue;
      const client = new IcecastSourceClient({
        target: out.target,
        contentType: "audio/aac",
        name,
        onFailure: (message) => this.#failed(`output ${name}: ${message}`),
        // A new source starts without a title; Icecast lists the mount a moment after accepting it.
        onConnected: () => {
          setTimeout(() => {
            const title = this.#title;
            if (
              this.#sources.get(name)?.client === client &&
              client.connected &&
              title !== undefined
            )
              void this.#pushIcecastTitle(name, out.target, title);
          }, 1000).unref();
        },
      });
      this.#sources.set(name, { key, client });
    }
  }

  #failed(message: string): void {
    this.#emit({ stationId: this.#stationId, at: Date.now(), type: "output_failure", message });
  }

  #restartEncoder(): void {
    this.#encoder?.stop();
    this.#encoder = undefined;
    const { icecast, http, hls } = this.#outputs;
    if (icecast.length === 0 && http.length === 0 && hls.length === 0) return;
    const { encodings, httpMounts } = planEncodings(this.#outputs);
    const sinks: ByteSink[][] = httpMounts.map((mounts) => [...mounts]);
    for (const out of icecast) {
      const source = this.#sources.get(out.name);
      if (!source) continue;
      const k = encodings.findIndex(
        (e) => e.codec === out.codec && e.bitrateKbps === out.bitrateKbps,
      );
      sinks[k]!.push(source.client);
    }
    const encoder = startEncoder(
      { sampleRate: this.#clock.sampleRate, encodings },
      (k, chunk) => {
        for (const sink of sinks[k]!) sink.write(chunk);
      },
      (message) => {
        if (this.#encoder !== encoder || this.#closed) return;
        this.#encoder = undefined;
        this.#failed(message);
        // The mix keeps running; the encoder comes back after a second.
        this.#restartTimer = setTimeout(() => {
          if (!this.#closed && this.#encoder === undefined) this.#restartEncoder();
        }, 1000);
      },
    );
    this.#encoder = encoder;
  }

  async #pushIcecastTitle(name: string, target: IcecastTarget, text: string): Promise<void> {
    const url = `http://${target.host}:${target.port}/admin/metadata?mount=${encodeURIComponent(target.mount)}&mode=updinfo&song=${encodeURIComponent(text)}`;
    const auth = Buffer.from(`${target.username}:${target.password}`).toString("base64");
    try {
      const res = await fetch(url, {
        headers: { Authorization: `Basic ${auth}` },
        signal: AbortSignal.timeout(3000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      this.#failed(`metadata update for output ${name} failed: ${(err as Error).message}`);
    }
  }
}
