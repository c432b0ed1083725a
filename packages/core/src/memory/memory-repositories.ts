import { GrimnirError } from "../errors.js";
import { newId } from "../ids.js";
import type { TimeSource } from "../time.js";
import type { Entity, NewEntity, StationScoped } from "../model/entity.js";
import type { MediaItem } from "../model/media.js";
import type { ScheduleEntry, PlayHistory } from "../model/schedule.js";
import type { User } from "../model/user.js";
import type { LiveToken } from "../model/live.js";
import type { ExecutorState } from "../model/executor-state.js";
import type {
  ExecutorStateRepository,
  GlobalRepository,
  LiveTokenRepository,
  MediaQuery,
  MediaRepository,
  Page,
  PlayHistoryRepository,
  Repositories,
  ScheduleRepository,
  StationRepository,
  TimeRange,
  Update,
  UserRepository,
} from "../contracts/store.js";
import { compareMediaBy, matchesMediaQuery } from "./media-filter.js";
import type { MemoryTables, TableRunner } from "./memory-tables.js";

type TableKey = keyof MemoryTables;
type RecordOf<K extends TableKey> =
  MemoryTables[K] extends Map<string, infer T extends Entity> ? T : never;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Deep copy, so callers never hold references into stored state. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

function byId(a: Entity, b: Entity): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function paginate<T>(rows: T[], page: Page | undefined): T[] {
  const offset = Math.max(0, Math.floor(page?.offset ?? 0));
  const limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(page?.limit ?? DEFAULT_LIMIT)));
  return rows.slice(offset, offset + limit);
}

function notFound(kind: string, id: string, stationId?: string): GrimnirError {
  const where = stationId === undefined ? "" : ` in station ${JSON.stringify(stationId)}`;
  return new GrimnirError("NOT_FOUND", `no ${kind} with id ${JSON.stringify(id)}${where}`, {
    details: { kind, id, ...(stationId === undefined ? {} : { stationId }) },
  });
}

function staleVersion(kind: string, id: string, expected: number, actual: number): GrimnirError {
  return new GrimnirError(
    "CONFLICT",
    `${kind} ${JSON.stringify(id)} is at version ${actual}, not ${expected}; re-read it and retry`,
    { details: { kind, id, expectedVersion: expected, actualVersion: actual } },
  );
}

function duplicateId(kind: string, id: string): GrimnirError {
  return new GrimnirError("CONFLICT", `a ${kind} with id ${JSON.stringify(id)} already exists`, {
    details: { kind, id, field: "id" },
  });
}

function requireStationId(kind: string, stationId: unknown): string {
  if (typeof stationId !== "string" || stationId === "") {
    throw new GrimnirError("VALIDATION", `${kind} needs a non-empty stationId`, {
      details: { kind, field: "stationId" },
    });
  }
  return stationId;
}

/** What the repositories share: how to reach the tables, the clock, and per-kind hooks. */
interface RepoContext {
  run: TableRunner;
  time: TimeSource;
}

/** Extra uniqueness rule checked before a write (e.g. unique usernames). */
type UniqueCheck<T> = (tables: MemoryTables, record: T) => void;

function insert<K extends TableKey>(
  tables: MemoryTables,
  key: K,
  input: NewEntity<RecordOf<K>>,
  now: number,
  check?: UniqueCheck<RecordOf<K>>,
): RecordOf<K> {
  const id = input.id ?? newId();
  const map = tables[key] as unknown as Map<string, RecordOf<K>>;
  if (map.has(id)) throw duplicateId(key, id);
  const record = { ...copy(input), id, version: 1, createdAt: now, updatedAt: now } as RecordOf<K>;
  check?.(tables, record);
  map.set(id, record);
  return copy(record);
}

function replace<K extends TableKey>(
  tables: MemoryTables,
  key: K,
  input: Update<RecordOf<K>>,
  now: number,
  stationId: string | undefined,
  check?: UniqueCheck<RecordOf<K>>,
): RecordOf<K> {
  const map = tables[key] as unknown as Map<string, RecordOf<K>>;
  const stored = map.get(input.id);
  if (
    stored === undefined ||
    (stationId !== undefined && (stored as unknown as StationScoped).stationId !== stationId)
  ) {
    throw notFound(key, input.id, stationId);
  }
  if (input.version !== stored.version)
    throw staleVersion(key, input.id, input.version, stored.version);
  const {
    createdAt: _c,
    updatedAt: _u,
    ...rest
  } = copy(input) as Update<RecordOf<K>> & Partial<Entity>;
  const record = {
    ...rest,
    version: stored.version + 1,
    createdAt: stored.createdAt,
    updatedAt: now,
  } as unknown as RecordOf<K>;
  check?.(tables, record);
  map.set(input.id, record);
  return copy(record);
}

function remove(
  tables: MemoryTables,
  key: TableKey,
  id: string,
  version: number | undefined,
  stationId: string | undefined,
): void {
  const map = tables[key] as Map<string, Entity>;
  const stored = map.get(id);
  if (
    stored === undefined ||
    (stationId !== undefined && (stored as StationScoped).stationId !== stationId)
  ) {
    throw notFound(key, id, stationId);
  }
  if (version !== undefined && version !== stored.version)
    throw staleVersion(key, id, version, stored.version);
  map.delete(id);
}

