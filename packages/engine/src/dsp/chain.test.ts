import { describe, expect, it } from "vitest";
import { defineDspNode, DspNodeRegistry, builtinDspNodes, type DspGraph } from "@grimnir/core";
import { DspChain } from "./chain.js";
import { LiveDspChain } from "./live-chain.js";
import { inBlocks, peakDb, sine } from "./test-signals.js";

const RATE = 44100;

/** Every built-in node type in one graph: the brief's full chain plus routing and meters. */
export const EVERY_NODE: DspGraph = {
  nodes: [
    { id: "in", type: "source", params: { sample_rate_hz: 44100, channels: 2 } },
    { id: "music", type: "mix", params: { inputs: ["automation", "emergency"], gains_db: [0, 0] } },
    { id: "voice_duck", type: "duck", params: { sidechain: "live", depth_db: 12 } },
    { id: "gate", type: "gate", params: { threshold_db: -70 } },
    {
      id: "eq",
      type: "equalizer",
      params: { mode: "graphic10", gains: [2, 1, 0, 0, -1, 0, 1, 2, 2, 1] },
    },
    {
      id: "peq",
      type: "equalizer",
      params: {
        bands: [
          { frequency_hz: 80, gain_db: 3, type: "lowshelf" },
          { frequency_hz: 3000, gain_db: -2, q: 2 },
        ],
      },
    },
    { id: "loud", type: "loudness_normalize", params: { target_lufs: -16, true_peak_limit: -1 } },
    { id: "agc", type: "agc", params: {} },
    { id: "comp", type: "compressor", params: { threshold_db: -18, ratio: 3 } },
    { id: "lim", type: "limiter", params: { threshold_db: -1 } },
    { id: "meter", type: "level_meter", params: { interval_ms: 500 } },
    { id: "dead_air", type: "silence_detector", params: { threshold_db: -45, duration_sec: 5 } },
    { id: "out", type: "sink", params: {} },
  ],
};

describe("DspChain.compile", () => {
  it("names node and field of an out-of-range parameter", () => {
    expect(() =>
      DspChain.compile({ nodes: [{ id: "c", type: "compressor", params: { ratio: 40 } }] }),
    ).toThrow(
      expect.objectContaining({
        code: "VALIDATION",
        details: expect.objectContaining({ node: "c", field: "params.ratio" }),
      }),
    );
    expect(() =>
      DspChain.compile({
        nodes: [{ id: "e", type: "equalizer", params: { bands: [{ frequency_hz: 10 }] } }],
      }),
    ).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ node: "e", field: "params.bands[0].frequency_hz" }),
      }),
    );
  });

  it("rejects unknown types, duplicate ids and references to nothing", () => {
    expect(() => DspChain.compile({ nodes: [{ id: "x", type: "reverb", params: {} }] })).toThrow(
      expect.objectContaining({
        code: "VALIDATION",
        details: expect.objectContaining({ node: "x", field: "type" }),
      }),
    );
    expect(() =>
      DspChain.compile({
        nodes: [
          { id: "a", type: "sink", params: {} },
          { id: "a", type: "sink", params: {} },
        ],
      }),
    ).toThrow(/appears twice/);
    expect(() =>
      DspChain.compile({
        nodes: [
          { id: "m", type: "mix", params: { inputs: ["automation", "later"] } },
          { id: "later", type: "sink", params: {} },
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ node: "m", field: "params.inputs[1]" }),
      }),
    );
  });

  it("answers NOT_IMPLEMENTED for a registered type nothing implements, and for another sample rate", () => {
    const registry = new DspNodeRegistry();
    registry.register(
      defineDspNode({
        type: "vinyl_crackle",
        description: "Adds crackle.",
        params: { type: "object", properties: {} },
      }),
    );
    expect(() =>
      DspChain.compile({ nodes: [{ id: "v", type: "vinyl_crackle", params: {} }] }, { registry }),
    ).toThrow(expect.objectContaining({ code: "NOT_IMPLEMENTED" }));
    expect(() =>
      DspChain.compile({ nodes: [{ id: "s", type: "source", params: { sample_rate_hz: 48000 } }] }),
    ).toThrow(
      expect.objectContaining({
        code: "NOT_IMPLEMENTED",
        details: expect.objectContaining({ field: "params.sample_rate_hz" }),
      }),
    );
  });

  it("runs a third-party node through its own create, and bypasses it if it throws", () => {
    const registry = new DspNodeRegistry();
    for (const t of builtinDspNodes) registry.register(t);
    let calls = 0;
    registry.register(
      defineDspNode<{ gain: number }>({
        type: "flaky",
        description: "Halves the signal, then fails.",
        params: { type: "object", properties: { gain: { type: "number", default: 0.5 } } },
        create: (p) => ({
          process(frames) {
            if (++calls > 1) throw new Error("boom");
            for (const ch of frames) for (let i = 0; i < ch.length; i++) ch[i]! *= p.gain;
          },
        }),
      }),
    );
    const chain = DspChain.compile(
      { nodes: [{ id: "f", type: "flaky", params: {} }] },
      { registry },
    );
    const errors: string[] = [];
    chain.onNodeError = (id, err) => errors.push(`${id}: ${err.message}`);
    const block = [new Float32Array(4).fill(1), new Float32Array(4).fill(1)];
    chain.process(block);
    expect([...block[0]!]).toEqual([0.5, 0.5, 0.5, 0.5]);
    block[0]!.fill(1);
    chain.process(block);
    chain.process(block);
    expect([...block[0]!]).toEqual([1, 1, 1, 1]);
    expect(errors).toEqual(["f: boom"]);
  });

  it("ducks music under the emergency layer when the graph routes it so", () => {
    const chain = DspChain.compile({
      nodes: [
        { id: "music", type: "mix", params: { inputs: ["automation"] } },
        { id: "d", type: "duck", params: { sidechain: "emergency", depth_db: 10, attack_ms: 5 } },
        { id: "sum", type: "mix", params: { inputs: ["d", "emergency"] } },
      ],
    });
    const music = sine(1000, 0.5, 1);
    const alert = sine(1000, 0, 1);
    alert[0]!.fill(0.2, RATE / 2);
    alert[1]!.fill(0.2, RATE / 2);
    const out = sine(0, 0, 1);
    let at = 0;
    inBlocks(out, 441, (b) => {
      const slice = (x: Float32Array[]): Float32Array[] =>
        x.map((ch) => ch.subarray(at, at + b[0]!.length));
      chain.process(b, { automation: slice(music), emergency: slice(alert) });
      at += b[0]!.length;
    });
    // Before the alert: music alone; during it: music 10 dB down plus the alert's 0.2 DC.
    expect(peakDb(out, RATE / 4, RATE / 2 - 100)).toBeCloseTo(20 * Math.log10(0.5), 2);
    const during = out[0]!.subarray(RATE * 0.75, RATE);
    expect(Math.max(...during) - 0.2).toBeCloseTo(0.5 * 10 ** (-10 / 20), 2);
    expect(chain.readings().find((r) => r.nodeId === "d")!.gainReductionDb).toBeCloseTo(10, 1);
  });

  it("processes 10 s through every node faster than real time (CPU reported)", () => {
    const chain = DspChain.compile(EVERY_NODE);
    expect(chain.silence).toEqual({ thresholdDb: -45, seconds: 5 });
    const audio = sine(440, 0.5, 10);
    const auto = sine(440, 0.5, 10);
    const started = process.cpuUsage();
    let at = 0;
    inBlocks(audio, 2048, (b) => {
      chain.process(b, { automation: auto.map((ch) => ch.subarray(at, at + b[0]!.length)) });
      at += b[0]!.length;
    });
    const used = process.cpuUsage(started);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(
      `every-node graph: 10 s of stereo 44.1 kHz in ${cpuMs.toFixed(0)} ms CPU (${((cpuMs / 10000) * 100).toFixed(1)} % of one core)`,
    );
    const readings = chain.readings();
    expect(readings.map((r) => r.nodeId)).toEqual(EVERY_NODE.nodes.map((n) => n.id));
    expect(readings.find((r) => r.nodeId === "comp")!.gainReductionDb).toBeGreaterThan(0);
    expect(readings.find((r) => r.nodeId === "meter")!.peakDb).toHaveLength(2);
    expect(peakDb(audio)).toBeLessThanOrEqual(-1);
  });
});

