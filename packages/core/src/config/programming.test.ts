import { describe, expect, it } from "vitest";
import { isGrimnirError } from "../errors.js";
import { formatProblem, parseStationConfig } from "./loader.js";
import type { ConfigProblem } from "./problems.js";
import { rruleSyntaxProblem } from "./rrule-syntax.js";

const BASE = `station:
  id: demo
  name: Demo
  timezone: America/New_York
mounts:
  - id: main
    name: Main
    outputs:
      - type: http
        path: demo.mp3
failover:
  emergency_audio_path: media/emergency.mp3
`;

// Line 13 onwards; tests below count lines from here.
const PROGRAMMING = `clocks:
  - id: standard
    slots:
      - id: top
        kind: hard_event
        offset: "00:00"
        media: [jingle-001]
        timing: hard
        fade_ms: 1500
      - id: music
        kind: smart_block
        offset: 0
        ref: music
      - id: stopset
        kind: stopset
        offset: "30:00"
        media: [jingle-002, jingle-003]
smart_blocks:
  - id: music
    filters:
      - { field: tags, op: contains, value: music }
    rotation:
      artist_separation_minutes: 60
    fill: { kind: filler, smart_block: jingles }
  - id: jingles
    filters:
      - { field: tags, op: contains, value: jingle }
    limit: { count: 2 }
shows:
  - id: friday-jazz
    start_local: "2026-01-02T20:00"
    rrule: FREQ=WEEKLY;BYDAY=FR
    duration_minutes: 120
    clock: standard
clock_assignment:
  default: standard
`;

const VALID = BASE + PROGRAMMING;

function edit(search: string, replacement: string, text = VALID): string {
  expect(text).toContain(search);
  return text.replace(search, replacement);
}

function problems(text: string): string[] {
  try {
    parseStationConfig(text, "station.yaml");
  } catch (error) {
    if (isGrimnirError(error, "CONFIG_INVALID")) {
      return (error.details.problems as ConfigProblem[]).map(formatProblem);
    }
    throw error;
  }
  throw new Error("expected the configuration to be invalid");
}

