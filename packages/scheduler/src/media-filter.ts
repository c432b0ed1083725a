import { compareMediaBy, matchesMediaFilters as coreMatchesMediaFilters } from "@grimnir/core";
import type { MediaField, MediaFilter, MediaItem } from "@grimnir/core";

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
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return value;
  return undefined;
}

/**
 * Whether `item` satisfies every filter (AND), with core's reference
 * semantics (`matchesMediaFilters` of @grimnir/core). A malformed filter (an
 * unknown op, `in` without `values`…) matches nothing instead of throwing.
 */
export function matchesMediaFilters(item: MediaItem, filters: readonly MediaFilter[]): boolean {
  return filters.every(isWellFormed) && coreMatchesMediaFilters(item, filters);
}

/** True when a filter from untrusted input has the shape its op needs. */
export function isWellFormed(filter: MediaFilter): boolean {
  if (typeof filter !== "object" || filter === null || typeof filter.field !== "string")
    return false;
  switch (filter.op) {
    case "equals":
    case "not_equals":
      return ["string", "number", "boolean"].includes(typeof filter.value);
    case "contains":
    case "not_contains":
      return typeof filter.value === "string";
    case "in":
    case "not_in":
      return Array.isArray(filter.values);
    case "range":
      return true;
    default:
      return false;
  }
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
 * Comparator by `field` in `direction` (core's `compareMediaBy`): text
 * ignoring case, tags by count, missing values last, ties by id.
 */
export function compareMediaByField(
  field: MediaField,
  direction: "asc" | "desc",
): (a: MediaItem, b: MediaItem) => number {
  return compareMediaBy(field, direction === "desc" ? "desc" : "asc");
}
