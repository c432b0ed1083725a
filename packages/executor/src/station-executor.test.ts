import { describe, expect, it } from "vitest";
import { Priority } from "@grimnir/core";
import { STATION, T0, entry, harness, settle } from "./executor.test-helpers.js";
import type { PersistedExecutorState } from "./executor-types.js";

describe("StationExecutor playout", () => {
  it("starts the entry planned for now at the offset the clock gives", async () => {
    const h = await harness([entry("a", -10_000, 60_000)]);
    await h.executor.start({ runLoop: false });
    await settle();
    const plays = h.engine.callsOf("play");
    expect(plays).toHaveLength(1);
    expect(plays[0]!.request).toMatchObject({
      itemId: "a",
      startMs: 1000 + 10_000,
      title: "Title a",
    });
    expect(h.executor.state).toBe("playing");
    expect(h.executor.currentEntryId).toBe("a");
    expect(h.executor.positionMs).toBe(10_000);
    expect(h.eventsOf("now_playing").map((e) => e.payload.entryId)).toEqual(["a"]);
    expect(h.eventsOf("executor.state").map((e) => [e.payload.from, e.payload.to])).toEqual([
      ["idle", "playing"],
    ]);
  });

  it("preloads the next item 30 s before it starts and hands it to the engine with its start time", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(29_750);
    expect(h.engine.callsOf("preload")).toHaveLength(0);
    await h.step(250);
    const preloads = h.engine.callsOf("preload");
    expect(preloads.map((c) => [c.request.itemId, c.at - T0])).toEqual([["b", 30_000]]);
    expect(h.executor.state).toBe("preloading");
    await h.step(29_000);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.atMs).toBe(T0 + 60_000);
    expect(play!.at).toBeLessThan(T0 + 60_000);
    await h.step(1000);
    expect(h.executor.currentEntryId).toBe("b");
    expect(h.executor.state).toBe("playing");
    expect(
      h.eventsOf("now_playing").map((e) => [e.payload.entryId, e.payload.startedAt - T0]),
    ).toEqual([
      ["a", 0],
      ["b", 60_000],
    ]);
    const states = h.eventsOf("executor.state").map((e) => e.payload.to);
    expect(states).toEqual(["playing", "preloading", "playing"]);
  });

  it("honours a configurable preload lead", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)], {
      preloadMs: 10_000,
    });
    await h.executor.start({ runLoop: false });
    await h.step(50_000);
    expect(h.engine.callsOf("preload").map((c) => c.at - T0)).toEqual([50_000]);
  });

  it("starts a hard-timed entry exactly at its planned time, cutting the item before it short", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 45_000, 60_000, "hard")]);
    await h.executor.start({ runLoop: false });
    await h.step(46_000);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.atMs).toBe(T0 + 45_000);
    expect(h.executor.currentEntryId).toBe("b");
  });

  it("starts a soft entry when the item before it ends, not at its planned time", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 75_000, 60_000, "soft")]);
    await h.executor.start({ runLoop: false });
    await h.step(61_000);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.atMs).toBe(T0 + 60_000);
    expect(h.executor.currentEntryId).toBe("b");
  });

  it("uses the entry's fade as the crossfade into it", async () => {
    const h = await harness([
      entry("a", 0, 40_000),
      entry("b", 40_000, 60_000, "soft", { fadeInMs: 3000 }),
    ]);
    await h.executor.start({ runLoop: false });
    await h.step(41_000);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.crossfadeMs).toBe(3000);
  });

  it("records play history with start and end times", async () => {
    const h = await harness([entry("a", 0, 40_000), entry("b", 40_000, 60_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(41_000);
    const history = await h.memoryStore.playHistory.list(STATION, {
      from: T0 - 1,
      to: T0 + 3_600_000,
    });
    expect(
      history.map((p) => [
        p.scheduleEntryId,
        p.startedAt - T0,
        p.endedAt === undefined ? undefined : p.endedAt - T0,
      ]),
    ).toEqual([
      ["a", 0, 40_000],
      ["b", 40_000, undefined],
    ]);
    expect(history[0]).toMatchObject({
      mediaId: "media-a",
      title: "Title a",
      priority: Priority.Automation,
    });
  });

  it("persists the current item, its position and the priority stack with increasing versions", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    const first = (await h.memoryStore.executorStates.get(STATION)) as PersistedExecutorState;
    expect(first).toMatchObject({
      state: "playing",
      currentEntryId: "a",
      currentStartedAt: T0,
      priority: 3,
    });
    await h.executor.insertEmergency({ id: "eas-1", uri: "file:///eas.ogg" });
    await h.step(250);
    const second = (await h.memoryStore.executorStates.get(STATION)) as PersistedExecutorState;
    expect(second.version).toBeGreaterThan(first.version);
    expect(second.state).toBe("emergency");
    expect(second.sources?.map((s) => s.id)).toEqual(["emergency:eas-1"]);
    expect(second.interrupted).toEqual({ entryId: "a", positionMs: 10_000 });
  });

  it("idles when the timeline is empty and there is no fallback, without stopping foreign audio", async () => {
    const h = await harness([], { fallback: [] });
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    expect(h.executor.state).toBe("idle");
    expect(h.engine.callsOf("stop")).toHaveLength(0);
    expect(h.engine.callsOf("play")).toHaveLength(0);
  });

  it("plays fallback over a gap in the timeline and hands back to automation at the entry's start", async () => {
    const h = await harness([entry("a", 0, 10_000, "hard"), entry("b", 20_000, 10_000, "hard")]);
    await h.executor.start({ runLoop: false });
    await h.step(10_250);
    expect(h.executor.onAir?.priority).toBe(Priority.Fallback);
    expect(h.engine.callsOf("play").at(-1)?.request.itemId).toBe("fallback:0");
    await h.step(9_750);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.atMs).toBe(T0 + 20_000);
    expect(h.executor.onAir?.priority).toBe(Priority.Automation);
    expect(h.eventsOf("priority.changed").map((e) => [e.payload.from, e.payload.to])).toEqual([
      [undefined, 3],
      [3, 4],
      [4, 3],
    ]);
  });

  it("runs on its own loop driven by the time source", async () => {
    const h = await harness([entry("a", 0, 2000), entry("b", 2000, 60_000)], { tickMs: 100 });
    await h.executor.start();
    for (let i = 0; i < 30; i++) {
      h.time.advance(100);
      await settle(3);
    }
    expect(h.executor.currentEntryId).toBe("b");
    await h.executor.stop();
    expect(h.executor.running).toBe(false);
  });
});

