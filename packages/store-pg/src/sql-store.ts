import { AsyncLocalStorage } from "node:async_hooks";
import { GrimnirError, SystemTimeSource, type TimeSource } from "@grimnir/core";
import type {
  ExecutorStateRepository,
  GlobalRepository,
  LiveSession,
  LiveTokenRepository,
  MediaRepository,
  Mount,
  Override,
  PlayHistoryRepository,
  Playlist,
  Repositories,
  ScheduleRepository,
  Show,
  SmartBlock,
  Clock,
  Station,
  StationRepository,
  Store,
  UserRepository,
  Webstream,
} from "@grimnir/core";
import type { SqlDriver, SqlExecutor } from "./driver.js";
import { mapDriverError } from "./errors.js";
import { createSqlRepositories } from "./repositories.js";

/** Options every SQL store accepts. */
export interface SqlStoreOptions {
  /** Clock for `createdAt` / `updatedAt` (default the system clock). */
  timeSource?: TimeSource;
  /** Apply pending migrations when opening (default true). */
  migrate?: boolean;
}

interface ActiveTransaction {
  store: SqlStore;
  executor: SqlExecutor;
  repositories: Repositories;
  open: boolean;
}

const currentTransaction = new AsyncLocalStorage<ActiveTransaction>();

/**
 * The one {@link Store} implementation over SQL; {@link PostgresStore} and
 * {@link SqliteStore} only choose the driver. Guarantees:
 *
 * - A write resolves after its transaction committed (durable per the backend's
 *   fsync settings: `synchronous=FULL` on SQLite, PostgreSQL's defaults).
 * - `update`/`delete` compare-and-set on `version` in one statement, so of two
 *   concurrent writers at the same version exactly one wins; the other gets `CONFLICT`.
 * - Every query is scoped by station; every value is a bound parameter.
 * - `transaction` is all-or-nothing; calls made inside its async context (through
 *   `tx` or through the store) join it.
 * - Driver failures surface as GrimnirErrors (`STORE_UNAVAILABLE`, `CONFLICT`,
 *   `VALIDATION`, `INTERNAL`), never raw driver errors.
 */
export class SqlStore implements Store {
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

  /** The driver this store runs on (for migrations, EXPLAIN in tests and tooling). */
  readonly driver: SqlDriver;
  readonly #time: TimeSource;
  #closed = false;

  /** Wrap an open driver. Use `PostgresStore.open` / `SqliteStore.open`, which also migrate. */
  constructor(driver: SqlDriver, options: SqlStoreOptions = {}) {
    this.driver = driver;
    this.#time = options.timeSource ?? new SystemTimeSource();
    const repos = createSqlRepositories({
      dialect: driver.dialect,
      now: () => this.#time.now(),
      run: (operation, atomic, fn) => this.#run(operation, atomic, fn),
    });
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

  /** Run `fn` in one database transaction; a nested call joins the outer one. */
  async transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    const joined = this.#joinable();
    if (joined !== undefined) return fn(joined.repositories);
    this.#assertOpen();
    let active: ActiveTransaction | undefined;
    let fnFailed = false;
    try {
      return await this.driver.transaction(async (executor) => {
        const tx: ActiveTransaction = {
          store: this,
          executor,
          repositories: undefined as unknown as Repositories,
          open: true,
        };
        active = tx;
        tx.repositories = createSqlRepositories({
          dialect: this.driver.dialect,
          now: () => this.#time.now(),
          run: async (operation, _atomic, op) => {
            if (!tx.open)
              throw new GrimnirError(
                "INTERNAL",
                "this transaction has already finished; use the store instead",
              );
            return this.#guard(operation, () => op(executor));
          },
        });
        try {
          return await currentTransaction.run(tx, () => fn(tx.repositories));
        } catch (err) {
          fnFailed = true;
          throw err;
        }
      });
    } catch (err) {
      // What `fn` threw is rethrown untouched; BEGIN/COMMIT failures are translated.
      if (fnFailed) throw err;
      throw mapDriverError(err, "run transaction");
    } finally {
      if (active !== undefined) active.open = false;
    }
  }

  /** Resolves when the database answers a trivial query; `STORE_UNAVAILABLE` otherwise. */
  async ping(): Promise<void> {
    await this.#run("ping", false, (ex) => ex.all("SELECT 1 AS one"));
  }

  /** Release the connection(s). Idempotent; later calls reject with `STORE_UNAVAILABLE`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.driver.close();
  }

  #joinable(): ActiveTransaction | undefined {
    const tx = currentTransaction.getStore();
    return tx !== undefined && tx.store === this && tx.open ? tx : undefined;
  }

  async #guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await fn();
    } catch (err) {
      throw mapDriverError(err, operation);
    }
  }

  #run<T>(operation: string, atomic: boolean, fn: (ex: SqlExecutor) => Promise<T>): Promise<T> {
    const joined = this.#joinable();
    if (joined !== undefined) return this.#guard(operation, () => fn(joined.executor));
    return this.#guard(operation, () =>
      atomic ? this.driver.transaction(fn) : this.driver.withExecutor(fn),
    );
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new GrimnirError(
        "STORE_UNAVAILABLE",
        `the ${this.driver.dialect} store is closed; open a new one`,
      );
    }
  }
}