describe("station programming sections", () => {
  it("reports a smart block reference that names no smart block, at the value", () => {
    expect(problems(edit("ref: music", "ref: musik"))).toEqual([
      'station.yaml:25:14: clocks[0].slots[1].ref "musik" is not a smart block defined in smart_blocks; known: music, jingles',
    ]);
  });

  it("reports a slot offset past the end of the hour", () => {
    expect(problems(edit('offset: "30:00"', 'offset: "61:30"'))).toEqual([
      'station.yaml:28:17: clocks[0].slots[2].offset "61:30" is past the end of the hour; expected "00:00" to "59:59" (0 to 3599 s)',
    ]);
  });

  it("reports an offset given in seconds past the hour the same way", () => {
    expect(problems(edit("offset: 0", "offset: 3600"))).toEqual([
      'station.yaml:24:17: clocks[0].slots[1].offset 3600 is past the end of the hour; expected "00:00" to "59:59" (0 to 3599 s)',
    ]);
  });

  it("reports a slot whose duration runs past the hour", () => {
    expect(problems(edit('offset: "30:00"', 'offset: "30:00"\n        duration: "45:00"'))).toEqual(
      [
        'station.yaml:29:19: clocks[0].slots[2].duration "45:00" runs 900 s past the end of the hour; a clock covers one hour',
      ],
    );
  });

  it("reports a malformed offset through the schema", () => {
    expect(problems(edit('offset: "30:00"', 'offset: "half past"'))).toEqual([
      'station.yaml:28:17: clocks[0].slots[2].offset must match ^[0-9]{1,3}:[0-5][0-9]$ (got "half past")',
    ]);
  });

  it("reports a show clock that does not exist", () => {
    expect(problems(edit("    clock: standard", "    clock: jazz"))).toEqual([
      'station.yaml:46:12: shows[0].clock "jazz" is not a clock defined in clocks; known: standard',
    ]);
  });

  it("reports an unknown filler block", () => {
    expect(problems(edit("smart_block: jingles", "smart_block: jingle"))).toEqual([
      'station.yaml:36:40: smart_blocks[0].fill.smart_block "jingle" is not a smart block defined in smart_blocks; known: music, jingles',
    ]);
  });

  it("reports an invalid RRULE with the part that is wrong", () => {
    expect(problems(edit("BYDAY=FR", "BYDAY=FRI"))).toEqual([
      'station.yaml:44:12: shows[0].rrule is not a valid RFC 5545 RRULE (BYDAY has "FRI"; expected weekdays such as MO, TU or 1FR); expected e.g. "FREQ=WEEKLY;BYDAY=FR"',
    ]);
  });

  it("reports duplicate clock ids at the second one", () => {
    const text = `${VALID}`.replace(
      "smart_blocks:\n",
      "  - id: standard\n    slots:\n      - { id: live, kind: live, offset: 0 }\nsmart_blocks:\n",
    );
    expect(problems(text)).toEqual([
      'station.yaml:30:9: clocks[1].id "standard" duplicates clocks[0].id; clock ids must be unique',
    ]);
  });

  it("reports duplicate slot ids within a clock", () => {
    expect(problems(edit("- id: stopset", "- id: music"))).toEqual([
      'station.yaml:26:13: clocks[0].slots[2].id "music" duplicates clocks[0].slots[1].id; slot ids must be unique within a clock',
    ]);
  });

  it("reports a smart block slot without a ref at the slot", () => {
    expect(problems(edit("        ref: music\n", ""))).toEqual([
      "station.yaml:22:9: clocks[0].slots[1] (smart_block) needs ref: the id of a smart block",
    ]);
  });

  it("reports an unknown default clock and an unknown playlist reference", () => {
    const text = edit(
      "  default: standard\n",
      "  default: standart\n",
      edit(
        "        ref: music\n",
        "        ref: morning\n",
        edit("kind: smart_block", "kind: playlist"),
      ),
    );
    expect(problems(text)).toEqual([
      'station.yaml:25:14: clocks[0].slots[1].ref "morning" is not a playlist defined in playlists (playlists is empty)',
      'station.yaml:48:12: clock_assignment.default "standart" is not a clock defined in clocks; known: standard',
    ]);
  });

  it("reports an override given in local time and one that ends before it starts", () => {
    const text = `${VALID}overrides:
  - id: xmas
    starts_at: "2026-12-25T00:00:00"
    ends_at: "2026-12-26T00:00:00-05:00"
  - id: backwards
    starts_at: "2026-12-25T10:00:00-05:00"
    ends_at: "2026-12-25T09:00:00-05:00"
`;
    expect(problems(text)).toEqual([
      'station.yaml:51:16: overrides[0].starts_at must be ISO-8601 with offset, e.g. "2026-12-25T00:00:00-05:00" (got "2026-12-25T00:00:00")',
      "station.yaml:55:14: overrides[1].ends_at must be after starts_at",
    ]);
  });

  it("reports a filter missing its operand and a limit with both count and duration", () => {
    const text = edit(
      "limit: { count: 2 }",
      "limit: { count: 2, duration_minutes: 5 }",
      edit("op: contains, value: jingle", "op: in"),
    );
    expect(problems(text)).toEqual([
      "station.yaml:39:9: smart_blocks[1].filters[0] (in) needs values",
      "station.yaml:40:5: smart_blocks[1].limit has both count and duration_minutes; give one",
    ]);
  });

  it("maps the programming to camelCase with offsets in ms and hour tables", () => {
    const text = `${VALID}  by_hour_of_day:
    - { hours: "22-1", clock: standard }
  by_hour_of_week:
    - { days: [fri], hours: 20, clock: standard }
planner:
  seed: 7
`;
    const { config } = parseStationConfig(text, "station.yaml");
    expect(config.clocks[0]?.slots).toEqual([
      {
        id: "top",
        kind: "hard_event",
        offsetMs: 0,
        mediaIds: ["jingle-001"],
        timing: "hard",
        fadeMs: 1500,
      },
      { id: "music", kind: "smart_block", offsetMs: 0, refId: "music" },
      {
        id: "stopset",
        kind: "stopset",
        offsetMs: 1_800_000,
        mediaIds: ["jingle-002", "jingle-003"],
      },
    ]);
    expect(config.smartBlocks[0]).toEqual({
      id: "music",
      name: "music",
      filters: [{ field: "tags", op: "contains", value: "music" }],
      sort: { by: "random" },
      limit: { kind: "duration", durationMs: 3_600_000, toleranceMs: 20_000 },
      quotas: [],
      rotation: { artistSeparationMinutes: 60 },
      fill: { kind: "filler", smartBlockId: "jingles" },
    });
    expect(config.smartBlocks[1]?.limit).toEqual({ kind: "count", count: 2 });
    expect(config.shows).toEqual([
      {
        id: "friday-jazz",
        name: "friday-jazz",
        startLocal: "2026-01-02T20:00:00",
        rrule: "FREQ=WEEKLY;BYDAY=FR",
        durationMs: 7_200_000,
        clockId: "standard",
        live: false,
      },
    ]);
    const byDay = config.clockAssignment.byHourOfDay ?? [];
    expect([byDay[21], byDay[22], byDay[23], byDay[0], byDay[1], byDay[2]]).toEqual([
      null,
      "standard",
      "standard",
      "standard",
      "standard",
      null,
    ]);
    expect(config.clockAssignment.byHourOfWeek?.[4 * 24 + 20]).toBe("standard");
    expect(config.clockAssignment.defaultClockId).toBe("standard");
    expect(config.planner).toEqual({
      seed: 7,
      hours: 48,
      frozenMinutes: 15,
      crossfadeMs: 2000,
      toleranceSec: 30,
    });
  });

  it("gives a file without programming empty sections", () => {
    const { config } = parseStationConfig(BASE, "station.yaml");
    expect(config.clocks).toEqual([]);
    expect(config.shows).toEqual([]);
    expect(config.clockAssignment).toEqual({});
    expect(config.planner.hours).toBe(48);
  });
});

