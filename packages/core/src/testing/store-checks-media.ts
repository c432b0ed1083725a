import { expect } from "vitest";
import { newId } from "../ids.js";
import type { MediaItem } from "../model/media.js";
import type { MediaField, MediaFilter } from "../model/smart-block.js";
import type { MediaQuery, Store } from "../contracts/store.js";
import { compareMediaBy, matchesMediaQuery } from "../memory/media-filter.js";
import { makeMedia } from "./fixtures.js";
import type { ConformanceCheck } from "./harness.js";
import type { StoreCheckContext } from "./store-checks-crud.js";

/** Deterministic PRNG (mulberry32), so the dataset is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARTISTS = [
  "ABBA",
  "abba",
  "Björk",
  "Nina Simone",
  "The Cure",
  "Cure",
  "Daft Punk",
  undefined,
];
const TITLES = [
  "Love Song",
  "LOVE will tear",
  "Dancing Queen",
  "Lullaby",
  "Feeling Good",
  "One More Time",
  "Jingle #1",
];
const ALBUMS = ["Arrival", "Homogenic", "Disintegration", undefined, "Discovery"];
const GENRES = ["Pop", "pop", "Electronic", "Jazz", undefined];
const TAG_POOL = ["new", "NEW", "hit", "jingle", "id", "classic"];
const MOODS = ["Happy", "sad", "Calm", undefined];
const STATUSES: MediaItem["analysisStatus"][] = ["done", "done", "done", "pending", "failed"];

/** The fixed ~40-item library the media query checks compare against. */
export function seededMediaLibrary(
  stationId: string,
  count = 40,
): Array<Parameters<Store["media"]["create"]>[0]> {
  const random = prng(20_250_101);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const items = [];
  for (let i = 0; i < count; i++) {
    const tags = TAG_POOL.filter(() => random() < 0.3);
    const fields: MediaItem["fields"] = {};
    const mood = pick(MOODS);
    if (mood !== undefined) fields["mood"] = mood;
    if (random() < 0.7) fields["energy"] = Math.floor(random() * 10);
    if (random() < 0.5) fields["explicit"] = random() < 0.5;
    if (i % 9 === 0) fields["mixed"] = i % 2 === 0 ? 5 : "5";
    const durationMs = 60_000 + Math.floor(random() * 300_000);
    items.push(
      makeMedia(stationId, {
        title: `${pick(TITLES)} ${i}`,
        artist: pick(ARTISTS),
        album: pick(ALBUMS),
        genre: pick(GENRES),
        year: random() < 0.8 ? 1970 + Math.floor(random() * 50) : undefined,
        bpm: random() < 0.7 ? 60 + Math.floor(random() * 100) : undefined,
        rating: random() < 0.6 ? Math.floor(random() * 6) : undefined,
        tags,
        fields,
        durationMs,
        cueOutMs: durationMs,
        analysisStatus: pick(STATUSES),
        addedAt: 1_700_000_000_000 + Math.floor(random() * 1_000_000_000),
      }),
    );
  }
  return items.map((item) => {
    // Absent optional properties stay absent rather than explicitly undefined.
    const clean = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
    return clean as Parameters<Store["media"]["create"]>[0];
  });
}

/** Filters the media checks run, one per op and field family, each compared to `matchesMediaFilter`. */
export const MEDIA_FILTER_CASES: readonly MediaFilter[] = [
  { field: "artist", op: "equals", value: "abba" },
  { field: "artist", op: "equals", value: "NINA SIMONE" },
  { field: "artist", op: "not_equals", value: "ABBA" },
  { field: "artist", op: "contains", value: "cure" },
  { field: "artist", op: "not_contains", value: "CURE" },
  { field: "artist", op: "in", values: ["björk", "Daft Punk"] },
  { field: "artist", op: "not_in", values: ["abba", "the cure"] },
  { field: "title", op: "contains", value: "love" },
  { field: "title", op: "equals", value: "lullaby 3" },
  { field: "album", op: "not_equals", value: "arrival" },
  { field: "album", op: "in", values: ["HOMOGENIC", "discovery"] },
  { field: "genre", op: "equals", value: "POP" },
  { field: "genre", op: "not_in", values: ["pop", "jazz"] },
  { field: "genre", op: "contains", value: "tron" },
  { field: "year", op: "range", min: 1980, max: 1999 },
  { field: "year", op: "range", min: 2000 },
  { field: "year", op: "range", max: 1975 },
  { field: "year", op: "equals", value: 1990 },
  { field: "year", op: "not_equals", value: 1990 },
  { field: "year", op: "in", values: [1971, 1985, 2001, 2010] },
  { field: "bpm", op: "range", min: 100, max: 130 },
  { field: "bpm", op: "not_in", values: [120, 121, 122] },
  { field: "rating", op: "range", min: 4 },
  { field: "rating", op: "equals", value: 0 },
  { field: "rating", op: "not_equals", value: 5 },
  { field: "durationMs", op: "range", min: 120_000, max: 240_000 },
  { field: "addedAt", op: "range", min: 1_700_300_000_000 },
  { field: "tags", op: "equals", value: "new" },
  { field: "tags", op: "contains", value: "HIT" },
  { field: "tags", op: "not_contains", value: "jingle" },
  { field: "tags", op: "not_equals", value: "new" },
  { field: "tags", op: "in", values: ["id", "classic"] },
  { field: "tags", op: "not_in", values: ["id", "classic"] },
  { field: "field:mood", op: "equals", value: "happy" },
  { field: "field:mood", op: "not_equals", value: "SAD" },
  { field: "field:mood", op: "contains", value: "al" },
  { field: "field:mood", op: "in", values: ["calm", "Sad"] },
  { field: "field:energy", op: "range", min: 3, max: 6 },
  { field: "field:energy", op: "equals", value: 7 },
  { field: "field:energy", op: "not_in", values: [0, 1, 2] },
  { field: "field:explicit", op: "equals", value: true },
  { field: "field:explicit", op: "not_equals", value: true },
  { field: "field:mixed", op: "equals", value: 5 },
  { field: "field:mixed", op: "equals", value: "5" },
  { field: "field:absent", op: "equals", value: "x" },
  { field: "field:absent", op: "not_contains", value: "x" },
  { field: "field:absent", op: "not_in", values: ["x"] },
];

