import { describe, expect, it } from "vitest";
import { ROTATION_TAG } from "./ids.js";
import { mapPlaylists } from "./map-playlists.js";

const STATION = { sid: "1", stationId: "ac-station-1" };

describe("mapPlaylists", () => {
  const files = [
    { id: 1, playlists: [{ id: 1 }, { id: 3 }] },
    { id: 2, playlists: [{ id: 1 }] },
  ];

  it("maps song playlists, the once-per-hour clock, remote streams and then the rotation block", () => {
    const result = mapPlaylists(
      STATION,
      [
        { id: 1, name: "Day", type: "default", order: "sequential" },
        { id: 2, name: "Day", source: "remote_url", remote_url: "https://x.test/live" },
        { id: 3, name: "Day", type: "once_per_hour", play_per_hour_minute: 5 },
      ],
      files,
      new Set(["1"]),
    );
    expect(result.rejected).toEqual([]);
    expect(result.entities.map((e) => e.records.map((r) => `${r.repo}:${r.value.id}`))).toEqual([
      ["playlists:ac-1-playlist-1"],
      ["webstreams:ac-1-playlist-2"],
      ["playlists:ac-1-playlist-3", "clocks:ac-1-playlist-3-clock"],
      ["smartBlocks:ac-1-rotation"],
    ]);
    const [day, stream, hourly, rotation] = result.entities;
    expect(day!.records[0]!.value).toMatchObject({ items: ["ac-1-media-1"], mode: "ordered" });
    expect(day!.notes).toContain("1 item(s) dropped: media not imported");
    expect(stream!.records[0]!.value).toMatchObject({ name: "Day", urls: ["https://x.test/live"] });
    expect(hourly!.records[0]!.value).toMatchObject({ name: "Day (2)", mode: "shuffled" });
    expect(hourly!.records[1]!.value.slots).toMatchObject([{ offsetMs: 5 * 60_000 }]);
    expect(rotation!.records[0]!.value.filters).toEqual([
      { field: "tags", op: "contains", value: ROTATION_TAG },
    ]);
  });

  it("rejects unknown and advanced types and remote playlists that are not http streams", () => {
    const result = mapPlaylists(
      STATION,
      [
        { id: 1, name: "A", type: "random_walk" },
        { id: 2, name: "B", type: "advanced" },
        { id: 3, name: "C", source: "remote_url", remote_url: "ftp://x", remote_type: "stream" },
        { id: 4, name: "D", source: "remote_url", remote_url: "http://x", remote_type: "playlist" },
        { id: 5, name: "E", type: "default", is_enabled: false },
      ],
      [],
      new Set(),
    );
    expect(result.rejected.map((r) => r.sourceId)).toEqual(["1/1", "1/2", "1/3", "1/4"]);
    expect(result.rejected[1]!.reason).toMatch(/advanced playlist/);
    // a disabled standard playlist is imported but brings no rotation block
    expect(result.entities.map((e) => e.sourceKind)).toEqual(["playlist"]);
    expect(result.entities[0]!.notes[0]).toBe("disabled in AzuraCast");
  });

  it("follows each playlist with the shows of its schedule", () => {
    const result = mapPlaylists(
      STATION,
      [
        {
          id: 4,
          name: "Eve",
          type: "default",
          schedule_items: [{ id: 10, start_time: 1800, end_time: 2100 }],
        },
      ],
      [],
      new Set(),
    );
    expect(result.entities.map((e) => `${e.sourceKind}:${e.sourceId}`)).toEqual([
      "playlist:1/4",
      "playlist_schedule:1/10",
    ]);
  });
});
