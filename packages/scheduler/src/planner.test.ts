import type { Clock, MediaItem, SmartBlock } from "@grimnir/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  demoPlanInput,
  diffTimelines,
  generateDemoLibrary,
  localHours,
  planTimeline,
  whatIf,
} from "./index.js";
import type { PlanInput } from "./index.js";

const META = { version: 1, createdAt: 0, updatedAt: 0, stationId: "t" } as const;
const FROM = Date.UTC(2026, 0, 9, 17, 0); // 12:00 New York, a Friday
const demo = demoPlanInput(400, 1);

function block(id: string, rest: Partial<SmartBlock> = {}): SmartBlock {
  return {
    ...META,
    id,
    name: id,
    filters: [],
    sort: { by: "random" },
    limit: { kind: "duration", durationMs: 3_600_000, toleranceMs: 20_000 },
    quotas: [],
    rotation: {},
    fill: { kind: "none" },
    ...rest,
  };
}

function musicInput(
  library: MediaItem[],
  rotation: SmartBlock["rotation"],
  extra: Partial<PlanInput> = {},
): PlanInput {
  const clock: Clock = {
    ...META,
    id: "c",
    name: "c",
    slots: [{ id: "music", kind: "smart_block", offsetMs: 0, refId: "music" }],
  };
  return {
    station: { id: "t", timezone: "America/New_York" },
    clocks: [clock],
    smartBlocks: [block("music", { rotation })],
    playlists: [],
    shows: [],
    overrides: [],
    defaultClockId: "c",
    library,
    history: [],
    ...extra,
  };
}

