import { describe, expect, it } from "vitest";
import type { FadeCurve } from "@grimnir/core";
import { applyFade, crossfadeGains, dbToGain, fadeInGain, gainToDb } from "./fade-curve.js";

const CURVES: FadeCurve[] = ["linear", "log", "exp", "scurve"];

describe("fade curves", () => {
  it("start at silence, end at unity and never decrease", () => {
    for (const curve of CURVES) {
      expect(fadeInGain(curve, 0)).toBe(0);
      expect(fadeInGain(curve, 1)).toBe(1);
      let previous = 0;
      for (let i = 1; i <= 1000; i++) {
        const gain = fadeInGain(curve, i / 1000);
        expect(gain).toBeGreaterThanOrEqual(previous);
        previous = gain;
      }
    }
  });

  it("differ in shape at the midpoint: log early, exp late, linear and S-curve at half", () => {
    expect(fadeInGain("linear", 0.5)).toBeCloseTo(0.5, 12);
    expect(fadeInGain("scurve", 0.5)).toBeCloseTo(0.5, 12);
    // exp: -30 dB at the midpoint, rescaled from the -60 dB floor.
    expect(fadeInGain("exp", 0.5)).toBeCloseTo((dbToGain(-30) - 0.001) / 0.999, 9);
    expect(fadeInGain("log", 0.5)).toBeCloseTo(1 - fadeInGain("exp", 0.5), 12);
    expect(fadeInGain("scurve", 0.1)).toBeLessThan(fadeInGain("linear", 0.1));
  });

  it("clamps progress outside 0..1", () => {
    expect(fadeInGain("linear", -3)).toBe(0);
    expect(fadeInGain("scurve", 7)).toBe(1);
  });

  it("crossfades with mirrored gains", () => {
    for (const curve of CURVES) {
      const { outgoing, incoming } = crossfadeGains(curve, 0.25);
      expect(outgoing).toBeCloseTo(fadeInGain(curve, 0.75), 12);
      expect(incoming).toBeCloseTo(fadeInGain(curve, 0.25), 12);
    }
    expect(crossfadeGains("linear", 0)).toEqual({ outgoing: 1, incoming: 0 });
  });

  it("converts dB and amplitude both ways", () => {
    expect(dbToGain(0)).toBe(1);
    expect(dbToGain(-20)).toBeCloseTo(0.1, 12);
    expect(gainToDb(0.5)).toBeCloseTo(-6.0206, 4);
    expect(gainToDb(0)).toBe(-Infinity);
  });

  it("applies a fade to interleaved stereo PCM frame by frame", () => {
    const samples = new Float32Array([1, -1, 1, -1, 1, -1, 1, -1]);
    applyFade(samples, 2, "linear", "in", 0, 4);
    expect(Array.from(samples)).toEqual([0, -0, 0.25, -0.25, 0.5, -0.5, 0.75, -0.75]);
    const out = new Float32Array([1, 1, 1, 1]);
    applyFade(out, 1, "linear", "out", 2, 4);
    expect(Array.from(out)).toEqual([0.5, 0.25, 0, 0]);
  });
});
