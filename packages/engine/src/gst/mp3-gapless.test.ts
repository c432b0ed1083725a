import { describe, expect, it } from "vitest";
import { MP3_DECODER_DELAY } from "@grimnir/core";
import { parseGaplessTrim } from "./mp3-gapless.js";

/** A first MPEG-1 layer III frame (44.1 kHz, joint stereo) carrying an Info tag and a LAME extension. */
function infoFrame(options: { frames: number; delay: number; padding: number; encoder?: string }) {
  const bytes = new Uint8Array(417);
  bytes.set([0xff, 0xfb, 0x90, 0x64]);
  let at = 4 + 32;
  bytes.set(
    [..."Info"].map((c) => c.charCodeAt(0)),
    at,
  );
  const view = new DataView(bytes.buffer);
  // Flags: frames, bytes, TOC and quality present.
  view.setUint32(at + 4, 0x0f);
  view.setUint32(at + 8, options.frames);
  at += 12 + 4 + 100 + 4;
  bytes.set(
    [...(options.encoder ?? "LAME3.100")].map((c) => c.charCodeAt(0)),
    at,
  );
  const d = at + 21;
  bytes[d] = options.delay >> 4;
  bytes[d + 1] = ((options.delay & 0x0f) << 4) | (options.padding >> 8);
  bytes[d + 2] = options.padding & 0xff;
  return bytes;
}

describe("parseGaplessTrim", () => {
  it("cuts the encoder and decoder delay at the start and keeps the encoder's input length", () => {
    const trim = parseGaplessTrim(infoFrame({ frames: 40, delay: 576, padding: 1404 }));
    expect(trim).toEqual({
      startFrames: 576 + MP3_DECODER_DELAY,
      lengthFrames: 40 * 1152 - 576 - 1404,
      sampleRateHz: 44100,
    });
  });

  it("trims nothing without a LAME extension, an Info tag or a frame sync", () => {
    expect(
      parseGaplessTrim(infoFrame({ frames: 40, delay: 576, padding: 0, encoder: "XXXX" })),
    ).toBeUndefined();
    const noTag = infoFrame({ frames: 40, delay: 576, padding: 0 });
    noTag.set([0, 0, 0, 0], 36);
    expect(parseGaplessTrim(noTag)).toBeUndefined();
    expect(parseGaplessTrim(Uint8Array.from([0x49, 0x44, 0x33, 4]))).toBeUndefined();
  });

  it("rejects a delay and padding longer than the audio", () => {
    expect(parseGaplessTrim(infoFrame({ frames: 1, delay: 1000, padding: 200 }))).toBeUndefined();
  });
});