describe("rruleSyntaxProblem", () => {
  it("accepts well-formed weekly, monthly and counted rules", () => {
    for (const rule of [
      "FREQ=WEEKLY;BYDAY=MO,WE,FR",
      "RRULE:FREQ=MONTHLY;BYDAY=1SA;INTERVAL=2",
      "FREQ=DAILY;COUNT=10",
      "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24,-1;UNTIL=20301231T000000Z",
    ]) {
      expect(rruleSyntaxProblem(rule)).toBeUndefined();
    }
  });

  it("names what is wrong with a malformed rule", () => {
    expect(rruleSyntaxProblem("BYDAY=MO")).toBe("FREQ is missing");
    expect(rruleSyntaxProblem("FREQ=FORTNIGHTLY")).toMatch(/^FREQ must be/);
    expect(rruleSyntaxProblem("FREQ=MINUTELY")).toBe("FREQ=MINUTELY is not supported for shows");
    expect(rruleSyntaxProblem("FREQ=DAILY;BYHOUR=24")).toMatch(/^BYHOUR has "24"/);
    expect(rruleSyntaxProblem("FREQ=DAILY;COUNT=2;UNTIL=20300101")).toBe(
      "COUNT and UNTIL cannot both be given",
    );
    expect(rruleSyntaxProblem("FREQ=DAILY;FOO=1")).toBe('unknown rule part "FOO"');
    expect(rruleSyntaxProblem("FREQ=DAILY;;")).toBe('"" is not NAME=VALUE');
  });
});
