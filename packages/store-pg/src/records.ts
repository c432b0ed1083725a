import { GrimnirError, newId, type Entity, type Page } from "@grimnir/core";
import type { DialectName, SqlExecutor, SqlRow, SqlValue } from "./driver.js";
import { finiteNumber, requireId, requireObject } from "./validate.js";

/**
 * How repositories reach the database: `atomic` work runs in a transaction
 * (joining the caller's, if any); other work runs statement by statement.
 * Driver errors come out as GrimnirErrors naming `operation`.
 */
export interface RepoContext {
  readonly dialect: DialectName;
  run<T>(operation: string, atomic: boolean, fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
  now(): number;
}

/** A table holding one kind of record: managed columns, the JSON `doc`, and typed query columns. */
export interface TableSpec<T extends Entity> {
  /** SQL table name. */
  readonly table: string;
  /** Repository name, used in messages ("media", "playlists"). */
  readonly kind: string;
  /** Whether rows belong to a station (`station_id` column). */
  readonly scoped: boolean;
  /** Typed columns derived from (and validating) the record. */
  columns?(record: T): Record<string, SqlValue>;
  /** Writes derived rows (tags, custom fields) after the record row was written. */
  afterWrite?(ex: SqlExecutor, record: T): Promise<void>;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const MANAGED = new Set(["id", "stationId", "version", "createdAt", "updatedAt"]);

/** LIMIT/OFFSET values for a page, clamped like the memory store: limit 0..1000 (default 100), offset ≥ 0. */
export function pageParams(page: Page | undefined): [number, number] {
  const rawLimit = Number(page?.limit ?? DEFAULT_LIMIT);
  const rawOffset = Number(page?.offset ?? 0);
  const limit = Number.isFinite(rawLimit)
    ? Math.min(MAX_LIMIT, Math.max(0, Math.floor(rawLimit)))
    : DEFAULT_LIMIT;
  const offset = Number.isFinite(rawOffset) ? Math.max(0, Math.floor(rawOffset)) : 0;
  return [limit, offset];
}

/** The record without its managed fields, as stored in `doc`. */
export function toDoc(record: object, kind: string): string {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!MANAGED.has(key)) rest[key] = value;
  try {
    return JSON.stringify(rest);
  } catch (cause) {
    throw new GrimnirError(
      "VALIDATION",
      `${kind} record cannot be stored as JSON (${String(cause)})`,
      {
        details: { kind },
        cause,
      },
    );
  }
}

/** Columns read for a record. */
export function selectColumns(scoped: boolean, alias = ""): string {
  const p = alias === "" ? "" : `${alias}.`;
  return `${p}id, ${scoped ? `${p}station_id, ` : ""}${p}version, ${p}created_at, ${p}updated_at, ${p}doc`;
}

/** Rebuild a record from its row; a fresh object every time, so callers never share state. */
export function fromRow<T>(row: SqlRow): T {
  const doc = JSON.parse(String(row["doc"])) as Record<string, unknown>;
  const record: Record<string, unknown> = { id: String(row["id"]) };
  if (row["station_id"] !== undefined) record["stationId"] = String(row["station_id"]);
  Object.assign(record, doc, {
    version: Number(row["version"]),
    createdAt: Number(row["created_at"]),
    updatedAt: Number(row["updated_at"]),
  });
  return record as T;
}

export function notFound(kind: string, id: string, stationId?: string): GrimnirError {
  const where = stationId === undefined ? "" : ` in station ${JSON.stringify(stationId)}`;
  return new GrimnirError("NOT_FOUND", `no ${kind} with id ${JSON.stringify(id)}${where}`, {
    details: { kind, id, ...(stationId === undefined ? {} : { stationId }) },
  });
}

export function staleVersion(
  kind: string,
  id: string,
  expected: number,
  actual: number,
): GrimnirError {
  return new GrimnirError(
    "CONFLICT",
    `${kind} ${JSON.stringify(id)} is at version ${actual}, not ${expected}; re-read it and retry`,
    {
      details: { kind, id, expectedVersion: expected, actualVersion: actual },
    },
  );
}

export function duplicateId(kind: string, id: string): GrimnirError {
  return new GrimnirError("CONFLICT", `a ${kind} with id ${JSON.stringify(id)} already exists`, {
    details: { kind, id, field: "id" },
  });
}

function scope(
  spec: { scoped: boolean },
  stationId: string | undefined,
): { sql: string; params: SqlValue[] } {
  return spec.scoped
    ? { sql: " AND station_id = ?", params: [stationId ?? ""] }
    : { sql: "", params: [] };
}

/** Read one record by id (and station). */
export async function getRecord<T extends Entity>(
  ex: SqlExecutor,
  spec: TableSpec<T>,
  id: string,
  stationId?: string,
): Promise<T | undefined> {
  const s = scope(spec, stationId);
  const rows = await ex.all(
    `SELECT ${selectColumns(spec.scoped)} FROM ${spec.table} WHERE id = ?${s.sql}`,
    [id, ...s.params],
  );
  return rows[0] === undefined ? undefined : fromRow<T>(rows[0]);
}

/** A page of records (of a station) in id order. */
export async function listRecords<T extends Entity>(
  ex: SqlExecutor,
  spec: TableSpec<T>,
  page: Page | undefined,
  stationId?: string,
): Promise<T[]> {
  const [limit, offset] = pageParams(page);
  const where = spec.scoped ? "WHERE station_id = ? " : "";
  const rows = await ex.all(
    `SELECT ${selectColumns(spec.scoped)} FROM ${spec.table} ${where}ORDER BY id LIMIT ? OFFSET ?`,
    [...(spec.scoped ? [stationId ?? ""] : []), limit, offset],
  );
  return rows.map((row) => fromRow<T>(row));
}

/** Validate a new record and give it id, version 1 and timestamps. */
export function prepareNew<T extends Entity>(spec: TableSpec<T>, input: unknown, now: number): T {
  const object = requireObject(input, spec.kind);
  const id = object["id"] === undefined ? newId() : requireId(object["id"], "id", spec.kind);
  if (spec.scoped) requireId(object["stationId"], "stationId", spec.kind);
  return { ...object, id, version: 1, createdAt: now, updatedAt: now } as unknown as T;
}

/** Insert a prepared record; `CONFLICT` when its id (or another unique key) exists. Returns it as stored. */
export async function insertRecord<T extends Entity>(
  ex: SqlExecutor,
  spec: TableSpec<T>,
  record: T,
): Promise<T> {
  const columns = spec.columns?.(record) ?? {};
  const names = [
    "id",
    ...(spec.scoped ? ["station_id"] : []),
    "version",
    "created_at",
    "updated_at",
    "doc",
    ...Object.keys(columns),
  ];
  const doc = toDoc(record, spec.kind);
  const values: SqlValue[] = [
    record.id,
    ...(spec.scoped ? [(record as unknown as { stationId: string }).stationId] : []),
    record.version,
    record.createdAt,
    record.updatedAt,
    doc,
    ...Object.values(columns),
  ];
  const changed = await ex.run(
    `INSERT INTO ${spec.table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")}) ON CONFLICT DO NOTHING`,
    values,
  );
  if (changed === 0) {
    const exists = await ex.all(`SELECT 1 AS one FROM ${spec.table} WHERE id = ?`, [record.id]);
    if (exists.length > 0) throw duplicateId(spec.kind, record.id);
    throw new GrimnirError(
      "CONFLICT",
      `${spec.kind} ${JSON.stringify(record.id)} clashes with an existing record's unique field`,
      {
        details: { kind: spec.kind, id: record.id },
      },
    );
  }
  await spec.afterWrite?.(ex, record);
  return fromRow<T>({
    id: record.id,
    ...(spec.scoped ? { station_id: values[1] } : {}),
    version: record.version,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    doc,
  });
}

/** Replace a record at `input.version`; `CONFLICT` when stale, `NOT_FOUND` when absent (in that station). */
export async function updateRecord<T extends Entity>(
  ex: SqlExecutor,
  spec: TableSpec<T>,
  input: unknown,
  now: number,
): Promise<T> {
  const object = requireObject(input, spec.kind);
  const id = requireId(object["id"], "id", spec.kind);
  const stationId = spec.scoped
    ? requireId(object["stationId"], "stationId", spec.kind)
    : undefined;
  const version = finiteNumber(object["version"], "version", spec.kind);
  const candidate = { ...object, id, version: version + 1, updatedAt: now } as unknown as T;
  const columns = spec.columns?.(candidate) ?? {};
  const doc = toDoc(candidate, spec.kind);
  const sets = [
    "version = version + 1",
    "updated_at = ?",
    "doc = ?",
    ...Object.keys(columns).map((c) => `${c} = ?`),
  ];
  const s = scope(spec, stationId);
  const rows = await ex.all(
    `UPDATE ${spec.table} SET ${sets.join(", ")} WHERE id = ?${s.sql} AND version = ? RETURNING created_at, version`,
    [now, doc, ...Object.values(columns), id, ...s.params, version],
  );
  const row = rows[0];
  if (row === undefined) {
    const current = await ex.all(`SELECT version FROM ${spec.table} WHERE id = ?${s.sql}`, [
      id,
      ...s.params,
    ]);
    if (current[0] === undefined) throw notFound(spec.kind, id, stationId);
    throw staleVersion(spec.kind, id, version, Number(current[0]["version"]));
  }
  const stored = {
    ...candidate,
    createdAt: Number(row["created_at"]),
    version: Number(row["version"]),
  };
  await spec.afterWrite?.(ex, stored);
  return fromRow<T>({
    id,
    ...(spec.scoped ? { station_id: stationId } : {}),
    version: stored.version,
    created_at: stored.createdAt,
    updated_at: now,
    doc,
  });
}

/** Delete a record; with `version`, `CONFLICT` when stale; `NOT_FOUND` when absent (in that station). */
export async function deleteRecord<T extends Entity>(
  ex: SqlExecutor,
  spec: TableSpec<T>,
  id: string,
  version: number | undefined,
  stationId?: string,
): Promise<void> {
  const s = scope(spec, stationId);
  const byVersion = version === undefined ? "" : " AND version = ?";
  const changed = await ex.run(`DELETE FROM ${spec.table} WHERE id = ?${s.sql}${byVersion}`, [
    id,
    ...s.params,
    ...(version === undefined ? [] : [version]),
  ]);
  if (changed > 0) return;
  const current = await ex.all(`SELECT version FROM ${spec.table} WHERE id = ?${s.sql}`, [
    id,
    ...s.params,
  ]);
  if (current[0] === undefined) throw notFound(spec.kind, id, stationId);
  throw staleVersion(spec.kind, id, version ?? 0, Number(current[0]["version"]));
}