function stationRows<T extends StationScoped>(map: Map<string, T>, stationId: string): T[] {
  return [...map.values()].filter((r) => r.stationId === stationId).sort(byId);
}

function stationRepository<K extends TableKey>(
  ctx: RepoContext,
  key: K,
): StationRepository<RecordOf<K> & StationScoped> {
  type T = RecordOf<K> & StationScoped;
  const mapOf = (t: MemoryTables): Map<string, T> => t[key] as unknown as Map<string, T>;
  return {
    get: (stationId, id) =>
      ctx.run((t) => {
        const row = mapOf(t).get(id);
        return row !== undefined && row.stationId === stationId ? copy(row) : undefined;
      }),
    list: (stationId, page) =>
      ctx.run((t) => copy(paginate(stationRows(mapOf(t), stationId), page))),
    create: (input) =>
      ctx.run((t) => {
        requireStationId(key, input.stationId);
        return insert(t, key, input as unknown as NewEntity<RecordOf<K>>, ctx.time.now()) as T;
      }),
    update: (input) =>
      ctx.run(
        (t) =>
          replace(
            t,
            key,
            input as unknown as Update<RecordOf<K>>,
            ctx.time.now(),
            input.stationId,
          ) as T,
      ),
    delete: (stationId, id, version) => ctx.run((t) => remove(t, key, id, version, stationId)),
  };
}

function globalRepository<K extends "stations" | "users">(
  ctx: RepoContext,
  key: K,
  check?: UniqueCheck<RecordOf<K>>,
): GlobalRepository<RecordOf<K>> {
  const mapOf = (t: MemoryTables): Map<string, RecordOf<K>> =>
    t[key] as unknown as Map<string, RecordOf<K>>;
  return {
    get: (id) => ctx.run((t) => copy(mapOf(t).get(id))),
    list: (page) => ctx.run((t) => copy(paginate([...mapOf(t).values()].sort(byId), page))),
    create: (input) => ctx.run((t) => insert(t, key, input, ctx.time.now(), check)),
    update: (input) => ctx.run((t) => replace(t, key, input, ctx.time.now(), undefined, check)),
    delete: (id, version) => ctx.run((t) => remove(t, key, id, version, undefined)),
  };
}

function uniqueUsername(tables: MemoryTables, user: User): void {
  for (const other of tables.users.values()) {
    if (other.id !== user.id && other.username === user.username) {
      throw new GrimnirError("CONFLICT", `username ${JSON.stringify(user.username)} is taken`, {
        details: { kind: "users", field: "username", username: user.username },
      });
    }
  }
}

function userRepository(ctx: RepoContext): UserRepository {
  return {
    ...globalRepository(ctx, "users", uniqueUsername),
    findByUsername: (username) =>
      ctx.run((t) => copy([...t.users.values()].find((u) => u.username === username))),
  };
}

function mediaRepository(ctx: RepoContext): MediaRepository {
  const matching = (t: MemoryTables, stationId: string, query: MediaQuery): MediaItem[] =>
    stationRows(t.media, stationId).filter((item) => matchesMediaQuery(item, query));
  return {
    ...stationRepository(ctx, "media"),
    query: (stationId, query) =>
      ctx.run((t) => {
        const rows = matching(t, stationId, query).sort(
          compareMediaBy(query.orderBy ?? "id", query.direction),
        );
        return copy(paginate(rows, query));
      }),
    count: (stationId, query = {}) => ctx.run((t) => matching(t, stationId, query).length),
    findByHash: (stationId, contentHash) =>
      ctx.run((t) =>
        copy(stationRows(t.media, stationId).find((m) => m.contentHash === contentHash)),
      ),
  };
}

function liveTokenRepository(ctx: RepoContext): LiveTokenRepository {
  return {
    ...stationRepository(ctx, "liveTokens"),
    findByHash: (tokenHash) =>
      ctx.run((t) =>
        copy(
          [...t.liveTokens.values()]
            .sort(byId)
            .find((tok: LiveToken) => tok.tokenHash === tokenHash),
        ),
      ),
  };
}

function byStart(a: ScheduleEntry, b: ScheduleEntry): number {
  return a.startsAt - b.startsAt || byId(a, b);
}

