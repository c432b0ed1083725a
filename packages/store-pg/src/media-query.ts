import {
  GrimnirError,
  type MediaField,
  type MediaFilter,
  type MediaQuery,
  type FilterValue,
} from "@grimnir/core";
import type { DialectName, SqlValue } from "./driver.js";
import { foldText } from "./validate.js";

/** A WHERE/ORDER BY fragment and its parameters, in placeholder order. */
export interface SqlFragment {
  sql: string;
  params: SqlValue[];
}

const TEXT_COLUMNS: Partial<Record<MediaField, string>> = {
  artist: "m.artist_lc",
  title: "m.title_lc",
  album: "m.album_lc",
  genre: "m.genre_lc",
};

const NUMBER_COLUMNS: Partial<Record<MediaField, string>> = {
  year: "m.year",
  bpm: "m.bpm",
  durationMs: "m.duration_ms",
  rating: "m.rating",
  addedAt: "m.added_at",
};

const FALSE = "1 = 0";

/** `%needle%` for LIKE, with `\`, `%` and `_` escaped (used with `ESCAPE '\'`). */
export function likeContains(text: string): string {
  return `%${foldText(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => "?").join(", ");
}

const textValues = (values: readonly FilterValue[]): string[] =>
  values.filter((v): v is string => typeof v === "string").map(foldText);
const numberValues = (values: readonly FilterValue[]): number[] =>
  values.filter((v): v is number => typeof v === "number");
const boolValues = (values: readonly FilterValue[]): number[] =>
  values.filter((v): v is boolean => typeof v === "boolean").map((v) => (v ? 1 : 0));

function inList(column: string, values: readonly SqlValue[], out: SqlValue[]): string {
  if (values.length === 0) return FALSE;
  out.push(...values);
  return `${column} IN (${placeholders(values.length)})`;
}

function range(column: string, filter: { min?: number; max?: number }, out: SqlValue[]): string {
  const parts = [`${column} IS NOT NULL`];
  if (typeof filter.min === "number") {
    parts.push(`${column} >= ?`);
    out.push(filter.min);
  }
  if (typeof filter.max === "number") {
    parts.push(`${column} <= ?`);
    out.push(filter.max);
  }
  return parts.join(" AND ");
}

/** Positive condition on a nullable text column; NULL (absent) never matches. */
function textCondition(column: string, filter: MediaFilter, out: SqlValue[]): string {
  switch (filter.op) {
    case "equals":
    case "not_equals":
      if (typeof filter.value !== "string") return FALSE;
      out.push(foldText(filter.value));
      return `${column} = ?`;
    case "contains":
    case "not_contains":
      if (typeof filter.value !== "string") return FALSE;
      out.push(likeContains(filter.value));
      return `${column} LIKE ? ESCAPE '\\'`;
    case "in":
    case "not_in":
      return inList(column, textValues(filter.values), out);
    case "range":
      return FALSE;
  }
}

/** Positive condition on a nullable numeric column. */
function numberCondition(column: string, filter: MediaFilter, out: SqlValue[]): string {
  switch (filter.op) {
    case "equals":
    case "not_equals":
      if (typeof filter.value !== "number") return FALSE;
      out.push(filter.value);
      return `${column} = ?`;
    case "contains":
    case "not_contains":
      return FALSE;
    case "in":
    case "not_in":
      return inList(column, numberValues(filter.values), out);
    case "range":
      return range(column, filter, out);
  }
}

/** Tag membership, ignoring case; ranges never match a list. */
function tagCondition(filter: MediaFilter, out: SqlValue[]): string {
  let values: string[];
  switch (filter.op) {
    case "equals":
    case "not_equals":
    case "contains":
    case "not_contains":
      values = typeof filter.value === "string" ? [foldText(filter.value)] : [];
      break;
    case "in":
    case "not_in":
      values = textValues(filter.values);
      break;
    case "range":
      values = [];
  }
  if (values.length === 0) return FALSE;
  out.push(...values);
  return `EXISTS (SELECT 1 FROM media_tags t WHERE t.media_id = m.id AND t.tag_lc IN (${placeholders(values.length)}))`;
}

/** A custom field: one typed row in media_fields when present. */
function customCondition(name: string, filter: MediaFilter, out: SqlValue[]): string {
  const inner: SqlValue[] = [name];
  let test: string;
  switch (filter.op) {
    case "equals":
    case "not_equals": {
      const v = filter.value;
      if (typeof v === "string") {
        test = "f.text_lc = ?";
        inner.push(foldText(v));
      } else if (typeof v === "number") {
        test = "f.num = ?";
        inner.push(v);
      } else if (typeof v === "boolean") {
        test = "f.bool = ?";
        inner.push(v ? 1 : 0);
      } else {
        return FALSE;
      }
      break;
    }
    case "contains":
    case "not_contains":
      if (typeof filter.value !== "string") return FALSE;
      test = "f.text_lc LIKE ? ESCAPE '\\'";
      inner.push(likeContains(filter.value));
      break;
    case "in":
    case "not_in": {
      const parts = [
        inList("f.text_lc", textValues(filter.values), inner),
        inList("f.num", numberValues(filter.values), inner),
        inList("f.bool", boolValues(filter.values), inner),
      ].filter((p) => p !== FALSE);
      if (parts.length === 0) return FALSE;
      test = `(${parts.join(" OR ")})`;
      break;
    }
    case "range":
      test = range("f.num", filter, inner);
      break;
  }
  out.push(...inner);
  return `EXISTS (SELECT 1 FROM media_fields f WHERE f.media_id = m.id AND f.name = ? AND ${test})`;
}

function positive(filter: MediaFilter, out: SqlValue[]): string {
  const field = filter.field;
  if (field === "tags") return tagCondition(filter, out);
  if (typeof field === "string" && field.startsWith("field:"))
    return customCondition(field.slice(6), filter, out);
  const text = TEXT_COLUMNS[field];
  if (text !== undefined) return `${text} IS NOT NULL AND ${textCondition(text, filter, out)}`;
  const num = NUMBER_COLUMNS[field];
  if (num !== undefined) return `${num} IS NOT NULL AND ${numberCondition(num, filter, out)}`;
  throw new GrimnirError(
    "VALIDATION",
    `unknown media filter field ${JSON.stringify(field)}; expected a media field or "field:<name>"`,
    {
      details: { field: "filters", value: field },
    },
  );
}

const OPS = new Set(["equals", "not_equals", "contains", "not_contains", "in", "not_in", "range"]);

/**
 * SQL for one filter with exactly core's `matchesMediaFilter` semantics: the
 * positive form never matches a NULL (absent) value, and `not_*` is `NOT` of a
 * positive form that is never NULL, so absent values match every negative op.
 */
export function filterToSql(filter: MediaFilter, out: SqlValue[]): string {
  if (typeof filter !== "object" || filter === null || !OPS.has(filter.op)) {
    throw new GrimnirError("VALIDATION", `media filter op must be one of ${[...OPS].join(", ")}`, {
      details: { field: "filters" },
    });
  }
  if ((filter.op === "in" || filter.op === "not_in") && !Array.isArray(filter.values)) {
    throw new GrimnirError("VALIDATION", `media filter "${filter.op}" needs a values array`, {
      details: { field: "filters" },
    });
  }
  const condition = `(${positive(filter, out)})`;
  return filter.op.startsWith("not_") ? `NOT ${condition}` : condition;
}

/** The FTS5 MATCH expression for `text` on SQLite, or undefined when search falls back to LIKE (needles under 3 characters). */
export function ftsMatch(dialect: DialectName, text: string | undefined): string | undefined {
  if (dialect !== "sqlite" || typeof text !== "string") return undefined;
  const needle = foldText(text);
  if ([...needle].length < 3) return undefined;
  return `{title_lc artist_lc album_lc} : "${needle.replace(/"/g, '""')}"`;
}

