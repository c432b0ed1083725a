import { describe, expect, it } from "vitest";
import { Priority } from "@grimnir/core";
import { STATION, T0, entry, harness, settle } from "./executor.test-helpers.js";

describe("StationExecutor failover", () => {
  it("puts fallback audio on air within 1 s of the silence window elapsing and returns at the next item", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)], {
      silenceWindowMs: 5000,
    });
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    let detectedAt: number | undefined;
    for (let i = 0; i <= 6 && detectedAt === undefined; i++) {
      h.engine.emitSilence(STATION);
      await settle();
      if (h.executor.failoverCauses.has("silence")) detectedAt = h.time.now();
      else await h.step(1000);
    }
    expect(detectedAt! - (T0 + 10_000)).toBeGreaterThanOrEqual(5000);
    const fallback = h.engine.callsOf("play").find((c) => c.request.itemId === "fallback:0");
    expect(fallback).toBeDefined();
    expect(fallback!.at - detectedAt!).toBeLessThanOrEqual(1000);
    expect(h.executor.onAir?.priority).toBe(Priority.Fallback);
    expect(h.eventsOf("source_failure").at(-1)?.payload).toMatchObject({
      source: "a",
      action: "fallback",
    });
    await h.step(60_000 - (h.time.now() - T0) + 250);
    expect(h.executor.onAir?.priority).toBe(Priority.Automation);
    expect(h.executor.currentEntryId).toBe("b");
    expect(h.executorEvents.map((e) => e.type)).toEqual(["failover", "recovered"]);
  });

  it("ignores short silences and silence while not on automation", async () => {
    const h = await harness([entry("a", 0, 60_000)], { silenceWindowMs: 5000 });
    await h.executor.start({ runLoop: false });
    for (let i = 0; i < 20; i++) {
      h.engine.emitSilence(STATION);
      await h.step(1000);
      if (i % 4 === 3) h.engine.emitTelemetry(STATION);
    }
    expect(h.executor.failoverCauses.size).toBe(0);
    expect(h.eventsOf("metrics").length).toBeGreaterThanOrEqual(20);
    expect(h.eventsOf("buffer_health").at(-1)?.payload.status).toBe("ok");
  });

  it("fails over on a source_failure another component publishes for the item on air", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(5000);
    await h.bus.publish("source_failure", STATION, {
      source: "a",
      reason: "decoder error",
      action: "retrying",
    });
    await settle(10);
    await h.step(250);
    expect(h.executor.onAir?.priority).toBe(Priority.Fallback);
    expect(h.executor.failoverCauses.get("source_failure")).toBe("a");
  });

  it("skips an item the engine refuses and plays fallback until the next one", async () => {
    const h = await harness([
      entry("a", 0, 30_000),
      entry("b", 30_000, 30_000),
      entry("c", 60_000, 60_000, "hard"),
    ]);
    h.engine.fail("preload", "error");
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    h.engine.heal();
    await h.step(30_000);
    expect(
      h
        .eventsOf("source_failure")
        .some((e) => e.payload.source === "b" && e.payload.action === "skipped"),
    ).toBe(true);
    expect(h.executor.onAir?.priority).toBe(Priority.Fallback);
    await h.step(30_000);
    expect(h.executor.currentEntryId).toBe("c");
    expect(h.engine.callsOf("play").find((c) => c.request.itemId === "c")?.request.atMs).toBe(
      T0 + 60_000,
    );
  });

  it("goes to fallback when the engine stops answering status and back to the schedule at position when it answers", async () => {
    const h = await harness([entry("a", 0, 600_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    h.engine.fail("status", "hang");
    await h.step(500);
    expect(h.executor.failoverCauses.has("engine")).toBe(true);
    const failedAt = h.time.now();
    await h.step(500);
    const fallback = h.engine.callsOf("play").find((c) => c.request.itemId === "fallback:0");
    expect(fallback!.at - failedAt).toBeLessThanOrEqual(1000);
    h.engine.heal();
    await h.step(1000);
    expect(h.executor.onAir?.priority).toBe(Priority.Automation);
    const resumed = h.engine.callsOf("play").at(-1)!;
    expect(resumed.request.itemId).toBe("a");
    expect(resumed.request.startMs! - 1000).toBe(resumed.at - T0);
  });

  it("without fallback audio, keeps the item on air (no stop) while the engine answers status late", async () => {
    const h = await harness([entry("a", 0, 600_000)], { fallback: [] });
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    h.engine.fail("status", "hang");
    await h.step(2000);
    expect(h.executor.failoverCauses.has("engine")).toBe(true);
    expect(h.engine.callsOf("stop")).toHaveLength(0);
    expect(h.executor.currentEntryId).toBe("a");
    h.engine.heal();
    await h.step(1000);
    expect(h.executor.failoverCauses.has("engine")).toBe(false);
    expect(h.engine.callsOf("stop")).toHaveLength(0);
    expect(h.engine.callsOf("play").map((c) => c.request.itemId)).toEqual(["a"]);
    expect(h.executor.state).toBe("playing");
  });

  it("keeps trying while the engine is down and counts the failures", async () => {
    const h = await harness([entry("a", 0, 600_000)]);
    await h.executor.start({ runLoop: false });
    h.engine.fail("*", "unavailable");
    await h.step(3000);
    expect(h.executor.stats.engineFailures).toBeGreaterThan(3);
    h.engine.heal();
    await h.step(1000);
    expect(h.executor.onAir?.id).toBe("automation");
    expect(h.engine.stationStatus(STATION).currentItemId).toBe("a");
  });

  it("re-inserts an emergency the engine could not take once it answers again", async () => {
    const h = await harness([entry("a", 0, 600_000)]);
    await h.executor.start({ runLoop: false });
    h.engine.fail("insertEmergency", "unavailable");
    await expect(
      h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg" }),
    ).rejects.toMatchObject({
      code: "ENGINE_UNAVAILABLE",
    });
    h.engine.heal();
    await h.step(1000);
    expect(h.engine.stationStatus(STATION).state).toBe("emergency");
    expect(h.executor.state).toBe("emergency");
  });
});

describe("StationExecutor isolation", () => {
  it("keeps playing the cached timeline while the Store is down and writes history when it returns", async () => {
    const entries = Array.from({ length: 10 }, (_, i) => entry(`e${i}`, i * 30_000, 30_000));
    const h = await harness(entries, { timelineRefreshEveryMs: 10_000 });
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    h.setStoreDown(true);
    await h.step(120_000);
    expect(h.executor.currentEntryId).toBe("e4");
    expect(h.executor.stats.timelineReadFailures).toBeGreaterThan(5);
    expect(h.executor.stats.storePending).toBeGreaterThan(0);
    expect(h.engine.callsOf("play").map((c) => c.request.itemId)).toEqual([
      "e0",
      "e1",
      "e2",
      "e3",
      "e4",
    ]);
    h.setStoreDown(false);
    await h.step(1000);
    await settle(10);
    const history = await h.memoryStore.playHistory.list(STATION, {
      from: T0 - 1,
      to: T0 + 3_600_000,
    });
    expect(history.map((p) => p.scheduleEntryId)).toEqual(["e0", "e1", "e2", "e3", "e4"]);
    expect(history.slice(0, 4).every((p) => p.endedAt !== undefined)).toBe(true);
    expect(h.executor.stats.storePending).toBe(0);
    expect(h.logger.lines.some((l) => l.message.includes("timeline read failed"))).toBe(true);
  });

  it("starts from the engine and fallback when the Store is down at start", async () => {
    const h = await harness([entry("a", 0, 600_000)]);
    h.setStoreDown(true);
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    expect(h.executor.onAir?.id).toBe("fallback");
    h.setStoreDown(false);
    await h.executor.refreshTimeline();
    await h.step(250);
    expect(h.executor.onAir?.id).toBe("automation");
    expect(h.engine.callsOf("play").at(-1)?.request.startMs).toBe(1000 + 1250);
  });

  it("keeps playing while the bus is down and delivers the held events in order when it returns", async () => {
    const h = await harness([
      entry("a", 0, 10_000),
      entry("b", 10_000, 10_000),
      entry("c", 20_000, 60_000),
    ]);
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    h.setBusDown(true);
    await h.step(20_000);
    expect(h.executor.currentEntryId).toBe("c");
    expect(h.executor.stats.busFailures).toBeGreaterThan(0);
    expect(h.executor.stats.busPending).toBeGreaterThan(0);
    h.setBusDown(false);
    await h.step(250);
    await settle(20);
    expect(h.eventsOf("now_playing").map((e) => e.payload.entryId)).toEqual(["a", "b", "c"]);
    expect(h.executor.stats.busPending).toBe(0);
  });

  it("survives a bus that never answers", async () => {
    const h = await harness([entry("a", 0, 10_000), entry("b", 10_000, 60_000)]);
    const hanging = {
      ...h.bus,
      publish: () => new Promise<never>(() => undefined),
      subscribe: () => new Promise<never>(() => undefined),
    };
    const { StationExecutor } = await import("./station-executor.js");
    const executor = new StationExecutor({
      stationId: STATION,
      engine: h.engine,
      store: h.store,
      bus: hanging,
      timeSource: h.time,
      logger: h.logger,
      resolveEntry: async (e) => ({ uri: `file:///${e.id}.ogg`, startMs: 0 }),
      busTimeoutMs: 20,
    });
    await executor.start({ runLoop: false });
    for (let i = 0; i < 44; i++) {
      h.time.advance(250);
      await executor.tick();
    }
    expect(executor.currentEntryId).toBe("b");
    await executor.stop();
  });
});