describe("planTimeline", () => {
  it("plans the demo station without gaps and with every entry inside the window", () => {
    const result = planTimeline(demo, { from: FROM, hours: 48, seed: 7 });
    expect(result.entries.length).toBeGreaterThan(500);
    expect(result.hours).toHaveLength(48);
    for (const e of result.entries) {
      expect(e.endsAt).toBeGreaterThan(e.startsAt);
      expect(e.startsAt).toBeLessThan(result.to);
    }
    for (let i = 1; i < result.entries.length; i++) {
      const prev = result.entries[i - 1]!;
      const gap = result.entries[i]!.startsAt - prev.endsAt;
      expect(gap).toBeLessThanOrEqual(20_000 + 1);
    }
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("lands every hard-timed ID exactly at the top of the hour", () => {
    const result = planTimeline(demo, { from: FROM, hours: 24, seed: 3 });
    const ids = result.entries.filter((e) => e.source.slotId === "top-of-hour-id");
    expect(ids).toHaveLength(24);
    for (const e of ids) {
      expect(e.timing).toBe("hard");
      expect(e.startsAt % 3_600_000).toBe(0);
      const before = result.entries.filter((x) => x.startsAt < e.startsAt);
      const last = before[before.length - 1];
      if (last) expect(last.endsAt).toBeLessThanOrEqual(e.startsAt);
    }
  });

  it("cuts an overrunning item with a fade so a hard event lands exactly", () => {
    const library = generateDemoLibrary(50, 2);
    const input = musicInput(
      library,
      {},
      {
        clocks: [
          {
            ...META,
            id: "c",
            name: "c",
            slots: [
              { id: "list", kind: "playlist", offsetMs: 0, refId: "p1" },
              {
                id: "news",
                kind: "hard_event",
                offsetMs: 600_000,
                refId: "jingle-001",
                fadeMs: 2_000,
              },
              { id: "music2", kind: "smart_block", offsetMs: 600_000, refId: "long" },
            ],
          },
        ],
        smartBlocks: [block("music"), block("long", { limit: { kind: "count", count: 10 } })],
        playlists: [
          {
            ...META,
            id: "p1",
            name: "p1",
            items: ["track-000001", "track-000002", "track-000003"],
            mode: "ordered",
          },
        ],
      },
    );
    const result = planTimeline(input, { from: FROM, hours: 3, seed: 1 });
    const events = result.entries.filter((e) => e.source.slotId === "news");
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect((e.startsAt - FROM) % 3_600_000).toBe(600_000);
      const prev = result.entries[result.entries.indexOf(e) - 1]!;
      expect(prev.endsAt).toBeLessThanOrEqual(e.startsAt);
    }
    const cut = result.entries.filter((e) => e.fadeOutMs === 2_000);
    expect(cut.length).toBeGreaterThan(0);
    for (const e of cut) expect(e.cueOutMs! - e.cueInMs!).toBe(e.endsAt - e.startsAt);
  });

  it("keeps artists 60 minutes apart and tracks 24 hours apart when the library allows", () => {
    const library = generateDemoLibrary(2_000, 5, { artists: 200 });
    const result = planTimeline(
      musicInput(library, { artistSeparationMinutes: 60, trackRepeatHours: 24 }),
      { from: FROM, hours: 24, seed: 9 },
    );
    const media = result.entries.filter((e) => e.kind === "media");
    const lastArtist = new Map<string, number>();
    const seen = new Set<string>();
    for (const e of media) {
      const prev = lastArtist.get(e.artist!);
      if (prev !== undefined) expect(e.startsAt - prev).toBeGreaterThanOrEqual(60 * 60_000);
      lastArtist.set(e.artist!, e.startsAt);
      expect(seen.has(e.mediaId!)).toBe(false);
      seen.add(e.mediaId!);
    }
    expect(result.diagnostics.filter((d) => d.code === "rule_relaxed")).toEqual([]);
  });

  it("relaxes album, title, artist then track repeat, reporting each, when the library is too small", () => {
    const library = generateDemoLibrary(6, 1, { artists: 2, jingles: 0 });
    const result = planTimeline(
      musicInput(library, {
        albumSeparationMinutes: 600,
        titleSeparationMinutes: 600,
        artistSeparationMinutes: 600,
        trackRepeatHours: 24,
      }),
      { from: FROM, hours: 4, seed: 1 },
    );
    expect(result.entries.length).toBeGreaterThan(40);
    const relaxed = result.diagnostics.filter((d) => d.code === "rule_relaxed");
    expect(relaxed.length).toBeGreaterThan(0);
    expect(relaxed.some((d) => d.refs.rules!.includes("track"))).toBe(true);
    expect(result.entries.some((e) => e.relaxed?.includes("artist"))).toBe(true);
  });

  it("meets a 30 % quota of new music when enough exists", () => {
    const result = planTimeline(demo, { from: Date.UTC(2026, 0, 12, 13, 0), hours: 6, seed: 4 });
    const daytime = result.entries.filter((e) => e.source.smartBlockId === "new-music");
    const isNew = new Set(demo.library.filter((m) => m.tags.includes("new")).map((m) => m.id));
    const share = daytime.filter((e) => isNew.has(e.mediaId!)).length / daytime.length;
    expect(share).toBeGreaterThanOrEqual(0.28);
  });

  it("plays the weekly show's clock during the show, in local time", () => {
    const result = planTimeline(demo, { from: FROM, hours: 24, seed: 1 });
    const showHours = result.hours.filter((h) => h.showId === "friday-jazz");
    expect(showHours.map((h) => h.local)).toEqual([
      "2026-01-09T20:00:00-05:00",
      "2026-01-09T21:00:00-05:00",
    ]);
    expect(showHours.every((h) => h.clockId === "jazz")).toBe(true);
    // summer time: the show still starts at 20:00 local
    const july = planTimeline(demo, { from: Date.UTC(2026, 6, 3, 16, 0), hours: 12, seed: 1 });
    expect(july.hours.filter((h) => h.showId === "friday-jazz")[0]!.local).toBe(
      "2026-07-03T20:00:00-04:00",
    );
  });

  it("lets an override replace the plan and reports overlapping shows", () => {
    const input: PlanInput = {
      ...demo,
      shows: [
        ...demo.shows,
        {
          ...META,
          id: "clash",
          name: "Clash",
          startLocal: "2026-01-09T21:00:00",
          durationMs: 3_600_000,
          clockId: "standard",
        },
      ],
      overrides: [
        {
          ...META,
          id: "holiday",
          name: "Holiday",
          startsAt: FROM,
          endsAt: FROM + 2 * 3_600_000,
          clockId: "jazz",
        },
      ],
    };
    const result = planTimeline(input, { from: FROM, hours: 12, seed: 1 });
    expect(result.hours.slice(0, 2).map((h) => h.overrideId)).toEqual(["holiday", "holiday"]);
    expect(result.hours[0]!.clockId).toBe("jazz");
    expect(
      result.diagnostics.some((d) => d.code === "show_overlap" && d.refs.showId === "clash"),
    ).toBe(true);
  });
});

describe("DST", () => {
  const zone = "America/New_York";
  it("has 23 local hours on 2026-03-08 and 25 on 2026-11-01", () => {
    const spring = localHours(zone, Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 9, 4));
    expect(spring.filter((h) => h.localDate === "2026-03-08")).toHaveLength(23);
    expect(spring.map((h) => h.hourOfDay)).not.toContain(2);
    const fall = localHours(zone, Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 2, 5));
    const nov1 = fall.filter((h) => h.localDate === "2026-11-01");
    expect(nov1).toHaveLength(25);
    expect(nov1.filter((h) => h.hourOfDay === 1)).toHaveLength(2);
  });

  it("plans the right number of hours and a hard ID at every local top of hour across both changes", () => {
    for (const [from, hours, expected] of [
      [Date.UTC(2026, 2, 8, 5), 23, 23],
      [Date.UTC(2026, 10, 1, 4), 25, 25],
    ] as const) {
      const result = planTimeline(demo, { from, hours, seed: 2 });
      expect(result.hours).toHaveLength(expected);
      const ids = result.entries.filter((e) => e.source.slotId === "top-of-hour-id");
      expect(ids.map((e) => e.startsAt)).toEqual(result.hours.map((h) => h.startsAt));
    }
  });
});

