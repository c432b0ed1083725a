import { describe, expect, it } from "vitest";
import type { Deck, MixerItem } from "./deck.js";
import { layerEvents, liveEvents, type MixerEvent, type MixerEventSink } from "./mixer-events.js";
import { PcmBuffer } from "./pcm-buffer.js";

/** A sink whose block starts at output frame 1000, collecting what it receives. */
function sink(): { sink: MixerEventSink; events: MixerEvent[] } {
  const events: MixerEvent[] = [];
  return { sink: { frameAt: (offset) => 1000 + offset, emit: (e) => events.push(e) }, events };
}

function item(itemId: string, source = new PcmBuffer(2)): MixerItem {
  return { itemId, source };
}

/** The parts of a deck the listener reads. */
function deck(mixerItem: MixerItem, position: number): Deck {
  return { item: mixerItem, position } as Deck;
}

describe("mixer events from layer callbacks", () => {
  it("reports starts and underruns on the output clock, naming the layer", () => {
    const { sink: s, events } = sink();
    const listener = layerEvents("emergency", s);
    listener.started(item("a"), 5);
    listener.underrun(item("a"), 64, 128);
    expect(events).toEqual([
      { type: "item_started", frame: 1005, itemId: "a", layer: "emergency" },
      { type: "underrun", frame: 1064, itemId: "a", missingFrames: 128 },
    ]);
  });

  it("reports the end of an item with its reason and position in the file", () => {
    const { sink: s, events } = sink();
    layerEvents("program", s).ended(deck(item("b"), 44100), 10, "faded");
    expect(events).toEqual([
      {
        type: "item_ended",
        frame: 1010,
        itemId: "b",
        layer: "program",
        reason: "faded",
        positionFrames: 44100,
      },
    ]);
  });

  it("precedes the end of a failed item with a source_failure carrying the decoder's message", () => {
    const { sink: s, events } = sink();
    const failed = new PcmBuffer(2);
    failed.end(new Error("no such file"));
    const listener = layerEvents("program", s);
    listener.ended(deck(item("c", failed), 0), 3, "failed");
    listener.ended(deck(item("d"), 0), 4, "failed");
    expect(events.map((e) => e.type)).toEqual([
      "source_failure",
      "item_ended",
      "source_failure",
      "item_ended",
    ]);
    expect(events[0]).toEqual({
      type: "source_failure",
      frame: 1003,
      itemId: "c",
      message: "no such file",
    });
    expect(events[2]).toMatchObject({ itemId: "d", message: "decoder failed" });
  });

  it("reports a live input's life as live_* events on the output clock", () => {
    const { sink: s, events } = sink();
    const listener = liveEvents(s);
    listener.started("srt://a", 1);
    listener.connected("srt://a", 2);
    listener.disconnected("srt://a", 3, "no audio for 500 ms");
    listener.ended("srt://a", 4);
    expect(events).toEqual([
      { type: "live_started", frame: 1001, inputUri: "srt://a" },
      { type: "live_connected", frame: 1002, inputUri: "srt://a" },
      {
        type: "live_disconnected",
        frame: 1003,
        inputUri: "srt://a",
        reason: "no audio for 500 ms",
      },
      { type: "live_ended", frame: 1004, inputUri: "srt://a" },
    ]);
  });
});
