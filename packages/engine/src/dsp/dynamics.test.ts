import { describe, expect, it } from "vitest";
import { Agc } from "./agc.js";
import { Compressor, compressorCurveDb } from "./compressor.js";
import { Duck } from "./duck.js";
import { Gate } from "./gate.js";
import { Limiter } from "./limiter.js";
import { LoudnessNormalizer } from "./loudness-normalize.js";
import { LevelMeter } from "../mixer/meters.js";
import { measureTruePeakDb } from "./true-peak.js";
import { inBlocks, peakDb, rmsDb, sine } from "./test-signals.js";

const RATE = 44100;
const tail = (frames: Float32Array[], seconds: number): [number, number] => [
  frames[0]!.length - Math.round(seconds * RATE),
  frames[0]!.length,
];

/** 0 dBFS square wave of `freq` between `start` and `end` seconds in `seconds` of silence. */
function squareBurst(freq: number, seconds: number, start: number, end: number): Float32Array[] {
  const n = Math.round(seconds * RATE);
  const ch = new Float32Array(n);
  for (let i = Math.round(start * RATE); i < Math.round(end * RATE); i++)
    ch[i] = Math.sin((2 * Math.PI * freq * i) / RATE) >= 0 ? 1 : -1;
  return [ch, ch.slice()];
}

describe("compressor", () => {
  it("reduces a −10 dBFS tone to −17.5 dBFS at 4:1 above −20 dB in steady state", () => {
    const audio = sine(1000, 10 ** (-10 / 20), 2);
    const comp = new Compressor(
      { threshold_db: -20, ratio: 4, knee_db: 6, attack_ms: 10, release_ms: 100, makeup_db: 0 },
      RATE,
    );
    inBlocks(audio, 512, (b) => comp.process(b));
    expect(peakDb(audio, ...tail(audio, 0.5))).toBeCloseTo(-17.5, 1);
    expect(comp.read().gainReductionDb).toBeCloseTo(7.5, 1);
  });

  it("leaves a tone below the knee untouched and adds makeup gain", () => {
    const audio = sine(1000, 10 ** (-30 / 20), 1);
    const comp = new Compressor(
      { threshold_db: -20, ratio: 4, knee_db: 6, attack_ms: 10, release_ms: 100, makeup_db: 3 },
      RATE,
    );
    inBlocks(audio, 512, (b) => comp.process(b));
    expect(peakDb(audio, ...tail(audio, 0.5))).toBeCloseTo(-27, 1);
  });

  it("joins the two slopes with a quadratic soft knee", () => {
    expect(compressorCurveDb(-20, -20, 4, 0)).toBe(-20);
    expect(compressorCurveDb(-20, -20, 4, 6)).toBeCloseTo(-20 + (-0.75 * 9) / 12, 9);
    expect(compressorCurveDb(-17, -20, 4, 6)).toBeCloseTo(-19.25, 9);
  });
});

describe("limiter", () => {
  for (const freq of [997, 3000, 5512.5, 11025]) {
    it(`keeps the true peak of a 0 dBFS ${freq} Hz square burst under a −1 dBTP ceiling`, () => {
      const audio = squareBurst(freq, 1, 0.2, 0.7);
      expect(measureTruePeakDb(audio)).toBeGreaterThan(-0.01);
      const lim = new Limiter(
        { threshold_db: -1, release_ms: 50, lookahead_ms: 5, true_peak: true },
        RATE,
        2,
      );
      inBlocks(audio, 441, (b) => lim.process(b));
      expect(measureTruePeakDb(audio)).toBeLessThanOrEqual(-1);
      expect(lim.read().gainReductionDb).toBeGreaterThan(1);
    });
  }

  it("limits sample peaks with zero look-ahead when true peak is off", () => {
    const audio = squareBurst(1000, 0.5, 0.1, 0.4);
    const lim = new Limiter(
      { threshold_db: -6, release_ms: 50, lookahead_ms: 0, true_peak: false },
      RATE,
      2,
    );
    inBlocks(audio, 300, (b) => lim.process(b));
    expect(peakDb(audio)).toBeLessThanOrEqual(-6 + 1e-6);
  });

  it("delays audio by its look-ahead and passes quiet audio unchanged", () => {
    const audio = sine(440, 0.25, 0.5);
    const input = audio[0]!.slice();
    const lim = new Limiter(
      { threshold_db: -1, release_ms: 50, lookahead_ms: 5, true_peak: true },
      RATE,
      2,
    );
    inBlocks(audio, 256, (b) => lim.process(b));
    const d = lim.latencyFrames;
    expect(d).toBe(Math.round(0.005 * RATE) - 1 + 16);
    for (let i = d; i < input.length; i += 97) expect(audio[0]![i]).toBeCloseTo(input[i - d]!, 6);
  });
});

