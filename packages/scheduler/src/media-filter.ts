import type { FilterValue, MediaField, MediaFilter, MediaItem } from "@grimnir/core";

// Mirrors core's reference semantics (packages/core/src/memory/media-filter.ts)
// until @grimnir/core exports `matchesMediaFilters`.

type FieldValue = string | number | boolean | string[] | undefined;

/** Read a built-in field, `tags`, or `field:<name>` from an item; `undefined` when absent. */
export function readMediaField(item: MediaItem, field: MediaField): FieldValue {
  if (field.startsWith("field:")) {
    const value = item.fields?.[field.slice("field:".length)];
    return value ?? undefined;
  }
  const value = (item as unknown as Record<string, unknown>)[field];
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return undefined;
}

function scalarEquals(actual: string | number | boolean, expected: FilterValue): boolean {
  if (typeof actual === "string" && typeof expected === "string") {
    return actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}

function matchesPositive(value: FieldValue, filter: MediaFilter): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) {
    switch (filter.op) {
      case "equals":
      case "not_equals":
      case "contains":
      case "not_contains":
        return value.some((tag) => scalarEquals(tag, filter.value));
      case "in":
      case "not_in":
        return value.some((tag) => (filter.values ?? []).some((v) => scalarEquals(tag, v)));
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
      return typeof value === "string" && value.toLowerCase().includes(String(filter.value).toLowerCase());
    case "in":
    case "not_in":
      return (filter.values ?? []).some((v) => scalarEquals(value, v));
    case "range":
      if (typeof value !== "number") return false;
      if (filter.min !== undefined && value < filter.min) return false;
      if (filter.max !== undefined && value > filter.max) return false;
      return true;
    default:
      return false;
  }
}

/**
 * Whether `item` satisfies every filter (AND); an empty list matches everything.
 * Text compares ignore case; `not_*` ops are exact negations of their positive
 * op; an unknown op never matches.
 */
export function matchesMediaFilters(item: MediaItem, filters: readonly MediaFilter[]): boolean {
  for (const filter of filters) {
    const positive = matchesPositive(readMediaField(item, filter.field), filter);
    const ok = typeof filter.op === "string" && filter.op.startsWith("not_") ? !positive : positive;
    if (!ok) return false;
  }
  return true;
}

/** Numeric value of a field for weighting: numbers as is, tag lists by count, else 0. */
export function numericField(item: MediaItem, field: MediaField): number {
  const value = readMediaField(item, field);
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value.length;
  if (typeof value === "boolean") return value ? 1 : 0;
  return 0;
}

/** Code-unit order of two strings. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Comparator by `field` in `direction`: text ignoring case, tags by count,
 * numbers before text before booleans, missing values last, ties by id.
 */
export function compareMediaByField(field: MediaField, direction: "asc" | "desc"): (a: MediaItem, b: MediaItem) => number {
  const sign = direction === "desc" ? -1 : 1;
  const key = (item: MediaItem): string | number | boolean | undefined => {
    const value = readMediaField(item, field);
    return Array.isArray(value) ? value.length : value;
  };
  const rank = (v: string | number | boolean): number => (typeof v === "number" ? 0 : typeof v === "string" ? 1 : 2);
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== undefined && y === undefined) return -1;
    if (x === undefined && y !== undefined) return 1;
    if (x !== undefined && y !== undefined) {
      let order = rank(x) - rank(y);
      if (order === 0) {
        if (typeof x === "string" && typeof y === "string") order = compareIds(x.toLowerCase(), y.toLowerCase());
        else order = Number(x) < Number(y) ? -1 : Number(x) > Number(y) ? 1 : 0;
      }
      if (order !== 0) return order * sign;
    }
    return compareIds(a.id, b.id);
  };
}
