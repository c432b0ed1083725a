import type { MediaItem } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import { rotationKeys } from "./rotation-rules.js";
import type { PlayableItem } from "./smart-block.js";
import { TimelineTrack } from "./timeline-track.js";
import type { TimelineEntry } from "./types.js";

function playable(id: string, lengthMs: number): PlayableItem {
  const item = { id, title: `T ${id}`, artist: "A" } as MediaItem;
  return {
    item,
    cueInMs: 1_000,
    cueOutMs: 1_000 + lengthMs,
    lengthMs,
    keys: rotationKeys({ mediaId: id, artist: "A", title: item.title }),
  };
}

const SRC = { rule: "test" };

describe("TimelineTrack", () => {
  it("crossfades consecutive media by the crossfade and tells who listens where each starts", () => {
    const planned: Array<[string, number]> = [];
    const track = new TimelineTrack([], 0, 4_000, (p, at) => planned.push([p.item.id, at]));
    const a = track.appendMedia(playable("a", 60_000), "media", SRC, 3);
    expect(track.softStart()).toBe(56_000);
    const b = track.appendMedia(playable("b", 60_000), "media", SRC, 3);
    expect(a).toMatchObject({ startsAt: 0, endsAt: 60_000, crossfadeMs: 4_000, fadeOutMs: 4_000 });
    expect(b).toMatchObject({ startsAt: 56_000, endsAt: 116_000, fadeInMs: 4_000, cueInMs: 1_000 });
    expect(track.cursor).toBe(116_000);
    expect(planned).toEqual([
      ["a", 0],
      ["b", 56_000],
    ]);
  });

  it("does not crossfade into a hard start, a short item or a frozen entry", () => {
    const frozen: TimelineEntry = {
      id: "f",
      startsAt: 0,
      endsAt: 60_000,
      kind: "media",
      timing: "soft",
      priority: 3,
      source: { rule: "frozen" },
    };
    const track = new TimelineTrack([frozen], 60_000, 4_000);
    const afterFrozen = track.appendMedia(playable("a", 60_000), "media", SRC, 3);
    expect(afterFrozen.startsAt).toBe(60_000);
    expect(frozen.crossfadeMs).toBeUndefined();
    const short = track.appendMedia(playable("b", 7_000), "media", SRC, 3);
    expect(short.startsAt).toBe(120_000);
    const hard = track.appendMedia(playable("c", 60_000), "stopset", SRC, 3, 130_000);
    expect(hard).toMatchObject({ startsAt: 130_000, kind: "stopset" });
    expect(hard.fadeInMs).toBeUndefined();
  });

  it("truncates an entry with a fade no longer than what is kept and moves the cursor", () => {
    const track = new TimelineTrack([], 0, 0);
    const entry = track.appendMedia(playable("a", 60_000), "media", SRC, 3);
    track.truncate(entry, 1_000, 5_000);
    expect(entry).toMatchObject({ endsAt: 1_000, cueOutMs: 2_000, fadeOutMs: 1_000 });
    expect(track.cursor).toBe(1_000);
    track.truncate(entry, 500, undefined);
    expect(entry.fadeOutMs).toBeUndefined();
  });

  it("cuts back to an instant: drops later entries, cuts the overrunning one, clears its crossfade", () => {
    const track = new TimelineTrack([], 0, 4_000);
    track.appendMedia(playable("a", 60_000), "media", SRC, 3);
    track.appendMedia(playable("b", 60_000), "media", SRC, 3);
    const cut = track.cutBack(30_000, 500);
    expect(cut.removed).toBe(1);
    expect(cut.cutMs).toBe(30_000);
    expect(cut.last).toMatchObject({ mediaId: "a", endsAt: 30_000, fadeOutMs: 500 });
    expect(cut.last?.crossfadeMs).toBeUndefined();
    expect(track.entries).toHaveLength(1);
    expect(track.cursor).toBe(30_000);

    const frozen: TimelineEntry = {
      id: "f",
      startsAt: 0,
      endsAt: 60_000,
      kind: "media",
      crossfadeMs: 4_000,
      fadeOutMs: 4_000,
      timing: "soft",
      priority: 3,
      source: { rule: "frozen" },
    };
    const afterFrozen = new TimelineTrack([frozen], 60_000, 4_000);
    afterFrozen.appendMedia(playable("a", 60_000), "media", SRC, 3);
    const dropOnly = afterFrozen.cutBack(60_000, 500);
    expect(dropOnly).toEqual({ removed: 1, last: frozen });
    expect(frozen).toMatchObject({ endsAt: 60_000 });
    expect(frozen.crossfadeMs).toBeUndefined();
    expect(frozen.fadeOutMs).toBeUndefined();
    expect(afterFrozen.cutBack(30_000, 500)).toEqual({ removed: 0, last: frozen });
    expect(frozen.endsAt).toBe(60_000);
    expect(afterFrozen.cursor).toBe(30_000);
  });

  it("adds silence only when the cursor is short of the end", () => {
    const track = new TimelineTrack([], 10_000, 0);
    track.appendSilence(5_000, SRC, 3);
    expect(track.entries).toHaveLength(0);
    track.appendSilence(20_000, SRC, 3);
    expect(track.entries).toEqual([
      {
        id: "",
        startsAt: 10_000,
        endsAt: 20_000,
        kind: "silence",
        timing: "soft",
        priority: 3,
        source: SRC,
      },
    ]);
    expect(track.cursor).toBe(20_000);
  });
});
