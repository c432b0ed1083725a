import { afterEach, describe, expect, it } from "vitest";
import {
  MemoryCoordinator,
  MemoryCoordinatorHub,
  type Coordinator,
  type Lease,
} from "@grimnir/core";
import { waitFor } from "@grimnir/core/testing";
import { LeaderElector } from "./leader-elector.js";
import { FencedRegister, PausableCoordinator } from "../test/pausable.js";

const TTL = 150;

interface Contender {
  elector: LeaderElector;
  log: string[];
  tokens: number[];
}

const running: LeaderElector[] = [];
const paused: PausableCoordinator[] = [];

function contender(coordinator: Coordinator, holder: string): Contender {
  const elector = new LeaderElector(coordinator, {
    key: "planner",
    holder,
    ttlMs: TTL,
    onError: () => undefined,
  });
  const log: string[] = [];
  const tokens: number[] = [];
  elector.onElected((lease: Lease) => {
    log.push("elected");
    tokens.push(lease.token);
  });
  elector.onDeposed(() => log.push("deposed"));
  running.push(elector);
  elector.start();
  return { elector, log, tokens };
}

afterEach(async () => {
  for (const p of paused.splice(0)) p.resume();
  for (const elector of running.splice(0)) await elector.stop();
});

describe("LeaderElector over MemoryCoordinator", () => {
  it("elects exactly one of two contenders and keeps it by renewing past the TTL", async () => {
    const hub = new MemoryCoordinatorHub();
    const a = contender(new MemoryCoordinator({ hub }), "a");
    const b = contender(new MemoryCoordinator({ hub }), "b");
    await waitFor(() => a.elector.isLeader || b.elector.isLeader, 1000);
    const leader = a.elector.isLeader ? a : b;
    await new Promise((r) => setTimeout(r, TTL * 3));
    expect(leader.elector.isLeader).toBe(true);
    expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
    expect(leader.log).toEqual(["elected"]);
  });

  it("hands leadership over with a greater token when the leader stops", async () => {
    const hub = new MemoryCoordinatorHub();
    const a = contender(new MemoryCoordinator({ hub }), "a");
    await waitFor(() => a.elector.isLeader, 1000);
    const b = contender(new MemoryCoordinator({ hub }), "b");
    await a.elector.stop();
    expect(a.log).toEqual(["elected", "deposed"]);
    await waitFor(() => b.elector.isLeader, 1000);
    expect(b.tokens[0]).toBeGreaterThan(a.tokens[0]!);
  });

  it("deposes a paused leader at its deadline; on resume its renewal fails and its fenced writes are refused", async () => {
    const hub = new MemoryCoordinatorHub();
    const pausable = new PausableCoordinator(new MemoryCoordinator({ hub }));
    paused.push(pausable);
    const a = contender(pausable, "a");
    await waitFor(() => a.elector.isLeader, 1000);
    const register = new FencedRegister();
    const staleToken = a.elector.lease!.token;
    expect(register.write(staleToken, "from a")).toBe(true);

    pausable.pause();
    const b = contender(new MemoryCoordinator({ hub }), "b");
    await waitFor(() => b.elector.isLeader, 2000, 5, "b to take over");
    // a may no longer act as leader, even if its deposed event is still queued behind b's election.
    expect(a.elector.isLeader).toBe(false);
    await waitFor(() => a.log.length === 2, 1000, 5, "a to hear it was deposed");
    expect(a.log).toEqual(["elected", "deposed"]);
    expect(register.write(b.elector.lease!.token, "from b")).toBe(true);

    pausable.resume();
    await new Promise((r) => setTimeout(r, TTL));
    expect(a.elector.isLeader).toBe(false);
    expect(a.log).toEqual(["elected", "deposed"]);
    expect(register.write(staleToken, "late write from a")).toBe(false);
    expect(register.writes.map((w) => w.value)).toEqual(["from a", "from b"]);
  });

  it("reports elected and deposed alternately and releases on stop", async () => {
    const hub = new MemoryCoordinatorHub();
    const coordinator = new MemoryCoordinator({ hub });
    const a = contender(coordinator, "a");
    await waitFor(() => a.elector.isLeader, 1000);
    await a.elector.stop();
    await a.elector.stop();
    expect(a.log).toEqual(["elected", "deposed"]);
    expect(await coordinator.current("planner")).toBeUndefined();
    a.elector.start();
    await waitFor(() => a.elector.isLeader, 1000);
    expect(a.log).toEqual(["elected", "deposed", "elected"]);
  });
});
