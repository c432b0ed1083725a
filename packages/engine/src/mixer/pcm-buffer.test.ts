import { describe, expect, it } from "vitest";
import { PcmBuffer } from "./pcm-buffer.js";

/** Little-endian signed 16-bit bytes of `values`, starting `pad` bytes into a larger buffer. */
function s16Bytes(values: number[], pad = 0): Buffer {
  const all = Buffer.alloc(pad + values.length * 2);
  values.forEach((v, i) => all.writeInt16LE(v, pad + i * 2));
  return all.subarray(pad);
}

function readAll(buf: PcmBuffer): number[] {
  const out = new Float32Array(buf.availableFrames() * buf.channels);
  buf.read(out, 0, buf.availableFrames());
  return [...out];
}

describe("PcmBuffer.pushS16Bytes", () => {
  it("converts 16-bit samples to float in [-1, 1)", () => {
    const buf = new PcmBuffer(2);
    buf.pushS16Bytes(s16Bytes([0, 16384, -32768, 32767]));
    expect(buf.availableFrames()).toBe(2);
    expect(readAll(buf)).toEqual([0, 0.5, -1, 32767 / 32768]);
  });

  it("keeps a frame split across pipe chunks until it is complete", () => {
    const buf = new PcmBuffer(2);
    const bytes = s16Bytes([100, -200, 300, -400]);
    buf.pushS16Bytes(bytes.subarray(0, 3));
    expect(buf.availableFrames()).toBe(0);
    buf.pushS16Bytes(bytes.subarray(3, 7));
    expect(buf.availableFrames()).toBe(1);
    buf.pushS16Bytes(bytes.subarray(7));
    expect(buf.availableFrames()).toBe(2);
    expect(readAll(buf).map((x) => Math.round(x * 32768))).toEqual([100, -200, 300, -400]);
  });

  it("reads chunks that start on an odd byte offset", () => {
    const buf = new PcmBuffer(2);
    buf.pushS16Bytes(s16Bytes([-1, 2, 12345, -12345], 1));
    expect(readAll(buf).map((x) => Math.round(x * 32768))).toEqual([-1, 2, 12345, -12345]);
  });
});

describe("PcmBuffer.trim", () => {
  it("drops the leading frames and everything after the kept length, across chunks", () => {
    const buf = new PcmBuffer(2);
    buf.trim(3, 4);
    // Frames 0..9, left = right = frame index, in chunks of 2, 5 and 3 frames.
    const frames = (from: number, count: number): Float32Array =>
      Float32Array.from({ length: count * 2 }, (_, i) => from + Math.floor(i / 2));
    buf.push(frames(0, 2));
    expect(buf.availableFrames()).toBe(0);
    buf.push(frames(2, 5));
    buf.push(frames(7, 3));
    expect(readAll(buf)).toEqual([3, 3, 4, 4, 5, 5, 6, 6]);
  });

  it("trims 16-bit chunks the same way", () => {
    const buf = new PcmBuffer(2);
    buf.trim(1, 1);
    buf.pushS16Bytes(s16Bytes([1, 1, 2, 2, 3, 3]));
    expect(readAll(buf).map((x) => x * 32768)).toEqual([2, 2]);
  });
});