/**
 * How SQLite should join FTS5 hits: `"lookup"` fetches each hit by rowid, then sorts
 * (best when hits are few); `"scan"` walks the media in index order and keeps rows that
 * are hits, stopping at the page's end (best when hits are many and the order is by id).
 */
export type FtsJoin = "lookup" | "scan";

/** Text search over title, artist and album, ignoring case; FTS5 trigram on SQLite for needles of 3+ characters. */
function textSearch(dialect: DialectName, text: string, out: SqlValue[], fts: FtsJoin): string {
  const match = ftsMatch(dialect, text);
  if (match !== undefined) {
    out.push(match);
    // Unary + keeps SQLite from driving the query by rowid, so it can walk an ordered index.
    const rid = fts === "scan" ? "+m.rid" : "m.rid";
    return `${rid} IN (SELECT rowid FROM media_search WHERE media_search MATCH ?)`;
  }
  const pattern = likeContains(text);
  out.push(pattern, pattern, pattern);
  return "(m.title_lc LIKE ? ESCAPE '\\' OR m.artist_lc LIKE ? ESCAPE '\\' OR m.album_lc LIKE ? ESCAPE '\\')";
}

/** WHERE clause (after `m.station_id = ?`) for a query's filters, text and analysis status. */
export function mediaWhere(
  dialect: DialectName,
  stationId: string,
  query: MediaQuery,
  fts: FtsJoin = "lookup",
): SqlFragment {
  const params: SqlValue[] = [stationId];
  const parts = ["m.station_id = ?"];
  if (query.analysisStatus !== undefined) {
    parts.push("m.analysis_status = ?");
    params.push(String(query.analysisStatus));
  }
  if (query.text !== undefined && query.text !== "") {
    if (typeof query.text !== "string") {
      throw new GrimnirError("VALIDATION", "media query text must be a string", {
        details: { field: "text" },
      });
    }
    parts.push(textSearch(dialect, query.text, params, fts));
  }
  if (query.filters !== undefined && !Array.isArray(query.filters)) {
    throw new GrimnirError("VALIDATION", "media query filters must be an array", {
      details: { field: "filters" },
    });
  }
  for (const filter of query.filters ?? []) parts.push(filterToSql(filter, params));
  return { sql: parts.join(" AND "), params };
}