describe("determinism", () => {
  it("gives byte-identical JSON for the same inputs across 100 seeds", () => {
    const small = demoPlanInput(120, 3);
    for (let seed = 0; seed < 100; seed++) {
      const a = JSON.stringify(planTimeline(small, { from: FROM, hours: 3, seed }));
      const reordered = {
        ...small,
        library: [...small.library].reverse(),
        clocks: [...small.clocks].reverse(),
      };
      const b = JSON.stringify(planTimeline(reordered, { from: FROM, hours: 3, seed }));
      expect(b).toBe(a);
    }
  });

  it("changes the selection when the seed changes", () => {
    const a = planTimeline(demo, { from: FROM, hours: 2, seed: 1 }).entries.map((e) => e.mediaId);
    const b = planTimeline(demo, { from: FROM, hours: 2, seed: 2 }).entries.map((e) => e.mediaId);
    expect(a).not.toEqual(b);
  });
});

describe("frozen horizon", () => {
  it("keeps entries starting within 15 minutes unchanged when regenerating with another seed", () => {
    const first = planTimeline(demo, { from: FROM, hours: 6, seed: 1 });
    const from = FROM + 60 * 60_000;
    const second = planTimeline(demo, { from, hours: 6, seed: 99, previous: first.entries });
    const frozen = first.entries.filter((e) => e.startsAt < from + 15 * 60_000 && e.endsAt > from);
    expect(frozen.length).toBeGreaterThan(1);
    expect(second.entries.slice(0, frozen.length)).toEqual(frozen);
    const after = second.entries[frozen.length]!;
    expect(after.startsAt).toBeGreaterThanOrEqual(frozen[frozen.length - 1]!.endsAt - 1);
  });
});

describe("what-if", () => {
  it("reports added, removed and moved entries and new violations without changing inputs", () => {
    const proposed: PlanInput = {
      ...demo,
      smartBlocks: demo.smartBlocks.map((b) =>
        b.id === "music"
          ? { ...b, rotation: { ...b.rotation, artistSeparationMinutes: 2_000 } }
          : b,
      ),
    };
    const snapshot = JSON.stringify(demo);
    const { diff, current } = whatIf(demo, proposed, {
      from: FROM + 8 * 3_600_000,
      hours: 6,
      seed: 5,
    });
    expect(JSON.stringify(demo)).toBe(snapshot);
    expect(diff.added.length + diff.removed.length + diff.moved.length).toBeGreaterThan(0);
    expect(diff.newViolations.some((d) => d.code === "rule_relaxed")).toBe(true);
    const same = diffTimelines(current, current);
    expect(same.unchangedCount).toBe(current.entries.length);
    expect([...same.added, ...same.removed, ...same.moved, ...same.newViolations]).toEqual([]);
  });
});

