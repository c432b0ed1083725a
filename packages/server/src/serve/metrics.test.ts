import { afterEach, describe, expect, it } from "vitest";
import { MemoryBus, MemoryBusHub, MemoryStore } from "@grimnir/core";
import type { ExecutorStateName } from "@grimnir/core";
import { SERVER_METRIC_NAMES, createApi, createServerMetrics } from "@grimnir/http";
import { engineConnectionValue, exposeServerMetrics, watchServerMetrics } from "./metrics.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** Let the memory bus deliver what was published. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The value of one sample line (`name{labels} value`) in exposition text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("server metrics", () => {
  it("reports planner, executor, engine, dropout, live, webstream, leader and database updates", async () => {
    const metrics = createServerMetrics();
    const bus = new MemoryBus({ hub: new MemoryBusHub() });
    cleanups.push(() => bus.close());
    const driven = new Map<string, ExecutorStateName>([["s1", "idle"]]);
    const unwatch = await watchServerMetrics(metrics, bus, {
      stateOf: (id) => driven.get(id),
    });
    cleanups.push(unwatch);

    metrics.schedulerTicks.inc();
    metrics.schedulerTicks.inc();
    metrics.schedulerErrors.inc();
    metrics.setExecutorState("s1", "idle");
    expect(await metrics.registry.metrics()).toContain('grimnir_executor_state{station="s1"} 0');
    driven.set("s1", "emergency");
    await bus.publish("executor.state", "s1", { from: "idle", to: "emergency" });
    // A station driven elsewhere is not reported here.
    await bus.publish("executor.state", "s2", { from: "idle", to: "playing" });
    const telemetry = {
      levelLeftDb: -10,
      levelRightDb: -10,
      loudnessLufs: -16,
      bufferDepthMs: 500,
    };
    await bus.publish("metrics", "s1", { ...telemetry, underruns: 2 });
    await bus.publish("metrics", "s1", { ...telemetry, underruns: 5 });
    // Engine restarted: its count starts again from zero.
    await bus.publish("metrics", "s1", { ...telemetry, underruns: 1 });
    await bus.publish("dj.connect", "s1", {
      sessionId: "a",
      userId: "u",
      mountId: "m",
      priority: 1,
    });
    await bus.publish("dj.connect", "s1", {
      sessionId: "b",
      userId: "u",
      mountId: "m",
      priority: 1,
    });
    await bus.publish("dj.disconnect", "s1", { sessionId: "a", userId: "u", reason: "bye" });
    await bus.publish("webstream.failover", "s1", {
      webstreamId: "w1",
      fromUrl: "http://a",
      toUrl: "http://b",
      reason: "timeout",
    });
    await bus.publish("webstream.recovered", "s1", { webstreamId: "w2", url: "http://c" });
    metrics.setWebstreamHealth("w3", "unhealthy");
    metrics.engineConnection.set(engineConnectionValue({ type: "started", pid: 1, at: 0 }));
    metrics.leaderElection.set(1);
    metrics.databaseConnections.set(1);
    await settle();

    const text = await metrics.registry.metrics();
    for (const name of SERVER_METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(sample(text, "grimnir_scheduler_ticks_total")).toBe(2);
    expect(sample(text, "grimnir_scheduler_errors_total")).toBe(1);
    expect(sample(text, 'grimnir_executor_state{station="s1"}')).toBe(5);
    expect(sample(text, 'grimnir_executor_state{station="s2"}')).toBeUndefined();
    expect(sample(text, 'grimnir_playout_dropout_count_total{station="s1"}')).toBe(4);
    expect(sample(text, "grimnir_media_engine_connection_status")).toBe(1);
    expect(sample(text, "grimnir_database_connections_active")).toBe(1);
    expect(sample(text, "grimnir_leader_election_status")).toBe(1);
    expect(sample(text, "grimnir_live_sessions_active")).toBe(1);
    expect(sample(text, 'grimnir_webstream_health_status{webstream="w1"}')).toBe(1);
    expect(sample(text, 'grimnir_webstream_health_status{webstream="w2"}')).toBe(2);
    expect(sample(text, 'grimnir_webstream_health_status{webstream="w3"}')).toBe(0);

    metrics.engineConnection.set(
      engineConnectionValue({ type: "unhealthy", reason: "no status", at: 1 }),
    );
    metrics.clearExecutorState("s1");
    await unwatch();
    await bus.publish("executor.state", "s1", { from: "emergency", to: "playing" });
    await settle();
    const after = await metrics.registry.metrics();
    expect(sample(after, "grimnir_media_engine_connection_status")).toBe(0);
    expect(sample(after, 'grimnir_executor_state{station="s1"}')).toBeUndefined();
  });

  it("maps every executor state to its EXECUTOR_STATES index", async () => {
    const metrics = createServerMetrics();
    const states: ExecutorStateName[] = [
      "idle",
      "preloading",
      "playing",
      "fading",
      "live",
      "emergency",
    ];
    states.forEach((state, i) => metrics.setExecutorState(`s${i}`, state));
    const text = await metrics.registry.metrics();
    states.forEach((_, i) =>
      expect(sample(text, `grimnir_executor_state{station="s${i}"}`)).toBe(i),
    );
  });

  it("are served on the API's /metrics next to grimnir_api_*", async () => {
    const metrics = createServerMetrics();
    metrics.schedulerTicks.inc(3);
    metrics.setExecutorState("demo", "playing");
    const bus = new MemoryBus({ hub: new MemoryBusHub() });
    const api = createApi({
      store: new MemoryStore(),
      bus,
      auth: { jwtSecret: "x".repeat(32) },
      defaultMetrics: false,
    });
    cleanups.push(() => bus.close());
    cleanups.push(() => api.close());
    exposeServerMetrics(api, metrics);
    await api.inject({ method: "GET", url: "/healthz" });
    const response = await api.inject({ method: "GET", url: "/metrics" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("# TYPE grimnir_api_requests_total counter");
    expect(sample(response.body, "grimnir_scheduler_ticks_total")).toBe(3);
    expect(sample(response.body, 'grimnir_executor_state{station="demo"}')).toBe(2);
    // Other routes are untouched.
    const health = await api.inject({ method: "GET", url: "/healthz" });
    expect(health.body).not.toContain("grimnir_");
  });
});
