import { describe, expect, it } from "vitest";
import { linearRamp, rampDone, rampGain, stepRamp } from "./gain-ramp.js";

describe("gain ramps", () => {
  it("steps a linear ramp one frame at a time from its start gain towards its end gain", () => {
    const ramp = linearRamp(1, 0, 4);
    expect([stepRamp(ramp), stepRamp(ramp), stepRamp(ramp), stepRamp(ramp)]).toEqual([
      1, 0.75, 0.5, 0.25,
    ]);
    expect(rampDone(ramp)).toBe(true);
  });

  it("holds at its end gain once done and never counts past its length", () => {
    const ramp = linearRamp(0, 0.5, 2);
    stepRamp(ramp);
    stepRamp(ramp);
    expect(stepRamp(ramp)).toBe(0.5);
    expect(rampGain(ramp)).toBe(0.5);
    expect(ramp.done).toBe(2);
  });

  it("reads the gain without advancing the ramp", () => {
    const ramp = linearRamp(0, 1, 10);
    stepRamp(ramp);
    expect(rampGain(ramp)).toBeCloseTo(0.1, 12);
    expect(rampGain(ramp)).toBeCloseTo(0.1, 12);
    expect(ramp.done).toBe(1);
  });

  it("follows the ramp's curve between its gains", () => {
    const ramp = { from: 0.2, to: 1, frames: 8, done: 3, curve: "scurve" as const };
    // An S-curve is half a cosine: 3/8 of the way it has covered 0.309 of the distance.
    expect(rampGain(ramp)).toBeCloseTo(0.2 + 0.8 * (0.5 - 0.5 * Math.cos((Math.PI * 3) / 8)), 12);
    expect(rampGain(ramp)).toBeLessThan(0.2 + 0.8 * (3 / 8));
  });

  it("treats a zero-length ramp as a constant gain", () => {
    const ramp = linearRamp(1, 0.25, 0);
    expect(rampDone(ramp)).toBe(true);
    expect(stepRamp(ramp)).toBe(0.25);
  });
});
