import { GrimnirError } from "@grimnir/core";
import type {
  DspGraph,
  EngineStationStatus,
  EngineStatus,
  FadeCurve,
  MediaEngine,
  PlayRequest,
  Priority,
  Subscription,
  TelemetrySample,
  TimeSource,
} from "@grimnir/core";

/** One call the fake engine received, in arrival order. */
export type FakeEngineCall =
  | { method: "loadGraph"; stationId: string; at: number; graph: DspGraph }
  | { method: "preload"; stationId: string; at: number; request: PlayRequest }
  | { method: "play"; stationId: string; at: number; request: PlayRequest }
  | { method: "stop"; stationId: string; at: number; fadeOutMs?: number }
  | {
      method: "fade";
      stationId: string;
      at: number;
      targetDb: number;
      durationMs: number;
      curve?: FadeCurve;
    }
  | { method: "insertEmergency"; stationId: string; at: number; request: PlayRequest }
  | {
      method: "routeLive";
      stationId: string;
      at: number;
      inputUri: string;
      priority: Priority;
      fadeInMs?: number;
    }
  | { method: "status"; stationId: "*"; at: number };

/** Name of a `MediaEngine` method. */
export type FakeEngineMethod = FakeEngineCall["method"] | "streamTelemetry";

/** How a failing method fails: reject with `ENGINE_UNAVAILABLE`, reject with another error, or never answer. */
export type FakeEngineFailure = "unavailable" | "error" | "hang";

interface FakeStation {
  state: EngineStationStatus["state"];
  currentItemId?: string;
  /** Engine time the current item started and the file offset it started at. */
  startedAt?: number;
  startMs?: number;
  preloadedItemId?: string;
}

/**
 * An in-memory `MediaEngine` for tests: records every call with the
 * time source's time, keeps a simple per-station model so `status()` reports
 * what was started (position advances with the time source), emits telemetry
 * when told to, and can be made to fail per method.
 *
 * A `play` with `atMs` in the future is recorded at once and counts as
 * playing from `atMs` on.
 */
export class FakeMediaEngine implements MediaEngine {
  /** Every call received, oldest first (failed calls included). */
  readonly calls: FakeEngineCall[] = [];
  readonly #time: TimeSource;
  readonly #stations = new Map<string, FakeStation>();
  readonly #failures = new Map<FakeEngineMethod | "*", FakeEngineFailure>();
  readonly #latencies = new Map<FakeEngineMethod, number>();
  readonly #telemetry = new Set<{ stationId: string; handler: (s: TelemetrySample) => void }>();
  #startedAt: number;

  /** A running engine whose clock is `time`. */
  constructor(time: TimeSource) {
    this.#time = time;
    this.#startedAt = time.now();
  }

  /** Make `method` (or every method with "*") fail in the given way until {@link heal}. */
  fail(method: FakeEngineMethod | "*", how: FakeEngineFailure = "unavailable"): void {
    this.#failures.set(method, how);
  }

  /**
   * Make `method` answer only after `ms` of real time (like a real preload that
   * waits for the decoder); 0 or omitted answers at once again. The call is
   * recorded when it arrives; the station model changes when it answers.
   */
  setLatency(method: FakeEngineMethod, ms = 0): void {
    if (ms > 0) this.#latencies.set(method, ms);
    else this.#latencies.delete(method);
  }

  /** Stop failing `method`, or every method when omitted. */
  heal(method?: FakeEngineMethod | "*"): void {
    if (method === undefined) this.#failures.clear();
    else this.#failures.delete(method);
  }

  /** Simulate an engine process restart: every station is idle again, uptime restarts. */
  restart(): void {
    this.#stations.clear();
    this.#startedAt = this.#time.now();
  }

  /** Calls of one method (optionally of one station), oldest first. */
  callsOf<M extends FakeEngineCall["method"]>(
    method: M,
    stationId?: string,
  ): Extract<FakeEngineCall, { method: M }>[] {
    return this.calls.filter(
      (c): c is Extract<FakeEngineCall, { method: M }> =>
        c.method === method && (stationId === undefined || c.stationId === stationId),
    );
  }

  /** Forget recorded calls (the station model is kept). */
  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Number of active telemetry subscriptions. */
  get telemetrySubscribers(): number {
    return this.#telemetry.size;
  }

  /**
   * Deliver one telemetry sample to the station's subscribers. Unspecified
   * fields default to a healthy signal (−14 dBFS, −16 LUFS, 2 s buffer) and the
   * station's current item and position.
   */
  emitTelemetry(stationId: string, sample: Partial<TelemetrySample> = {}): void {
    const station = this.#stations.get(stationId);
    const full: TelemetrySample = {
      stationId,
      at: this.#time.now(),
      levelLeftDb: -14,
      levelRightDb: -14,
      loudnessLufs: -16,
      bufferDepthMs: 2000,
      underruns: 0,
      currentItemId: station?.currentItemId,
      positionMs: station === undefined ? undefined : this.#position(station),
      ...sample,
    };
    for (const sub of this.#telemetry) {
      if (sub.stationId === "*" || sub.stationId === stationId) sub.handler(full);
    }
  }

