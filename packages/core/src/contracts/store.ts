import type { Entity, NewEntity, StationScoped } from "../model/entity.js";
import type { Station, Mount } from "../model/station.js";
import type { MediaItem } from "../model/media.js";
import type { MediaFilter, MediaField, SmartBlock } from "../model/smart-block.js";
import type { Playlist } from "../model/playlist.js";
import type { Clock } from "../model/clock.js";
import type { Show, Override } from "../model/show.js";
import type { ScheduleEntry, PlayHistory } from "../model/schedule.js";
import type { Webstream } from "../model/webstream.js";
import type { LiveSession, LiveToken } from "../model/live.js";
import type { User } from "../model/user.js";
import type { ExecutorState } from "../model/executor-state.js";

/** Paging for list queries. Results are ordered by `id` unless a method says otherwise. */
export interface Page {
  /** Maximum rows returned (default 100, at most 1000). */
  limit?: number;
  /** Rows skipped first (default 0). */
  offset?: number;
}

/** A replacement of an existing record: the full record with the version it was read at. */
export type Update<T extends Entity> = Omit<T, "createdAt" | "updatedAt">;

/**
 * Records of one kind that belong to stations. Every method is scoped by
 * `stationId`: a record of station A is invisible through station B.
 *
 * Guarantees: `create` and `update` are durable when their promise resolves;
 * `update` and `delete` with a stale `version` reject with `CONFLICT` and change nothing.
 */
export interface StationRepository<T extends StationScoped> {
  /** The record, or undefined when it does not exist in this station. */
  get(stationId: string, id: string): Promise<T | undefined>;
  /** Records of the station ordered by id. */
  list(stationId: string, page?: Page): Promise<T[]>;
  /** Insert with version 1. Rejects with `CONFLICT` when the id exists. */
  create(input: NewEntity<T>): Promise<T>;
  /** Replace; `input.version` must equal the stored version. Returns version + 1. */
  update(input: Update<T>): Promise<T>;
  /** Remove. With `version`, rejects with `CONFLICT` when it is stale. Rejects with `NOT_FOUND` when absent. */
  delete(stationId: string, id: string, version?: number): Promise<void>;
}

/** Records that belong to no station (stations, users). Same guarantees as {@link StationRepository}. */
export interface GlobalRepository<T extends Entity> {
  /** The record, or undefined when it does not exist. */
  get(id: string): Promise<T | undefined>;
  /** Records ordered by id. */
  list(page?: Page): Promise<T[]>;
  /** Insert with version 1. Rejects with `CONFLICT` when the id (or a unique field) exists. */
  create(input: NewEntity<T>): Promise<T>;
  /** Replace; `input.version` must equal the stored version. Returns version + 1. */
  update(input: Update<T>): Promise<T>;
  /** Remove. With `version`, rejects with `CONFLICT` when it is stale; `NOT_FOUND` when absent. */
  delete(id: string, version?: number): Promise<void>;
}

/** A filtered query over a station's media, as the planner and the API run it. */
export interface MediaQuery extends Page {
  /** All must match. */
  filters?: MediaFilter[];
  /** Case-insensitive search over title, artist and album. */
  text?: string;
  /** Only items with this analysis status. */
  analysisStatus?: MediaItem["analysisStatus"];
  /** Sort key (default id) and direction (default asc); ties broken by id. */
  orderBy?: MediaField | "id";
  direction?: "asc" | "desc";
}

/** Media with the queries the planner needs. */
export interface MediaRepository extends StationRepository<MediaItem> {
  /** Items matching `query`; deterministic order. */
  query(stationId: string, query: MediaQuery): Promise<MediaItem[]>;
  /** Number of items matching the query's filters and text (paging ignored). */
  count(stationId: string, query?: MediaQuery): Promise<number>;
  /** The item with this content hash, for de-duplication on ingest. */
  findByHash(stationId: string, contentHash: string): Promise<MediaItem | undefined>;
}