describe("bad input", () => {
  it("reports unknown ids, an empty library, a bad zone, a bad RRULE and a slot past the hour without throwing", () => {
    const input: PlanInput = {
      ...demo,
      station: { id: "t", timezone: "Mars/Olympus_Mons" },
      library: [],
      clocks: [
        ...demo.clocks,
        {
          ...META,
          id: "broken",
          name: "broken",
          slots: [
            { id: "late", kind: "smart_block", offsetMs: 3_700_000, refId: "music" },
            {
              id: "ghost",
              kind: "smart_block",
              offsetMs: 0,
              refId: "no-such-block",
              durationMs: 4_000_000,
            },
          ],
        },
      ],
      shows: [
        {
          ...META,
          id: "bad",
          name: "bad",
          startLocal: "2026-01-01T10:00:00",
          rrule: "FREQ=SOMETIMES",
          durationMs: 3_600_000,
          clockId: "broken",
        },
      ],
      defaultClockId: "broken",
      clockAssignment: { byHourOfDay: ["missing-clock"] },
    };
    const result = planTimeline(input, { from: FROM, hours: 4, seed: 1 });
    const codes = new Set(result.diagnostics.map((d) => d.code));
    for (const code of [
      "invalid_zone",
      "empty_library",
      "invalid_rrule",
      "clock_slot_out_of_range",
      "unknown_smart_block",
    ]) {
      expect(codes).toContain(code);
    }
    expect(result.timezone).toBe("UTC");
  });

  it("terminates with diagnostics on generated nonsense", () => {
    const slotArb = fc.record({
      id: fc.string({ maxLength: 3 }),
      kind: fc.constantFrom(
        "smart_block",
        "playlist",
        "stopset",
        "webstream",
        "live",
        "hard_event",
        "bogus",
      ),
      offsetMs: fc.oneof(fc.integer({ min: -10, max: 4_000_000 }), fc.constant(Number.NaN)),
      durationMs: fc.option(fc.integer({ min: -1000, max: 5_000_000 }), { nil: undefined }),
      refId: fc.option(fc.constantFrom("b1", "b2", "nope", "track-000001", "p1"), {
        nil: undefined,
      }),
      timing: fc.option(fc.constantFrom("hard", "soft"), { nil: undefined }),
    });
    const blockArb = fc.record({
      id: fc.constantFrom("b1", "b2"),
      count: fc.integer({ min: -1, max: 30 }),
      repeat: fc.option(fc.integer({ min: -1, max: 100 }), { nil: undefined }),
      artist: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
      filler: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(slotArb, { maxLength: 6 }),
        fc.array(blockArb, { maxLength: 3 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom("America/New_York", "Europe/Berlin", "Nowhere/Land", ""),
        fc.constantFrom(undefined, "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=XX", "BYHOUR=99", "garbage"),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (slots, blocks, tracks, timezone, rrule, seed) => {
          const input: PlanInput = {
            station: { id: "t", timezone },
            clocks: [{ ...META, id: "c", name: "c", slots: slots as Clock["slots"] }],
            smartBlocks: blocks.map((b) =>
              block(b.id, {
                limit: { kind: "count", count: b.count },
                rotation: { trackRepeatHours: b.repeat, artistSeparationMinutes: b.artist },
                fill: b.filler
                  ? { kind: "filler", smartBlockId: b.id === "b1" ? "b2" : "b1" }
                  : { kind: "trim" },
              }),
            ),
            playlists: [
              { ...META, id: "p1", name: "p", items: ["track-000001", "nope"], mode: "shuffled" },
            ],
            shows: [
              {
                ...META,
                id: "s",
                name: "s",
                startLocal: "2026-01-09T13:00:00",
                rrule,
                durationMs: 3_600_000,
                clockId: "c",
              },
            ],
            overrides: [],
            defaultClockId: "c",
            library: generateDemoLibrary(tracks, seed % 7),
            history: [],
          };
          const result = planTimeline(input, { from: FROM, hours: 3, seed });
          expect(Array.isArray(result.diagnostics)).toBe(true);
          for (const e of result.entries) expect(e.endsAt).toBeGreaterThan(e.startsAt);
          expect(result.diagnostics.some((d) => d.code === "internal_error")).toBe(false);
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  it("keeps artist separation whenever the library makes it satisfiable (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000 }),
        fc.integer({ min: 5, max: 45 }),
        (seed, minutes) => {
          // 40 artists × ~5 min tracks: any separation ≤ 45 min is satisfiable
          const library = generateDemoLibrary(400, seed, { artists: 40, jingles: 0 });
          const result = planTimeline(musicInput(library, { artistSeparationMinutes: minutes }), {
            from: FROM,
            hours: 3,
            seed,
          });
          const last = new Map<string, number>();
          for (const e of result.entries) {
            const prev = last.get(e.artist!);
            if (prev !== undefined)
              expect(e.startsAt - prev).toBeGreaterThanOrEqual(minutes * 60_000);
            last.set(e.artist!, e.startsAt);
          }
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });
});
