import type { MediaField, MediaFilter, SmartBlockLimit, SmartBlockSort } from "@grimnir/core";
import { localToEpoch } from "../zone.js";
import { intervalMs, toNumber, toText } from "../values.js";
import { LT_FIELD_COLUMNS, LT_NUMERIC_FIELD_COLUMNS } from "./map-files.js";
import type { LtRow } from "./read-libretime.js";

/** How a LibreTime criterion column compares. */
type FieldKind = "text" | "number" | "duration" | "date";

/** LibreTime criterion → Grimnir media field and how its values read. */
const CRITERIA: Record<string, { field: MediaField; kind: FieldKind }> = {
  track_title: { field: "title", kind: "text" },
  artist_name: { field: "artist", kind: "text" },
  album_title: { field: "album", kind: "text" },
  genre: { field: "genre", kind: "text" },
  year: { field: "year", kind: "number" },
  bpm: { field: "bpm", kind: "number" },
  rating: { field: "rating", kind: "number" },
  length: { field: "durationMs", kind: "duration" },
  utime: { field: "addedAt", kind: "date" },
  track_type: { field: "field:track_type", kind: "text" },
  track_type_id: { field: "field:track_type", kind: "text" },
  ...Object.fromEntries(
    Object.entries(LT_FIELD_COLUMNS).map(([c, f]) => [
      c,
      { field: `field:${f}` as MediaField, kind: "text" as FieldKind },
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(LT_NUMERIC_FIELD_COLUMNS).map(([c, f]) => [
      c,
      { field: `field:${f}` as MediaField, kind: "number" as FieldKind },
    ]),
  ),
};

/** Criteria LibreTime has that Grimnir media do not carry. */
const UNSUPPORTED_CRITERIA: Record<string, string> = {
  lptime: "last played time is not a media field (rotation rules cover repeats)",
  mtime: "last modified time is not kept",
  cuein: "cue points are not filterable",
  cueout: "cue points are not filterable",
  owner_id: "file owners are not kept",
  replay_gain: "replay gain is not filterable (loudness is normalised at playout)",
  sample_rate: "sample rate is not filterable",
};

/** The SmartBlock parts mapped from a block's criteria, plus what could not be mapped. */
export interface MappedCriteria {
  filters: MediaFilter[];
  sort: SmartBlockSort;
  limit: SmartBlockLimit;
  /** Approximations: reported with the block's action. */
  notes: string[];
  /** Criteria dropped because Grimnir has no equivalent, one line each. */
  unmappable: string[];
}

const DAY_MS = 86_400_000;

function describe(row: LtRow): string {
  const extra = toText(row.extra);
  return `"${String(row.criteria)} ${String(row.modifier)} ${String(row.value)}${extra === undefined ? "" : ` .. ${extra}`}"`;
}

function parseValue(kind: FieldKind, raw: unknown, zone: string): number | string | undefined {
  if (kind === "text") return toText(raw) ?? "";
  if (kind === "number") return toNumber(raw);
  if (kind === "duration") return intervalMs(raw);
  const text = toText(raw);
  if (text === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?$/.exec(text);
  if (m === null) return undefined;
  const time = m[2] === undefined ? "00:00:00" : m[2].length === 5 ? `${m[2]}:00` : m[2];
  const ms = localToEpoch(`${m[1]}T${time}`, zone);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Map one criterion row; returns a filter, or a reason it cannot be mapped. Notes collect approximations. */
function mapCriterion(row: LtRow, zone: string, notes: string[]): MediaFilter | string {
  const criteria = String(row.criteria);
  const modifier = String(row.modifier).trim().toLowerCase();
  const spec = CRITERIA[criteria];
  if (spec === undefined) {
    const why = UNSUPPORTED_CRITERIA[criteria];
    return why === undefined
      ? `${describe(row)}: unknown criterion "${criteria}"`
      : `${describe(row)}: ${why}`;
  }
  const { field, kind } = spec;
  const value = parseValue(kind, row.value, zone);
  if (value === undefined)
    return `${describe(row)}: value "${String(row.value)}" is not a ${kind === "date" ? "date (YYYY-MM-DD)" : kind === "duration" ? "duration (HH:MM:SS)" : "number"}`;
  if (kind === "text") {
    const text = String(value);
    switch (modifier) {
      case "contains":
        return { field, op: "contains", value: text };
      case "does not contain":
        return { field, op: "not_contains", value: text };
      case "is":
        return { field, op: "equals", value: text };
      case "is not":
        return { field, op: "not_equals", value: text };
      case "starts with":
      case "ends with":
        notes.push(
          `${describe(row)} approximated as "contains" (Grimnir has no prefix/suffix match)`,
        );
        return { field, op: "contains", value: text };
      default:
        return `${describe(row)}: unknown modifier "${modifier}" for a text criterion; expected contains, does not contain, is, is not, starts with or ends with`;
    }
  }
  const n = value as number;
  // Grimnir ranges are inclusive; LibreTime's "greater/less than" are strict, so step by one unit (1, or 1 ms).
  const upper = (): number | string => {
    const extra = parseValue(kind, row.extra, zone);
    return typeof extra === "number"
      ? extra
      : `${describe(row)}: range end "${String(row.extra)}" is not valid`;
  };
  switch (modifier) {
    case "is":
      return kind === "date"
        ? { field, op: "range", min: n, max: n + DAY_MS - 1 }
        : { field, op: "equals", value: n };
    case "is not":
      return { field, op: "not_equals", value: n };
    case "is greater than":
    case "after":
      return { field, op: "range", min: n + 1 };
    case "is less than":
    case "before":
      return { field, op: "range", max: n - 1 };
    case "is in the range":
    case "between": {
      const max = upper();
      return typeof max === "string" ? max : { field, op: "range", min: n, max };
    }
    case "in the last":
    case "not in the last":
      return `${describe(row)}: relative dates are not supported (filters are absolute)`;
    default:
      return `${describe(row)}: unknown modifier "${modifier}" for a ${kind} criterion`;
  }
}

const SORTS: Record<string, SmartBlockSort> = {
  random: { by: "random" },
  newest: { by: "field", field: "addedAt", direction: "desc" },
  oldest: { by: "field", field: "addedAt", direction: "asc" },
  leastrecentplay: { by: "least_recently_played" },
  leastrecentplayed: { by: "least_recently_played" },
};

/**
 * Map a dynamic block's cc_blockcriteria rows to filters, sort and limit.
 * Criteria on the same column within one criteria group are OR-ed in
 * LibreTime: several "is" become one `in` filter; other OR-ed sets cannot be
 * expressed (Grimnir ANDs filters) and only the first is kept.
 */
export function mapCriteria(
  rows: readonly LtRow[],
  zone: string,
  blockLengthMs: number | undefined,
): MappedCriteria {
  const notes: string[] = [];
  const unmappable: string[] = [];
  let sort: SmartBlockSort = { by: "random" };
  let limit: SmartBlockLimit | undefined;
  let overflow = false;
  const groups = new Map<string, LtRow[]>();
  for (const row of rows) {
    const criteria = String(row.criteria);
    const value = String(row.value ?? "").trim();
    if (criteria === "sort") {
      const mapped = SORTS[value.toLowerCase()];
      if (mapped === undefined)
        unmappable.push(`${describe(row)}: sort "${value}" has no equivalent; random order used`);
      else sort = mapped;
      continue;
    }
    if (criteria === "limit") {
      const modifier = String(row.modifier).trim().toLowerCase();
      const n = toNumber(value);
      if (modifier === "remaining") {
        unmappable.push(
          `${describe(row)}: "time remaining in show" is decided by the clock slot; the block's own length is used`,
        );
      } else if (n === undefined || n <= 0) {
        unmappable.push(`${describe(row)}: limit "${value}" is not a positive number`);
      } else if (modifier === "items") {
        limit = { kind: "count", count: Math.round(n) };
      } else if (modifier === "hours" || modifier === "minutes") {
        limit = {
          kind: "duration",
          durationMs: Math.round(n * (modifier === "hours" ? 3_600_000 : 60_000)),
          toleranceMs: 0,
        };
      } else {
        unmappable.push(
          `${describe(row)}: unknown limit unit "${modifier}"; expected items, hours, minutes or remaining`,
        );
      }
      continue;
    }
    if (criteria === "repeat_tracks") {
      if (value === "1")
        notes.push(
          "repeat_tracks: repeats inside one block are governed by Grimnir's rotation rules",
        );
      continue;
    }
    if (criteria === "overflow_tracks") {
      overflow = value === "1";
      continue;
    }
    const key = `${criteria}\u0000${String(row.criteriagroup ?? "")}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  const filters: MediaFilter[] = [];
  for (const group of groups.values()) {
    const mapped = group.map((row) => ({ row, result: mapCriterion(row, zone, notes) }));
    for (const m of mapped) if (typeof m.result === "string") unmappable.push(m.result);
    const ok = mapped.filter(
      (m): m is { row: LtRow; result: MediaFilter } => typeof m.result !== "string",
    );
    if (ok.length === 0) continue;
    if (ok.length === 1) {
      filters.push(ok[0]!.result);
      continue;
    }
    if (ok.every((m) => m.result.op === "equals")) {
      const first = ok[0]!.result;
      filters.push({
        field: first.field,
        op: "in",
        values: ok.map((m) => (m.result as { value: string | number }).value),
      });
      continue;
    }
    filters.push(ok[0]!.result);
    for (const m of ok.slice(1))
      unmappable.push(
        `${describe(m.row)}: OR-ed with ${describe(ok[0]!.row)} in LibreTime; Grimnir ANDs filters, so only the first is kept`,
      );
  }
  if (limit === undefined) {
    limit = {
      kind: "duration",
      durationMs: blockLengthMs !== undefined && blockLengthMs > 0 ? blockLengthMs : 3_600_000,
      toleranceMs: 0,
    };
    notes.push(`no usable limit; limited to ${limit.durationMs / 60_000} minutes`);
  }
  if (overflow)
    notes.push(
      "overflow_tracks (let the last track run past the limit) has no equivalent; the limit is kept as is",
    );
  return { filters, sort, limit, notes, unmappable };
}
