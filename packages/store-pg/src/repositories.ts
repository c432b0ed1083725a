import { GrimnirError } from "@grimnir/core";
import type {
  Entity,
  ExecutorState,
  ExecutorStateRepository,
  GlobalRepository,
  LiveToken,
  LiveTokenRepository,
  MediaItem,
  MediaQuery,
  MediaRepository,
  NewEntity,
  PlayHistory,
  PlayHistoryRepository,
  Repositories,
  ScheduleEntry,
  ScheduleRepository,
  StationRepository,
  StationScoped,
  TimeRange,
  User,
  UserRepository,
} from "@grimnir/core";
import type { DialectName, SqlExecutor, SqlValue } from "./driver.js";
import { ftsMatch, mediaOrder, mediaWhere, type FtsJoin } from "./media-query.js";
import {
  deleteRecord,
  fromRow,
  getRecord,
  insertRecord,
  listRecords,
  pageParams,
  prepareNew,
  selectColumns,
  staleVersion,
  notFound,
  toDoc,
  updateRecord,
  type RepoContext,
  type TableSpec,
} from "./records.js";
import { TABLES } from "./tables.js";
import { finiteNumber, requireId, requireObject } from "./validate.js";

function stationRepository<T extends StationScoped>(
  ctx: RepoContext,
  spec: TableSpec<T>,
): StationRepository<T> {
  // Writes with derived rows (media tags/fields) need a transaction; plain ones are one statement.
  const atomicWrites = spec.afterWrite !== undefined;
  return {
    get: (stationId, id) =>
      ctx.run(`get ${spec.kind}`, false, (ex) =>
        getRecord(ex, spec, String(id), String(stationId)),
      ),
    list: (stationId, page) =>
      ctx.run(`list ${spec.kind}`, false, (ex) => listRecords(ex, spec, page, String(stationId))),
    create: (input) =>
      ctx.run(`create ${spec.kind}`, atomicWrites, (ex) =>
        insertRecord(ex, spec, prepareNew(spec, input, ctx.now())),
      ),
    // A compare-and-set UPDATE/DELETE is one statement; the follow-up read only explains a miss.
    update: (input) =>
      ctx.run(`update ${spec.kind}`, atomicWrites, (ex) =>
        updateRecord(ex, spec, input, ctx.now()),
      ),
    delete: (stationId, id, version) =>
      ctx.run(`delete ${spec.kind}`, false, (ex) =>
        deleteRecord(ex, spec, String(id), version, String(stationId)),
      ),
  };
}

function globalRepository<T extends Entity>(
  ctx: RepoContext,
  spec: TableSpec<T>,
): GlobalRepository<T> {
  return {
    get: (id) => ctx.run(`get ${spec.kind}`, false, (ex) => getRecord(ex, spec, String(id))),
    list: (page) => ctx.run(`list ${spec.kind}`, false, (ex) => listRecords(ex, spec, page)),
    create: (input) =>
      ctx.run(`create ${spec.kind}`, false, (ex) =>
        insertRecord(ex, spec, prepareNew(spec, input, ctx.now())),
      ),
    update: (input) =>
      ctx.run(`update ${spec.kind}`, false, (ex) => updateRecord(ex, spec, input, ctx.now())),
    delete: (id, version) =>
      ctx.run(`delete ${spec.kind}`, false, (ex) => deleteRecord(ex, spec, String(id), version)),
  };
}

function userRepository(ctx: RepoContext): UserRepository {
  const spec: TableSpec<User> = TABLES.users;
  const base = globalRepository(ctx, spec);
  const taken = (username: unknown): GrimnirError =>
    new GrimnirError("CONFLICT", `username ${JSON.stringify(username)} is taken`, {
      details: { kind: "users", field: "username", username },
    });
  return {
    ...base,
    create: (input) =>
      ctx.run("create users", false, async (ex) => {
        const record = prepareNew(spec, input, ctx.now());
        const clash = await ex.all("SELECT id FROM users WHERE username = ? AND id <> ?", [
          String(record.username),
          record.id,
        ]);
        if (clash.length > 0) throw taken(record.username);
        return insertRecord(ex, spec, record);
      }),
    update: (input) =>
      ctx.run("update users", false, async (ex) => {
        const object = requireObject(input, "users");
        // Checked first so PostgreSQL never aborts the caller's transaction on the unique index.
        const clash = await ex.all("SELECT id FROM users WHERE username = ? AND id <> ?", [
          String(object["username"]),
          String(object["id"]),
        ]);
        if (clash.length > 0) throw taken(object["username"]);
        return updateRecord(ex, spec, input, ctx.now());
      }),
    findByUsername: (username) =>
      ctx.run("find user by username", false, async (ex) => {
        const rows = await ex.all(`SELECT ${selectColumns(false)} FROM users WHERE username = ?`, [
          String(username),
        ]);
        return rows[0] === undefined ? undefined : fromRow<User>(rows[0]);
      }),
  };
}

