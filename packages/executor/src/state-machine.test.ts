import { describe, expect, it } from "vitest";
import { EXECUTOR_STATES, ManualTimeSource, isGrimnirError } from "@grimnir/core";
import type { ExecutorStateName } from "@grimnir/core";
import {
  EXECUTOR_TRANSITIONS,
  ExecutorStateMachine,
  assertTransition,
  canTransition,
} from "./state-machine.js";
import type { RejectedTransition, StateChange } from "./state-machine.js";

describe("executor transitions", () => {
  it("covers all six states and never allows a self-transition", () => {
    expect(Object.keys(EXECUTOR_TRANSITIONS).sort()).toEqual([...EXECUTOR_STATES].sort());
    for (const state of EXECUTOR_STATES) expect(canTransition(state, state)).toBe(false);
  });

  it("lets an emergency preempt every other state", () => {
    for (const state of EXECUTOR_STATES) {
      if (state !== "emergency") expect(canTransition(state, "emergency")).toBe(true);
    }
  });

  it("refuses to fade from idle or preloading, where nothing is on air", () => {
    expect(canTransition("idle", "fading")).toBe(false);
    expect(canTransition("preloading", "fading")).toBe(false);
  });

  it("names both states and the allowed targets in the error", () => {
    let caught: unknown;
    try {
      assertTransition("idle", "fading");
    } catch (err) {
      caught = err;
    }
    expect(isGrimnirError(caught, "INVALID_TRANSITION")).toBe(true);
    expect((caught as Error).message).toBe(
      'executor cannot go from "idle" to "fading"; from "idle" it may go to "preloading", "playing", "live", "emergency"',
    );
  });
});

describe("ExecutorStateMachine", () => {
  it("walks a normal automation cycle and reports each change with its time", () => {
    const time = new ManualTimeSource(1_000);
    const changes: StateChange[] = [];
    const machine = new ExecutorStateMachine({
      timeSource: time,
      onChange: (c) => changes.push(c),
    });
    const path: ExecutorStateName[] = [
      "preloading",
      "playing",
      "preloading",
      "playing",
      "fading",
      "playing",
    ];
    for (const to of path) {
      time.advance(500);
      machine.transition(to, `go ${to}`);
    }
    expect(machine.state).toBe("playing");
    expect(machine.since).toBe(4_000);
    expect(changes.map((c) => `${c.from}>${c.to}@${c.at}`)).toEqual([
      "idle>preloading@1500",
      "preloading>playing@2000",
      "playing>preloading@2500",
      "preloading>playing@3000",
      "playing>fading@3500",
      "fading>playing@4000",
    ]);
    expect(changes[0]?.reason).toBe("go preloading");
  });

  it("leaves the state unchanged and reports an invalid transition", () => {
    const rejected: RejectedTransition[] = [];
    const machine = new ExecutorStateMachine({
      initial: "live",
      onReject: (r) => rejected.push(r),
    });
    expect(() => machine.transition("preloading")).toThrow(/cannot go from "live" to "preloading"/);
    expect(machine.state).toBe("live");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.error.code).toBe("INVALID_TRANSITION");
  });
});
