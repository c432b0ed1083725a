import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { EXECUTOR_STATES } from "@grimnir/core";
import type { ExecutorStateName } from "@grimnir/core";

/** The brief's API metrics on their own registry (so several APIs can live in one process). */
export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<"method" | "route" | "status">;
  requestsTotal: Counter<"method" | "route" | "status">;
  activeConnections: Gauge;
  websocketConnections: Gauge;
}

/** Names of the brief's `grimnir_api_*` metrics, registered by {@link createApiMetrics}. */
export const API_METRIC_NAMES = [
  "grimnir_api_request_duration_seconds",
  "grimnir_api_requests_total",
  "grimnir_api_active_connections",
  "grimnir_api_websocket_connections",
] as const;

/**
 * Names of the brief's server metrics (scheduler, executor, playout, engine,
 * database, leader election, live, webstreams), registered by {@link createServerMetrics}.
 */
export const SERVER_METRIC_NAMES = [
  "grimnir_scheduler_ticks_total",
  "grimnir_scheduler_errors_total",
  "grimnir_executor_state",
  "grimnir_playout_dropout_count_total",
  "grimnir_media_engine_connection_status",
  "grimnir_database_connections_active",
  "grimnir_leader_election_status",
  "grimnir_live_sessions_active",
  "grimnir_webstream_health_status",
] as const;

