import { describe, expect, it } from "vitest";
import { DspNodeRegistry, builtinDspNodes } from "@grimnir/core";
import { DspChain } from "@grimnir/engine";
import { stereoWidth } from "./index.js";

function registry(): DspNodeRegistry {
  const r = new DspNodeRegistry();
  for (const t of builtinDspNodes) r.register(t);
  return r.register(stereoWidth);
}

describe("stereo_width plugin", () => {
  it("is validated through core like a built-in node", () => {
    expect(registry().validate({ type: "stereo_width", params: { width: 3 } })).toEqual([
      expect.objectContaining({ pointer: "/width", message: expect.stringMatching(/<= 2/) }),
    ]);
    expect(registry().withDefaults({ type: "stereo_width", params: {} })).toEqual({ width: 1 });
  });

  it("runs in the engine's DSP chain after a built-in node", () => {
    const chain = DspChain.compile(
      {
        nodes: [
          { id: "mono", type: "stereo_width", params: { width: 0 } },
          { id: "eq", type: "equalizer", params: { bands: [] } },
        ],
      },
      { registry: registry() },
    );
    const left = Float32Array.from([1, 0.5, -0.25]);
    const right = Float32Array.from([0, 0.5, 0.25]);
    chain.process([left, right]);
    expect([...left]).toEqual([0.5, 0.5, 0]);
    expect([...right]).toEqual([0.5, 0.5, 0]);
  });

  it("is rejected with a clear error when the parameters are wrong", () => {
    expect(() =>
      DspChain.compile(
        { nodes: [{ id: "w", type: "stereo_width", params: { width: "wide" } }] },
        { registry: registry() },
      ),
    ).toThrow(
      expect.objectContaining({
        code: "VALIDATION",
        details: expect.objectContaining({ node: "w", field: "params.width" }),
      }),
    );
  });
});
