import { describe, expect, it } from "vitest";
import { Priority } from "@grimnir/core";
import { STATION, T0, entry, harness } from "./executor.test-helpers.js";
import type { PersistedExecutorState } from "./executor-types.js";

describe("state persistence across a dropped executor", () => {
  it("keeps an emergency on air when executor A is dropped and B reattaches, then fails back to the item planned for now", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)], {
      ownerId: "node-a",
      fencingToken: 1,
    });
    await h.executor.start({ runLoop: false });
    await h.step(20_000);
    await h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg", title: "Alert" });
    await h.step(1000);
    const stored = (await h.memoryStore.executorStates.get(STATION)) as PersistedExecutorState;
    expect(stored).toMatchObject({
      state: "emergency",
      priority: Priority.Emergency,
      sources: [{ id: "emergency:eas", priority: Priority.Emergency, uri: "file:///eas.ogg" }],
      interrupted: { entryId: "a", positionMs: 20_000 },
    });
    expect(stored.playHistoryId).toBeDefined();

    h.engine.clearCalls();
    const b = await h.crash({ ownerId: "node-b", fencingToken: 2 });
    // B leaves the emergency audio alone: no insert again, no play, no stop.
    expect(h.engine.calls.filter((c) => c.method !== "status")).toEqual([]);
    expect(b.state).toBe("emergency");
    expect(b.onAir?.id).toBe("emergency:eas");
    await h.step(15_000);
    expect(b.state).toBe("emergency");
    expect(h.engine.callsOf("insertEmergency")).toHaveLength(0);
    const during = (await h.memoryStore.executorStates.get(STATION)) as PersistedExecutorState;
    expect(during).toMatchObject({ ownerId: "node-b", fencingToken: 2, state: "emergency" });

    await b.endEmergency("eas");
    await h.step(3000);
    // Failback: the item planned for now (a, 36 s in), crossfaded in — not where it was interrupted.
    const play = h.engine.callsOf("play")[0];
    expect(play?.request).toMatchObject({ itemId: "a", startMs: 1000 + 36_000, crossfadeMs: 2000 });
    expect(b.state).toBe("playing");
    expect(b.currentEntryId).toBe("a");
    await h.step(25_000);
    expect(b.currentEntryId).toBe("b");

    await b.stop();
    const history = await h.memoryStore.playHistory.list(STATION, {
      from: T0 - 1,
      to: T0 + 3_600_000,
    });
    // B closed the emergency record A opened: the aircheck log has no open hole.
    expect(
      history.map((p) => [p.priority, p.title, p.startedAt - T0, (p.endedAt ?? T0 - 1) - T0]),
    ).toEqual([
      [Priority.Automation, "Title a", 0, 20_000],
      [Priority.Emergency, "Alert", 20_000, 36_000],
      [Priority.Automation, "Title a", 36_000, 60_000],
      [Priority.Automation, "Title b", 60_000, -1],
    ]);
    const after = (await h.memoryStore.executorStates.get(STATION)) as PersistedExecutorState;
    expect(after.sources).toEqual([]);
    expect(after).toMatchObject({ state: "playing", currentEntryId: "b" });
  });

  it("restores the whole priority stack: emergency over a live override, each failing back in turn", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(5000);
    await h.executor.startLive({
      sessionId: "dj",
      inputUri: "harbor://dj",
      priority: Priority.LiveOverride,
      title: "Drive time",
    });
    await h.step(5000);
    await h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg" });
    await h.step(1000);

    h.engine.clearCalls();
    const b = await h.crash();
    expect(b.state).toBe("emergency");
    expect(b.sources.map((s) => s.id)).toEqual([
      "emergency:eas",
      "live:dj",
      "automation",
      "fallback",
    ]);
    await b.endEmergency("eas");
    await h.step(1000);
    expect(h.engine.callsOf("routeLive").map((c) => c.inputUri)).toEqual(["harbor://dj"]);
    expect(b.state).toBe("live");
    await b.endLive("dj");
    await h.step(3000);
    expect(h.engine.callsOf("play").at(-1)?.request).toMatchObject({ itemId: "a" });
    expect(b.state).toBe("playing");
  });

  it("continues the play history record of the automation item on air after a crash", async () => {
    const h = await harness([entry("a", 0, 30_000), entry("b", 30_000, 30_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    const b = await h.crash();
    expect(b.positionMs).toBe(10_000);
    await h.step(21_000);
    await b.stop();
    const history = await h.memoryStore.playHistory.list(STATION, {
      from: T0 - 1,
      to: T0 + 3_600_000,
    });
    expect(history.map((p) => [p.scheduleEntryId, p.startedAt - T0, p.endedAt])).toEqual([
      ["a", 0, T0 + 30_000],
      ["b", 30_000, undefined],
    ]);
  });
});
