import { EventEmitter } from "node:events";
import { existsSync, statSync } from "node:fs";
import type {
  DspGraph,
  DspNodeRegistry,
  EngineStationStatus,
  FadeCurve,
  PlayRequest,
} from "@grimnir/core";
import { GrimnirError, dspNodes } from "@grimnir/core";
import { DspChain, type DspNodeTelemetry } from "../dsp/chain.js";
import { parseIcecastUrl } from "../gst/encoder.js";
import { WarmDecoderPool } from "../gst/warm-decoder.js";
import { HttpStreamServer } from "../outputs/http-stream.js";
import { Station, type StationEvent, type StationOutputs } from "./station.js";

/** Bitrates each codec's encoder accepts, kbit/s. */
// Vorbis: libvorbis's managed bitrate at 44.1 kHz stereo does not negotiate below 48 kbit/s; vorbisenc caps it at 250.
const BITRATE_RANGE = { mp3: [8, 320], aac: [16, 320], opus: [6, 256], vorbis: [48, 250] } as const;

/** A bitrate (kbit/s, 128 by default) within what `codec` supports; `VALIDATION` naming `field` otherwise. */
function checkedBitrate(
  value: number | undefined,
  codec: keyof typeof BITRATE_RANGE,
  field: string,
): number {
  const [min, max] = BITRATE_RANGE[codec];
  const kbps = value ?? 128;
  if (!Number.isInteger(kbps) || kbps < min || kbps > max) {
    throw new GrimnirError(
      "VALIDATION",
      `${field} must be a whole number of kbit/s from ${min} to ${max} for ${codec}, got ${JSON.stringify(value)}`,
      { details: { field } },
    );
  }
  return kbps;
}

function checkedNumber(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  field: string,
): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new GrimnirError(
      "VALIDATION",
      `${field} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      { details: { field } },
    );
  }
  return v;
}

/** Version reported by GetStatus. */
export const ENGINE_VERSION = "0.1.0";

/** One output as ConfigureOutputs receives it. */
export interface OutputSpec {
  /** Unique per station; names the built-in stream path `/stream/<name>.mp3`, the HLS playlist `<name>.m3u8` and recording files `<name>-<time>.flac`. */
  name: string;
  /**
   * `mp3`, `aac` (ADTS), `opus` or `vorbis` (both Ogg) to an Icecast mount or
   * the built-in HTTP stream, `hls` (MP3 in MPEG-TS
   * segments plus playlist, written to `directory`) or `recording` (FLAC
   * aircheck files with cue logs in `directory`). A station runs one encoder
   * branch per distinct (format, bitrate), all fed by its one mix.
   */
  format: string;
  /** Existing directory for `hls` and `recording` outputs. */
  directory?: string;
  /** HLS target segment duration, s (1–60, whole seconds; 4 by default). */
  segmentSeconds?: number;
  /** Recording file length, s (1 s – 24 h; 3600 by default): files start on multiples of it on the engine clock. */
  rotateSeconds?: number;
  /** Recordings older than this are deleted, days (0 = keep all; 0 by default). */
  retentionDays?: number;
  /** kbit/s, 128 by default (mp3 8–320, aac 16–320, opus 6–256, vorbis 48–250). */
  bitrateKbps?: number;
  /** `icecast://user:password@host:port/mount` */
  icecastUrl?: string;
  /** Port of the built-in HTTP stream (0 is refused: a listener needs to know it). */
  httpPort?: number;
}

/** A full telemetry sample (what StreamTelemetry sends every second). */
export interface EngineTelemetry {
  stationId: string;
  /** epoch ms */
  at: number;
  peakLeftDb: number;
  peakRightDb: number;
  rmsLeftDb: number;
  rmsRightDb: number;
  momentaryLufs: number;
  shortTermLufs: number;
  bufferDepthMs: number;
  underruns: number;
  currentItemId?: string;
  positionMs?: number;
  /**
   * emergency | disconnected (a live input on air delivers nothing) | silent |
   * live | playing | idle
   */
  sourceState: string;
  /** URI of the routed live input, if any. */
  liveInputUri?: string;
  /** connecting | connected | disconnected, when a live input is routed. */
  liveState?: string;
  /** Engine process CPU over the last interval, fraction of one core. */
  cpu: number;
  /** Each DSP node of the station's chain: gain reduction of dynamics nodes (dB), gains, meter levels. */
  dsp: DspNodeTelemetry[];
}

