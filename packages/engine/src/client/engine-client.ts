import * as grpc from "@grpc/grpc-js";
import type {
  DspGraph,
  EngineStatus,
  FadeCurve,
  MediaEngine,
  PlayRequest,
  Priority,
  Subscription,
  TelemetrySample,
} from "@grimnir/core";
import { GrimnirError, type ErrorCode } from "@grimnir/core";
import type {
  AudioEngineStationStatus,
  EngineTelemetry,
  OutputSpec,
} from "../engine/audio-engine.js";
import type { StationEvent } from "../engine/station.js";
import { ERROR_CODE_KEY, ERROR_DETAILS_KEY, loadMediaEngineService } from "../grpc/proto.js";
import { fromPlayRequest } from "../grpc/wire.js";

/** {@link EngineClient} options. */
export interface EngineClientOptions {
  /** `host:port` of the engine, 127.0.0.1:9091 by default. */
  address?: string;
  /** Deadline of each unary call, ms (5000 by default). */
  deadlineMs?: number;
  /** Wait before re-opening a telemetry stream that broke, ms (1000 by default). */
  resubscribeMs?: number;
}

/** Handlers of {@link EngineClient.subscribe}. */
export interface EngineStreamHandlers {
  /** Called with each 1 s telemetry sample. */
  onSample?: (sample: EngineTelemetry) => void;
  /** Called with each engine event as it happens. */
  onEvent?: (event: StationEvent) => void;
}

/** Full engine status as GetStatus returns it. */
export interface EngineFullStatus {
  uptimeMs: number;
  version: string;
  stations: AudioEngineStationStatus[];
}

const UNAVAILABLE = new Set([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.CANCELLED,
]);
const FROM_GRPC: Partial<Record<grpc.status, ErrorCode>> = {
  [grpc.status.INVALID_ARGUMENT]: "VALIDATION",
  [grpc.status.NOT_FOUND]: "NOT_FOUND",
  [grpc.status.UNIMPLEMENTED]: "NOT_IMPLEMENTED",
  [grpc.status.ALREADY_EXISTS]: "CONFLICT",
};

/** A gRPC failure as a {@link GrimnirError}: unreachable engine → `ENGINE_UNAVAILABLE`, else the engine's own code and details. */
export function fromServiceError(err: grpc.ServiceError, method: string): GrimnirError {
  if (UNAVAILABLE.has(err.code)) {
    return new GrimnirError(
      "ENGINE_UNAVAILABLE",
      `media engine unreachable during ${method}: ${err.details || err.message}`,
      {
        details: { method, grpcCode: err.code },
        cause: err,
      },
    );
  }
  const code =
    (err.metadata?.get(ERROR_CODE_KEY)[0] as ErrorCode | undefined) ??
    FROM_GRPC[err.code] ??
    "INTERNAL";
  const raw = err.metadata?.get(ERROR_DETAILS_KEY)[0];
  let details: Record<string, unknown> = { method };
  if (typeof raw === "string")
    details = { ...(JSON.parse(raw) as Record<string, unknown>), method };
  return new GrimnirError(code, err.details || err.message, { details, cause: err });
}

type RawClient = grpc.Client &
  Record<string, (...args: unknown[]) => grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown>>;

/**
 * Typed gRPC client of `grimnir-engine`, implementing core's
 * {@link MediaEngine}. Every call has a deadline; when the engine cannot be
 * reached calls reject with `ENGINE_UNAVAILABLE` at once (no queueing), and
 * the channel reconnects by itself when the engine is back. Telemetry
 * subscriptions re-open after a broken stream until unsubscribed.
 */
export class EngineClient implements MediaEngine {
  readonly address: string;
  readonly #client: RawClient;
  readonly #deadlineMs: number;
  readonly #resubscribeMs: number;
  #closed = false;