/**
 * Pick how SQLite joins text-search hits for a page of `rows` ordered by id: when
 * the needle has more than 20 hits per wanted row (counted with a LIMIT, so a common
 * needle stops early), walking the ordered index finds the page after a few hundred
 * rows, while fetching and sorting every hit would read thousands.
 */
async function ftsJoinFor(
  ex: SqlExecutor,
  dialect: DialectName,
  query: MediaQuery,
  rows: number,
): Promise<FtsJoin> {
  const match = ftsMatch(dialect, query.text);
  if (match === undefined || (query.orderBy ?? "id") !== "id") return "lookup";
  const threshold = Math.max(1000, rows * 20);
  const counted = await ex.all(
    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM media_search WHERE media_search MATCH ? LIMIT ?)",
    [match, threshold + 1],
  );
  return Number(counted[0]?.["n"] ?? 0) > threshold ? "scan" : "lookup";
}

function mediaRepository(ctx: RepoContext): MediaRepository {
  const spec: TableSpec<MediaItem> = TABLES.media;
  return {
    ...stationRepository(ctx, spec),
    query: (stationId, query) =>
      ctx.run("query media", false, async (ex) => {
        const order = mediaOrder(query ?? {});
        const [limit, offset] = pageParams(query);
        const fts = await ftsJoinFor(ex, ctx.dialect, query ?? {}, limit + offset);
        const where = mediaWhere(ctx.dialect, String(stationId), query ?? {}, fts);
        const columns = selectColumns(true, "m");
        const page = `FROM media m ${order.join.sql} WHERE ${where.sql} ORDER BY ${order.orderBy} LIMIT ? OFFSET ?`;
        const pageValues = [...order.join.params, ...where.params, limit, offset];
        // A first page reads its rows straight from the scan (an index in the page's order
        // stops at the page's end). A later page is chosen on index columns alone first, so
        // the skipped rows' documents are never read, then only its rows are looked up.
        const key = ctx.dialect === "sqlite" ? "m.rid" : "m.id";
        const rows =
          offset === 0
            ? await ex.all(`SELECT ${columns} ${page}`, pageValues)
            : await ex.all(
                `SELECT ${columns} FROM media m ${order.join.sql}
                 WHERE ${key} IN (SELECT ${key} ${page}) ORDER BY ${order.orderBy}`,
                [...order.join.params, ...pageValues],
              );
        return rows.map((row) => fromRow<MediaItem>(row));
      }),
    count: (stationId, query = {}) =>
      ctx.run("count media", false, async (ex) => {
        const where = mediaWhere(ctx.dialect, String(stationId), query);
        const rows = await ex.all(
          `SELECT COUNT(*) AS n FROM media m WHERE ${where.sql}`,
          where.params,
        );
        return Number(rows[0]?.["n"] ?? 0);
      }),
    findByHash: (stationId, contentHash) =>
      ctx.run("find media by hash", false, async (ex) => {
        const rows = await ex.all(
          `SELECT ${selectColumns(true)} FROM media WHERE station_id = ? AND content_hash = ? ORDER BY id LIMIT 1`,
          [String(stationId), String(contentHash)],
        );
        return rows[0] === undefined ? undefined : fromRow<MediaItem>(rows[0]);
      }),
  };
}

function liveTokenRepository(ctx: RepoContext): LiveTokenRepository {
  return {
    ...stationRepository(ctx, TABLES.liveTokens),
    findByHash: (tokenHash) =>
      ctx.run("find live token by hash", false, async (ex) => {
        const rows = await ex.all(
          `SELECT ${selectColumns(true)} FROM live_tokens WHERE token_hash = ? ORDER BY id LIMIT 1`,
          [String(tokenHash)],
        );
        return rows[0] === undefined ? undefined : fromRow<LiveToken>(rows[0]);
      }),
  };
}

