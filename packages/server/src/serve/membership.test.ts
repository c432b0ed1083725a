import { afterEach, describe, expect, it } from "vitest";
import { MemoryCoordinator, MemoryCoordinatorHub, MemoryStore } from "@grimnir/core";
import { createServerLogger } from "./logger.js";
import { ClusterMembership, memberLeaseKey } from "./membership.js";
import { databaseConnectionCount } from "./metrics.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function member(hub: MemoryCoordinatorHub, id: string, peers: string[], seen: string[][]) {
  const coordinator = new MemoryCoordinator({ hub });
  const membership = new ClusterMembership({
    coordinator,
    instanceId: id,
    peers,
    ttlMs: 300,
    logger: createServerLogger("silent"),
    onChange: (members) => seen.push(members),
  });
  return { coordinator, membership };
}

describe("ClusterMembership", () => {
  it("counts a peer while its member lease lives and drops it when the lease lapses", async () => {
    const hub = new MemoryCoordinatorHub();
    const seenA: string[][] = [];
    const a = member(hub, "a", ["b", "c"], seenA);
    const b = member(hub, "b", ["a", "c"], []);
    await b.membership.start();
    await a.membership.start();
    cleanups.push(() => a.membership.stop());
    expect(a.membership.members).toEqual(["a", "b"]);
    expect((await a.coordinator.current(memberLeaseKey("a")))?.holder).toBe("a");

    // b's coordinator connection dies without a release (as after SIGKILL): gone after one TTL.
    expect((await b.coordinator.current(memberLeaseKey("b")))?.holder).toBe("b");
    await b.coordinator.close();
    cleanups.push(() => b.membership.stop());
    await until(() => !a.membership.members.includes("b"), 3000);
    expect(seenA.at(-1)).toEqual(["a"]);
  });

  it("releases its lease on stop so peers see it leave at once", async () => {
    const hub = new MemoryCoordinatorHub();
    const seenA: string[][] = [];
    const a = member(hub, "a", ["b"], seenA);
    const b = member(hub, "b", ["a"], []);
    await a.membership.start();
    await b.membership.start();
    cleanups.push(() => a.membership.stop());
    await until(() => a.membership.members.length === 2);
    await b.membership.stop();
    expect(await b.coordinator.current(memberLeaseKey("b"))).toBeUndefined();
    await until(() => a.membership.members.length === 1, 1000);
    expect(seenA).toEqual([["a", "b"], ["a"]]);
  });
});

describe("databaseConnectionCount", () => {
  it("reads a store's pool total when it reports stats, else counts one connection", () => {
    expect(databaseConnectionCount({ stats: () => ({ total: 7, idle: 5, waiting: 0 }) })).toBe(7);
    expect(databaseConnectionCount(new MemoryStore())).toBe(1);
  });
});
