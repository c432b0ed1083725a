import { describe, expect, it } from "vitest";
import { StationClock } from "./station-clock.js";

describe("StationClock", () => {
  it("converts between output frames and engine-clock epoch ms at the sample rate", () => {
    const before = Date.now();
    const clock = new StationClock({ sampleRate: 48000, leadMs: 0 });
    const epoch0 = clock.epochOf(0);
    expect(epoch0).toBeGreaterThanOrEqual(before);
    expect(epoch0).toBeLessThanOrEqual(Date.now());
    expect(clock.epochOf(48000) - epoch0).toBe(1000);
    expect(clock.frameOf(epoch0 + 250)).toBe(12000);
    expect(clock.frameOf(clock.epochOf(123_456))).toBe(123_456);
  });

  it("turns durations in ms into whole frames and the lead into frames", () => {
    const clock = new StationClock({ sampleRate: 44100, leadMs: 100 });
    expect(clock.frames(1000)).toBe(44100);
    expect(clock.frames(10)).toBe(441);
    expect(clock.frames(0.01)).toBe(0);
    expect(clock.leadFrames).toBe(4410);
  });

  it("counts the frames due in real time and how far a frame lies ahead of them", async () => {
    const clock = new StationClock({ sampleRate: 48000, leadMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const due = clock.dueFrame;
    expect(due).toBeGreaterThanOrEqual(48 * 29);
    expect(clock.aheadMs(0)).toBe(0);
    const ahead = clock.aheadMs(due + 48000);
    expect(ahead).toBeGreaterThan(500);
    expect(ahead).toBeLessThanOrEqual(1000);
  });
});
