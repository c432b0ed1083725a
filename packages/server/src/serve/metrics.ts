import type { EventBus, ExecutorStateName, Subscription } from "@grimnir/core";
import type { SupervisorEvent } from "@grimnir/engine";
import type { ServerMetrics } from "@grimnir/http";
import type { FastifyInstance } from "fastify";

/** What {@link watchServerMetrics} needs to know about the stations driven here. */
export interface DrivenStations {
  /** Current state of a station's executor when this instance drives it, else undefined. */
  stateOf(stationId: string): ExecutorStateName | undefined;
}

/** Map a supervisor event to the engine connection status: 1 connected, 0 not. */
export function engineConnectionValue(event: SupervisorEvent): 0 | 1 {
  return event.type === "started" || event.type === "restarted" ? 1 : 0;
}

/**
 * Keep `metrics` in step with the bus: executor state changes (of stations
 * driven here), engine telemetry underruns (as dropouts), DJ sessions and
 * webstream failover/recovery. Resolves once subscribed; the returned function
 * unsubscribes.
 */
export async function watchServerMetrics(
  metrics: ServerMetrics,
  bus: EventBus,
  driven: DrivenStations,
): Promise<() => Promise<void>> {
  const subscriptions: Subscription[] = [];
  const stop = async (): Promise<void> => {
    for (const subscription of subscriptions.splice(0)) await subscription.unsubscribe();
  };
  try {
    subscriptions.push(
      // The event says a state changed; the gauge takes the executor's state now (events may lag).
      await bus.subscribe("executor.state", "*", (event) => {
        const state = driven.stateOf(event.stationId);
        if (state !== undefined) metrics.setExecutorState(event.stationId, state);
      }),
      await bus.subscribe("metrics", "*", (event) => {
        if (driven.stateOf(event.stationId) !== undefined)
          metrics.recordUnderruns(event.stationId, event.payload.underruns);
      }),
      await bus.subscribe("dj.connect", "*", (event) => {
        metrics.liveSessionStarted(event.payload.sessionId);
      }),
      await bus.subscribe("dj.disconnect", "*", (event) => {
        metrics.liveSessionEnded(event.payload.sessionId);
      }),
      await bus.subscribe("webstream.failover", "*", (event) => {
        metrics.setWebstreamHealth(event.payload.webstreamId, "degraded");
      }),
      await bus.subscribe("webstream.recovered", "*", (event) => {
        metrics.setWebstreamHealth(event.payload.webstreamId, "healthy");
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}

/**
 * Serve the server metrics on the API's `/metrics` too: the API answers with
 * its own registry (`grimnir_api_*`, process metrics) and this appends the
 * text of `metrics.registry` (distinct metric names, so the result is one
 * valid exposition). `beforeScrape`, when given, runs first on every scrape
 * (e.g. to read gauges that are sampled, like the store's open connections).
 * Call before the API listens.
 */
export function exposeServerMetrics(
  api: FastifyInstance,
  metrics: ServerMetrics,
  beforeScrape?: () => void,
): void {
  api.addHook("onSend", async (request, reply, payload) => {
    if (request.routeOptions.url !== "/metrics" || reply.statusCode !== 200) return payload;
    if (typeof payload !== "string") return payload;
    beforeScrape?.();
    const own = await metrics.registry.metrics();
    return payload.endsWith("\n") || payload === "" ? payload + own : `${payload}\n${own}`;
  });
}

/**
 * Open database connections of `store` for `grimnir_database_connections_active`:
 * the pool's `total` when the store reports `stats()` (PostgresStore, an
 * addition outside core's `Store` contract), else 1 for an open store
 * (SQLite holds one connection; other stores do not say).
 */
export function databaseConnectionCount(store: object): number {
  const stats = (store as { stats?: unknown }).stats;
  if (typeof stats !== "function") return 1;
  const total = (stats.call(store) as { total?: unknown }).total;
  return typeof total === "number" ? total : 1;
}
