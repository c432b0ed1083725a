import { describe, expect, it } from "vitest";
import { biquadResponseDb, rbjBiquad } from "./biquad.js";
import { Equalizer, GRAPHIC10_CENTRES_HZ, GRAPHIC31_CENTRES_HZ } from "./equalizer.js";
import { inBlocks, rmsDb, sine } from "./test-signals.js";

const RATE = 44100;

/** Steady-state gain of `eq` on a tone of `freq`, dB. */
function toneGainDb(eq: Equalizer, freq: number): number {
  const audio = sine(freq, 0.1, 1);
  const before = rmsDb(audio, RATE / 2, RATE);
  inBlocks(audio, 512, (b) => eq.process(b));
  return rmsDb(audio, RATE / 2, RATE) - before;
}

describe("equalizer", () => {
  it("gives a parametric peak band exactly its gain at its centre frequency", () => {
    const eq = new Equalizer(
      { mode: "parametric", bands: [{ frequency_hz: 1000, gain_db: 6, q: 1, type: "peak" }] },
      RATE,
      2,
    );
    expect(toneGainDb(eq, 1000)).toBeCloseTo(6, 1);
    const c = rbjBiquad("peak", 1000, 6, 1, RATE);
    expect(biquadResponseDb(c, 1000, RATE)).toBeCloseTo(6, 9);
    // An octave and more away the band has little effect.
    expect(Math.abs(biquadResponseDb(c, 8000, RATE))).toBeLessThan(0.5);
  });

  it("gives graphic bands their gain at the ISO centres", () => {
    const gains10 = GRAPHIC10_CENTRES_HZ.map((f) => (f === 1000 ? -9 : 0));
    expect(
      toneGainDb(new Equalizer({ mode: "graphic10", gains: gains10, bands: [] }, RATE, 2), 1000),
    ).toBeCloseTo(-9, 1);
    const gains31 = GRAPHIC31_CENTRES_HZ.map((f) => (f === 4000 ? 4 : 0));
    expect(
      toneGainDb(new Equalizer({ mode: "graphic31", gains: gains31, bands: [] }, RATE, 2), 4000),
    ).toBeCloseTo(4, 1);
    expect(GRAPHIC31_CENTRES_HZ).toHaveLength(31);
  });

  it("reaches a shelf's gain well past its corner", () => {
    const eq = new Equalizer(
      {
        mode: "parametric",
        bands: [{ frequency_hz: 200, gain_db: 5, q: 0.707, type: "lowshelf" }],
      },
      RATE,
      2,
    );
    expect(toneGainDb(eq, 30)).toBeCloseTo(5, 0);
    const hs = rbjBiquad("highshelf", 5000, -6, 0.707, RATE);
    expect(biquadResponseDb(hs, 5000, RATE)).toBeCloseTo(-3, 1);
    expect(biquadResponseDb(hs, 100, RATE)).toBeCloseTo(0, 1);
  });
});