describe("StationExecutor restart recovery", () => {
  it("reattaches to what the engine plays without restarting the audio", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(20_000);
    h.engine.clearCalls();
    const next = await h.restart();
    expect(h.engine.callsOf("play")).toHaveLength(0);
    expect(h.engine.callsOf("stop")).toHaveLength(0);
    expect(next.state).toBe("playing");
    expect(next.currentEntryId).toBe("a");
    expect(next.positionMs).toBe(20_000);
    expect(h.executorEvents.some((e) => e.type === "reattached")).toBe(true);
    await h.step(41_000);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.atMs).toBe(T0 + 60_000);
    expect(next.currentEntryId).toBe("b");
  });

  it("reattaches to an emergency in progress from the persisted priority stack", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(5000);
    await h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg" });
    await h.step(1000);
    h.engine.clearCalls();
    const next = await h.restart();
    expect(h.engine.callsOf("insertEmergency")).toHaveLength(0);
    expect(next.state).toBe("emergency");
    await next.endEmergency("eas");
    const play = h.engine.callsOf("play").at(-1);
    expect(play?.request).toMatchObject({ itemId: "a", startMs: 1000 + 6000, crossfadeMs: 2000 });
  });

  it("resumes at position when the engine restarted and lost the station", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(30_000);
    h.engine.restart();
    h.engine.clearCalls();
    await h.step(500);
    const play = h.engine.callsOf("play").at(-1);
    expect(play?.request).toMatchObject({ itemId: "a" });
    expect(play!.request.startMs! - 1000).toBeGreaterThanOrEqual(30_000);
    expect(play!.request.startMs! - 1000).toBeLessThanOrEqual(30_500);
  });

  it("starts at the position of now when the engine plays nothing after a restart", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    h.time.advance(42_000);
    await h.executor.start({ runLoop: false });
    expect(h.engine.callsOf("play")[0]?.request.startMs).toBe(1000 + 42_000);
  });

  it("stops itself when a newer owner wrote the state with a higher fencing token", async () => {
    const h = await harness([entry("a", 0, 120_000)], { ownerId: "node-a", fencingToken: 1 });
    await h.executor.start({ runLoop: false });
    await settle();
    const stored = await h.memoryStore.executorStates.get(STATION);
    await h.memoryStore.executorStates.put(
      { stationId: STATION, state: "playing", priority: 3, ownerId: "node-b", fencingToken: 2 },
      stored!.version,
    );
    await h.step(5000);
    await expect(
      h.executor.insertEmergency({ id: "x", uri: "file:///x.ogg" }),
    ).rejects.toMatchObject({
      code: "LEASE_LOST",
    });
    expect(h.engine.callsOf("insertEmergency")).toHaveLength(0);
    expect(h.executorEvents.some((e) => e.type === "lease_lost")).toBe(true);
    expect(h.executor.running).toBe(false);
    const after = await h.memoryStore.executorStates.get(STATION);
    expect(after?.ownerId).toBe("node-b");
  });
});