function scheduleRepository(ctx: RepoContext): ScheduleRepository {
  return {
    window: (stationId, range) =>
      ctx.run((t) =>
        copy(
          stationRows(t.schedule, stationId)
            .filter((e) => e.startsAt < range.to && e.endsAt > range.from)
            .sort(byStart),
        ),
      ),
    replaceWindow: (stationId, range, entries) =>
      ctx.run((t) => {
        const startsInside = (startsAt: number): boolean =>
          startsAt >= range.from && startsAt < range.to;
        const now = ctx.time.now();
        const kept = new Map(t.schedule);
        for (const [id, entry] of t.schedule) {
          if (entry.stationId === stationId && startsInside(entry.startsAt)) kept.delete(id);
        }
        const created: ScheduleEntry[] = [];
        for (const [index, input] of entries.entries()) {
          if (input.stationId !== stationId) {
            throw new GrimnirError(
              "VALIDATION",
              `entry ${index} belongs to station ${JSON.stringify(input.stationId)}, not ${JSON.stringify(stationId)}`,
              {
                details: { field: "stationId", index },
              },
            );
          }
          if (!startsInside(input.startsAt)) {
            throw new GrimnirError(
              "VALIDATION",
              `entry ${index} starts at ${input.startsAt}, outside the replaced window [${range.from}, ${range.to})`,
              { details: { field: "startsAt", index, range: { ...range } } },
            );
          }
          const id = input.id ?? newId();
          if (kept.has(id)) throw duplicateId("schedule", id);
          const entry: ScheduleEntry = {
            ...copy(input),
            id,
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
          kept.set(id, entry);
          created.push(entry);
        }
        // All checks passed: swap the whole table at once, so the change is atomic.
        t.schedule = kept;
        return copy(created.sort(byStart));
      }),
    get: (stationId, id) =>
      ctx.run((t) => {
        const row = t.schedule.get(id);
        return row !== undefined && row.stationId === stationId ? copy(row) : undefined;
      }),
  };
}

function inRange(at: number, range: TimeRange): boolean {
  return at >= range.from && at < range.to;
}

function playHistoryRepository(ctx: RepoContext): PlayHistoryRepository {
  return {
    append: (input) =>
      ctx.run((t) => {
        requireStationId("playHistory", input.stationId);
        return insert(t, "playHistory", input, ctx.time.now());
      }),
    finish: (stationId, id, endedAt) =>
      ctx.run((t) => {
        const stored = t.playHistory.get(id);
        if (stored === undefined || stored.stationId !== stationId)
          throw notFound("playHistory", id, stationId);
        const record: PlayHistory = {
          ...stored,
          endedAt,
          version: stored.version + 1,
          updatedAt: ctx.time.now(),
        };
        t.playHistory.set(id, record);
        return copy(record);
      }),
    list: (stationId, range, filter = {}) =>
      ctx.run((t) =>
        copy(
          stationRows(t.playHistory, stationId)
            .filter(
              (p) =>
                inRange(p.startedAt, range) &&
                (filter.mediaId === undefined || p.mediaId === filter.mediaId) &&
                (filter.artist === undefined || p.artist === filter.artist),
            )
            .sort((a, b) => a.startedAt - b.startedAt || byId(a, b)),
        ),
      ),
    lastPlayed: (stationId, mediaIds) =>
      ctx.run((t) => {
        const wanted = new Set(mediaIds);
        const result = new Map<string, number>();
        for (const play of t.playHistory.values()) {
          if (
            play.stationId !== stationId ||
            play.mediaId === undefined ||
            !wanted.has(play.mediaId)
          )
            continue;
          const seen = result.get(play.mediaId);
          if (seen === undefined || play.startedAt > seen) result.set(play.mediaId, play.startedAt);
        }
        return result;
      }),
  };
}

function executorStateRepository(ctx: RepoContext): ExecutorStateRepository {
  return {
    get: (stationId) => ctx.run((t) => copy(t.executorStates.get(stationId))),
    put: (state, expectedVersion) =>
      ctx.run((t) => {
        const stationId = requireStationId("executorStates", state.stationId);
        const stored = t.executorStates.get(stationId);
        const actual = stored?.version ?? 0;
        if (expectedVersion !== undefined && expectedVersion !== actual) {
          throw staleVersion("executorStates", stationId, expectedVersion, actual);
        }
        const now = ctx.time.now();
        const {
          createdAt: _c,
          updatedAt: _u,
          version: _v,
          ...rest
        } = copy(state) as NewEntity<ExecutorState> & Partial<Entity>;
        const record: ExecutorState = {
          ...rest,
          id: stationId,
          version: actual + 1,
          createdAt: stored?.createdAt ?? now,
          updatedAt: now,
        };
        t.executorStates.set(stationId, record);
        return copy(record);
      }),
  };
}

/** Build every repository over `run`, timestamping writes with `time`. */
export function createMemoryRepositories(run: TableRunner, time: TimeSource): Repositories {
  const ctx: RepoContext = { run, time };
  return {
    stations: globalRepository(ctx, "stations"),
    users: userRepository(ctx),
    mounts: stationRepository(ctx, "mounts"),
    media: mediaRepository(ctx),
    playlists: stationRepository(ctx, "playlists"),
    smartBlocks: stationRepository(ctx, "smartBlocks"),
    clocks: stationRepository(ctx, "clocks"),
    shows: stationRepository(ctx, "shows"),
    overrides: stationRepository(ctx, "overrides"),
    webstreams: stationRepository(ctx, "webstreams"),
    liveTokens: liveTokenRepository(ctx),
    liveSessions: stationRepository(ctx, "liveSessions"),
    schedule: scheduleRepository(ctx),
    playHistory: playHistoryRepository(ctx),
    executorStates: executorStateRepository(ctx),
  };
}
