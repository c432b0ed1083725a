import { describe, expect, it } from "vitest";
import { GrimnirError } from "@grimnir/core";
import { T0, entry, harness, settle } from "./executor.test-helpers.js";

describe("StationExecutor on-air timing and robustness", () => {
  it("preloads a hard-timed item at T−preload and hands it over with atMs = planned start ahead of time", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 30_000, "hard")]);
    await h.executor.start({ runLoop: false });
    await h.step(30_000);
    const preloads = h.engine.callsOf("preload");
    expect(preloads.map((c) => [c.request.itemId, c.at - T0])).toEqual([["b", 30_000]]);
    await h.step(29_500);
    const play = h.engine.callsOf("play").find((c) => c.request.itemId === "b");
    expect(play?.request.atMs).toBe(T0 + 60_000);
    expect(play!.at).toBeLessThanOrEqual(T0 + 60_000 - 1000);
    await h.step(750);
    expect(h.executor.currentEntryId).toBe("b");
  });

  it("sends one InsertEmergency when ticks run while the insert is in flight, and resolves in state emergency", async () => {
    const h = await harness([entry("a", 0, 600_000)], { engineTimeoutMs: 2000 });
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    h.engine.setLatency("insertEmergency", 60);
    const insert = h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg" });
    // The control loop keeps ticking while the engine has not answered yet.
    for (let i = 0; i < 5; i++) {
      h.time.advance(250);
      await h.executor.tick();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await insert;
    expect(h.executor.state).toBe("emergency");
    h.engine.setLatency("insertEmergency");
    await h.step(1000);
    expect(h.engine.callsOf("insertEmergency")).toHaveLength(1);
    expect(h.executor.onAir?.id).toBe("emergency:eas");
  });

  it("resolves media ahead of time, plays through a Store outage and retries failed resolutions", async () => {
    let storeDown = false;
    let calls = 0;
    const h = await harness(
      [
        entry("a", 0, 30_000),
        entry("b", 30_000, 30_000),
        entry("c", 60_000, 30_000),
        entry("d", 90_000, 30_000),
      ],
      {
        fallback: [],
        resolveRetryMs: 2000,
        resolveEntry: async (e) => {
          calls++;
          if (storeDown) throw new GrimnirError("STORE_UNAVAILABLE", "store is down (test)");
          return { uri: `file:///media/${e.id}.ogg`, startMs: 0 };
        },
      },
    );
    await h.executor.start({ runLoop: false });
    await settle(20);
    // Every entry of the window was resolved when the timeline was read.
    expect(calls).toBe(4);
    storeDown = true;
    h.setStoreDown(true);
    await h.step(100_000);
    expect(h.engine.callsOf("play").map((c) => c.request.itemId)).toEqual(["a", "b", "c", "d"]);
    expect(h.engine.callsOf("stop")).toHaveLength(0);
    expect(h.executor.currentEntryId).toBe("d");
  });

  it("retries a resolution that failed instead of skipping the entry for good", async () => {
    let storeDown = true;
    const h = await harness([entry("a", 0, 600_000)], {
      resolveRetryMs: 2000,
      resolveEntry: async (e) => {
        if (storeDown) throw new GrimnirError("STORE_UNAVAILABLE", "store is down (test)");
        return { uri: `file:///media/${e.id}.ogg`, startMs: 0 };
      },
    });
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    expect(h.executor.onAir?.id).toBe("fallback");
    storeDown = false;
    await h.step(3000);
    await settle(10);
    await h.step(250);
    expect(h.executor.onAir?.id).toBe("automation");
    expect(h.executor.currentEntryId).toBe("a");
  });

  it("does not stop the engine when the Store is down and nothing can be resolved", async () => {
    const h = await harness([entry("a", 0, 10_000), entry("b", 10_000, 60_000)]);
    let storeDown = false;
    // Replace the executor with one whose resolver follows the Store.
    await h.restart({
      fallback: [],
      resolveRetryMs: 2000,
      timelineRefreshEveryMs: 1000,
      resolveEntry: async (e) => {
        if (storeDown) throw new GrimnirError("STORE_UNAVAILABLE", "store is down (test)");
        if (e.id === "b") throw new GrimnirError("STORE_UNAVAILABLE", "b is not cached");
        return { uri: `file:///media/${e.id}.ogg`, startMs: 0 };
      },
    });
    storeDown = true;
    h.setStoreDown(true);
    await h.step(15_000);
    expect(h.engine.callsOf("stop")).toHaveLength(0);
  });

  it("does not replay the tail of an item when the engine reports idle just before its end", async () => {
    const h = await harness([entry("a", 0, 10_000)], { fallback: [] });
    await h.executor.start({ runLoop: false });
    await h.step(9_600);
    // The engine rendered ahead and finished the item early; the next status check sees idle at 9.85 s.
    h.engine.restart();
    h.engine.clearCalls();
    await h.step(500);
    expect(h.engine.callsOf("play")).toHaveLength(0);
  });

  it("still resumes at position when the engine loses the audio well before the item's end", async () => {
    const h = await harness([entry("a", 0, 10_000)], { fallback: [] });
    await h.executor.start({ runLoop: false });
    await h.step(5_000);
    h.engine.restart();
    h.engine.clearCalls();
    await h.step(500);
    expect(h.engine.callsOf("play").map((c) => c.request.itemId)).toEqual(["a"]);
  });

  it("waits up to 3 s for a slow preload by default and keeps status checks short", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)], {
      engineTimeoutMs: undefined,
    });
    await h.executor.start({ runLoop: false });
    await h.step(29_750);
    // A real preload waits for the decoder: 115–970 ms measured.
    h.engine.setLatency("preload", 600);
    await h.step(250);
    expect(h.executor.stats.engineFailures).toBe(0);
    expect(h.executor.state).toBe("preloading");
    expect(h.executor.failoverCauses.size).toBe(0);
    h.engine.setLatency("preload");
    // A status call that hangs fails after the short status timeout, not 3 s.
    h.engine.fail("status", "hang");
    const startedAt = Date.now();
    await h.step(500);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(h.executor.failoverCauses.has("engine")).toBe(true);
  });
});
