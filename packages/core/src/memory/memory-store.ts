import { AsyncLocalStorage } from "node:async_hooks";
import { GrimnirError } from "../errors.js";
import { SystemTimeSource, type TimeSource } from "../time.js";
import type {
  ExecutorStateRepository,
  GlobalRepository,
  LiveTokenRepository,
  MediaRepository,
  PlayHistoryRepository,
  Repositories,
  ScheduleRepository,
  StationRepository,
  Store,
  UserRepository,
} from "../contracts/store.js";
import type { Station, Mount } from "../model/station.js";
import type { Playlist } from "../model/playlist.js";
import type { SmartBlock } from "../model/smart-block.js";
import type { Clock } from "../model/clock.js";
import type { Show, Override } from "../model/show.js";
import type { Webstream } from "../model/webstream.js";
import type { LiveSession } from "../model/live.js";
import { createMemoryRepositories } from "./memory-repositories.js";
import { emptyTables, snapshotTables, type MemoryTables } from "./memory-tables.js";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock for `createdAt` / `updatedAt` (default {@link SystemTimeSource}). */
  timeSource?: TimeSource;
}

/** The transaction an async context is running in, so nested calls can join it. */
interface ActiveTransaction {
  store: MemoryStore;
  repositories: Repositories;
  open: boolean;
}

const currentTransaction = new AsyncLocalStorage<ActiveTransaction>();

/** Runs tasks one at a time in call order. */
class TaskQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * The reference {@link Store}: everything in process memory, lost on exit.
 *
 * - Records are deep-copied in and out, so callers never hold live references.
 * - Operations and transactions are serialised: a transaction runs alone, and
 *   nothing outside it sees its writes before it commits. When its function
 *   throws, every write it made is undone and the error is rethrown.
 * - A transaction (or repository call) started inside a running transaction's
 *   async context joins that transaction.
 * - After `close()`, every call rejects with `STORE_UNAVAILABLE`.
 */
export class MemoryStore implements Store {
  /** Stations, global. */
  readonly stations: GlobalRepository<Station>;
  /** Users, with unique usernames. */
  readonly users: UserRepository;
  /** Mounts of each station. */
  readonly mounts: StationRepository<Mount>;
  /** Media library of each station. */
  readonly media: MediaRepository;
  /** Playlists of each station. */
  readonly playlists: StationRepository<Playlist>;
  /** Smart blocks of each station. */
  readonly smartBlocks: StationRepository<SmartBlock>;
  /** Clocks of each station. */
  readonly clocks: StationRepository<Clock>;
  /** Shows of each station. */
  readonly shows: StationRepository<Show>;
  /** Overrides of each station. */
  readonly overrides: StationRepository<Override>;
  /** Webstreams of each station. */
  readonly webstreams: StationRepository<Webstream>;
  /** Live tokens of each station, findable by hash. */
  readonly liveTokens: LiveTokenRepository;
  /** Live sessions of each station. */
  readonly liveSessions: StationRepository<LiveSession>;
  /** The planned timeline of each station. */
  readonly schedule: ScheduleRepository;
  /** What went on air, per station. */
  readonly playHistory: PlayHistoryRepository;
  /** Executor state, one record per station. */
  readonly executorStates: ExecutorStateRepository;

  readonly #time: TimeSource;
  readonly #queue = new TaskQueue();
  #tables: MemoryTables = emptyTables();
  #closed = false;

  /** An empty store; `options.timeSource` stamps createdAt/updatedAt. */
  constructor(options: MemoryStoreOptions = {}) {
    this.#time = options.timeSource ?? new SystemTimeSource();
    const repos = createMemoryRepositories((op) => this.#run(op), this.#time);
    this.stations = repos.stations;
    this.users = repos.users;
    this.mounts = repos.mounts;
    this.media = repos.media;
    this.playlists = repos.playlists;
    this.smartBlocks = repos.smartBlocks;
    this.clocks = repos.clocks;
    this.shows = repos.shows;
    this.overrides = repos.overrides;
    this.webstreams = repos.webstreams;
    this.liveTokens = repos.liveTokens;
    this.liveSessions = repos.liveSessions;
    this.schedule = repos.schedule;
    this.playHistory = repos.playHistory;
    this.executorStates = repos.executorStates;
  }

  /**
   * Run `fn` alone, all-or-nothing. Concurrent transactions queue behind each
   * other; a nested call joins the outer transaction.
   */
  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    const joined = this.#joinable();
    if (joined !== undefined) return fn(joined.repositories);
    return this.#queue.run(async () => {
      this.#assertOpen();
      const snapshot = snapshotTables(this.#tables);
      const tx: ActiveTransaction = {
        store: this,
        repositories: undefined as unknown as Repositories,
        open: true,
      };
      tx.repositories = createMemoryRepositories(async (op) => {
        if (!tx.open) {
          throw new GrimnirError(
            "INTERNAL",
            "this transaction has already finished; use the store instead",
          );
        }
        this.#assertOpen();
        return op(this.#tables);
      }, this.#time);
      try {
        return await currentTransaction.run(tx, () => fn(tx.repositories));
      } catch (err) {
        this.#tables = snapshot;
        throw err;
      } finally {
        tx.open = false;
      }
    });
  }

  /** Resolves while the store is open; rejects with `STORE_UNAVAILABLE` after `close()`. */
  async ping(): Promise<void> {
    this.#assertOpen();
  }

  /** Drop all data; later calls reject with `STORE_UNAVAILABLE`. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#tables = emptyTables();
  }

  #joinable(): ActiveTransaction | undefined {
    const tx = currentTransaction.getStore();
    return tx !== undefined && tx.store === this && tx.open ? tx : undefined;
  }

  #run<R>(op: (tables: MemoryTables) => R): Promise<R> {
    const joined = this.#joinable();
    if (joined !== undefined) {
      return Promise.resolve().then(() => {
        this.#assertOpen();
        return op(this.#tables);
      });
    }
    return this.#queue.run(async () => {
      this.#assertOpen();
      return op(this.#tables);
    });
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        "the memory store is closed; create a new MemoryStore",
      );
    }
  }
}
