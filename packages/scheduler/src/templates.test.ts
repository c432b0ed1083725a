import type { Override, Show } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import { copyWeek } from "./index.js";

const META = { version: 1, createdAt: 0, updatedAt: 0, stationId: "demo" } as const;
const ZONE = "America/New_York";

function override(id: string, startsAt: string, endsAt: string): Override {
  return {
    ...META,
    id,
    name: id,
    startsAt: Date.parse(startsAt),
    endsAt: Date.parse(endsAt),
    clockId: "jazz",
  };
}

function local(ms: number): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: ZONE,
    dateStyle: "short",
    timeStyle: "short",
  }).format(new Date(ms));
}

describe("copyWeek", () => {
  it("keeps local wall times when the target week is on the other side of a DST change", () => {
    // Week of Mon 2026-03-02; DST starts Sun 2026-03-08 at 02:00 in New York.
    const source = {
      overrides: [
        override("sat-morning", "2026-03-07T09:00:00-05:00", "2026-03-07T11:00:00-05:00"),
        // crosses the spring-forward night: 22:00 EST → 04:00 EDT is 5 real hours
        override("all-nighter", "2026-03-07T22:00:00-05:00", "2026-03-08T04:00:00-04:00"),
        override("next-week", "2026-03-09T09:00:00-04:00", "2026-03-09T10:00:00-04:00"),
      ],
      shows: [
        {
          ...META,
          id: "special",
          name: "Special",
          startLocal: "2026-03-06T20:00:00",
          durationMs: 3_600_000,
          clockId: "jazz",
        },
        {
          ...META,
          id: "weekly",
          name: "Weekly",
          startLocal: "2026-03-06T20:00:00",
          rrule: "FREQ=WEEKLY",
          durationMs: 3_600_000,
          clockId: "jazz",
        },
      ] satisfies Show[],
    };
    const copy = copyWeek(source, "2026-03-02", "2026-03-09", ZONE);
    expect(copy.overrides.map((o) => [o.id, local(o.startsAt), local(o.endsAt)])).toEqual([
      ["sat-morning@2026-03-09", "2026-03-14 09:00", "2026-03-14 11:00"],
      ["all-nighter@2026-03-09", "2026-03-14 22:00", "2026-03-15 04:00"],
    ]);
    expect(copy.overrides[0]!.startsAt).toBe(Date.parse("2026-03-14T13:00:00Z"));
    const allNighter = copy.overrides[1]!;
    expect((allNighter.endsAt - allNighter.startsAt) / 3_600_000).toBe(6);
    expect(copy.shows).toEqual([
      { ...source.shows[0], id: "special@2026-03-09", startLocal: "2026-03-13T20:00:00" },
    ]);
    expect(source.overrides[0]!.id).toBe("sat-morning");
  });

  it("copies backwards into the fall-back week the same way", () => {
    const source = {
      overrides: [override("sun-early", "2026-11-08T01:30:00-05:00", "2026-11-08T03:00:00-05:00")],
      shows: [],
    };
    const [copy] = copyWeek(source, "2026-11-02", "2026-10-26", ZONE).overrides;
    expect([local(copy!.startsAt), local(copy!.endsAt)]).toEqual([
      "2026-11-01 01:30",
      "2026-11-01 03:00",
    ]);
  });

  it("rejects a date that is not YYYY-MM-DD and an unknown zone", () => {
    expect(() => copyWeek({ shows: [], overrides: [] }, "2026-3-2", "2026-03-09", ZONE)).toThrow(
      /fromWeekStart must be a local date YYYY-MM-DD/,
    );
    expect(() =>
      copyWeek({ shows: [], overrides: [] }, "2026-03-02", "2026-03-09", "Mars/Base"),
    ).toThrow(/IANA time zone/);
  });
});
