import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROTATION_TAG, WEIGHT_FIELD } from "./ids.js";
import { isRotationPlaylist, mapMedia } from "./map-media.js";

const STATION = { sid: "1", stationId: "ac-station-1" };

describe("isRotationPlaylist", () => {
  it("is true only for enabled, unscheduled standard playlists of songs", () => {
    expect(isRotationPlaylist({ type: "default" })).toBe(true);
    expect(isRotationPlaylist({ type: "default", schedule_items: [] })).toBe(true);
    expect(isRotationPlaylist({ type: "default", schedule_items: [{ id: 1 }] })).toBe(false);
    expect(isRotationPlaylist({ type: "default", is_enabled: false })).toBe(false);
    expect(isRotationPlaylist({ type: "default", source: "remote_url" })).toBe(false);
    expect(isRotationPlaylist({ type: "once_per_hour" })).toBe(false);
  });
});

describe("mapMedia", () => {
  const playlists = [
    { id: 1, type: "default", weight: 5 },
    { id: 2, type: "default" },
    { id: 3, type: "once_per_x_songs", is_jingle: true },
  ];

  it("maps cue, fade and outro points, fields, jingle tag and the highest rotation weight", async () => {
    const result = await mapMedia(
      STATION,
      [
        {
          id: 7,
          path: "a/song.mp3",
          length: 200,
          uploaded_at: 1_704_067_200,
          custom_fields: { mood: "calm", note: null },
          isrc: "X1",
          extra_metadata: { cue_in: 1.5, cue_out: 999, fade_in: 2, cross_start_next: 190 },
          playlists: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 99 }],
        },
      ],
      playlists,
      undefined,
    );
    const entity = result.entities[0]!;
    expect(entity.records[0]!.value).toMatchObject({
      id: "ac-1-media-7",
      title: "song.mp3",
      tags: ["jingle", ROTATION_TAG],
      fields: { azuracast_id: 7, mood: "calm", isrc: "X1", fade_in_ms: 2000, [WEIGHT_FIELD]: 5 },
      durationMs: 200_000,
      cueInMs: 1500,
      cueOutMs: 200_000,
      outroMs: 190_000,
      contentHash: "azuracast:7",
      addedAt: 1_704_067_200_000,
    });
    expect(entity.notes).toEqual(["cue out 999000 ms outside the file; set to its length"]);
    expect([...result.imported]).toEqual(["7"]);
  });

  it("rejects a file without a path and skips one missing under the media root", async () => {
    const root = await mkdtemp(join(tmpdir(), "ac-media-"));
    try {
      await mkdir(join(root, "a"));
      await writeFile(join(root, "a", "here.mp3"), "");
      const result = await mapMedia(
        STATION,
        [
          { id: 1, path: "", length: 10 },
          { id: 2, path: "a/here.mp3", length: 10 },
          { id: 3, path: "a/gone.mp3", length: 10 },
        ],
        [],
        root,
      );
      expect([...result.imported]).toEqual(["2"]);
      expect(result.rejected.map((r) => [r.sourceId, r.action, r.reason])).toEqual([
        ["1/1", "unmappable", "path is empty"],
        ["1/3", "skip", `audio file missing: ${join(root, "a/gone.mp3")}`],
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
