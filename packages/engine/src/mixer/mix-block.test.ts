import { describe, expect, it } from "vitest";
import { linearRamp } from "./gain-ramp.js";
import { mixBlock, type BlockGains, type LayerBuffers } from "./mix-block.js";

/** Interleaved stereo of `frames` frames with the same constant on both channels. */
function constant(frames: number, value: number): Float32Array {
  return new Float32Array(frames * 2).fill(value);
}

function layers(frames: number, program: number, emergency: number, live: number): LayerBuffers {
  return {
    automation: constant(frames, program),
    emergency: constant(frames, emergency),
    live: constant(frames, live),
  };
}

function scratch(frames: number): LayerBuffers {
  return {
    automation: new Float32Array(frames * 2),
    emergency: new Float32Array(frames * 2),
    live: new Float32Array(frames * 2),
  };
}

function gains(frames: number, extra: Partial<BlockGains> = {}): BlockGains {
  return {
    programUpFrom: 0,
    programTo: frames,
    liveMute: linearRamp(1, 1, 0),
    liveUpFrom: frames,
    master: linearRamp(1, 1, 0),
    ...extra,
  };
}

/** Left channel of interleaved stereo. */
function left(buf: Float32Array): number[] {
  return Array.from(buf.filter((_, i) => i % 2 === 0));
}

describe("mixBlock", () => {
  it("sums the layers at unity gain and hands the layer buffers on as the stems", () => {
    const input = layers(4, 0.1, 0.2, 0.3);
    const out = new Float32Array(8);
    const stems = mixBlock(out, input, scratch(8), 4, gains(4));
    for (const v of out) expect(v).toBeCloseTo(0.6, 6);
    expect(stems.automation).toBe(input.automation);
    expect(stems.emergency).toBe(input.emergency);
    expect(stems.live).toBe(input.live);
  });

  it("applies a steady master gain to every layer and a steady live gain to live only", () => {
    const input = layers(3, 0.5, 0.25, 1);
    const out = new Float32Array(6);
    const g = gains(3, { master: linearRamp(0.5, 0.5, 0), liveMute: linearRamp(0, 0, 0) });
    const stems = mixBlock(out, input, scratch(8), 3, g);
    for (const v of out) expect(v).toBeCloseTo((0.5 + 0.25) * 0.5, 6);
    expect(stems.automation.length).toBe(6);
    for (const v of stems.automation) expect(v).toBeCloseTo(0.25, 6);
    for (const v of stems.emergency) expect(v).toBeCloseTo(0.125, 6);
    for (const v of stems.live) expect(v).toBe(0);
  });

  it("ramps the program down over its preemption frames and silences it after", () => {
    const input = layers(6, 1, 0, 0);
    const out = new Float32Array(12);
    const down = linearRamp(1, 0, 4);
    mixBlock(out, input, scratch(6), 6, gains(6, { programDown: down, programTo: 4 }));
    expect(left(out)).toEqual([1, 0.75, 0.5, 0.25, 0, 0]);
    expect(down.done).toBe(4);
  });

  it("keeps the program silent until its resume ramp starts, then ramps it up", () => {
    const input = layers(5, 1, 0.5, 0);
    const out = new Float32Array(10);
    const up = linearRamp(0, 1, 2);
    mixBlock(
      out,
      input,
      scratch(5),
      5,
      gains(5, { programUp: up, programUpFrom: 2, programTo: 0 }),
    );
    expect(left(out)).toEqual([0.5, 0.5, 0.5, 1, 1.5]);
    expect(up.done).toBe(2);
  });

  it("switches the live gain from its mute ramp to the resume ramp at its offset", () => {
    const input = layers(4, 0, 0, 1);
    const out = new Float32Array(8);
    const liveUp = linearRamp(0, 1, 2);
    const liveMute = linearRamp(0, 0, 0);
    const stems = mixBlock(
      out,
      input,
      scratch(4),
      4,
      gains(4, { liveMute, liveUp, liveUpFrom: 2 }),
    );
    expect(left(out)).toEqual([0, 0, 0, 0.5]);
    expect(left(stems.live)).toEqual([0, 0, 0, 0.5]);
  });

  it("steps the master ramp once per frame across the block", () => {
    const input = layers(4, 1, 0, 0);
    const out = new Float32Array(8);
    const master = linearRamp(1, 0, 4);
    mixBlock(out, input, scratch(4), 4, gains(4, { master }));
    expect(left(out)).toEqual([1, 0.75, 0.5, 0.25]);
    expect(master.done).toBe(4);
  });
});