  /** Emit a silent sample (−90 dBFS, −70 LUFS). */
  emitSilence(stationId: string): void {
    this.emitTelemetry(stationId, { levelLeftDb: -90, levelRightDb: -90, loudnessLufs: -70 });
  }

  /** The fake's view of one station, as `status()` reports it. */
  stationStatus(stationId: string): EngineStationStatus {
    const station = this.#stations.get(stationId);
    if (station === undefined) return { stationId, state: "idle", bufferDepthMs: 0, underruns: 0 };
    return {
      stationId,
      state: station.state,
      currentItemId: station.currentItemId,
      positionMs: this.#position(station),
      preloadedItemId: station.preloadedItemId,
      bufferDepthMs: station.state === "idle" ? 0 : 2000,
      underruns: 0,
    };
  }

  async loadGraph(stationId: string, graph: DspGraph): Promise<void> {
    await this.#enter({ method: "loadGraph", stationId, at: this.#time.now(), graph });
  }

  async preload(stationId: string, request: PlayRequest): Promise<void> {
    await this.#enter({
      method: "preload",
      stationId,
      at: this.#time.now(),
      request: { ...request },
    });
    this.#station(stationId).preloadedItemId = request.itemId;
  }

  async play(stationId: string, request: PlayRequest): Promise<void> {
    await this.#enter({ method: "play", stationId, at: this.#time.now(), request: { ...request } });
    const station = this.#station(stationId);
    station.state = "playing";
    station.currentItemId = request.itemId;
    station.startedAt = Math.max(request.atMs ?? 0, this.#time.now());
    station.startMs = request.startMs ?? 0;
    if (station.preloadedItemId === request.itemId) station.preloadedItemId = undefined;
  }

  async stop(stationId: string, options: { fadeOutMs?: number } = {}): Promise<void> {
    await this.#enter({
      method: "stop",
      stationId,
      at: this.#time.now(),
      fadeOutMs: options.fadeOutMs,
    });
    this.#stations.set(stationId, { state: "idle" });
  }

  async fade(
    stationId: string,
    options: { targetDb: number; durationMs: number; curve?: FadeCurve },
  ): Promise<void> {
    await this.#enter({ method: "fade", stationId, at: this.#time.now(), ...options });
  }

  async insertEmergency(stationId: string, request: PlayRequest): Promise<void> {
    await this.#enter({
      method: "insertEmergency",
      stationId,
      at: this.#time.now(),
      request: { ...request },
    });
    const station = this.#station(stationId);
    station.state = "emergency";
    station.currentItemId = request.itemId;
    station.startedAt = this.#time.now();
    station.startMs = request.startMs ?? 0;
  }

  async routeLive(
    stationId: string,
    options: { inputUri: string; priority: Priority; fadeInMs?: number },
  ): Promise<void> {
    await this.#enter({ method: "routeLive", stationId, at: this.#time.now(), ...options });
    const station = this.#station(stationId);
    station.state = "live";
    station.currentItemId = options.inputUri;
    station.startedAt = this.#time.now();
    station.startMs = 0;
  }

  async streamTelemetry(
    stationId: string | "*",
    handler: (sample: TelemetrySample) => void,
  ): Promise<Subscription> {
    await this.#check("streamTelemetry");
    const sub = { stationId, handler };
    this.#telemetry.add(sub);
    return {
      unsubscribe: async () => {
        this.#telemetry.delete(sub);
      },
    };
  }

  async status(): Promise<EngineStatus> {
    await this.#enter({ method: "status", stationId: "*", at: this.#time.now() });
    return {
      uptimeMs: this.#time.now() - this.#startedAt,
      version: "fake-1",
      stations: [...this.#stations.keys()].sort().map((id) => this.stationStatus(id)),
    };
  }

  #station(stationId: string): FakeStation {
    let station = this.#stations.get(stationId);
    if (station === undefined) {
      station = { state: "idle" };
      this.#stations.set(stationId, station);
    }
    return station;
  }

  #position(station: FakeStation): number | undefined {
    if (station.startedAt === undefined) return undefined;
    return (station.startMs ?? 0) + Math.max(0, this.#time.now() - station.startedAt);
  }

  async #enter(call: FakeEngineCall): Promise<void> {
    this.calls.push(call);
    const latency = this.#latencies.get(call.method);
    if (latency !== undefined) await new Promise<void>((resolve) => setTimeout(resolve, latency));
    await this.#check(call.method);
  }

  #check(method: FakeEngineMethod): Promise<void> {
    const how = this.#failures.get(method) ?? this.#failures.get("*");
    if (how === undefined) return Promise.resolve();
    if (how === "hang") return new Promise<void>(() => undefined);
    if (how === "unavailable") {
      return Promise.reject(
        new GrimnirError("ENGINE_UNAVAILABLE", `fake engine: ${method} is unavailable`, {
          details: { method },
        }),
      );
    }
    return Promise.reject(
      new GrimnirError("INTERNAL", `fake engine: ${method} failed`, { details: { method } }),
    );
  }
}
