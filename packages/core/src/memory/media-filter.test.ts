import { describe, expect, it } from "vitest";
import type { MediaItem } from "../model/media.js";
import type { MediaFilter } from "../model/smart-block.js";
import {
  compareMediaBy,
  matchesMediaFilter,
  matchesMediaFilters,
  matchesMediaQuery,
  matchesMediaText,
} from "./media-filter.js";

function item(id: string, extra: Partial<MediaItem> = {}): MediaItem {
  return {
    id,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    stationId: "s",
    title: "Dancing Queen",
    artist: "ABBA",
    album: "Arrival",
    tags: ["New", "hit"],
    fields: { mood: "Happy", energy: 7, explicit: false },
    durationMs: 230_000,
    cueInMs: 0,
    cueOutMs: 230_000,
    storageKey: "k",
    contentHash: "h",
    analysisStatus: "done",
    addedAt: 1_000,
    year: 1976,
    ...extra,
  };
}

const abba = item("a");
const bare = item("b", {
  artist: undefined,
  album: undefined,
  year: undefined,
  tags: [],
  fields: {},
});

function check(filter: MediaFilter, target: MediaItem = abba): boolean {
  return matchesMediaFilter(target, filter);
}

describe("matchesMediaFilter", () => {
  it("compares text ignoring case for equals, contains and in", () => {
    expect(check({ field: "artist", op: "equals", value: "abba" })).toBe(true);
    expect(check({ field: "artist", op: "equals", value: "ABB" })).toBe(false);
    expect(check({ field: "title", op: "contains", value: "QUEEN" })).toBe(true);
    expect(check({ field: "title", op: "not_contains", value: "queen" })).toBe(false);
    expect(check({ field: "album", op: "in", values: ["x", "ARRIVAL"] })).toBe(true);
    expect(check({ field: "album", op: "not_in", values: ["x", "arrival"] })).toBe(false);
    expect(check({ field: "artist", op: "not_equals", value: "Abba" })).toBe(false);
  });

  it("compares numbers exactly and never equal to text", () => {
    expect(check({ field: "year", op: "equals", value: 1976 })).toBe(true);
    expect(check({ field: "year", op: "equals", value: "1976" })).toBe(false);
    expect(check({ field: "year", op: "in", values: [1975, 1976] })).toBe(true);
    expect(check({ field: "year", op: "contains", value: "19" })).toBe(false);
    expect(check({ field: "year", op: "not_contains", value: "19" })).toBe(true);
  });

  it("treats range bounds as inclusive and optional, numbers only", () => {
    expect(check({ field: "year", op: "range", min: 1976, max: 1976 })).toBe(true);
    expect(check({ field: "year", op: "range", min: 1977 })).toBe(false);
    expect(check({ field: "year", op: "range", max: 1975 })).toBe(false);
    expect(check({ field: "year", op: "range" })).toBe(true);
    expect(check({ field: "artist", op: "range", min: 0 })).toBe(false);
    expect(check({ field: "durationMs", op: "range", min: 200_000, max: 240_000 })).toBe(true);
  });

  it("reads tags as membership for equals, contains and in, ignoring case", () => {
    expect(check({ field: "tags", op: "equals", value: "new" })).toBe(true);
    expect(check({ field: "tags", op: "contains", value: "HIT" })).toBe(true);
    expect(check({ field: "tags", op: "contains", value: "hi" })).toBe(false);
    expect(check({ field: "tags", op: "in", values: ["jingle", "hit"] })).toBe(true);
    expect(check({ field: "tags", op: "not_in", values: ["jingle", "hit"] })).toBe(false);
    expect(check({ field: "tags", op: "not_equals", value: "jingle" })).toBe(true);
    expect(check({ field: "tags", op: "range", min: 0 })).toBe(false);
  });

  it("reads custom fields through field:<name>", () => {
    expect(check({ field: "field:mood", op: "equals", value: "happy" })).toBe(true);
    expect(check({ field: "field:energy", op: "range", min: 5 })).toBe(true);
    expect(check({ field: "field:explicit", op: "equals", value: false })).toBe(true);
    expect(check({ field: "field:explicit", op: "equals", value: "false" })).toBe(false);
  });

  it("never matches a missing value with a positive op and always with a negative op", () => {
    const positive: MediaFilter[] = [
      { field: "artist", op: "equals", value: "ABBA" },
      { field: "album", op: "contains", value: "" },
      { field: "year", op: "range" },
      { field: "tags", op: "in", values: ["new"] },
      { field: "field:mood", op: "in", values: ["Happy"] },
    ];
    const negative: MediaFilter[] = [
      { field: "artist", op: "not_equals", value: "ABBA" },
      { field: "album", op: "not_contains", value: "" },
      { field: "tags", op: "not_in", values: ["new"] },
      { field: "field:mood", op: "not_equals", value: "Happy" },
      { field: "field:nothing", op: "not_contains", value: "x" },
    ];
    for (const f of positive) expect(check(f, bare), JSON.stringify(f)).toBe(false);
    for (const f of negative) expect(check(f, bare), JSON.stringify(f)).toBe(true);
  });

  it("combines filters with AND, and an empty list matches everything", () => {
    expect(matchesMediaFilters(abba, [])).toBe(true);
    expect(
      matchesMediaFilters(abba, [
        { field: "artist", op: "equals", value: "abba" },
        { field: "tags", op: "contains", value: "new" },
      ]),
    ).toBe(true);
    expect(
      matchesMediaFilters(abba, [
        { field: "artist", op: "equals", value: "abba" },
        { field: "tags", op: "contains", value: "jingle" },
      ]),
    ).toBe(false);
  });
});