/** Station status with what the engine knows beyond core's {@link EngineStationStatus}. */
export interface AudioEngineStationStatus extends EngineStationStatus {
  currentUri?: string;
  title?: string;
  /** URI of the routed live input, if any. */
  liveInputUri?: string;
  /** connecting | connected | disconnected, when a live input is routed. */
  liveState?: string;
}

/** {@link AudioEngine} options. */
export interface AudioEngineOptions {
  /** Hz; 44100 by default. */
  sampleRate?: number;
  /** Mixed audio written ahead of real time, ms (150 by default). */
  leadMs?: number;
  /**
   * Render loop period, ms (40 by default: each wake-up renders, processes and
   * writes one 40 ms block, which keeps the per-block costs — timer, pipe
   * write, encoder wake-up — low while leaving 110 ms of the lead as margin).
   */
  tickMs?: number;
  /** Telemetry period, ms (1000 by default). */
  telemetryMs?: number;
  /** Address the built-in HTTP streams bind to (127.0.0.1 by default). */
  httpHost?: string;
  /** DSP node types LoadGraph accepts; core's process-wide `dspNodes` (built-ins plus registered plugins) by default. */
  dspNodes?: DspNodeRegistry;
  /** Crossfade between the old and new DSP chain when LoadGraph replaces a graph, ms (50 by default). */
  graphCrossfadeMs?: number;
}

/**
 * The engine's in-process core, one per `grimnir-engine` process: stations
 * (each a mixer fed by GStreamer decoders and feeding one GStreamer encoder),
 * the shared built-in HTTP stream servers, the render clock and telemetry.
 * Emits `"event"` ({@link StationEvent}) and `"telemetry"` ({@link EngineTelemetry}).
 */
export class AudioEngine extends EventEmitter {
  readonly #stations = new Map<string, Station>();
  readonly #http = new Map<number, HttpStreamServer>();
  readonly #options: Required<AudioEngineOptions>;
  readonly #started = Date.now();
  #tick: NodeJS.Timeout;
  #telemetry: NodeJS.Timeout;
  #cpu = process.cpuUsage();
  #cpuAt = performance.now();
  /** Warm decoders shared by the stations (started with the first station). */
  #warm: WarmDecoderPool | undefined;

