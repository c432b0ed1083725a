import { resolve } from "node:path";
import Database from "better-sqlite3";
import { GrimnirError } from "@grimnir/core";
import { mapDriverError } from "./errors.js";
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from "./driver.js";

/**
 * One queue per database file in this process. Statements are synchronous, so two
 * connections of one process to one file must never interleave a transaction:
 * the second would spin in busy_timeout while blocking the thread the first needs.
 */
const fileQueues = new Map<string, { tail: Promise<void> }>();

/** A size option in MiB: a finite number ≥ 0, or `fallback` when absent. */
function mebibytes(
  options: SqliteDriverOptions,
  field: "cacheMiB" | "mmapMiB",
  fallback: number,
): number {
  const value = options[field];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new GrimnirError(
      "VALIDATION",
      `SQLite option ${field} must be a number of MiB ≥ 0 (got ${JSON.stringify(value)})`,
      { details: { field } },
    );
  }
  return value;
}

/** Options of {@link SqliteDriver}. */
export interface SqliteDriverOptions {
  /** Wait this long for another process's write lock, ms (default 5000). */
  busyTimeoutMs?: number;
  /** Page cache of this connection, MiB (default 64; SQLite's own default is 2). */
  cacheMiB?: number;
  /**
   * Read the file through a memory map of up to this many MiB (default 1024; 0 turns
   * it off). Reads then cost no system call per page, which is most of a large
   * library's query time; writes still go through the WAL.
   */
  mmapMiB?: number;
}

/**
 * {@link SqlDriver} over one better-sqlite3 connection: WAL journal,
 * `synchronous=FULL` (an acknowledged commit survives power loss), busy timeout,
 * foreign keys on, a 64 MiB page cache and memory-mapped reads. Opening a file runs
 * `PRAGMA optimize=0x10002`: tables never analyzed, or much bigger or smaller than when
 * they were, get fresh (sampled) statistics, so the planner chooses indexes by selectivity.
 * Statements are synchronous; a promise-chain mutex makes an
 * open transaction exclusive, so other callers wait rather than join it.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #queue: { tail: Promise<void> };
  readonly #executor: SqlExecutor;

  constructor(filename: string, options: SqliteDriverOptions = {}) {
    const key = filename === ":memory:" ? undefined : resolve(filename);
    let queue = key === undefined ? undefined : fileQueues.get(key);
    if (queue === undefined) {
      queue = { tail: Promise.resolve() };
      if (key !== undefined) fileQueues.set(key, queue);
    }
    this.#queue = queue;
    try {
      this.#db = new Database(filename);
      this.#db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      if (filename !== ":memory:") this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = FULL");
      this.#db.pragma("foreign_keys = ON");
      this.#db.pragma(`cache_size = -${Math.floor(mebibytes(options, "cacheMiB", 64) * 1024)}`);
      if (filename !== ":memory:") {
        this.#db.pragma(`mmap_size = ${Math.floor(mebibytes(options, "mmapMiB", 1024) * 2 ** 20)}`);
        // Without statistics SQLite guesses, and it guesses a bpm range scan plus a sort for
        // the smart-block candidates (ten times the work on a large library).
        this.#db.pragma("optimize = 0x10002");
      }
    } catch (err) {
      throw mapDriverError(err, `open SQLite database ${JSON.stringify(filename)}`);
    }
    this.#executor = {
      all: async <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) => {
        const statement = this.#prepare(sql);
        if (!statement.reader) {
          statement.run(...params);
          return [] as R[];
        }
        return statement.all(...params) as R[];
      },
      run: async (sql: string, params: readonly SqlValue[] = []) =>
        this.#prepare(sql).run(...params).changes,
    };
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      if (this.#statements.size > 500) this.#statements.clear();
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#queue.tail;
    let release!: () => void;
    this.#queue.tail = new Promise<void>((done) => {
      release = done;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  withExecutor<T>(fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#exclusive(() => fn(this.#executor));
  }

  transaction<T>(fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      // IMMEDIATE takes the write lock up front: two processes never deadlock upgrading a read lock.
      this.#db.exec("BEGIN IMMEDIATE");
      try {
        const result = await fn(this.#executor);
        this.#db.exec("COMMIT");
        return result;
      } catch (err) {
        if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
        throw err;
      }
    });
  }

  /** Run a multi-statement script (DDL) on the connection. */
  execScript(sql: string): void {
    this.#db.exec(sql);
  }

  async close(): Promise<void> {
    await this.#exclusive(async () => {
      this.#statements.clear();
      if (this.#db.open) this.#db.close();
    });
  }
}
