import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { GrimnirError } from "@grimnir/core";
import { runMigrations, type MigrationReport } from "./migrate.js";
import { PostgresDriver, type PostgresPoolOptions, type PostgresPoolStats } from "./pg-driver.js";
import { SqliteDriver, type SqliteDriverOptions } from "./sqlite-driver.js";
import { SqlStore, type SqlStoreOptions } from "./sql-store.js";
import type { SqlDriver } from "./driver.js";

/** Options of {@link PostgresStore.open}. */
export interface PostgresStoreOptions extends SqlStoreOptions, PostgresPoolOptions {}

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions extends SqlStoreOptions, SqliteDriverOptions {}

/** Create the directory of an SQLite file; `STORE_UNAVAILABLE` when that is impossible. */
function ensureDirectory(filename: string): void {
  if (filename === ":memory:") return;
  const dir = dirname(resolve(filename));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw new GrimnirError(
      "STORE_UNAVAILABLE",
      `cannot create directory ${JSON.stringify(dir)} for the SQLite database: ${String(cause)}`,
      {
        details: { field: "store", file: filename },
        cause,
      },
    );
  }
}

async function prepare(driver: SqlDriver, options: SqlStoreOptions): Promise<void> {
  if (options.migrate === false) return;
  try {
    await runMigrations(
      driver,
      options.timeSource === undefined ? {} : { now: () => options.timeSource!.now() },
    );
  } catch (err) {
    await driver.close();
    throw err;
  }
}

/**
 * The SQL `Store` on PostgreSQL through a `pg` pool. Text columns use the
 * "C" collation so orderings match SQLite and core's reference store; media
 * text search uses pg_trgm indexes.
 */
export class PostgresStore extends SqlStore {
  #driver: PostgresDriver | undefined;

  /**
   * Connect to `url` (`postgres://user:pass@host:port/db`), apply pending
   * migrations (unless `migrate: false`) and resolve to a ready store.
   * Rejects with `STORE_UNAVAILABLE` when the server cannot be reached.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const driver = new PostgresDriver(url, options);
    const store = new PostgresStore(driver, options);
    store.#driver = driver;
    await prepare(driver, options);
    await store.ping().catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
    return store;
  }

  /**
   * Connection counts of the store's `pg` pool now: `total` open connections
   * (idle + checked out), `idle`, and `waiting` callers. An addition of
   * PostgresStore only, not part of core's `Store` contract; zeros before
   * `open` finished.
   */
  stats(): PostgresPoolStats {
    return this.#driver?.stats() ?? { total: 0, idle: 0, waiting: 0 };
  }
}

/**
 * The SQL `Store` on an SQLite file through better-sqlite3: WAL journal,
 * `synchronous=FULL`, busy timeout; FTS5 trigram index for media search.
 * One connection per store; another process may open the same file.
 */
export class SqliteStore extends SqlStore {
  /**
   * Open (creating it and its directory when missing) the database file at
   * `filename`, or an in-memory database for ":memory:", apply pending
   * migrations (unless `migrate: false`) and resolve to a ready store.
   */
  static async open(filename: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    ensureDirectory(filename);
    const driver = new SqliteDriver(filename, options);
    const store = new SqliteStore(driver, options);
    await prepare(driver, options);
    return store;
  }
}

/** Which backend a store URL names, and where. */
export interface SqlStoreTarget {
  dialect: "postgres" | "sqlite";
  /** Connection string (PostgreSQL) or file name / ":memory:" (SQLite). */
  location: string;
}

/**
 * Parse a store URL: `postgres://…` / `postgresql://…`, `sqlite:./data/grimnir.db`,
 * `sqlite:/abs/path.db`, `sqlite:///abs/path.db` or `sqlite::memory:`.
 * Rejects anything else with `CONFIG_INVALID`.
 */
export function parseStoreUrl(url: string): SqlStoreTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql")
    return { dialect: "postgres", location: url };
  if (scheme === "sqlite") {
    let rest = decodeURIComponent(url.slice("sqlite:".length).replace(/[?#].*$/, ""));
    if (rest.startsWith("//")) rest = rest.slice(2);
    if (rest === "") {
      throw new GrimnirError(
        "CONFIG_INVALID",
        `SQLite URL ${JSON.stringify(url)} names no file; expected e.g. "sqlite:./data/grimnir.db" or "sqlite::memory:"`,
        {
          details: { field: "store" },
        },
      );
    }
    return { dialect: "sqlite", location: rest };
  }
  throw new GrimnirError(
    "CONFIG_INVALID",
    `store URL ${JSON.stringify(url)} is not a SQL store URL; expected "postgres://user@host/db" or "sqlite:./data/grimnir.db"`,
    { details: { field: "store" } },
  );
}

/** Open the SQL store a URL names (see {@link parseStoreUrl}), migrated unless `migrate: false`. */
export function openSqlStore(
  url: string,
  options: PostgresStoreOptions & SqliteStoreOptions = {},
): Promise<SqlStore> {
  const target = parseStoreUrl(url);
  return target.dialect === "postgres"
    ? PostgresStore.open(target.location, options)
    : SqliteStore.open(target.location, options);
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Only report applied and pending migrations; change nothing. */
  status?: boolean;
}

/**
 * What `grimnir migrate [--store URL] [--status]` runs: verify applied
 * migrations' checksums, then apply the pending ones (or just report them with
 * `status`) under the migration lock. Rejects with `CONFIG_INVALID` for a
 * tampered or unknown migration and `STORE_UNAVAILABLE` when the database is down.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<MigrationReport> {
  const target = parseStoreUrl(url);
  if (target.dialect === "sqlite") ensureDirectory(target.location);
  const driver: SqlDriver =
    target.dialect === "postgres"
      ? new PostgresDriver(target.location)
      : new SqliteDriver(target.location);
  try {
    return await runMigrations(driver, { status: options.status === true });
  } finally {
    await driver.close();
  }
}
