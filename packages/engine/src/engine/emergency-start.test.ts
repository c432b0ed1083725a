import { afterEach, describe, expect, it, vi } from "vitest";
import { EmergencyStart } from "./emergency-start.js";
import { StationClock } from "./station-clock.js";
import type { StationEvent } from "./station-events.js";

function setup(): { tracker: EmergencyStart; sent: StationEvent[]; clock: StationClock } {
  const sent: StationEvent[] = [];
  const clock = new StationClock({ sampleRate: 48000, leadMs: 0 });
  return { tracker: new EmergencyStart(clock, (e) => sent.push(e)), sent, clock };
}

const started = (at: number): StationEvent => ({ stationId: "s", at, type: "emergency_started" });

afterEach(() => {
  vi.useRealTimers();
});

describe("EmergencyStart", () => {
  it("holds emergency_started until the awaited item's first frame is written, then sends it with its due time and latency", () => {
    const { tracker, sent, clock } = setup();
    tracker.expect("e1", performance.now());
    expect(tracker.hold(started(1))).toBe(true);
    tracker.written(0, undefined);
    tracker.written(960, "other");
    expect(sent).toEqual([]);
    tracker.written(1920, "e1");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: "emergency_started", itemId: "e1" });
    expect(sent[0]!.at).toBe(clock.epochOf(1920));
    expect(sent[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    tracker.written(2880, "e1");
    expect(sent).toHaveLength(1);
  });

  it("lets emergency_started through when no emergency is awaited or one is already held", () => {
    const { tracker } = setup();
    expect(tracker.hold(started(1))).toBe(false);
    tracker.expect("e1", 0);
    expect(tracker.hold(started(2))).toBe(true);
    expect(tracker.hold(started(3))).toBe(false);
  });

  it("keeps a held start for the next emergency inserted before the first sounded", () => {
    const { tracker, sent, clock } = setup();
    tracker.expect("e1", 0);
    tracker.hold(started(7));
    tracker.expect("e2", 0);
    tracker.written(0, "e1");
    expect(sent).toEqual([]);
    tracker.written(0, "e2");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: "emergency_started",
      at: clock.epochOf(0),
      itemId: "e2",
    });
  });

  it("sends the held start when the awaited item ends without ever sounding", () => {
    const { tracker, sent } = setup();
    tracker.expect("e1", 0);
    tracker.hold(started(7));
    tracker.ended("other");
    expect(sent).toEqual([]);
    tracker.ended("e1");
    expect(sent).toEqual([{ ...started(7), itemId: "e1" }]);
    tracker.written(0, "e1");
    expect(sent).toHaveLength(1);
  });

  it("pumps every 2 ms until the awaited item sounds", () => {
    vi.useFakeTimers();
    const { tracker } = setup();
    let pumps = 0;
    tracker.expect("e1", 0);
    tracker.pumpUntilSounding("e1", () => pumps++);
    vi.advanceTimersByTime(10);
    expect(pumps).toBe(5);
    tracker.written(0, "e1");
    vi.advanceTimersByTime(10);
    expect(pumps).toBe(5);
  });

  it("stops pumping when another emergency is awaited or it closes", () => {
    vi.useFakeTimers();
    const { tracker } = setup();
    let first = 0;
    let second = 0;
    tracker.expect("e1", 0);
    tracker.pumpUntilSounding("e1", () => first++);
    vi.advanceTimersByTime(4);
    tracker.expect("e2", 0);
    vi.advanceTimersByTime(4);
    expect(first).toBe(2);
    tracker.pumpUntilSounding("e2", () => second++);
    vi.advanceTimersByTime(4);
    tracker.close();
    vi.advanceTimersByTime(10);
    expect(second).toBe(2);
  });
});
