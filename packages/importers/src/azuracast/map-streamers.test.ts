import { describe, expect, it } from "vitest";
import { LOCKED_PASSWORD } from "../defaults.js";
import { mapStreamers } from "./map-streamers.js";

describe("mapStreamers", () => {
  it("imports DJs with a locked password, then their live shows, and rejects a missing username", () => {
    const result = mapStreamers({ sid: "1", stationId: "ac-station-1" }, [
      {
        id: 1,
        streamer_username: "dj_mike",
        display_name: "DJ Mike",
        is_active: false,
        schedule_items: [{ id: 20, start_time: 2000, end_time: 2200, days: [5] }],
      },
      { id: 2, streamer_username: "" },
    ]);
    expect(result.entities.map((e) => e.sourceKind)).toEqual(["streamer", "streamer_schedule"]);
    const user = result.entities[0]!;
    expect(user.records[0]!.value).toEqual({
      id: "ac-1-streamer-1",
      username: "dj_mike",
      displayName: "DJ Mike",
      passwordHash: LOCKED_PASSWORD,
      roles: [{ stationId: "ac-station-1", role: "dj" }],
      disabled: true,
    });
    expect(typeof user.precheck).toBe("function");
    expect(result.entities[1]!.records[0]!.value).toMatchObject({
      name: "DJ Mike (live)",
      rrule: "FREQ=WEEKLY;BYDAY=FR",
      djUserId: "ac-1-streamer-1",
    });
    expect(result.rejected).toEqual([
      {
        sourceKind: "streamer",
        sourceId: "1/2",
        action: "unmappable",
        reason: "streamer_username is empty",
      },
    ]);
  });
});