  /** Create the channel; nothing connects until the first call. */
  constructor(options: EngineClientOptions = {}) {
    this.address = options.address ?? "127.0.0.1:9091";
    this.#deadlineMs = options.deadlineMs ?? 5000;
    this.#resubscribeMs = options.resubscribeMs ?? 1000;
    const Service = loadMediaEngineService();
    this.#client = new Service(this.address, grpc.credentials.createInsecure(), {
      "grpc.initial_reconnect_backoff_ms": 200,
      "grpc.max_reconnect_backoff_ms": 2000,
    }) as unknown as RawClient;
  }

  async loadGraph(stationId: string, graph: DspGraph): Promise<void> {
    await this.#unary("LoadGraph", {
      stationId,
      nodes: graph.nodes.map((n) => ({
        id: n.id,
        type: n.type,
        paramsJson: JSON.stringify(n.params ?? {}),
      })),
    });
  }

  async preload(stationId: string, request: PlayRequest): Promise<void> {
    await this.#unary(
      "Preload",
      fromPlayRequest(stationId, request),
      Math.max(this.#deadlineMs, 15_000),
    );
  }

  async play(stationId: string, request: PlayRequest): Promise<void> {
    await this.#unary("Play", fromPlayRequest(stationId, request));
  }

  async stop(stationId: string, options: { fadeOutMs?: number } = {}): Promise<void> {
    await this.#unary("Stop", { stationId, fadeOutMs: options.fadeOutMs });
  }

  async fade(
    stationId: string,
    options: { targetDb: number; durationMs: number; curve?: FadeCurve },
  ): Promise<void> {
    await this.#unary("Fade", { stationId, ...options });
  }

  async insertEmergency(stationId: string, request: PlayRequest): Promise<void> {
    await this.#unary("InsertEmergency", fromPlayRequest(stationId, request));
  }

  async routeLive(
    stationId: string,
    options: { inputUri: string; priority: Priority; fadeInMs?: number },
  ): Promise<void> {
    await this.#unary("RouteLive", { stationId, ...options });
  }

  /** Set now-playing metadata on every output of the station. */
  async setMetadata(stationId: string, title: string, artist?: string): Promise<void> {
    await this.#unary("SetMetadata", { stationId, title, artist });
  }

  /** Replace a station's outputs (Icecast mounts, built-in HTTP stream). */
  async configureOutputs(stationId: string, outputs: OutputSpec[]): Promise<void> {
    await this.#unary("ConfigureOutputs", { stationId, outputs });
  }

  /** GetStatus with everything the engine reports (positions, URIs, titles). */
  async fullStatus(): Promise<EngineFullStatus> {
    const res = (await this.#unary("GetStatus", {})) as Partial<EngineFullStatus>;
    return {
      uptimeMs: res.uptimeMs ?? 0,
      version: res.version ?? "",
      stations: (res.stations ?? []).map(normaliseStation),
    };
  }

  async status(): Promise<EngineStatus> {
    const full = await this.fullStatus();
    return {
      uptimeMs: full.uptimeMs,
      version: full.version,
      stations: full.stations.map((s) => ({
        stationId: s.stationId,
        state: s.state,
        currentItemId: s.currentItemId,
        positionMs: s.positionMs,
        preloadedItemId: s.preloadedItemId,
        bufferDepthMs: s.bufferDepthMs,
        underruns: s.underruns,
      })),
    };
  }

  async streamTelemetry(
    stationId: string,
    handler: (sample: TelemetrySample) => void,
  ): Promise<Subscription> {
    return this.subscribe(stationId, {
      onSample: (s) =>
        handler({
          stationId: s.stationId,
          at: s.at,
          levelLeftDb: s.peakLeftDb,
          levelRightDb: s.peakRightDb,
          loudnessLufs: s.momentaryLufs,
          bufferDepthMs: s.bufferDepthMs,
          underruns: s.underruns,
          currentItemId: s.currentItemId,
          positionMs: s.positionMs,
          // "connecting" (routed, no audio yet) counts as not delivering.
          liveInput:
            s.liveState === undefined
              ? undefined
              : s.liveState === "connected"
                ? "connected"
                : "disconnected",
        }),
    });
  }

  /** Receive full telemetry samples and engine events (source_failure, item_started…) for a station or "*". */
  async subscribe(stationId: string, handlers: EngineStreamHandlers): Promise<Subscription> {
    let active = true;
    let call: grpc.ClientReadableStream<unknown> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const open = (): void => {
      if (!active || this.#closed) return;
      call = this.#client["StreamTelemetry"]!({ stationId }) as grpc.ClientReadableStream<unknown>;
      call.on("data", (update: { sample?: EngineTelemetry; event?: StationEvent }) => {
        if (update.sample) handlers.onSample?.(normaliseSample(update.sample));
        if (update.event) handlers.onEvent?.(update.event);
      });
      // A broken stream (engine restart) re-opens after a pause; cancellation by us ends it.
      call.on("error", (err: grpc.ServiceError) => {
        if (err.code !== grpc.status.CANCELLED) timer = setTimeout(open, this.#resubscribeMs);
      });
    };
    open();
    return {
      unsubscribe: async () => {
        active = false;
        clearTimeout(timer);
        call?.cancel();
      },
    };
  }

  /** Close the channel; later calls reject with ENGINE_UNAVAILABLE. */
  close(): void {
    this.#closed = true;
    this.#client.close();
  }

  #unary(method: string, request: object, deadlineMs = this.#deadlineMs): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(
          new GrimnirError("ENGINE_UNAVAILABLE", `EngineClient for ${this.address} is closed`, {
            details: { method },
          }),
        );
        return;
      }
      const deadline = new Date(Date.now() + deadlineMs);
      this.#client[method]!(
        request,
        new grpc.Metadata(),
        { deadline },
        (err: grpc.ServiceError | null, res: unknown) =>
          err ? reject(fromServiceError(err, method)) : resolve(res),
      );
    });
  }
}

function normaliseStation(s: Partial<AudioEngineStationStatus>): AudioEngineStationStatus {
  return {
    ...s,
    stationId: s.stationId ?? "",
    state: s.state ?? "idle",
    bufferDepthMs: s.bufferDepthMs ?? 0,
    underruns: s.underruns ?? 0,
  } as AudioEngineStationStatus;
}

function normaliseSample(s: Partial<EngineTelemetry>): EngineTelemetry {
  // proto3 leaves zero values off the wire.
  const floor = (v: number | undefined): number => v ?? 0;
  return {
    ...s,
    stationId: s.stationId ?? "",
    at: s.at ?? 0,
    peakLeftDb: floor(s.peakLeftDb),
    peakRightDb: floor(s.peakRightDb),
    rmsLeftDb: floor(s.rmsLeftDb),
    rmsRightDb: floor(s.rmsRightDb),
    momentaryLufs: floor(s.momentaryLufs),
    shortTermLufs: floor(s.shortTermLufs),
    bufferDepthMs: s.bufferDepthMs ?? 0,
    underruns: s.underruns ?? 0,
    sourceState: s.sourceState ?? "idle",
    cpu: s.cpu ?? 0,
    dsp: (s.dsp ?? []).map((d) => ({ ...d, nodeId: d.nodeId ?? "", type: d.type ?? "" })),
  };
}