describe("LiveDspChain", () => {
  /** Largest sample-to-sample step of the left channel of interleaved `out`. */
  function maxStep(out: Float32Array): number {
    let max = 0;
    for (let i = 2; i < out.length; i += 2) max = Math.max(max, Math.abs(out[i]! - out[i - 2]!));
    return max;
  }

  function run(crossfadeFrames: number): Float32Array {
    const live = new LiveDspChain(
      DspChain.compile({
        nodes: [{ id: "c", type: "compressor", params: { threshold_db: -30, ratio: 2 } }],
      }),
    );
    const total = RATE;
    const out = new Float32Array(total * 2);
    const silent = new Float32Array(0);
    for (let at = 0; at < total; at += 512) {
      const n = Math.min(512, total - at);
      const block = new Float32Array(n * 2);
      for (let i = 0; i < n; i++)
        block[i * 2] = block[i * 2 + 1] = 0.5 * Math.sin((2 * Math.PI * 220 * (at + i)) / RATE);
      if (at === 512 * 40) {
        live.load(
          DspChain.compile({
            nodes: [
              {
                id: "eq",
                type: "equalizer",
                params: { bands: [{ frequency_hz: 220, gain_db: -12 }] },
              },
              { id: "lim", type: "limiter", params: { threshold_db: -20, lookahead_ms: 5 } },
            ],
          }),
          crossfadeFrames,
        );
      }
      live.process(block, {
        automation: block,
        emergency: silent.length ? silent : new Float32Array(n * 2),
      });
      out.set(block, at * 2);
    }
    return out;
  }

  it("swaps a playing chain with a 50 ms crossfade and no discontinuity", () => {
    // A 0.5 sine at 220 Hz moves at most 2π·220/44100·0.5 ≈ 0.016 per sample.
    const smooth = run(Math.round(0.05 * RATE));
    expect(maxStep(smooth)).toBeLessThan(0.02);
    // The same swap as a hard cut jumps far more: the bound above is meaningful.
    expect(maxStep(run(1))).toBeGreaterThan(0.05);
  });
});
