import { Priority } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import { cueLineOf, stationEventOf, type ItemInfo } from "./station-events.js";

const info = (itemId: string): ItemInfo => ({
  uri: `file:///music/${itemId}.mp3`,
  title: `Title ${itemId}`,
  artist: "Artist",
});

describe("station events from mixer events", () => {
  it("reports an item's end with its reason and position in ms", () => {
    const event = stationEventOf(
      "s1",
      {
        type: "item_ended",
        frame: 10,
        itemId: "a",
        layer: "program",
        reason: "faded",
        positionFrames: 66150,
      },
      1_700_000_000_000,
      44100,
    );
    expect(event).toEqual({
      stationId: "s1",
      at: 1_700_000_000_000,
      type: "item_ended",
      itemId: "a",
      reason: "faded",
      positionMs: 1500,
    });
  });

  it("names the layer of a started item as its reason", () => {
    const event = stationEventOf(
      "s1",
      { type: "item_started", frame: 0, itemId: "e", layer: "emergency" },
      5,
      48000,
    );
    expect(event).toEqual({
      stationId: "s1",
      at: 5,
      type: "item_started",
      itemId: "e",
      reason: "emergency",
    });
  });

  it("says how much audio an underrun missed and why a live input disconnected", () => {
    const underrun = stationEventOf(
      "s1",
      { type: "underrun", frame: 0, itemId: "a", missingFrames: 512 },
      0,
      48000,
    );
    expect(underrun.message).toBe("512 frames missing");
    const dropout = stationEventOf(
      "s1",
      { type: "live_disconnected", frame: 0, inputUri: "srt://x", reason: "decoder exited" },
      0,
      48000,
    );
    expect(dropout).toMatchObject({ inputUri: "srt://x", message: "decoder exited" });
  });

  it("passes events without an item or input on with only station, time and type", () => {
    expect(stationEventOf("s2", { type: "silence", frame: 99 }, 42, 48000)).toEqual({
      stationId: "s2",
      at: 42,
      type: "silence",
    });
  });
});

describe("cue-log lines from mixer events", () => {
  it("gives an emergency item its URI, metadata, source and priority", () => {
    const line = cueLineOf(
      { type: "item_started", frame: 0, itemId: "e1", layer: "emergency" },
      info,
      Priority.LiveOverride,
    );
    expect(line).toEqual({
      type: "item_started",
      itemId: "e1",
      uri: "file:///music/e1.mp3",
      title: "Title e1",
      artist: "Artist",
      source: "emergency",
      priority: Priority.Emergency,
    });
  });

  it("carries the end reason of a program item, as automation", () => {
    const line = cueLineOf(
      {
        type: "item_ended",
        frame: 0,
        itemId: "p1",
        layer: "program",
        reason: "cut",
        positionFrames: 0,
      },
      info,
      Priority.LiveOverride,
    );
    expect(line).toMatchObject({
      itemId: "p1",
      source: "automation",
      priority: Priority.Automation,
      reason: "cut",
    });
  });

  it("marks live events with the input, source live and the route's priority", () => {
    expect(
      cueLineOf(
        { type: "live_disconnected", frame: 0, inputUri: "srt://in", reason: "no audio" },
        info,
        Priority.LiveScheduled,
      ),
    ).toEqual({
      type: "live_disconnected",
      uri: "srt://in",
      source: "live",
      priority: Priority.LiveScheduled,
      reason: "no audio",
    });
  });

  it("writes only the type for events without an item, layer or input", () => {
    expect(cueLineOf({ type: "emergency_ended", frame: 0 }, info, 1)).toEqual({
      type: "emergency_ended",
    });
  });
});
