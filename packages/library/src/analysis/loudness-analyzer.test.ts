import { describe, expect, it } from "vitest";
import { LoudnessAnalyzer, type LoudnessAnalyzerOptions } from "./loudness-analyzer.js";
import { inChunks, sineProgramme, type Segment } from "../../test/signals.js";

function analyse(
  segments: Segment[],
  options: Partial<LoudnessAnalyzerOptions> = {},
  chunkFrames = 4099,
) {
  const sampleRateHz = options.sampleRateHz ?? 48000;
  const channels = options.channels ?? 2;
  const a = new LoudnessAnalyzer({ sampleRateHz, channels, ...options });
  inChunks(sineProgramme(segments, sampleRateHz, channels), channels, chunkFrames, (c) =>
    a.push(c),
  );
  return a.finish();
}

describe("LoudnessAnalyzer — integrated loudness (BS.1770-4)", () => {
  // A 1 kHz sine of peak A has mean square A²/2 per channel; K-weighting adds
  // +0.691 dB at 1 kHz, which the −0.691 constant cancels: L = 20·log10(A) − 3.01 + 10·log10(channels).
  it("measures a −20 dBFS 1 kHz stereo sine at −20.0 LUFS", () => {
    const r = analyse([{ seconds: 5, dbfs: -20 }]);
    expect(r.integratedLufs).toBeCloseTo(-20.0, 1);
  });

  it("measures the same sine in mono 3.01 LU quieter, at −23.0 LUFS", () => {
    const r = analyse([{ seconds: 5, dbfs: -20 }], { channels: 1 });
    expect(r.integratedLufs).toBeCloseTo(-23.01, 1);
  });

  it("gives the same answer at 44.1 kHz and 96 kHz (coefficients follow the sample rate)", () => {
    for (const sampleRateHz of [44100, 96000]) {
      const r = analyse([{ seconds: 3, dbfs: -23 }], { sampleRateHz });
      expect(r.integratedLufs).toBeCloseTo(-23.0, 1);
    }
  });

  it("does not depend on how the stream is chunked", () => {
    const segs: Segment[] = [
      { seconds: 1.3, dbfs: -30 },
      { seconds: 2.2, dbfs: -12, frequencyHz: 3000 },
    ];
    const a = analyse(segs, {}, 1);
    const b = analyse(segs, {}, 100_000);
    expect(a.integratedLufs).toBeCloseTo(b.integratedLufs!, 9);
    expect(a.loudnessRangeLu).toBeCloseTo(b.loudnessRangeLu, 9);
    expect(a.truePeakDbtp).toBeCloseTo(b.truePeakDbtp, 9);
  });

  it("ignores quiet passages through the relative gate (EBU Tech 3341 case 3)", () => {
    const r = analyse([
      { seconds: 10, dbfs: -36 },
      { seconds: 60, dbfs: -23 },
      { seconds: 10, dbfs: -36 },
    ]);
    expect(r.integratedLufs).toBeCloseTo(-23.0, 1);
  });

  it("averages the loud passages that pass the relative gate (EBU Tech 3341 case 5)", () => {
    const r = analyse([
      { seconds: 20, dbfs: -26 },
      { seconds: 20.1, dbfs: -20 },
      { seconds: 20, dbfs: -26 },
    ]);
    expect(Math.abs(r.integratedLufs! - -23.0)).toBeLessThanOrEqual(0.1);
  });

  it("reports no integrated loudness for silence or programmes shorter than one 400 ms block", () => {
    expect(analyse([{ seconds: 3 }]).integratedLufs).toBeNull();
    expect(analyse([{ seconds: 0.3, dbfs: -10 }]).integratedLufs).toBeNull();
  });
});

describe("LoudnessAnalyzer — loudness range (EBU Tech 3342)", () => {
  it.each([
    [-20, -30, 10],
    [-20, -15, 5],
    [-40, -20, 20],
  ])("measures %d then %d dBFS, 20 s each, at %d LU", (a, b, lra) => {
    const r = analyse([
      { seconds: 20, dbfs: a },
      { seconds: 20, dbfs: b },
    ]);
    expect(Math.abs(r.loudnessRangeLu - lra)).toBeLessThanOrEqual(1);
  });

  it("measures a steady tone at 0 LU", () => {
    expect(analyse([{ seconds: 10, dbfs: -20 }]).loudnessRangeLu).toBeCloseTo(0, 1);
  });
});

