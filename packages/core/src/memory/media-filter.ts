import type { MediaItem } from "../model/media.js";
import type { FilterValue, MediaField, MediaFilter } from "../model/smart-block.js";
import type { MediaQuery } from "../contracts/store.js";

/** A value read from a media item for filtering or ordering; `undefined` when absent. */
type FieldValue = string | number | boolean | string[] | undefined;

/**
 * Read `field` from `item`: a built-in property, `tags`, or `field:<name>`
 * (a custom field from `item.fields`). `null` reads as missing.
 */
function readField(item: MediaItem, field: MediaField): FieldValue {
  if (field.startsWith("field:")) {
    const value = item.fields[field.slice("field:".length)];
    return value ?? undefined;
  }
  const value = (item as unknown as Record<string, unknown>)[field];
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return value;
  return undefined;
}

/** Scalars are equal when of the same type and, for text, equal ignoring case. */
function scalarEquals(actual: string | number | boolean, expected: FilterValue): boolean {
  if (typeof actual === "string" && typeof expected === "string") {
    return actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}

/** The positive form of a filter; `not_*` ops are its exact negation. */
function matchesPositive(value: FieldValue, filter: MediaFilter): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) {
    // tags: equals/contains/in all mean membership; ranges never match a list.
    switch (filter.op) {
      case "equals":
      case "not_equals":
      case "contains":
      case "not_contains":
        return value.some((tag) => scalarEquals(tag, filter.value));
      case "in":
      case "not_in":
        return value.some((tag) => filter.values.some((v) => scalarEquals(tag, v)));
      case "range":
        return false;
    }
  }
  switch (filter.op) {
    case "equals":
    case "not_equals":
      return scalarEquals(value, filter.value);
    case "contains":
    case "not_contains":
      return typeof value === "string" && value.toLowerCase().includes(filter.value.toLowerCase());
    case "in":
    case "not_in":
      return filter.values.some((v) => scalarEquals(value, v));
    case "range":
      if (typeof value !== "number") return false;
      if (filter.min !== undefined && value < filter.min) return false;
      if (filter.max !== undefined && value > filter.max) return false;
      return true;
  }
}

/**
 * Whether `item` satisfies `filter`. This function is the reference definition
 * of filter semantics; every store's media query must agree with it.
 *
 * - Text compares ignore case; other scalars must be equal and of the same type
 *   (the number 5 does not equal the text "5").
 * - `equals`: the value equals `value`. `contains`: the text value contains
 *   `value` as a substring (non-text values never contain anything).
 *   `in`: the value equals one of `values`. `range`: a numeric value with
 *   `min` ≤ value ≤ `max`, both bounds optional and inclusive; non-numbers never match.
 * - `tags`: `equals`, `contains` and `in` mean "has a tag equal to (one of)
 *   the value(s)", ignoring case; `range` never matches.
 * - `field:<name>` reads `item.fields[name]`.
 * - Every `not_*` op is the exact negation of its positive op, so a missing
 *   value never matches a positive op and always matches a negative one.
 */
export function matchesMediaFilter(item: MediaItem, filter: MediaFilter): boolean {
  const positive = matchesPositive(readField(item, filter.field), filter);
  return filter.op.startsWith("not_") ? !positive : positive;
}

/** Whether `item` satisfies every filter (AND); an empty list matches everything. */
export function matchesMediaFilters(item: MediaItem, filters: readonly MediaFilter[]): boolean {
  return filters.every((filter) => matchesMediaFilter(item, filter));
}

/**
 * Whether `item`'s title, artist or album contains `text`, ignoring case.
 * An empty `text` matches every item. This is {@link MediaQuery}'s `text` search.
 */
export function matchesMediaText(item: MediaItem, text: string): boolean {
  const needle = text.toLowerCase();
  return [item.title, item.artist, item.album].some(
    (value) => typeof value === "string" && value.toLowerCase().includes(needle),
  );
}

/**
 * Whether `item` passes the filtering part of `query`: all `filters`, the `text`
 * search and `analysisStatus` (paging and ordering are not considered).
 */
export function matchesMediaQuery(item: MediaItem, query: MediaQuery): boolean {
  if (query.analysisStatus !== undefined && item.analysisStatus !== query.analysisStatus)
    return false;
  if (query.text !== undefined && !matchesMediaText(item, query.text)) return false;
  return matchesMediaFilters(item, query.filters ?? []);
}

/** Rank of a value's type when a field mixes types: numbers, then text, then booleans. */
function typeRank(value: string | number | boolean): number {
  return typeof value === "number" ? 0 : typeof value === "string" ? 1 : 2;
}

/** Sort key of a field: `tags` sorts by how many tags an item has. */
function sortKey(item: MediaItem, field: MediaField | "id"): string | number | boolean | undefined {
  if (field === "id") return item.id;
  const value = readField(item, field);
  return Array.isArray(value) ? value.length : value;
}

/** Code-unit order of two strings (the order of ids). */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareValues(a: string | number | boolean, b: string | number | boolean): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank;
  if (typeof a === "string" && typeof b === "string") {
    return compareCodeUnits(a.toLowerCase(), b.toLowerCase());
  }
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Comparator for {@link MediaQuery} ordering by `field` in `direction`
 * (default "asc"). Text compares ignoring case (by code units of the
 * lower-cased text); `tags` compares by tag count; when a custom field mixes
 * types, numbers come before text before booleans. Items missing the value sort
 * last in both directions. Ties — including two missing values — are broken by
 * id ascending, so the order is total and deterministic.
 */
export function compareMediaBy(
  field: MediaField | "id" = "id",
  direction: "asc" | "desc" = "asc",
): (a: MediaItem, b: MediaItem) => number {
  const sign = direction === "desc" ? -1 : 1;
  return (a, b) => {
    const x = sortKey(a, field);
    const y = sortKey(b, field);
    if (x !== undefined && y === undefined) return -1;
    if (x === undefined && y !== undefined) return 1;
    if (x !== undefined && y !== undefined) {
      const order = compareValues(x, y) * sign;
      if (order !== 0) return order;
    }
    return compareCodeUnits(a.id, b.id);
  };
}
