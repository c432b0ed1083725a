import { describe, expect, it } from "vitest";
import { isGrimnirError } from "../errors.js";
import { builtinDspNodes, dspNodes } from "./builtins.js";
import { defineDspNode } from "./node-type.js";
import type { DspNodeInstance } from "./node-type.js";
import { DspNodeRegistry } from "./registry.js";

const BUILTIN_TYPES = [
  "agc",
  "compressor",
  "duck",
  "equalizer",
  "gate",
  "level_meter",
  "limiter",
  "loudness_normalize",
  "mix",
  "silence_detector",
  "sink",
  "source",
];

describe("built-in DSP node types", () => {
  it("registers every built-in type in the process-wide registry", () => {
    expect(dspNodes.types()).toEqual(BUILTIN_TYPES);
    expect(dspNodes.list().map((t) => t.type)).toEqual(BUILTIN_TYPES);
    expect(builtinDspNodes.every((t) => dspNodes.get(t.type) === t)).toBe(true);
  });

  it("documents every parameter with a description, and every numeric one with a range", () => {
    for (const nodeType of dspNodes.list()) {
      for (const [name, schema] of Object.entries(nodeType.params.properties)) {
        expect(schema.description, `${nodeType.type}.${name}`).toMatch(/\S/);
        if (schema.type === "number") {
          expect([schema.minimum, schema.maximum], `${nodeType.type}.${name}`).not.toContain(
            undefined,
          );
        }
      }
    }
  });

  it("leaves the implementation of built-ins to the engine", () => {
    expect(dspNodes.list().filter((t) => t.create !== undefined)).toEqual([]);
  });

  it("fills a compressor's defaults without touching the spec", () => {
    const spec = { type: "compressor", params: { ratio: 4 } };
    expect(dspNodes.withDefaults(spec)).toEqual({
      threshold_db: -18,
      ratio: 4,
      knee_db: 6,
      attack_ms: 10,
      release_ms: 100,
      makeup_db: 0,
    });
    expect(spec.params).toEqual({ ratio: 4 });
  });

  it("accepts the ranges the brief gives at their limits", () => {
    expect(
      dspNodes.validate({
        type: "loudness_normalize",
        params: { target_lufs: -70, true_peak_limit: 0 },
      }),
    ).toEqual([]);
    expect(
      dspNodes.validate({
        type: "compressor",
        params: {
          threshold_db: -60,
          ratio: 20,
          knee_db: 24,
          attack_ms: 0.1,
          release_ms: 5000,
          makeup_db: 24,
        },
      }),
    ).toEqual([]);
    expect(
      dspNodes.validate({
        type: "limiter",
        params: { threshold_db: -20, lookahead_ms: 20, true_peak: false },
      }),
    ).toEqual([]);
  });

  it("rejects out-of-range values with the unit's limits in the message", () => {
    expect(
      dspNodes.validate({
        type: "loudness_normalize",
        params: { target_lufs: 3, true_peak_limit: -25 },
      }),
    ).toEqual([
      { pointer: "/target_lufs", message: "target_lufs must be <= 0 (got 3)" },
      { pointer: "/true_peak_limit", message: "true_peak_limit must be >= -20 (got -25)" },
    ]);
    expect(
      dspNodes.validate(
        { type: "limiter", params: { lookahead_ms: 25 } },
        { path: "dsp_graph.nodes[3]" },
      ),
    ).toEqual([
      {
        pointer: "/lookahead_ms",
        message: "dsp_graph.nodes[3].lookahead_ms must be <= 20 (got 25)",
      },
    ]);
  });

  it("checks graphic equalizer band counts per mode", () => {
    const ten = Array.from({ length: 10 }, () => 0);
    expect(
      dspNodes.validate({ type: "equalizer", params: { mode: "graphic10", gains: ten } }),
    ).toEqual([]);
    expect(
      dspNodes.validate({ type: "equalizer", params: { mode: "graphic31", gains: ten } }),
    ).toEqual([{ pointer: "/gains", message: "gains must have exactly 31 items (got 10)" }]);
    expect(dspNodes.validate({ type: "equalizer", params: { mode: "graphic10" } })).toEqual([
      { pointer: "/gains", message: "gains is required" },
    ]);
    expect(
      dspNodes.validate({
        type: "equalizer",
        params: { mode: "graphic10", gains: [...ten.slice(1), 30] },
      }),
    ).toEqual([{ pointer: "/gains/9", message: "gains[9] must be <= 24 (got 30)" }]);
  });

  it("checks parametric equalizer bands", () => {
    const params = {
      mode: "parametric",
      bands: [
        { frequency_hz: 100, gain_db: 3, q: 0.7, type: "lowshelf" },
        { frequency_hz: 25000, q: 40, type: "notch" },
      ],
    };
    expect(dspNodes.validate({ type: "equalizer", params })).toEqual([
      {
        pointer: "/bands/1/frequency_hz",
        message: "bands[1].frequency_hz must be <= 20000 (got 25000)",
      },
      { pointer: "/bands/1/q", message: "bands[1].q must be <= 30 (got 40)" },
      {
        pointer: "/bands/1/type",
        message: 'bands[1].type must be one of "peak", "lowshelf", "highshelf" (got "notch")',
      },
    ]);
  });

  it("requires a sidechain for ducking and inputs for a mix", () => {
    expect(dspNodes.validate({ type: "duck", params: { depth_db: 12 } })).toEqual([
      { pointer: "/sidechain", message: "sidechain is required" },
    ]);
    expect(
      dspNodes.validate({
        type: "mix",
        params: { inputs: ["automation", "live"], gains_db: [0, -6] },
      }),
    ).toEqual([]);
  });

  it("names unknown parameters and suggests the one meant", () => {
    expect(dspNodes.validate({ type: "gate", params: { treshold_db: -40 } })).toEqual([
      {
        pointer: "/treshold_db",
        message: 'unknown key "treshold_db" in gate node; did you mean "threshold_db"?',
        onKey: true,
      },
    ]);
  });

  it("reports an unknown type with the known ones", () => {
    expect(dspNodes.validate({ type: "reverb", params: {} })).toEqual([
      {
        pointer: "/type",
        message: `type: unknown DSP node type "reverb"; known types: ${BUILTIN_TYPES.join(", ")}`,
      },
    ]);
    expect(() => dspNodes.require("reverb")).toThrow(
      expect.objectContaining({ code: "UNKNOWN_NODE_TYPE" }),
    );
  });

  it("refuses to fill defaults for invalid parameters", () => {
    let thrown: unknown;
    try {
      dspNodes.withDefaults({ type: "compressor", params: { ratio: 40 } });
    } catch (error) {
      thrown = error;
    }
    expect(isGrimnirError(thrown, "VALIDATION")).toBe(true);
    expect((thrown as Error).message).toBe("ratio must be <= 20 (got 40)");
  });
});

