import { describe, expect, it } from "vitest";
import { id3v2TagSize, parseMp3Gapless } from "./mp3-gapless.js";

/** An MPEG-1 layer III stereo 44.1 kHz frame header followed by an Info tag with frames and a LAME extension. */
function infoFrame(options: { tag?: string; flags?: number; delay: number; padding: number }) {
  const bytes = new Uint8Array(417);
  bytes.set([0xff, 0xfb, 0x90, 0x64]);
  const at = 4 + 32;
  bytes.set(
    [...(options.tag ?? "Info")].map((c) => c.charCodeAt(0)),
    at,
  );
  const view = new DataView(bytes.buffer);
  const flags = options.flags ?? 0x0f;
  view.setUint32(at + 4, flags);
  let p = at + 8;
  view.setUint32(p, 116);
  p += 4;
  if (flags & 2) p += 4;
  if (flags & 4) p += 100;
  if (flags & 8) p += 4;
  bytes.set(
    [..."LAME3.100"].map((c) => c.charCodeAt(0)),
    p,
  );
  const d = p + 21;
  bytes[d] = options.delay >> 4;
  bytes[d + 1] = ((options.delay & 0x0f) << 4) | (options.padding >> 8);
  bytes[d + 2] = options.padding & 0xff;
  return bytes;
}

describe("parseMp3Gapless", () => {
  it("reads the 12-bit encoder delay and padding and the frame count of a LAME Info tag", () => {
    expect(parseMp3Gapless(infoFrame({ delay: 576, padding: 1227 }))).toEqual({
      encoderDelay: 576,
      padding: 1227,
      frames: 116,
      samplesPerFrame: 1152,
      sampleRateHz: 44100,
    });
    expect(
      parseMp3Gapless(infoFrame({ tag: "Xing", flags: 0x01, delay: 4095, padding: 7 })),
    ).toMatchObject({ encoderDelay: 4095, padding: 7 });
  });

  it("gives nothing without a frame count, without a Xing/Info tag or for another format", () => {
    expect(parseMp3Gapless(infoFrame({ flags: 0x0e, delay: 576, padding: 1 }))).toBeUndefined();
    expect(parseMp3Gapless(infoFrame({ tag: "Junk", delay: 576, padding: 1 }))).toBeUndefined();
    expect(parseMp3Gapless(new TextEncoder().encode("fLaC and more bytes"))).toBeUndefined();
    expect(parseMp3Gapless(new Uint8Array(3))).toBeUndefined();
  });
});

describe("id3v2TagSize", () => {
  it("adds the 10-byte header, the syncsafe size and a footer when flagged", () => {
    expect(id3v2TagSize(Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0x02, 0x01]))).toBe(
      10 + 257,
    );
    expect(id3v2TagSize(Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0x10, 0, 0, 0, 5]))).toBe(25);
    expect(id3v2TagSize(Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0]))).toBe(0);
  });
});
