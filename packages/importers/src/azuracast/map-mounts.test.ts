import { describe, expect, it } from "vitest";
import { mapMounts } from "./map-mounts.js";

describe("mapMounts", () => {
  it("serves each mount as an HTTP output in its format and rejects unknown formats", () => {
    const result = mapMounts({ sid: "1", stationId: "ac-station-1" }, [
      {
        id: 1,
        name: "/radio.ogg",
        display_name: "Radio",
        autodj_format: "OGG",
        autodj_bitrate: 96,
      },
      { id: 2, autodj_format: "aac" },
      { id: 3, name: "/radio.flac", autodj_format: "flac" },
    ]);
    expect(result.entities.map((e) => e.records[0]!.value)).toEqual([
      {
        id: "ac-1-mount-1",
        stationId: "ac-station-1",
        name: "Radio",
        outputs: [{ type: "http", path: "radio.ogg", format: "vorbis", bitrateKbps: 96 }],
      },
      {
        id: "ac-1-mount-2",
        stationId: "ac-station-1",
        name: "mount-2",
        outputs: [{ type: "http", path: "mount-2", format: "aac", bitrateKbps: 128 }],
      },
    ]);
    expect(result.rejected).toEqual([
      {
        sourceKind: "mount",
        sourceId: "1/3",
        action: "unmappable",
        reason: 'format "flac" is unknown; expected mp3, aac, ogg or opus',
      },
    ]);
  });
});
