import { fileURLToPath, pathToFileURL } from "node:url";
import type { PlayRequest } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import type { WarmDecoderPool } from "../gst/warm-decoder.js";
import { PcmBuffer } from "../mixer/pcm-buffer.js";
import { StationClock } from "./station-clock.js";
import type { StationEvent } from "./station-events.js";
import { StationItems } from "./station-items.js";

/** An existing local file (this test), so the URI is accepted without decoding anything. */
const here = fileURLToPath(import.meta.url);

/** Items whose warm pool hands out `buffer` for every URI, recording what it was asked for. */
function setup(buffer: PcmBuffer): { items: StationItems; sent: StationEvent[]; asked: string[] } {
  const sent: StationEvent[] = [];
  const asked: string[] = [];
  const pool = {
    take: (uri: string) => {
      asked.push(uri);
      return buffer;
    },
  } as unknown as WarmDecoderPool;
  const items = new StationItems({
    stationId: "s1",
    clock: new StationClock({ sampleRate: 48000, leadMs: 0 }),
    emit: (e) => sent.push(e),
    warmDecoders: () => pool,
    onStreamTags: () => undefined,
  });
  return { items, sent, asked };
}

function request(extra: Partial<PlayRequest> = {}): PlayRequest {
  return { itemId: "i1", uri: here, ...extra };
}

describe("StationItems", () => {
  it("turns a play request into a mixer item with its times in frames, fed by a warm decoder", () => {
    const buffer = new PcmBuffer(2);
    const { items, asked } = setup(buffer);
    const item = items.take(
      request({ startMs: 500, endMs: 2000, fadeInMs: 10, gainDb: -3, title: "T", artist: "A" }),
    );
    expect(asked).toEqual([pathToFileURL(here).href]);
    expect(item).toEqual({
      itemId: "i1",
      source: buffer,
      cueInFrame: 24000,
      cueOutFrame: 96000,
      gainDb: -3,
      fadeInFrames: 480,
      title: "T",
      artist: "A",
    });
  });

  it("leaves cue points and fade-in unset when the request has none", () => {
    const { items } = setup(new PcmBuffer(2));
    const item = items.take(request());
    expect(item.cueInFrame).toBeUndefined();
    expect(item.cueOutFrame).toBeUndefined();
    expect(item.fadeInFrames).toBeUndefined();
  });

  it("remembers each played item's URI and now-playing metadata", () => {
    const { items } = setup(new PcmBuffer(2));
    items.take(request({ itemId: "i7", title: "Song", artist: "Band" }));
    expect(items.uriOf("i7")).toBe(here);
    expect(items.infoOf("i7")).toEqual({ uri: here, title: "Song", artist: "Band" });
    expect(items.infoOf("unknown")).toEqual({ uri: undefined });
  });

  it("reports a missing file as source_failure and rethrows NOT_FOUND", () => {
    const { items, sent } = setup(new PcmBuffer(2));
    const missing = `${here}.does-not-exist.mp3`;
    expect(() => items.take(request({ itemId: "gone", uri: missing }))).toThrow(
      expect.objectContaining({ code: "NOT_FOUND" }),
    );
    expect(sent).toEqual([
      expect.objectContaining({ stationId: "s1", type: "source_failure", itemId: "gone" }),
    ]);
    expect(sent[0]!.message).toContain("does not exist");
    expect(items.uriOf("gone")).toBeUndefined();
  });
});
