import { describe, expect, it } from "vitest";
import { PRIORITY_NAMES, Priority } from "@grimnir/core";
import type { PriorityName } from "@grimnir/core";
import { PriorityService } from "./priority-service.js";
import { T0, entry, harness } from "./executor.test-helpers.js";
import type { Harness } from "./executor.test-helpers.js";

const TIERS = PRIORITY_NAMES.map((name, priority) => ({ name, priority: priority as Priority }));

/** Expected winner of `current` on air vs a newly active `candidate` (distinct ids, candidate newer). */
function expectedWinner(current: Priority, candidate: Priority): "current" | "candidate" {
  if (candidate < current) return "candidate";
  if (candidate > current) return "current";
  return candidate === Priority.Emergency || candidate === Priority.LiveOverride
    ? "candidate"
    : "current";
}

describe("PriorityService", () => {
  for (const current of TIERS) {
    for (const candidate of TIERS) {
      const winner = expectedWinner(current.priority, candidate.priority);
      it(`${candidate.name} arriving over ${current.name}: ${winner} holds the air`, () => {
        const service = new PriorityService();
        service.activate({ id: `cur-${current.name}`, priority: current.priority, activatedAt: 1 });
        const change = service.activate({
          id: `new-${candidate.name}`,
          priority: candidate.priority,
          activatedAt: 2,
        });
        const expectedId = winner === "candidate" ? `new-${candidate.name}` : `cur-${current.name}`;
        expect(service.onAir?.id).toBe(expectedId);
        expect(change === undefined).toBe(winner === "current");
      });
    }
  }

  it("fails back to the highest remaining tier when the source on air ends", () => {
    const service = new PriorityService();
    service.activate({ id: "fallback", priority: Priority.Fallback, activatedAt: 1 });
    service.activate({ id: "automation", priority: Priority.Automation, activatedAt: 2 });
    service.activate({ id: "live:dj", priority: Priority.LiveScheduled, activatedAt: 3 });
    service.activate({ id: "emergency:1", priority: Priority.Emergency, activatedAt: 4 });
    expect(service.deactivate("emergency:1")?.to?.id).toBe("live:dj");
    expect(service.deactivate("live:dj")?.to?.id).toBe("automation");
    expect(service.deactivate("automation")?.to?.id).toBe("fallback");
    expect(service.deactivate("fallback")).toEqual({
      from: expect.objectContaining({ id: "fallback" }),
      to: undefined,
      cause: "deactivated",
    });
    expect(service.deactivate("nothing")).toBeUndefined();
  });

  it("restores a persisted stack and reports the highest tier", () => {
    const service = new PriorityService();
    service.restore([
      { id: "live:a", priority: Priority.LiveOverride, activatedAt: 1 },
      { id: "live:b", priority: Priority.LiveOverride, activatedAt: 2 },
    ]);
    expect(service.onAir?.id).toBe("live:b");
    expect(service.highestTier("live:b")).toBe(Priority.LiveOverride);
    expect(service.wouldPreempt({ id: "e", priority: Priority.Emergency, activatedAt: 3 })).toBe(
      true,
    );
  });
});

/** Put a source of `tier` on air (or let it become active) and return its id. */
async function activate(h: Harness, tier: PriorityName, tag: string): Promise<string> {
  switch (tier) {
    case "emergency":
      await h.executor.insertEmergency({ id: tag, uri: `file:///eas-${tag}.ogg` });
      return `emergency:${tag}`;
    case "live_override":
      await h.executor.startLive({
        sessionId: tag,
        inputUri: `harbor://${tag}`,
        priority: Priority.LiveOverride,
      });
      return `live:${tag}`;
    case "live_scheduled":
      await h.executor.startLive({
        sessionId: tag,
        inputUri: `harbor://${tag}`,
        priority: Priority.LiveScheduled,
      });
      return `live:${tag}`;
    case "automation":
      // The timeline's entry begins at T0 + 5 s.
      await h.step(Math.max(0, T0 + 5000 - h.time.now()));
      return "automation";
    case "fallback":
      await h.step(250);
      return "fallback";
  }
}

function lastEngineTarget(h: Harness): string | undefined {
  const last = [...h.engine.calls]
    .reverse()
    .find((c) => c.method === "play" || c.method === "insertEmergency" || c.method === "routeLive");
  if (last === undefined) return undefined;
  if (last.method === "routeLive") return `live:${last.inputUri.slice("harbor://".length)}`;
  if (last.method === "insertEmergency") return last.request.itemId;
  return last.request.itemId.startsWith("fallback") ? "fallback" : "automation";
}

