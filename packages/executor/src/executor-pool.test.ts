import { describe, expect, it, vi } from "vitest";
import { ManualTimeSource, MemoryCoordinator, MemoryCoordinatorHub } from "@grimnir/core";
import type { Lease } from "@grimnir/core";
import { ExecutorPool, stationLeaseKey } from "./executor-pool.js";
import type { PooledExecutor } from "./executor-pool.js";
import { recordingLogger } from "./executor.test-helpers.js";

class CountingExecutor implements PooledExecutor {
  running = false;
  constructor(
    readonly stationId: string,
    readonly lease: Lease,
    readonly live: Map<string, Set<string>>,
    readonly instanceId: string,
  ) {}
  async start(): Promise<void> {
    this.running = true;
    const drivers = this.live.get(this.stationId) ?? new Set<string>();
    drivers.add(this.instanceId);
    this.live.set(this.stationId, drivers);
  }
  async stop(): Promise<void> {
    this.running = false;
    this.live.get(this.stationId)?.delete(this.instanceId);
  }
}

/** A hand-made executor for one test. */
interface TestExecutor extends PooledExecutor {
  running: boolean;
}

const stations = Array.from({ length: 60 }, (_, i) => `st-${i}`);

function cluster(ids: string[], time: ManualTimeSource) {
  const hub = new MemoryCoordinatorHub();
  const live = new Map<string, Set<string>>();
  const pools = ids.map(
    (id) =>
      new ExecutorPool<CountingExecutor>({
        instanceId: id,
        coordinator: new MemoryCoordinator({ hub, timeSource: time }),
        createExecutor: (stationId, lease) => new CountingExecutor(stationId, lease, live, id),
        leaseTtlMs: 3000,
        timeSource: time,
        logger: recordingLogger(),
      }),
  );
  for (const pool of pools) {
    pool.setStations(stations);
    pool.setMembers(ids);
  }
  return { hub, live, pools };
}

function maxDrivers(live: Map<string, Set<string>>): number {
  return Math.max(0, ...[...live.values()].map((s) => s.size));
}