describe("gate", () => {
  const params = { threshold_db: -50, attack_ms: 1, hold_ms: 50, release_ms: 100, range_db: 40 };

  it("closes by its range below the threshold", () => {
    const audio = sine(1000, 10 ** (-60 / 20), 2);
    const gate = new Gate(params, RATE);
    inBlocks(audio, 512, (b) => gate.process(b));
    expect(peakDb(audio, ...tail(audio, 0.5))).toBeCloseTo(-100, 1);
  });

  it("stays open above the threshold", () => {
    const audio = sine(1000, 10 ** (-20 / 20), 1);
    const gate = new Gate(params, RATE);
    inBlocks(audio, 512, (b) => gate.process(b));
    expect(peakDb(audio, ...tail(audio, 0.5))).toBeCloseTo(-20, 2);
  });
});

describe("duck", () => {
  const params = {
    sidechain: "live",
    depth_db: 12,
    threshold_db: -30,
    attack_ms: 20,
    release_ms: 500,
  };

  it("lowers the programme by its depth while the sidechain is above threshold, and recovers", () => {
    const params = {
      sidechain: "live",
      depth_db: 12,
      threshold_db: -30,
      attack_ms: 20,
      release_ms: 200,
    };
    const audio = sine(1000, 0.5, 3);
    const voice = sine(300, 10 ** (-10 / 20), 3);
    // Voice for the first 1.5 s only.
    voice.forEach((ch) => ch.fill(0, Math.round(1.5 * RATE)));
    let offset = 0;
    const duck = new Duck(params, {
      sampleRate: RATE,
      channels: 2,
      input: (name) =>
        name === "live" ? voice.map((ch) => ch.subarray(offset, offset + 441)) : undefined,
    });
    inBlocks(audio, 441, (b) => {
      duck.process(b);
      offset += 441;
    });
    expect(peakDb(audio, Math.round(1.0 * RATE), Math.round(1.5 * RATE))).toBeCloseTo(
      20 * Math.log10(0.5) - 12,
      1,
    );
    expect(peakDb(audio, ...tail(audio, 0.2))).toBeCloseTo(20 * Math.log10(0.5), 1);
    expect(duck.read().gainReductionDb).toBeCloseTo(12, 1);
  });

  it("does nothing while the sidechain is absent", () => {
    const audio = sine(1000, 0.5, 1);
    const duck = new Duck(params, { sampleRate: RATE, channels: 2, input: () => undefined });
    inBlocks(audio, 441, (b) => duck.process(b));
    expect(peakDb(audio)).toBeCloseTo(20 * Math.log10(0.5), 3);
  });
});

describe("agc", () => {
  it("rides a quiet tone up to its target, and no further than max_gain_db", () => {
    const params = {
      enabled: true,
      target_level_db: -14,
      max_gain_db: 12,
      attack_ms: 100,
      release_ms: 500,
    };
    const mid = sine(1000, 10 ** (-20 / 20) * Math.SQRT2, 6); // −20 dB RMS
    const agc1 = new Agc(params, RATE);
    inBlocks(mid, 512, (b) => agc1.process(b));
    expect(rmsDb(mid, ...tail(mid, 0.5))).toBeCloseTo(-14, 1);
    const quiet = sine(1000, 10 ** (-32 / 20) * Math.SQRT2, 8); // −32 dB RMS
    const agc2 = new Agc(params, RATE);
    inBlocks(quiet, 512, (b) => agc2.process(b));
    expect(rmsDb(quiet, ...tail(quiet, 0.5))).toBeCloseTo(-20, 1);
    expect(agc2.read().gainDb).toBeCloseTo(12, 1);
  });
});

describe("loudness_normalize", () => {
  it("rides short-term loudness to the target and keeps true peak under the ceiling", () => {
    const audio = sine(1000, 0.05, 20);
    const norm = new LoudnessNormalizer({ target_lufs: -16, true_peak_limit: -1 }, RATE, 2);
    inBlocks(audio, 1024, (b) => norm.process(b));
    const meter = new LevelMeter(RATE);
    const last = audio[0]!.length - 3 * RATE;
    const inter = new Float32Array(3 * RATE * 2);
    for (let i = 0; i < 3 * RATE; i++) inter[i * 2] = inter[i * 2 + 1] = audio[0]![last + i]!;
    meter.process(inter);
    expect(meter.take().shortTermLufs).toBeCloseTo(-16, 0);
    expect(measureTruePeakDb(audio)).toBeLessThanOrEqual(-1);
  });
});