function requireRange(range: TimeRange): TimeRange {
  const object = requireObject(range, "time range");
  return {
    from: finiteNumber(object["from"], "from", "time range"),
    to: finiteNumber(object["to"], "to", "time range"),
  };
}

function scheduleRepository(ctx: RepoContext): ScheduleRepository {
  const spec: TableSpec<ScheduleEntry> = TABLES.schedule;
  return {
    window: (stationId, range) =>
      ctx.run("read schedule window", false, async (ex) => {
        const { from, to } = requireRange(range);
        const station = String(stationId);
        // An entry that ends after `from` starts after `from` minus the station's longest
        // entry: that lower bound keeps the index range scan to the window (migration 3).
        const rows = await ex.all(
          `SELECT ${selectColumns(true)} FROM schedule_entries
           WHERE station_id = ? AND starts_at < ? AND ends_at > ?
             AND starts_at >= ? - COALESCE((SELECT MAX(ends_at - starts_at) FROM schedule_entries WHERE station_id = ?), 0)
           ORDER BY starts_at, id`,
          [station, to, from, from, station],
        );
        return rows.map((row) => fromRow<ScheduleEntry>(row));
      }),
    replaceWindow: (stationId, range, entries) =>
      ctx.run("replace schedule window", true, async (ex) => {
        const station = requireId(stationId, "stationId", "schedule");
        const { from, to } = requireRange(range);
        if (!Array.isArray(entries)) {
          throw new GrimnirError("VALIDATION", "replaceWindow needs an array of entries", {
            details: { field: "entries" },
          });
        }
        const now = ctx.now();
        const prepared = entries.map((input, index) => {
          const record = prepareNew(spec, input, now);
          if (record.stationId !== station) {
            throw new GrimnirError(
              "VALIDATION",
              `entry ${index} belongs to station ${JSON.stringify(record.stationId)}, not ${JSON.stringify(station)}`,
              { details: { field: "stationId", index } },
            );
          }
          const startsAt = finiteNumber(record.startsAt, "startsAt", "schedule");
          if (startsAt < from || startsAt >= to) {
            throw new GrimnirError(
              "VALIDATION",
              `entry ${index} starts at ${startsAt}, outside the replaced window [${from}, ${to})`,
              {
                details: { field: "startsAt", index, range: { from, to } },
              },
            );
          }
          return record;
        });
        await ex.run(
          "DELETE FROM schedule_entries WHERE station_id = ? AND starts_at >= ? AND starts_at < ?",
          [station, from, to],
        );
        const created: ScheduleEntry[] = [];
        for (const record of prepared) created.push(await insertRecord(ex, spec, record));
        return created.sort(
          (a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
      }),
    get: (stationId, id) =>
      ctx.run("get schedule entry", false, (ex) =>
        getRecord(ex, spec, String(id), String(stationId)),
      ),
  };
}

function playHistoryRepository(ctx: RepoContext): PlayHistoryRepository {
  const spec: TableSpec<PlayHistory> = TABLES.playHistory;
  return {
    append: (input) =>
      ctx.run("append play history", false, (ex) =>
        insertRecord(ex, spec, prepareNew(spec, input, ctx.now())),
      ),
    finish: (stationId, id, endedAt) =>
      ctx.run("finish play", true, async (ex) => {
        const ended = finiteNumber(endedAt, "endedAt", "playHistory");
        const stored = await getRecord(ex, spec, String(id), String(stationId));
        if (stored === undefined) throw notFound("playHistory", String(id), String(stationId));
        return updateRecord(ex, spec, { ...stored, endedAt: ended }, ctx.now());
      }),
    list: (stationId, range, filter = {}) =>
      ctx.run("list play history", false, async (ex) => {
        const { from, to } = requireRange(range);
        const params: SqlValue[] = [String(stationId), from, to];
        let extra = "";
        if (filter.mediaId !== undefined) {
          extra += " AND media_id = ?";
          params.push(String(filter.mediaId));
        }
        if (filter.artist !== undefined) {
          extra += " AND artist = ?";
          params.push(String(filter.artist));
        }
        const rows = await ex.all(
          `SELECT ${selectColumns(true)} FROM play_history WHERE station_id = ? AND started_at >= ? AND started_at < ?${extra} ORDER BY started_at, id`,
          params,
        );
        return rows.map((row) => fromRow<PlayHistory>(row));
      }),
    lastPlayed: (stationId, mediaIds) =>
      ctx.run("read last plays", false, async (ex) => {
        const result = new Map<string, number>();
        const ids = [...new Set(mediaIds)].map(String);
        if (ids.length === 0) return result;
        // One statement, one parameter, whatever the count (a text[] literal on PostgreSQL, a
        // JSON array on SQLite); per id, MAX is one backward probe of play_history_media
        // rather than a read of every play of that media.
        const [source, param] =
          ctx.dialect === "postgres"
            ? ["unnest(CAST(? AS text[])) AS u(id)", pgTextArray(ids)]
            : ["(SELECT value AS id FROM json_each(?)) AS u", JSON.stringify(ids)];
        const rows = await ex.all(
          `SELECT u.id AS media_id, (SELECT MAX(h.started_at) FROM play_history h WHERE h.station_id = ? AND h.media_id = u.id) AS last FROM ${source}`,
          [String(stationId), param],
        );
        for (const row of rows) {
          if (row["last"] !== null) result.set(String(row["media_id"]), Number(row["last"]));
        }
        return result;
      }),
  };
}

/** A PostgreSQL text[] literal: every element double-quoted, `"` and `\` escaped. */
function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;
}

function executorStateRepository(ctx: RepoContext): ExecutorStateRepository {
  const read = (row: Record<string, unknown>): ExecutorState =>
    fromRow<ExecutorState>({ ...row, id: row["station_id"] });
  const columns = "station_id, version, created_at, updated_at, doc";
  return {
    get: (stationId) =>
      ctx.run("get executor state", false, async (ex) => {
        const rows = await ex.all(`SELECT ${columns} FROM executor_states WHERE station_id = ?`, [
          String(stationId),
        ]);
        return rows[0] === undefined ? undefined : read(rows[0]);
      }),
    put: (state, expectedVersion) =>
      ctx.run("put executor state", false, async (ex) => {
        const object = requireObject(state, "executorStates");
        const stationId = requireId(object["stationId"], "stationId", "executorStates");
        const doc = toDoc(object as NewEntity<ExecutorState> & object, "executorStates");
        const now = ctx.now();
        let rows: Record<string, unknown>[];
        if (expectedVersion === undefined) {
          rows = await ex.all(
            `INSERT INTO executor_states (${columns}) VALUES (?, 1, ?, ?, ?)
             ON CONFLICT (station_id) DO UPDATE SET version = executor_states.version + 1, updated_at = excluded.updated_at, doc = excluded.doc
             RETURNING ${columns}`,
            [stationId, now, now, doc],
          );
        } else if (expectedVersion === 0) {
          rows = await ex.all(
            `INSERT INTO executor_states (${columns}) VALUES (?, 1, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${columns}`,
            [stationId, now, now, doc],
          );
        } else {
          rows = await ex.all(
            `UPDATE executor_states SET version = version + 1, updated_at = ?, doc = ? WHERE station_id = ? AND version = ? RETURNING ${columns}`,
            [
              now,
              doc,
              stationId,
              finiteNumber(expectedVersion, "expectedVersion", "executorStates"),
            ],
          );
        }
        if (rows[0] !== undefined) return read(rows[0]);
        const current = await ex.all("SELECT version FROM executor_states WHERE station_id = ?", [
          stationId,
        ]);
        throw staleVersion(
          "executorStates",
          stationId,
          expectedVersion ?? 0,
          Number(current[0]?.["version"] ?? 0),
        );
      }),
  };
}

/** Every repository over `ctx`; the store and each transaction build their own set. */
export function createSqlRepositories(ctx: RepoContext): Repositories {
  return {
    stations: globalRepository(ctx, TABLES.stations),
    users: userRepository(ctx),
    mounts: stationRepository(ctx, TABLES.mounts),
    media: mediaRepository(ctx),
    playlists: stationRepository(ctx, TABLES.playlists),
    smartBlocks: stationRepository(ctx, TABLES.smartBlocks),
    clocks: stationRepository(ctx, TABLES.clocks),
    shows: stationRepository(ctx, TABLES.shows),
    overrides: stationRepository(ctx, TABLES.overrides),
    webstreams: stationRepository(ctx, TABLES.webstreams),
    liveTokens: liveTokenRepository(ctx),
    liveSessions: stationRepository(ctx, TABLES.liveSessions),
    schedule: scheduleRepository(ctx),
    playHistory: playHistoryRepository(ctx),
    executorStates: executorStateRepository(ctx),
  };
}