describe("ExecutorPool", () => {
  it("drives every station on exactly one instance", async () => {
    const time = new ManualTimeSource(1_000_000);
    const { live, pools } = cluster(["a", "b", "c"], time);
    for (const pool of pools) await pool.reconcile();
    expect(maxDrivers(live)).toBe(1);
    const owned = pools.flatMap((p) => p.ownedStations).sort();
    expect(owned).toEqual([...stations].sort());
    for (const pool of pools) expect(pool.ownedStations.length).toBeGreaterThan(5);
  });

  it("never lets two instances drive a station even when their ring views disagree", async () => {
    const time = new ManualTimeSource(1_000_000);
    const { live, pools } = cluster(["a", "b"], time);
    // "a" thinks it is alone and claims everything first; "b" sees both.
    pools[0]!.setMembers(["a"]);
    await pools[0]!.reconcile();
    await pools[1]!.reconcile();
    expect(maxDrivers(live)).toBe(1);
    expect(pools[1]!.ownedStations).toEqual([]);
    // Once "a" learns of "b" it gives up b's share and b takes it on its next round.
    pools[0]!.setMembers(["a", "b"]);
    await pools[0]!.reconcile();
    await pools[1]!.reconcile();
    expect(maxDrivers(live)).toBe(1);
    expect(pools[1]!.ownedStations).toEqual(pools[1]!.assignedStations());
    expect(pools[1]!.ownedStations.length).toBeGreaterThan(0);
  });

  it("stops an executor whose lease lapsed and lets another instance take over with a higher token", async () => {
    const time = new ManualTimeSource(1_000_000);
    const { hub, live, pools } = cluster(["a", "b"], time);
    const [a, b] = pools as [ExecutorPool<CountingExecutor>, ExecutorPool<CountingExecutor>];
    a.setMembers(["a"]);
    await a.reconcile();
    const station = a.ownedStations[0]!;
    const oldToken = a.executor(station)!.lease.token;
    // "a" stalls past its lease; "b" now sees itself alone and takes everything.
    time.advance(3001);
    b.setMembers(["b"]);
    await b.reconcile();
    expect(b.ownedStations).toContain(station);
    expect(b.executor(station)!.lease.token).toBeGreaterThan(oldToken);
    await a.reconcile();
    expect(a.ownedStations).not.toContain(station);
    expect(maxDrivers(live)).toBe(1);
    const current = await new MemoryCoordinator({ hub, timeSource: time }).current(
      stationLeaseKey(station),
    );
    expect(current?.holder).toBe("b");
  });

  it("moves about a third of the stations when a third instance joins, and back when it leaves", async () => {
    const time = new ManualTimeSource(1_000_000);
    const { live, pools } = cluster(["a", "b", "c"], time);
    const [a, b, c] = pools as [
      ExecutorPool<CountingExecutor>,
      ExecutorPool<CountingExecutor>,
      ExecutorPool<CountingExecutor>,
    ];
    for (const pool of [a, b]) pool.setMembers(["a", "b"]);
    await a.reconcile();
    await b.reconcile();
    const before = new Map(stations.map((s) => [s, a.ownedStations.includes(s) ? "a" : "b"]));
    for (const pool of pools) pool.setMembers(["a", "b", "c"]);
    await a.reconcile();
    await b.reconcile();
    await c.reconcile();
    const moved = stations.filter(
      (s) => !(before.get(s) === "a" ? a : b).ownedStations.includes(s),
    );
    expect(moved.sort()).toEqual(c.ownedStations);
    expect(moved.length / stations.length).toBeGreaterThan(0.15);
    expect(moved.length / stations.length).toBeLessThan(0.5);
    expect(maxDrivers(live)).toBe(1);
    await c.shutdown();
    for (const pool of [a, b]) pool.setMembers(["a", "b"]);
    await a.reconcile();
    await b.reconcile();
    expect([...a.ownedStations, ...b.ownedStations].sort()).toEqual([...stations].sort());
    expect(maxDrivers(live)).toBe(1);
  });

  it("runs its own renewal loop and releases everything on shutdown", async () => {
    const time = new ManualTimeSource(1_000_000);
    const { hub, live, pools } = cluster(["a"], time);
    const pool = pools[0]!;
    pool.run();
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((r) => setImmediate(r));
    }
    expect(pool.ownedStations).toHaveLength(stations.length);
    time.advance(5000);
    for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
    expect(pool.ownedStations).toHaveLength(stations.length);
    await pool.shutdown();
    expect(pool.ownedStations).toEqual([]);
    expect(maxDrivers(live)).toBe(0);
    expect(hub.keyCount).toBe(0);
  });

  it("keeps renewing its leases while an executor's start hangs, and stops it once started", async () => {
    const time = new ManualTimeSource(1_000_000);
    const hub = new MemoryCoordinatorHub();
    let finishStart: (() => void) | undefined;
    let stopped = 0;
    const pool = new ExecutorPool<TestExecutor>({
      instanceId: "a",
      coordinator: new MemoryCoordinator({ hub, timeSource: time }),
      createExecutor: (stationId) => ({
        running: false,
        async start() {
          if (stationId === "st-slow") await new Promise<void>((r) => (finishStart = r));
          this.running = true;
        },
        async stop() {
          stopped++;
          this.running = false;
        },
      }),
      leaseTtlMs: 3000,
      timeSource: time,
      logger: recordingLogger(),
    });
    pool.setStations(["st-fast", "st-slow"]);
    pool.run();
    await vi.waitFor(() => expect(finishStart).toBeDefined());
    const flush = async () => {
      for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
    };
    // Three lease TTLs pass while the slow start hangs: both leases stay renewed.
    for (let t = 0; t < 9; t++) {
      time.advance(1000);
      await flush();
    }
    const probe = new MemoryCoordinator({ hub, timeSource: time });
    expect(await probe.acquire(stationLeaseKey("st-fast"), "b", 3000)).toBeUndefined();
    expect(await probe.acquire(stationLeaseKey("st-slow"), "b", 3000)).toBeUndefined();
    const shutdown = pool.shutdown();
    await flush();
    expect(stopped).toBe(1); // the fast one; the slow one is stopped once its start returns
    finishStart!();
    await shutdown;
    expect(stopped).toBe(2);
    expect(hub.keyCount).toBe(0);
  });

  it("starts the executors it takes in one round together, and gives up only the one that fails", async () => {
    const time = new ManualTimeSource(1_000_000);
    const hub = new MemoryCoordinatorHub();
    let inStart = 0;
    let maxInStart = 0;
    const releaseStarts: (() => void)[] = [];
    const pool = new ExecutorPool<TestExecutor & { stationId: string }>({
      instanceId: "a",
      coordinator: new MemoryCoordinator({ hub, timeSource: time }),
      createExecutor: (stationId) => ({
        stationId,
        running: false,
        async start() {
          inStart++;
          maxInStart = Math.max(maxInStart, inStart);
          await new Promise<void>((resolve) => releaseStarts.push(resolve));
          inStart--;
          if (stationId === "st-2") throw new Error("engine refused the graph");
          this.running = true;
        },
        async stop() {
          this.running = false;
        },
      }),
      leaseTtlMs: 3000,
      timeSource: time,
      logger: recordingLogger(),
    });
    pool.setStations(["st-1", "st-2", "st-3"]);
    const round = pool.reconcile();
    await vi.waitFor(() => expect(releaseStarts).toHaveLength(3));
    expect(maxInStart).toBe(3);
    for (const release of releaseStarts) release();
    await round;
    expect(pool.ownedStations).toEqual(["st-1", "st-3"]);
    const probe = new MemoryCoordinator({ hub, timeSource: time });
    const freed = await probe.acquire(stationLeaseKey("st-2"), "b", 3000);
    expect(freed).toBeDefined();
  });
});