describe("matchesMediaText and matchesMediaQuery", () => {
  it("searches title, artist and album ignoring case", () => {
    expect(matchesMediaText(abba, "queen")).toBe(true);
    expect(matchesMediaText(abba, "abba")).toBe(true);
    expect(matchesMediaText(abba, "ARRIV")).toBe(true);
    expect(matchesMediaText(abba, "happy")).toBe(false);
    expect(matchesMediaText(bare, "abba")).toBe(false);
  });

  it("applies analysis status, text and filters together", () => {
    expect(matchesMediaQuery(abba, { analysisStatus: "done", text: "queen" })).toBe(true);
    expect(matchesMediaQuery(abba, { analysisStatus: "pending" })).toBe(false);
    expect(matchesMediaQuery(abba, { filters: [{ field: "year", op: "range", max: 1900 }] })).toBe(
      false,
    );
  });
});

describe("compareMediaBy", () => {
  const items = [
    item("d", { artist: "beatles", year: 1970 }),
    item("c", { artist: undefined, year: 1980 }),
    item("b", { artist: "ABBA", year: undefined }),
    item("a", { artist: "Abba", year: 1970 }),
    item("e", { artist: "Cure", year: 1990, tags: [] }),
  ];
  const order = (...args: Parameters<typeof compareMediaBy>): string[] =>
    [...items].sort(compareMediaBy(...args)).map((i) => i.id);

  it("orders text ignoring case with ties broken by id and missing values last", () => {
    expect(order("artist", "asc")).toEqual(["a", "b", "d", "e", "c"]);
    expect(order("artist", "desc")).toEqual(["e", "d", "a", "b", "c"]);
  });

  it("orders numbers and keeps missing values last in both directions", () => {
    expect(order("year", "asc")).toEqual(["a", "d", "c", "e", "b"]);
    expect(order("year", "desc")).toEqual(["e", "c", "a", "d", "b"]);
  });

  it("orders by id by default and by tag count for tags", () => {
    expect(order()).toEqual(["a", "b", "c", "d", "e"]);
    expect(order("id", "desc")).toEqual(["e", "d", "c", "b", "a"]);
    expect(order("tags", "asc")[0]).toBe("e");
  });

  it("puts numbers before text before booleans when a custom field mixes types", () => {
    const mixed = [
      item("x", { fields: { v: true } }),
      item("y", { fields: { v: "b" } }),
      item("z", { fields: { v: 2 } }),
      item("w", { fields: {} }),
    ];
    expect(mixed.sort(compareMediaBy("field:v")).map((i) => i.id)).toEqual(["z", "y", "x", "w"]);
  });
});
