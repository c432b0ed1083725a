import { describe, expect, it } from "vitest";
import { adapters, AdapterRegistry, ManualTimeSource, newId } from "../index.js";
import type { BusEvent } from "../contracts/bus.js";
import {
  describeBusConformance,
  describeCoordinatorConformance,
  describeStoreConformance,
  waitFor,
} from "../testing/index.js";
import {
  MemoryBus,
  MemoryBusHub,
  MemoryCoordinator,
  MemoryCoordinatorHub,
  MemoryStore,
  registerMemoryAdapters,
} from "./index.js";

describeStoreConformance("MemoryStore", { create: async () => new MemoryStore() });

const busHub = new MemoryBusHub();
const handlerErrors: unknown[] = [];
describeBusConformance("MemoryBus", {
  create: async () =>
    new MemoryBus({ hub: busHub, onHandlerError: (err) => handlerErrors.push(err) }),
});

const coordinatorHub = new MemoryCoordinatorHub();
describeCoordinatorConformance("MemoryCoordinator", {
  create: async () => new MemoryCoordinator({ hub: coordinatorHub }),
});

describe("MemoryStore specifics", () => {
  it("stamps createdAt and updatedAt from its time source", async () => {
    const time = new ManualTimeSource(1_000);
    const store = new MemoryStore({ timeSource: time });
    const p = await store.playlists.create({
      stationId: "s",
      name: "p",
      items: [],
      mode: "ordered",
    });
    expect([p.createdAt, p.updatedAt]).toEqual([1_000, 1_000]);
    time.advance(500);
    const u = await store.playlists.update(p);
    expect([u.createdAt, u.updatedAt]).toEqual([1_000, 1_500]);
  });

  it("rejects every call with STORE_UNAVAILABLE after close", async () => {
    const store = new MemoryStore();
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await expect(store.media.list("s")).rejects.toMatchObject({ code: "STORE_UNAVAILABLE" });
    await expect(store.transaction(async () => 1)).rejects.toMatchObject({
      code: "STORE_UNAVAILABLE",
    });
  });

  it("queues a transaction behind a running one", async () => {
    const store = new MemoryStore();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = store.transaction(async () => {
      order.push("first:start");
      await gate;
      order.push("first:end");
    });
    const second = store.transaction(async () => {
      order.push("second");
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(["first:start"]);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["first:start", "first:end", "second"]);
  });

  it("rejects use of a transaction's repositories after it finished", async () => {
    const store = new MemoryStore();
    const tx = await store.transaction(async (repos) => repos);
    await expect(tx.playlists.list("s")).rejects.toMatchObject({ code: "INTERNAL" });
  });
});

describe("MemoryBus specifics", () => {
  it("shares the default hub between clients created without one", async () => {
    const [a, b] = [new MemoryBus(), new MemoryBus()];
    const station = newId();
    const got: BusEvent[] = [];
    await b.subscribe("*", station, (e) => {
      got.push(e);
    });
    await a.publish("buffer_health", station, { depthMs: 1, underruns: 0, status: "ok" });
    await waitFor(() => got.length === 1);
    await Promise.all([a.close(), b.close()]);
  });

  it("reports handler errors through onHandlerError and rejects publish after close", async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus({
      hub: new MemoryBusHub(),
      onHandlerError: (err) => errors.push(err),
    });
    await bus.subscribe("buffer_health", "s", () => {
      throw new Error("bad handler");
    });
    await bus.publish("buffer_health", "s", { depthMs: 1, underruns: 0, status: "ok" });
    await waitFor(() => errors.length === 1);
    expect((errors[0] as Error).message).toBe("bad handler");
    await bus.close();
    expect(bus.health().connected).toBe(false);
    await expect(
      bus.publish("buffer_health", "s", { depthMs: 1, underruns: 0, status: "ok" }),
    ).rejects.toMatchObject({
      code: "BUS_UNAVAILABLE",
    });
  });

  it("reported the conformance suite's deliberate handler errors instead of throwing them", () => {
    expect(handlerErrors.length).toBeGreaterThan(0);
  });
});

describe("MemoryCoordinator specifics", () => {
  it("expires leases by its time source and keeps tokens increasing", async () => {
    const time = new ManualTimeSource(0);
    const hub = new MemoryCoordinatorHub();
    const c = new MemoryCoordinator({ hub, timeSource: time, watchPollMs: 5 });
    const a = await c.acquire("k", "a", 100);
    expect(a).toEqual({ key: "k", holder: "a", token: 1, expiresAt: 100 });
    time.advance(99);
    expect(await c.acquire("k", "b", 100)).toBeUndefined();
    const changes: unknown[] = [];
    await c.watch("k", (change) => changes.push(change));
    time.advance(1);
    await waitFor(() => changes.length === 1);
    expect(changes).toEqual([{ key: "k", lease: undefined }]);
    expect(await c.acquire("k", "b", 100)).toEqual({
      key: "k",
      holder: "b",
      token: 2,
      expiresAt: 200,
    });
    await c.close();
    await expect(c.current("k")).rejects.toMatchObject({ code: "INTERNAL" });
    expect(hub.keyCount).toBe(1);
  });
});

describe("registerMemoryAdapters", () => {
  it("makes memory: work for store, bus and coordinator in the process-wide registry", async () => {
    const store = await adapters.createStore("memory:");
    expect(store).toBeInstanceOf(MemoryStore);
    await store.ping();
    const bus = await adapters.createBus("memory:");
    expect(bus).toBeInstanceOf(MemoryBus);
    const coordinator = await adapters.createCoordinator("memory:");
    expect(coordinator).toBeInstanceOf(MemoryCoordinator);
    await Promise.all([store.close(), bus.close(), coordinator.close()]);
  });

  it("rejects an unknown scheme with UNKNOWN_ADAPTER listing the known ones", async () => {
    const err = await adapters.createStore("foo://x").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "UNKNOWN_ADAPTER" });
    expect((err as Error).message).toContain("memory:");
    expect((err as { details: { known: string[] } }).details.known).toContain("memory");
  });

  it("registers into any registry", async () => {
    const registry = new AdapterRegistry();
    registerMemoryAdapters(registry);
    expect(registry.schemes("store")).toEqual(["memory"]);
    expect(registry.schemes("bus")).toEqual(["memory"]);
    expect(registry.schemes("coordinator")).toEqual(["memory"]);
  });
});
