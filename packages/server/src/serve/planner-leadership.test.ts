import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  MemoryBus,
  MemoryBusHub,
  MemoryCoordinator,
  MemoryCoordinatorHub,
  MemoryStore,
  SystemTimeSource,
  parseStationConfig,
} from "@grimnir/core";
import type { Store } from "@grimnir/core";
import { createServerMetrics } from "@grimnir/http";
import type { ServerMetrics } from "@grimnir/http";
import { createServerLogger } from "./logger.js";
import { EMBEDDED_STATION_YAML } from "./options.js";
import { PLANNER_LEADER_KEY, startPlannerLeadership } from "./planner-leadership.js";
import { ShutdownSequence } from "./shutdown.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function count(metric: ServerMetrics["schedulerTicks"]): Promise<number> {
  return (await metric.get()).values[0]?.value ?? 0;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function tempDir(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), "grimnir-planner-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  return dataDir;
}

async function instance(
  id: string,
  store: Store,
  hub: MemoryCoordinatorHub,
  shared: { dataDir?: string; busHub?: MemoryBusHub } = {},
) {
  const dataDir = shared.dataDir ?? (await tempDir());
  const bus = new MemoryBus({ hub: shared.busHub ?? new MemoryBusHub() });
  const coordinator = new MemoryCoordinator({ hub });
  cleanups.push(
    () => bus.close(),
    () => coordinator.close(),
  );
  const shutdown = new ShutdownSequence(createServerLogger("silent"));
  cleanups.push(() => shutdown.run());
  const config = parseStationConfig(EMBEDDED_STATION_YAML, "<test>").config;
  const metrics = createServerMetrics();
  const leadership = await startPlannerLeadership({
    options: {
      instanceId: id,
      dataDir,
      mediaDir: dataDir,
      plannerHours: 48,
      plannerIntervalMs: 60_000,
      leaseTtlMs: 1000,
    },
    store,
    bus,
    coordinator,
    time: new SystemTimeSource(),
    config,
    configs: new Map([[config.station.id, config]]),
    metrics,
    log: createServerLogger("silent"),
    shutdown,
  });
  return { ...leadership, metrics, shutdown, coordinator };
}

describe("startPlannerLeadership", () => {
  it("lets exactly one instance plan active stations, counting a failed station as an error", async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    await store.stations.create({ id: "ok", name: "OK", timezone: "UTC", active: true });
    await store.stations.create({ id: "broken", name: "Broken", timezone: "UTC", active: true });
    await store.stations.create({ id: "off", name: "Off", timezone: "UTC", active: false });
    const dataDir = await tempDir();
    // Unreadable planner settings: planning this station fails, the others go on.
    await mkdir(join(dataDir, "planner"));
    await writeFile(join(dataDir, "planner", "broken.json"), "{");
    const busHub = new MemoryBusHub();
    const watcher = new MemoryBus({ hub: busHub });
    cleanups.push(() => watcher.close());
    const planned: string[] = [];
    await watcher.subscribe("schedule.updated", "*", (event) => {
      planned.push(event.stationId);
    });
    const hub = new MemoryCoordinatorHub();

    const leader = await instance("a", store, hub, { dataDir, busHub });
    expect(leader.elector.isLeader).toBe(true);
    expect(leader.elector.lease?.key).toBe(PLANNER_LEADER_KEY);
    await until(() => planned.length > 0);
    expect(planned).toEqual(["ok"]);
    expect(await count(leader.metrics.schedulerTicks)).toBe(1);
    expect(await count(leader.metrics.schedulerErrors)).toBe(1);
    expect(await count(leader.metrics.leaderElection)).toBe(1);

    const follower = await instance("b", store, hub, { dataDir, busHub });
    expect(follower.elector.isLeader).toBe(false);
    expect(planned).toEqual(["ok"]);
    expect(await count(follower.metrics.schedulerTicks)).toBe(0);
    expect(await count(follower.metrics.leaderElection)).toBe(0);
  });

  it("steps down on shutdown so another instance can lead", async () => {
    const store = new MemoryStore();
    cleanups.push(() => store.close());
    const hub = new MemoryCoordinatorHub();
    const leader = await instance("a", store, hub);
    expect(leader.elector.isLeader).toBe(true);
    await leader.shutdown.run();
    expect(leader.elector.isLeader).toBe(false);
    expect(await count(leader.metrics.leaderElection)).toBe(0);
    const next = await instance("b", store, hub);
    expect(next.elector.isLeader).toBe(true);
  });
});
