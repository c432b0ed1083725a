import type { Clock, ClockSlot, MediaItem, Show, SmartBlock } from "@grimnir/core";
import { generateDemoLibrary } from "./demo-library.js";
import type { PlanInput } from "./types.js";

const STATION = "demo";
const META = { version: 1, createdAt: 0, updatedAt: 0, stationId: STATION } as const;

function block(id: string, rest: Partial<SmartBlock>): SmartBlock {
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

function clock(id: string, name: string, slots: ClockSlot[]): Clock {
  return { ...META, id, name, slots };
}

const musicRotation = {
  trackRepeatHours: 12,
  artistSeparationMinutes: 60,
  titleSeparationMinutes: 180,
  albumSeparationMinutes: 120,
};

/** Smart blocks, clocks and the weekly show of the demo station (no library). */
export function demoStationRules(): Pick<
  PlanInput,
  | "clocks"
  | "smartBlocks"
  | "playlists"
  | "shows"
  | "overrides"
  | "defaultClockId"
  | "clockAssignment"
> & { station: PlanInput["station"] } {
  const smartBlocks = [
    block("music", {
      name: "Music rotation",
      filters: [{ field: "tags", op: "contains", value: "music" }],
      rotation: musicRotation,
      fill: { kind: "filler", smartBlockId: "jingles" },
    }),
    block("new-music", {
      name: "Daytime rotation, 30 % new",
      filters: [{ field: "tags", op: "contains", value: "music" }],
      quotas: [
        { name: "new", filters: [{ field: "tags", op: "contains", value: "new" }], percent: 30 },
      ],
      rotation: musicRotation,
      fill: { kind: "fade", fadeMs: 3_000 },
    }),
    block("jazz", {
      name: "Jazz, least recently played first",
      filters: [{ field: "genre", op: "equals", value: "Jazz" }],
      sort: { by: "least_recently_played" },
      rotation: { trackRepeatHours: 24, artistSeparationMinutes: 30 },
    }),
    block("jingles", {
      name: "Jingles",
      filters: [{ field: "tags", op: "contains", value: "jingle" }],
      limit: { kind: "count", count: 2 },
      rotation: { trackRepeatHours: 1 },
    }),
  ];
  const top: ClockSlot = {
    id: "top-of-hour-id",
    kind: "hard_event",
    offsetMs: 0,
    mediaIds: ["jingle-001"],
    timing: "hard",
    fadeMs: 1_500,
  };
  const stopset: ClockSlot = {
    id: "stopset-30",
    kind: "stopset",
    offsetMs: 1_800_000,
    mediaIds: ["jingle-002", "jingle-003"],
    timing: "soft",
  };
  const clocks = [
    clock("standard", "Standard hour", [
      top,
      { id: "music-1", kind: "smart_block", offsetMs: 0, refId: "music" },
      stopset,
      { id: "music-2", kind: "smart_block", offsetMs: 1_800_000, refId: "music" },
    ]),
    clock("daytime", "Daytime hour", [
      top,
      { id: "music-1", kind: "smart_block", offsetMs: 0, refId: "new-music" },
      stopset,
      { id: "music-2", kind: "smart_block", offsetMs: 1_800_000, refId: "new-music" },
    ]),
    clock("jazz", "Jazz hour", [
      top,
      { id: "jazz", kind: "smart_block", offsetMs: 0, refId: "jazz" },
    ]),
  ];
  const shows: Show[] = [
    {
      ...META,
      id: "friday-jazz",
      name: "Friday Night Jazz",
      startLocal: "2026-01-02T20:00:00",
      rrule: "FREQ=WEEKLY;BYDAY=FR",
      durationMs: 2 * 3_600_000,
      clockId: "jazz",
      live: false,
    },
  ];
  const byHourOfDay = Array.from({ length: 24 }, (_, h) => (h >= 7 && h < 19 ? "daytime" : null));
  return {
    station: { id: STATION, timezone: "America/New_York", name: "Grimnir Demo Radio" },
    clocks,
    smartBlocks,
    playlists: [],
    shows,
    overrides: [],
    defaultClockId: "standard",
    clockAssignment: { byHourOfDay },
  };
}

/**
 * The demo station as a complete {@link PlanInput}: America/New_York, a
 * generated library (`generateDemoLibrary(tracks, seed)`), three clocks
 * (hard-timed ID at :00, soft stopset at :30), smart blocks with separation
 * rules and a 30 % "new" quota, and a weekly Friday show.
 */
export function demoPlanInput(tracks = 400, seed = 1, library?: MediaItem[]): PlanInput {
  return {
    ...demoStationRules(),
    library: library ?? generateDemoLibrary(tracks, seed, { stationId: STATION }),
    history: [],
  };
}