describe("StationExecutor preemption, every pair of tiers", () => {
  for (const current of TIERS) {
    for (const candidate of TIERS) {
      const winner = expectedWinner(current.priority, candidate.priority);
      it(`${candidate.name} over ${current.name} on air → the engine plays the ${winner}`, async () => {
        const h = await harness([entry("a", 5000, 600_000, "hard")]);
        await h.executor.start({ runLoop: false });
        const currentId = await activate(h, current.name, "cur");
        expect(h.executor.onAir?.id).toBe(currentId);
        await h.step(1000);
        const candidateId = await activate(h, candidate.name, "new");
        await h.step(250);
        const expected =
          currentId === candidateId ? currentId : winner === "candidate" ? candidateId : currentId;
        expect(h.executor.onAir?.id).toBe(expected);
        expect(lastEngineTarget(h)).toBe(expected);
        const stateOf: Record<PriorityName, string[]> = {
          emergency: ["emergency"],
          live_override: ["live", "fading"],
          live_scheduled: ["live", "fading"],
          automation: ["playing", "preloading", "fading"],
          fallback: ["playing", "fading"],
        };
        expect(stateOf[PRIORITY_NAMES[h.executor.onAir!.priority]!]).toContain(h.executor.state);
      });
    }
  }
});

describe("StationExecutor preemption and failback", () => {
  it("fades automation out over 500 ms for a live override, then is live", async () => {
    const h = await harness([entry("a", 0, 600_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    await h.executor.startLive({
      sessionId: "dj",
      inputUri: "harbor://dj",
      priority: Priority.LiveOverride,
    });
    expect(h.executor.state).toBe("fading");
    expect(h.engine.callsOf("routeLive").at(-1)).toMatchObject({ fadeInMs: 500, priority: 1 });
    await h.step(250);
    expect(h.executor.state).toBe("fading");
    await h.step(250);
    expect(h.executor.state).toBe("live");
  });

  it("cuts to emergency audio with the engine call first and a short fade", async () => {
    const h = await harness([entry("a", 0, 600_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    h.engine.clearCalls();
    await h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg", title: "Test alert" });
    expect(h.engine.calls[0]).toMatchObject({
      method: "insertEmergency",
      at: T0 + 1000,
      request: { itemId: "emergency:eas", uri: "file:///eas.ogg", crossfadeMs: 50 },
    });
    expect(h.executor.state).toBe("emergency");
  });

  it("fails back emergency → live override → automation at the item and offset planned for now", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 600_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(20_000);
    await h.executor.startLive({
      sessionId: "dj",
      inputUri: "harbor://dj",
      priority: Priority.LiveOverride,
    });
    await h.step(1000);
    await h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg" });
    await h.step(10_000);
    await h.executor.endEmergency("eas");
    expect(h.executor.onAir?.id).toBe("live:dj");
    expect(h.engine.callsOf("routeLive")).toHaveLength(2);
    await h.step(49_000);
    h.engine.clearCalls();
    await h.executor.endLive("dj");
    const play = h.engine.callsOf("play")[0]!;
    expect(play.request).toMatchObject({ itemId: "b", startMs: 1000 + 20_000, crossfadeMs: 2000 });
    expect(h.executor.state).toBe("fading");
    await h.step(2000);
    expect(h.executor.state).toBe("playing");
    const transitions = h.eventsOf("executor.state").map((e) => e.payload.to);
    expect(transitions).toEqual([
      "playing",
      "fading",
      "live",
      "emergency",
      "live",
      "fading",
      "playing",
    ]);
    expect(h.eventsOf("priority.changed").map((e) => e.payload.to)).toEqual([3, 1, 0, 1, 3]);
  });

  it("resumes the interrupted item where it stopped when so configured", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 600_000)], {
      resumeWhereInterrupted: true,
    });
    await h.executor.start({ runLoop: false });
    await h.step(20_000);
    await h.executor.insertEmergency({ id: "eas", uri: "file:///eas.ogg" });
    await h.step(30_000);
    h.engine.clearCalls();
    await h.executor.endEmergency("eas");
    expect(h.engine.callsOf("play")[0]!.request).toMatchObject({
      itemId: "a",
      startMs: 1000 + 20_000,
    });
    await h.step(41_000);
    expect(h.executor.currentEntryId).toBe("b");
  });

  it("stops with a fade when the last source ends and nothing else is active", async () => {
    const h = await harness([], { fallback: [] });
    await h.executor.start({ runLoop: false });
    await h.executor.startLive({
      sessionId: "dj",
      inputUri: "harbor://dj",
      priority: Priority.LiveScheduled,
    });
    expect(h.executor.state).toBe("live");
    await h.executor.endLive("dj");
    expect(h.engine.callsOf("stop").at(-1)).toMatchObject({ fadeOutMs: 500 });
    expect(h.executor.state).toBe("idle");
  });
});
