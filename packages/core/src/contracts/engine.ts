import type { Subscription } from "./bus.js";
import type { Priority } from "../priority.js";

/** Shape of a gain change over a fade, see `engine` for the exact curves. */
export type FadeCurve = "linear" | "log" | "exp" | "scurve";

/** One node of a station's DSP graph: a registered node type and its parameters. */
export interface DspNodeSpec {
  /** Unique within the graph; generated from the position when the config omits it. */
  id: string;
  /** Registered node type, e.g. "compressor". */
  type: string;
  /** Parameters in the node type's units (dB, ms, Hz, LUFS). */
  params: Record<string, unknown>;
}

/** A station's processing chain, applied to the mix in order. */
export interface DspGraph {
  nodes: DspNodeSpec[];
}

/** What to play and how it enters. */
export interface PlayRequest {
  /** Schedule entry or other id the engine reports back in status and telemetry. */
  itemId: string;
  /** File path or URL the engine can decode. */
  uri: string;
  /** Start reading at this offset, ms from file start (cue-in, or resume position). */
  startMs?: number;
  /** Stop at this offset, ms from file start (cue-out). */
  endMs?: number;
  /** Per-item gain to reach the station's loudness target, dB. */
  gainDb?: number;
  fadeInMs?: number;
  /** Crossfade with what plays now over this many ms (0 = cut, undefined = gapless). */
  crossfadeMs?: number;
  curve?: FadeCurve;
  /** Start at this time, epoch ms (engine clock); immediately when absent. */
  atMs?: number;
  /** Now-playing metadata sent to outputs. */
  title?: string;
  artist?: string;
}

/** What the engine is doing for one station. */
export interface EngineStationStatus {
  stationId: string;
  state: "idle" | "playing" | "live" | "emergency";
  currentItemId?: string;
  /** Position in the current item, ms from file start. */
  positionMs?: number;
  preloadedItemId?: string;
  bufferDepthMs: number;
  underruns: number;
}

/** The engine process's health. */
export interface EngineStatus {
  /** Engine uptime, ms. */
  uptimeMs: number;
  version: string;
  stations: EngineStationStatus[];
}

/** One telemetry sample, sent every second per station. */
export interface TelemetrySample {
  stationId: string;
  /** Sample time, epoch ms. */
  at: number;
  levelLeftDb: number;
  levelRightDb: number;
  /** Momentary loudness, LUFS. */
  loudnessLufs: number;
  bufferDepthMs: number;
  underruns: number;
  currentItemId?: string;
  positionMs?: number;
  /** Live input state, when one is routed. */
  liveInput?: "connected" | "disconnected";
}

/**
 * What the executor needs from a media engine (the brief's RPCs). Calls for
 * different stations are independent. Every method rejects with
 * `ENGINE_UNAVAILABLE` when the engine cannot be reached, and never leaves a
 * station silent by itself: on a bad item the engine keeps what plays.
 */
export interface MediaEngine {
  /** Install or replace a station's DSP graph; on a playing station without a gap. */
  loadGraph(stationId: string, graph: DspGraph): Promise<void>;
  /** Open and decode the start of an item so that `play` can start it sample-accurately. */
  preload(stationId: string, request: PlayRequest): Promise<void>;
  /** Start an item (now or at `atMs`), crossfading or cutting over what plays. */
  play(stationId: string, request: PlayRequest): Promise<void>;
  /** Stop what plays, fading out over `fadeOutMs`. */
  stop(stationId: string, options?: { fadeOutMs?: number }): Promise<void>;
  /** Ramp the station's main gain to `targetDb` over `durationMs`. */
  fade(
    stationId: string,
    options: { targetDb: number; durationMs: number; curve?: FadeCurve },
  ): Promise<void>;
  /** Cut to emergency audio immediately (fade ≤ `fadeMs`). */
  insertEmergency(stationId: string, request: PlayRequest): Promise<void>;
  /** Bring a live input into the mix at `priority`, fading in over `fadeInMs`. */
  routeLive(
    stationId: string,
    options: { inputUri: string; priority: Priority; fadeInMs?: number },
  ): Promise<void>;
  /** Receive 1 s telemetry samples for a station (or all with "*"). */
  streamTelemetry(
    stationId: string | "*",
    handler: (sample: TelemetrySample) => void,
  ): Promise<Subscription>;
  /** Engine uptime, version and per-station state. */
  status(): Promise<EngineStatus>;
}