/** A time range, epoch ms, `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: number;
  to: number;
}

/** The planned timeline. */
export interface ScheduleRepository {
  /** Entries overlapping `range`, ordered by `startsAt` then id. */
  window(stationId: string, range: TimeRange): Promise<ScheduleEntry[]>;
  /**
   * Atomically replace every entry that starts inside `range` with `entries`
   * (which must all start inside it). Readers see the old or the new plan, never a mix.
   */
  replaceWindow(
    stationId: string,
    range: TimeRange,
    entries: NewEntity<ScheduleEntry>[],
  ): Promise<ScheduleEntry[]>;
  /** One entry of the station, or undefined. */
  get(stationId: string, id: string): Promise<ScheduleEntry | undefined>;
}

/** What went on air; the rotation rules read it. */
export interface PlayHistoryRepository {
  /** Record a play. */
  append(input: NewEntity<PlayHistory>): Promise<PlayHistory>;
  /** Set when a play left the air. */
  finish(stationId: string, id: string, endedAt: number): Promise<PlayHistory>;
  /** Plays that started in `range`, ordered by `startedAt` then id; optionally of one media item or artist. */
  list(
    stationId: string,
    range: TimeRange,
    filter?: { mediaId?: string; artist?: string },
  ): Promise<PlayHistory[]>;
  /** Most recent start per media id among `mediaIds`, epoch ms; absent ids never played. */
  lastPlayed(stationId: string, mediaIds: readonly string[]): Promise<Map<string, number>>;
}

/** Users, with lookup by login name. */
export interface UserRepository extends GlobalRepository<User> {
  /** The user with this login name (exact match), or undefined. */
  findByUsername(username: string): Promise<User | undefined>;
}

/** Live tokens, looked up by hash. */
export interface LiveTokenRepository extends StationRepository<LiveToken> {
  /** The token whose SHA-256 is `tokenHash`, in any station, or undefined. */
  findByHash(tokenHash: string): Promise<LiveToken | undefined>;
}

/** Executor state, one record per station (id = stationId). */
export interface ExecutorStateRepository {
  /** The station's persisted state, or undefined before its first write. */
  get(stationId: string): Promise<ExecutorState | undefined>;
  /**
   * Write the state. With `expectedVersion`, rejects with `CONFLICT` unless the
   * stored version matches (use 0 for "must not exist yet").
   */
  put(state: NewEntity<ExecutorState>, expectedVersion?: number): Promise<ExecutorState>;
}

/** The repositories a transaction or a store exposes. */
export interface Repositories {
  readonly stations: GlobalRepository<Station>;
  readonly users: UserRepository;
  readonly mounts: StationRepository<Mount>;
  readonly media: MediaRepository;
  readonly playlists: StationRepository<Playlist>;
  readonly smartBlocks: StationRepository<SmartBlock>;
  readonly clocks: StationRepository<Clock>;
  readonly shows: StationRepository<Show>;
  readonly overrides: StationRepository<Override>;
  readonly webstreams: StationRepository<Webstream>;
  readonly liveTokens: LiveTokenRepository;
  readonly liveSessions: StationRepository<LiveSession>;
  readonly schedule: ScheduleRepository;
  readonly playHistory: PlayHistoryRepository;
  readonly executorStates: ExecutorStateRepository;
}

/**
 * Durable storage of everything a station is.
 *
 * Guarantees every implementation gives (checked by `describeStoreConformance`):
 * acknowledged writes are durable; station isolation in every query; optimistic
 * concurrency through `version` with `CONFLICT`; `transaction` is all-or-nothing —
 * when `fn` throws, none of its writes are visible and the error is rethrown.
 */
export interface Store extends Repositories {
  /** Run `fn` in one transaction. Nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Health for /readyz: resolves when the backend answers. */
  ping(): Promise<void>;
  /** Release connections. Further calls reject. */
  close(): Promise<void>;
}