/** Create the registry with `grimnir_api_*` metrics and, optionally, Node's default process metrics. */
export function createApiMetrics(
  options: { defaultMetrics?: boolean; registry?: Registry } = {},
): ApiMetrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestDuration: new Histogram({
      name: "grimnir_api_request_duration_seconds",
      help: "HTTP request latency, seconds",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    requestsTotal: new Counter({
      name: "grimnir_api_requests_total",
      help: "HTTP requests answered",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    activeConnections: new Gauge({
      name: "grimnir_api_active_connections",
      help: "Open TCP connections to the API",
      registers: [registry],
    }),
    websocketConnections: new Gauge({
      name: "grimnir_api_websocket_connections",
      help: "Open WebSocket event streams",
      registers: [registry],
    }),
  };
}

/** Values of `grimnir_webstream_health_status`. */
export type WebstreamHealth = "healthy" | "degraded" | "unhealthy";

const WEBSTREAM_HEALTH_VALUE: Record<WebstreamHealth, number> = {
  healthy: 2,
  degraded: 1,
  unhealthy: 0,
};

/**
 * The brief's server metrics, updated by the server as things happen. The raw
 * prom-client objects are exposed for anything the helpers do not cover.
 */
export interface ServerMetrics {
  registry: Registry;
  /** `grimnir_scheduler_ticks_total`: planner runs. */
  schedulerTicks: Counter;
  /** `grimnir_scheduler_errors_total`: failed station plans. */
  schedulerErrors: Counter;
  /** `grimnir_executor_state{station}`: index of the state in `EXECUTOR_STATES` (0 idle … 5 emergency). */
  executorState: Gauge<"station">;
  /** `grimnir_playout_dropout_count_total{station}`: engine buffer underruns. */
  dropouts: Counter<"station">;
  /** `grimnir_media_engine_connection_status`: 1 connected, 0 not. */
  engineConnection: Gauge;
  /** `grimnir_database_connections_active`: open store connections. */
  databaseConnections: Gauge;
  /** `grimnir_leader_election_status`: 1 leader, 0 follower. */
  leaderElection: Gauge;
  /** `grimnir_live_sessions_active`: connected DJ sessions. */
  liveSessions: Gauge;
  /** `grimnir_webstream_health_status{webstream}`: 2 healthy, 1 degraded, 0 unhealthy. */
  webstreamHealth: Gauge<"webstream">;
  /** Set a station's executor state gauge. */
  setExecutorState(stationId: string, state: ExecutorStateName): void;
  /** Drop a station's executor state series (the station is no longer driven here). */
  clearExecutorState(stationId: string): void;
  /**
   * Feed a station's cumulative underrun count from engine telemetry; the
   * dropout counter grows by the increase. A smaller count than last time
   * (engine restarted) counts from zero again.
   */
  recordUnderruns(stationId: string, cumulative: number): void;
  /** Mark a DJ session connected. Idempotent per session id. */
  liveSessionStarted(sessionId: string): void;
  /** Mark a DJ session disconnected. Idempotent per session id. */
  liveSessionEnded(sessionId: string): void;
  /** Set a webstream's health. */
  setWebstreamHealth(webstreamId: string, health: WebstreamHealth): void;
}

/**
 * Register the brief's server metrics on `options.registry` (a new registry
 * when absent) and return them with their update helpers. Gauges start at 0
 * (engine disconnected, follower, no sessions, no connections).
 */
export function createServerMetrics(options: { registry?: Registry } = {}): ServerMetrics {
  const registry = options.registry ?? new Registry();
  const registers = [registry];
  const executorState = new Gauge({
    name: "grimnir_executor_state",
    help: `Executor state per station: ${EXECUTOR_STATES.map((s, i) => `${i}=${s}`).join(", ")}`,
    labelNames: ["station"],
    registers,
  });
  const dropouts = new Counter({
    name: "grimnir_playout_dropout_count_total",
    help: "Audio dropouts (engine buffer underruns) per station",
    labelNames: ["station"],
    registers,
  });
  const liveSessions = new Gauge({
    name: "grimnir_live_sessions_active",
    help: "Connected live DJ sessions",
    registers,
  });
  const webstreamHealth = new Gauge({
    name: "grimnir_webstream_health_status",
    help: "Webstream health: 2=healthy, 1=degraded, 0=unhealthy",
    labelNames: ["webstream"],
    registers,
  });
  const lastUnderruns = new Map<string, number>();
  const sessions = new Set<string>();
  return {
    registry,
    schedulerTicks: new Counter({
      name: "grimnir_scheduler_ticks_total",
      help: "Planner runs (every station re-planned once per tick)",
      registers,
    }),
    schedulerErrors: new Counter({
      name: "grimnir_scheduler_errors_total",
      help: "Station plans that failed",
      registers,
    }),
    executorState,
    dropouts,
    engineConnection: new Gauge({
      name: "grimnir_media_engine_connection_status",
      help: "Media engine connection: 1=connected, 0=disconnected",
      registers,
    }),
    databaseConnections: new Gauge({
      name: "grimnir_database_connections_active",
      help: "Open database connections",
      registers,
    }),
    leaderElection: new Gauge({
      name: "grimnir_leader_election_status",
      help: "Planner leadership of this instance: 1=leader, 0=follower",
      registers,
    }),
    liveSessions,
    webstreamHealth,
    setExecutorState(stationId, state) {
      const value = EXECUTOR_STATES.indexOf(state);
      if (value >= 0) executorState.set({ station: stationId }, value);
    },
    clearExecutorState(stationId) {
      executorState.remove({ station: stationId });
      lastUnderruns.delete(stationId);
    },
    recordUnderruns(stationId, cumulative) {
      if (!Number.isFinite(cumulative) || cumulative < 0) return;
      const last = lastUnderruns.get(stationId);
      lastUnderruns.set(stationId, cumulative);
      const increase = last === undefined ? 0 : cumulative >= last ? cumulative - last : cumulative;
      // Touch the series so it exists (at 0) from the first sample on.
      dropouts.inc({ station: stationId }, increase);
    },
    liveSessionStarted(sessionId) {
      sessions.add(sessionId);
      liveSessions.set(sessions.size);
    },
    liveSessionEnded(sessionId) {
      sessions.delete(sessionId);
      liveSessions.set(sessions.size);
    },
    setWebstreamHealth(webstreamId, health) {
      webstreamHealth.set({ webstream: webstreamId }, WEBSTREAM_HEALTH_VALUE[health]);
    },
  };
}

/** Every `grimnir_*` metric of the brief on one registry. */
export interface GrimnirMetrics {
  registry: Registry;
  api: ApiMetrics;
  server: ServerMetrics;
}

/** Register all the brief's metrics (API and server) on one new registry. */
export function createGrimnirMetrics(options: { defaultMetrics?: boolean } = {}): GrimnirMetrics {
  const registry = new Registry();
  const api = createApiMetrics({ ...options, registry });
  const server = createServerMetrics({ registry });
  return { registry, api, server };
}