describe("LoudnessAnalyzer — peaks", () => {
  it("finds the inter-sample peak of a quarter-rate sine sampled 45° off its crests", () => {
    // Samples land at ±A·sin 45°, so the sample peak is 3.01 dB below the true peak.
    const r = analyse([
      { seconds: 1, dbfs: -6, frequencyHz: 12000, phase: Math.PI / 4, fadeSeconds: 0.01 },
    ]);
    expect(r.samplePeakDbfs).toBeCloseTo(-9.01, 1);
    expect(Math.abs(r.truePeakDbtp - -6)).toBeLessThanOrEqual(0.1);
  });

  it("reads true peak equal to sample peak on a low-frequency sine", () => {
    const r = analyse([{ seconds: 1, dbfs: -1, frequencyHz: 100 }]);
    expect(r.samplePeakDbfs).toBeCloseTo(-1, 2);
    expect(Math.abs(r.truePeakDbtp - -1)).toBeLessThanOrEqual(0.05);
  });

  it("reports −Infinity peaks for digital silence", () => {
    const r = analyse([{ seconds: 1 }]);
    expect(r.samplePeakDbfs).toBe(-Infinity);
    expect(r.truePeakDbtp).toBe(-Infinity);
  });
});

describe("LoudnessAnalyzer — cue points", () => {
  it("puts cue-in and cue-out at the ends of silence padding", () => {
    const r = analyse([{ seconds: 1.25 }, { seconds: 3, dbfs: -20 }, { seconds: 2 }]);
    // Cue-in: first sample above −50 dBFS; the sine starts at phase 0, so within a few samples.
    expect(r.cueInMs).toBeGreaterThanOrEqual(1250);
    expect(r.cueInMs).toBeLessThan(1251);
    expect(r.cueOutMs).toBeGreaterThan(4249);
    expect(r.cueOutMs).toBeLessThanOrEqual(4250);
    expect(r.durationMs).toBeCloseTo(6250, 6);
    expect(r.silent).toBe(false);
  });

  it("treats audio under the threshold as silence and follows a configured threshold", () => {
    const segs: Segment[] = [
      { seconds: 1, dbfs: -60 },
      { seconds: 1, dbfs: -20 },
      { seconds: 1, dbfs: -60 },
    ];
    const dflt = analyse(segs);
    expect(Math.round(dflt.cueInMs)).toBe(1000);
    expect(Math.round(dflt.cueOutMs)).toBe(2000);
    const low = analyse(segs, { cueThresholdDbfs: -70 });
    expect(low.cueInMs).toBeLessThan(1);
    expect(low.cueOutMs).toBeGreaterThan(2999);
  });

  it("marks an all-silent programme as silent with zero cue points", () => {
    const r = analyse([{ seconds: 2, dbfs: -80 }]);
    expect(r).toMatchObject({ silent: true, cueInMs: 0, cueOutMs: 0 });
  });
});

describe("LoudnessAnalyzer — intro/outro markers", () => {
  it("places the intro where the programme reaches full level and the outro where it falls away", () => {
    const r = analyse(
      [
        { seconds: 4, dbfs: -40 },
        { seconds: 20, dbfs: -14 },
        { seconds: 4, dbfs: -40 },
      ],
      { markers: true },
    );
    expect(r.introMs).toBeGreaterThanOrEqual(4000);
    expect(r.introMs).toBeLessThanOrEqual(4400);
    expect(r.outroMs).toBeGreaterThanOrEqual(24000);
    expect(r.outroMs).toBeLessThanOrEqual(24400);
  });

  it("leaves markers out unless asked", () => {
    const r = analyse([{ seconds: 3, dbfs: -20 }]);
    expect(r.introMs).toBeUndefined();
    expect(r.outroMs).toBeUndefined();
  });
});

describe("LoudnessAnalyzer — input checks", () => {
  it("rejects chunks that are not whole frames", () => {
    const a = new LoudnessAnalyzer({ sampleRateHz: 48000, channels: 2 });
    expect(() => a.push(new Float32Array(3))).toThrow(/whole 2-channel frames/);
  });
});
