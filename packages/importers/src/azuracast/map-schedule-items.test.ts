import { describe, expect, it } from "vitest";
import { mapPlaylistSchedule, mapScheduleItem, mapStreamerSchedule } from "./map-schedule-items.js";

const STATION = { sid: "1", stationId: "ac-station-1" };

describe("mapScheduleItem", () => {
  it("maps weekdays 18:00–21:00 from a start date to a weekly RRULE of 3 hours", () => {
    expect(
      mapScheduleItem({
        start_time: 1800,
        end_time: 2100,
        start_date: "2024-03-01",
        days: [5, 1, 5],
      }),
    ).toEqual({
      startLocal: "2024-03-01T18:00:00",
      rrule: "FREQ=WEEKLY;BYDAY=MO,FR",
      durationMs: 3 * 3_600_000,
      notes: [],
    });
  });

  it("runs past midnight, repeats daily without days and ends on the end date", () => {
    const mapped = mapScheduleItem({ start_time: 2330, end_time: 15, end_date: "2024-12-31" });
    expect(mapped).toMatchObject({
      startLocal: "2024-01-01T23:30:00",
      rrule: "FREQ=DAILY;UNTIL=20241231T235959",
      durationMs: 45 * 60_000,
    });
    expect(mapScheduleItem({ start_time: 900, end_time: 900 })).toMatchObject({
      durationMs: 24 * 3_600_000,
    });
    expect(mapScheduleItem({ start_time: 0, end_time: 100, days: [7] })).toMatchObject({
      rrule: "FREQ=WEEKLY;BYDAY=SU",
    });
  });

  it("notes loop_once, which has no equivalent", () => {
    expect(mapScheduleItem({ start_time: 100, end_time: 200, loop_once: true })).toMatchObject({
      notes: ["loop_once (play the playlist once per window) has no equivalent"],
    });
  });

  it("says why an item cannot be mapped", () => {
    expect(mapScheduleItem({ start_time: 2575, end_time: 100 })).toBe(
      "start_time/end_time 2575/100 are not HHMM times",
    );
    expect(mapScheduleItem({ start_time: 100, end_time: 2401 })).toMatch(/not HHMM/);
    expect(mapScheduleItem({ start_time: 100, end_time: 200, start_date: "2024/01/01" })).toBe(
      'start_date "2024/01/01" is not YYYY-MM-DD',
    );
    expect(mapScheduleItem({ start_time: 100, end_time: 200, days: [0, 8] })).toBe(
      "days [0,8] must be 1 (Monday) … 7 (Sunday)",
    );
  });
});

describe("schedule items as shows", () => {
  const clock = {
    id: "ac-1-playlist-4-clock",
    stationId: STATION.stationId,
    name: "Evening clock",
    slots: [{ id: "playlist", kind: "playlist", offsetMs: 300_000, refId: "ac-1-playlist-4" }],
  };

  it("gives a playlist's item a show on the playlist's clock from minute 0 and rejects the bad one", () => {
    const result = mapPlaylistSchedule(
      STATION,
      [
        { id: 10, start_time: 1800, end_time: 1900 },
        { id: 11, start_time: "x", end_time: 1900 },
      ],
      { name: "Evening (2)", sourceName: "Evening", clock },
    );
    expect(result.entities).toHaveLength(1);
    const [show, ownClock] = result.entities[0]!.records;
    expect(show).toMatchObject({
      repo: "shows",
      value: { id: "ac-1-schedule-10", name: "Evening (2) (scheduled)", clockId: clock.id },
    });
    expect(ownClock!.value.slots).toEqual([{ ...clock.slots[0], offsetMs: 0 }]);
    expect(clock.slots[0]!.offsetMs).toBe(300_000);
    expect(result.rejected).toEqual([
      {
        sourceKind: "playlist_schedule",
        sourceId: "1/11",
        action: "unmappable",
        reason: 'playlist "Evening": start_time/end_time x/1900 are not HHMM times',
      },
    ]);
  });

  it("gives a streamer's item a live show for the DJ on the station's live clock", () => {
    const result = mapStreamerSchedule(STATION, [{ id: 20, start_time: 2000, end_time: 2200 }], {
      username: "dj_mike",
      displayName: undefined,
      djUserId: "ac-1-streamer-1",
    });
    expect(result.entities[0]!.records.map((r) => r.value)).toMatchObject([
      {
        id: "ac-1-schedule-s20",
        name: "dj_mike (live)",
        live: true,
        djUserId: "ac-1-streamer-1",
        clockId: "ac-1-live-clock",
      },
      { id: "ac-1-live-clock", slots: [{ id: "live", kind: "live", offsetMs: 0 }] },
    ]);
  });
});
