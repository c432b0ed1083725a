import { createHash } from "node:crypto";
import pg from "pg";
import { mapDriverError } from "./errors.js";
import {
  toNumberedPlaceholders,
  type SqlDriver,
  type SqlExecutor,
  type SqlRow,
  type SqlValue,
} from "./driver.js";

/** Arbitrary but fixed key of the advisory lock migrations take ("grimnir"). */
const MIGRATION_LOCK_KEY = 0x6772696d;
const INT8_OID = 20;

/** Pool settings a caller may override. */
export interface PostgresPoolOptions {
  /** Maximum pooled connections (default 10). */
  max?: number;
  /** Give up connecting after this long, ms (default 5000). */
  connectionTimeoutMillis?: number;
}

/** Connection counts of a PostgreSQL pool at one moment. */
export interface PostgresPoolStats {
  /** Connections open to the server (idle and checked out). */
  total: number;
  /** Open connections waiting in the pool, unused. */
  idle: number;
  /** Callers queued for a connection because all `max` are checked out. */
  waiting: number;
}

interface Queryable {
  query(config: pg.QueryConfig): Promise<pg.QueryResult>;
}

/**
 * PostgreSQL text cannot hold NUL; bound text maps it to U+FFFD, identically for
 * stored values and the values compared with them. (Whole records travel as JSON,
 * where NUL is escaped, so what is read back is unchanged.)
 */
function bindable(params: readonly SqlValue[]): SqlValue[] {
  return params.map((p) =>
    typeof p === "string" && p.includes("\0") ? p.replace(/\0/g, "\uFFFD") : p,
  );
}

/** Most distinct statements given a name (prepared once per connection); later ones run unnamed. */
const MAX_NAMED_STATEMENTS = 500;
/** Statements with more parameters than this (bulk inserts) are not worth keeping prepared. */
const MAX_NAMED_PARAMS = 64;

/**
 * The query config for `sql`: parameterised statements get a stable name derived from
 * their text, so each pooled connection parses and plans them once and then only binds
 * and executes (one round trip less work on the server for every hot query).
 */
function statement(
  names: Map<string, string>,
  sql: string,
  params: readonly SqlValue[],
): pg.QueryConfig {
  const text = toNumberedPlaceholders(sql);
  const values = bindable(params);
  if (params.length === 0 || params.length > MAX_NAMED_PARAMS) return { text, values };
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_NAMED_STATEMENTS) return { text, values };
    name = `grimnir_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

function executorFor(client: Queryable, names: Map<string, string>): SqlExecutor {
  return {
    async all<R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(statement(names, sql, params));
      return result.rows as R[];
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      const result = await client.query(statement(names, sql, params));
      return result.rowCount ?? 0;
    },
  };
}

/**
 * {@link SqlDriver} over a `pg` pool. BIGINT columns come back as numbers.
 * Parameterised statements run as named prepared statements (see `statement`).
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres" as const;
  readonly #pool: pg.Pool;
  /** Statement text → prepared-statement name, shared by every connection of the pool. */
  readonly #names = new Map<string, string>();
  /** Last error an idle pooled connection reported; kept so it cannot crash the process. */
  lastIdleError: unknown;

  constructor(connectionString: string, options: PostgresPoolOptions = {}) {
    this.#pool = new pg.Pool({
      connectionString,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID
            ? (value: string) => Number(value)
            : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client losing its server emits 'error' on the pool; unhandled it would kill the process.
    this.#pool.on("error", (err) => {
      this.lastIdleError = err;
    });
  }

  async withExecutor<T>(fn: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(executorFor(this.#pool, this.#names));
  }

  async transaction<T>(
    fn: (executor: SqlExecutor) => Promise<T>,
    options: { migrationLock?: boolean } = {},
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw mapDriverError(err, "begin transaction");
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      if (options.migrationLock === true) {
        await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
      }
      const result = await fn(executorFor(client, this.#names));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch((rollbackErr: unknown) => {
        // The connection is unusable; drop it from the pool instead of reusing it.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** The pool's connection counts now (a cheap, synchronous read). */
  stats(): PostgresPoolStats {
    return {
      total: this.#pool.totalCount,
      idle: this.#pool.idleCount,
      waiting: this.#pool.waitingCount,
    };
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