/**
 * ORDER BY and any JOIN it needs, matching core's `compareMediaBy`: missing values
 * last in both directions, text by lower-cased code units, tags by count, custom
 * fields ranked number < text < boolean, ties by id ascending.
 */
export function mediaOrder(query: MediaQuery): { join: SqlFragment; orderBy: string } {
  const field = query.orderBy ?? "id";
  const dir = query.direction === "desc" ? "DESC" : "ASC";
  if (query.direction !== undefined && query.direction !== "asc" && query.direction !== "desc") {
    throw new GrimnirError("VALIDATION", `media query direction must be "asc" or "desc"`, {
      details: { field: "direction" },
    });
  }
  const none: SqlFragment = { sql: "", params: [] };
  if (field === "id") return { join: none, orderBy: `m.id ${dir}` };
  if (field === "tags") return { join: none, orderBy: `m.tag_count ${dir}, m.id ASC` };
  if (typeof field === "string" && field.startsWith("field:")) {
    return {
      join: {
        sql: "LEFT JOIN media_fields o ON o.media_id = m.id AND o.name = ?",
        params: [field.slice(6)],
      },
      orderBy: `(o.kind IS NULL) ASC, o.kind ${dir}, o.num ${dir}, o.text_lc ${dir}, o.bool ${dir}, m.id ASC`,
    };
  }
  const column = TEXT_COLUMNS[field] ?? NUMBER_COLUMNS[field];
  if (column === undefined) {
    throw new GrimnirError("VALIDATION", `cannot order media by ${JSON.stringify(field)}`, {
      details: { field: "orderBy" },
    });
  }
  return { join: none, orderBy: `(${column} IS NULL) ASC, ${column} ${dir}, m.id ASC` };
}