  /** Start the render clock and telemetry timer (no stations yet). */
  constructor(options: AudioEngineOptions = {}) {
    super();
    this.#options = {
      sampleRate: options.sampleRate ?? 44100,
      leadMs: options.leadMs ?? 150,
      tickMs: options.tickMs ?? 40,
      telemetryMs: options.telemetryMs ?? 1000,
      httpHost: options.httpHost ?? "127.0.0.1",
      dspNodes: options.dspNodes ?? dspNodes,
      graphCrossfadeMs: options.graphCrossfadeMs ?? 50,
    };
    this.#tick = setInterval(() => {
      for (const station of this.#stations.values()) station.pump();
    }, this.#options.tickMs);
    this.#telemetry = setInterval(() => this.#sendTelemetry(), this.#options.telemetryMs);
  }

  /** Station `id`, created (and started on the render clock) on first use. */
  station(id: string): Station {
    if (typeof id !== "string" || id.trim() === "") {
      throw new GrimnirError("VALIDATION", "station_id must be a non-empty string", {
        details: { field: "station_id" },
      });
    }
    let station = this.#stations.get(id);
    if (!station) {
      station = new Station(id, this.#options, (e) => this.emit("event", e));
      this.#warm ??= new WarmDecoderPool({ sampleRate: this.#options.sampleRate });
      station.warmDecoders = this.#warm;
      this.#stations.set(id, station);
    }
    return station;
  }

  /**
   * Validate and compile a graph (errors as {@link DspChain.compile}) and
   * install it on the station, crossfading from the running chain. Nothing
   * changes when the graph is invalid.
   */
  loadGraph(stationId: string, graph: DspGraph): void {
    const chain = DspChain.compile(graph, {
      registry: this.#options.dspNodes,
      sampleRate: this.#options.sampleRate,
    });
    this.station(stationId).loadGraph(chain, this.#options.graphCrossfadeMs);
  }

  /** See {@link Station.preload}. */
  preload(stationId: string, request: PlayRequest): Promise<void> {
    return this.station(stationId).preload(request);
  }

  /** See {@link Station.play}. */
  play(stationId: string, request: PlayRequest): void {
    this.station(stationId).play(request);
  }

  /** See {@link Station.insertEmergency}. */
  insertEmergency(stationId: string, request: PlayRequest): void {
    this.station(stationId).insertEmergency(request);
  }

  /** See {@link Station.routeLive}. */
  routeLive(stationId: string, inputUri: string, fadeInMs?: number, priority?: number): void {
    this.station(stationId).routeLive(inputUri, fadeInMs, priority);
  }

  /** See {@link Station.stop}. */
  stop(stationId: string, fadeOutMs?: number): void {
    this.station(stationId).stop(fadeOutMs);
  }

  /** See {@link Station.fade}. */
  fade(stationId: string, targetDb: number, durationMs: number, curve?: FadeCurve): void {
    this.station(stationId).fade(targetDb, durationMs, curve);
  }

  /** See {@link Station.setMetadata}. */
  setMetadata(stationId: string, title: string, artist?: string): void {
    this.station(stationId).setMetadata(title, artist);
  }

  /** Validate outputs, open built-in HTTP ports as needed and restart the station's encoder. */
  async configureOutputs(stationId: string, outputs: OutputSpec[]): Promise<void> {
    const station = this.station(stationId);
    const names = new Set<string>();
    const resolved: StationOutputs = {
      icecast: [],
      http: [],
      hls: [],
      recordings: [],
    };
    for (const [i, out] of outputs.entries()) {
      const field = `outputs[${i}]`;
      if (!/^[A-Za-z0-9_-]+$/.test(out.name ?? "")) {
        throw new GrimnirError(
          "VALIDATION",
          `${field}.name must be letters, digits, _ or -, got "${out.name}"`,
          { details: { field: `${field}.name` } },
        );
      }
      if (names.has(out.name))
        throw new GrimnirError("VALIDATION", `${field}.name "${out.name}" is used twice`, {
          details: { field: `${field}.name` },
        });
      names.add(out.name);
      if (out.format === "hls" || out.format === "recording") {
        const directory = out.directory ?? "";
        if (directory === "" || !existsSync(directory) || !statSync(directory).isDirectory()) {
          throw new GrimnirError(
            "VALIDATION",
            `${field}.directory must be an existing directory for ${out.format} output, got ${JSON.stringify(out.directory)}`,
            { details: { field: `${field}.directory` } },
          );
        }
        if (out.format === "hls") {
          const segmentSeconds = checkedNumber(
            out.segmentSeconds,
            4,
            1,
            60,
            `${field}.segment_seconds`,
          );
          resolved.hls.push({
            bitrateKbps: checkedBitrate(out.bitrateKbps, "mp3", `${field}.bitrate_kbps`),
            name: out.name,
            directory,
            segmentSeconds: Math.round(segmentSeconds),
            playlistLength: 6,
          });
        } else {
          resolved.recordings.push({
            name: out.name,
            directory,
            rotateSeconds: checkedNumber(
              out.rotateSeconds,
              3600,
              1,
              86_400,
              `${field}.rotate_seconds`,
            ),
            retentionDays: checkedNumber(
              out.retentionDays,
              0,
              0,
              36_500,
              `${field}.retention_days`,
            ),
          });
        }
        continue;
      }
      const codec = out.format || "mp3";
      if (codec !== "mp3" && codec !== "aac" && codec !== "opus" && codec !== "vorbis") {
        throw new GrimnirError(
          "VALIDATION",
          `${field}.format must be mp3, aac, opus, vorbis, hls or recording, got ${JSON.stringify(out.format)}`,
          { details: { field: `${field}.format` } },
        );
      }
      const bitrateKbps = checkedBitrate(out.bitrateKbps, codec, `${field}.bitrate_kbps`);
      if (out.icecastUrl) {
        // MP3 and Ogg (Opus, Vorbis) go out through shout2send; AAC (which shout2send lacks) through the engine's own source client.
        resolved.icecast.push({
          name: out.name,
          target: parseIcecastUrl(out.icecastUrl, `${field}.icecast_url`),
          codec,
          bitrateKbps,
        });
      } else if (out.httpPort !== undefined && out.httpPort > 0 && out.httpPort < 65536) {
        const server = await this.#httpServer(out.httpPort);
        resolved.http.push({
          name: out.name,
          mount: server.mount(out.name, bitrateKbps, codec),
        });
      } else {
        throw new GrimnirError("VALIDATION", `${field} needs icecast_url or http_port (1..65535)`, {
          details: { field },
        });
      }
    }
    for (const old of station.outputs.http) {
      if (!resolved.http.some((h) => h.mount === old.mount)) {
        for (const server of this.#http.values()) server.unmount(old.name);
      }
    }
    station.configureOutputs(resolved);
  }

  /** Every station's status. */
  status(): { uptimeMs: number; version: string; stations: AudioEngineStationStatus[] } {
    return {
      uptimeMs: Date.now() - this.#started,
      version: ENGINE_VERSION,
      stations: [...this.#stations.values()].map((s) => {
        const m = s.mixer.status();
        return {
          stationId: s.id,
          state: m.state,
          currentItemId: m.currentItemId,
          positionMs:
            m.positionFrames === undefined
              ? undefined
              : (m.positionFrames * 1000) / this.#options.sampleRate,
          preloadedItemId: s.preloadedItemId,
          bufferDepthMs: s.bufferDepthMs,
          underruns: m.underruns,
          currentUri: m.state === "live" ? m.liveInputUri : s.uriOf(m.currentItemId),
          title: s.title,
          liveInputUri: m.liveInputUri,
          liveState: m.liveState,
        };
      }),
    };
  }

  /** Stop every station, encoder, decoder and HTTP server. */
  async close(): Promise<void> {
    clearInterval(this.#tick);
    this.#warm?.close();
    clearInterval(this.#telemetry);
    await Promise.all([...this.#stations.values()].map((s) => s.closeRecordings()));
    for (const s of this.#stations.values()) s.close();
    this.#stations.clear();
    await Promise.all([...this.#http.values()].map((h) => h.close()));
    this.#http.clear();
  }

  async #httpServer(port: number): Promise<HttpStreamServer> {
    let server = this.#http.get(port);
    if (!server) {
      server = new HttpStreamServer();
      await server.listen(port, this.#options.httpHost);
      this.#http.set(port, server);
    }
    return server;
  }

  #sendTelemetry(): void {
    const usage = process.cpuUsage(this.#cpu);
    const now = performance.now();
    const cpu = (usage.user + usage.system) / 1000 / Math.max(1, now - this.#cpuAt);
    this.#cpu = process.cpuUsage();
    this.#cpuAt = now;
    for (const s of this.#stations.values()) {
      const levels = s.mixer.takeLevels();
      const m = s.mixer.status();
      const sample: EngineTelemetry = {
        stationId: s.id,
        at: Date.now(),
        peakLeftDb: levels.peakDb[0],
        peakRightDb: levels.peakDb[1],
        rmsLeftDb: levels.rmsDb[0],
        rmsRightDb: levels.rmsDb[1],
        momentaryLufs: levels.momentaryLufs,
        shortTermLufs: levels.shortTermLufs,
        bufferDepthMs: s.bufferDepthMs,
        underruns: m.underruns,
        currentItemId: m.currentItemId,
        positionMs:
          m.positionFrames === undefined
            ? undefined
            : (m.positionFrames * 1000) / this.#options.sampleRate,
        sourceState:
          m.state === "emergency"
            ? "emergency"
            : m.state === "live" && m.liveState === "disconnected"
              ? "disconnected"
              : m.silent
                ? "silent"
                : m.state,
        liveInputUri: m.liveInputUri,
        liveState: m.liveState,
        cpu,
        dsp: s.dspReadings(),
      };
      this.emit("telemetry", sample);
    }
  }
}

export type { StationEvent };