/** Sort keys the ordering checks run. */
export const MEDIA_ORDER_CASES: readonly (MediaField | "id")[] = [
  "id",
  "artist",
  "title",
  "album",
  "genre",
  "year",
  "bpm",
  "rating",
  "durationMs",
  "addedAt",
  "field:energy",
  "field:mood",
];

interface Seeded {
  stationId: string;
  items: MediaItem[];
}

async function seed(store: Store): Promise<Seeded> {
  const stationId = newId();
  const items: MediaItem[] = [];
  for (const input of seededMediaLibrary(stationId)) items.push(await store.media.create(input));
  // A neighbour station with matching items must never leak into results.
  for (const input of seededMediaLibrary(newId(), 8)) await store.media.create(input);
  return { stationId, items };
}

function expected(items: readonly MediaItem[], query: MediaQuery): string[] {
  return items
    .filter((item) => matchesMediaQuery(item, query))
    .sort(compareMediaBy(query.orderBy ?? "id", query.direction ?? "asc"))
    .map((item) => item.id);
}

async function ids(store: Store, stationId: string, query: MediaQuery): Promise<string[]> {
  return (await store.media.query(stationId, query)).map((item) => item.id);
}

/** Media query, count and ordering, checked against the reference filter semantics. */
export const storeMediaChecks: readonly ConformanceCheck<StoreCheckContext>[] = [
  {
    name: "media query filters agree with matchesMediaFilter for every op, tags and custom fields",
    async run({ store }) {
      const { stationId, items } = await seed(store);
      for (const filter of MEDIA_FILTER_CASES) {
        const query: MediaQuery = { filters: [filter], limit: 1000 };
        expect(await ids(store, stationId, query), JSON.stringify(filter)).toEqual(
          expected(items, query),
        );
        expect(await store.media.count(stationId, query), JSON.stringify(filter)).toBe(
          expected(items, query).length,
        );
      }
      // Sanity: the dataset makes the cases meaningful (neither all nor none match).
      const nonTrivial = MEDIA_FILTER_CASES.filter((f) => {
        const n = expected(items, { filters: [f] }).length;
        return n > 0 && n < items.length;
      });
      expect(nonTrivial.length).toBeGreaterThan(MEDIA_FILTER_CASES.length / 2);
    },
  },
  {
    name: "media query combines filters with AND, text search and analysis status",
    async run({ store }) {
      const { stationId, items } = await seed(store);
      const queries: MediaQuery[] = [
        { filters: [] },
        {
          filters: [
            { field: "tags", op: "contains", value: "new" },
            { field: "year", op: "range", min: 1990 },
          ],
        },
        {
          filters: [
            { field: "artist", op: "not_equals", value: "abba" },
            { field: "field:energy", op: "range", max: 5 },
          ],
        },
        { text: "love" },
        { text: "CURE" },
        { text: "homogenic" },
        { text: "nothing-matches-this" },
        { text: "queen", filters: [{ field: "rating", op: "range", min: 1 }] },
        { analysisStatus: "pending" },
        {
          analysisStatus: "done",
          text: "o",
          filters: [{ field: "tags", op: "not_in", values: ["jingle"] }],
        },
      ];
      for (const query of queries) {
        const want = expected(items, query);
        expect(
          await ids(store, stationId, { ...query, limit: 1000 }),
          JSON.stringify(query),
        ).toEqual(want);
        expect(await store.media.count(stationId, query), JSON.stringify(query)).toBe(want.length);
      }
      expect(await store.media.count(stationId)).toBe(items.length);
      expect(expected(items, { text: "love" }).length).toBeGreaterThan(0);
    },
  },
  {
    name: "media query orders by each field in both directions with missing values last and ties by id",
    async run({ store }) {
      const { stationId, items } = await seed(store);
      for (const orderBy of MEDIA_ORDER_CASES) {
        for (const direction of ["asc", "desc"] as const) {
          const query: MediaQuery = { orderBy, direction, limit: 1000 };
          expect(await ids(store, stationId, query), `${orderBy} ${direction}`).toEqual(
            expected(items, query),
          );
        }
      }
      const defaultOrder = items.map((i) => i.id).sort();
      expect(await ids(store, stationId, {})).toEqual(defaultOrder);
    },
  },
  {
    name: "media query pages with limit and offset, and count ignores paging",
    async run({ store }) {
      const { stationId, items } = await seed(store);
      const base: MediaQuery = {
        orderBy: "artist",
        direction: "desc",
        filters: [{ field: "durationMs", op: "range", min: 0 }],
      };
      const all = expected(items, base);
      const paged: string[] = [];
      for (let offset = 0; offset < all.length + 7; offset += 7) {
        paged.push(...(await ids(store, stationId, { ...base, limit: 7, offset })));
      }
      expect(paged).toEqual(all);
      expect(await ids(store, stationId, { ...base, limit: 5, offset: 3 })).toEqual(
        all.slice(3, 8),
      );
      expect(await store.media.count(stationId, { ...base, limit: 2, offset: 5 })).toBe(all.length);
      expect(await store.media.query(newId(), {})).toEqual([]);
      expect(await store.media.count(newId())).toBe(0);
    },
  },
];