describe("defineDspNode and DspNodeRegistry", () => {
  const gain = defineDspNode<{ gain_db: number }>({
    type: "gain",
    description: "Applies a fixed gain.",
    params: {
      type: "object",
      properties: {
        gain_db: {
          type: "number",
          minimum: -96,
          maximum: 24,
          default: 0,
          description: "Gain, dB.",
        },
      },
    },
    create: (params): DspNodeInstance => {
      const factor = 10 ** (params.gain_db / 20);
      return {
        process(frames) {
          for (const channel of frames)
            for (let i = 0; i < channel.length; i++) channel[i] = (channel[i] ?? 0) * factor;
        },
      };
    },
  });

  it("registers a third-party type through the same API as the built-ins", () => {
    const registry = new DspNodeRegistry().register(gain);
    expect(registry.types()).toEqual(["gain"]);
    expect(registry.validate({ type: "gain", params: { gain_db: 30 } })).toEqual([
      { pointer: "/gain_db", message: "gain_db must be <= 24 (got 30)" },
    ]);
  });

  it("builds an in-process instance that processes planar PCM in place", () => {
    const registry = new DspNodeRegistry().register(gain);
    const nodeType = registry.require("gain");
    const instance = nodeType.create?.({ gain_db: -6.0206 } as never);
    const left = Float32Array.from([1, -0.5]);
    instance?.process([left], 48000);
    expect(Array.from(left).map((v) => Number(v.toFixed(3)))).toEqual([0.5, -0.25]);
  });

  it("makes unknown parameters an error unless the schema allows them", () => {
    expect(gain.params.additionalProperties).toBe(false);
  });

  it("rejects a second type under a taken name but tolerates re-registering the same one", () => {
    const registry = new DspNodeRegistry().register(gain).register(gain);
    const impostor = defineDspNode({
      type: "gain",
      description: "Other.",
      params: { type: "object", properties: {} },
    });
    expect(() => registry.register(impostor)).toThrow(
      expect.objectContaining({ code: "CONFLICT" }),
    );
  });

  it("rejects bad type names, reserved parameter names and invalid schemas", () => {
    expect(() =>
      defineDspNode({ type: "Gain", description: "x", params: { type: "object", properties: {} } }),
    ).toThrow(expect.objectContaining({ code: "VALIDATION" }));
    expect(() =>
      defineDspNode({
        type: "gain2",
        description: "x",
        params: { type: "object", properties: { id: { type: "string" } } },
      }),
    ).toThrow('parameter name "id" is reserved');
    const broken = defineDspNode({
      type: "broken",
      description: "x",
      params: {
        type: "object",
        properties: { level: { type: "number", minimum: "low" as unknown as number } },
      },
    });
    expect(() => new DspNodeRegistry().register(broken)).toThrow(
      expect.objectContaining({ code: "VALIDATION" }),
    );
  });
});
