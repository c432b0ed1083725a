/** A value bound to a statement parameter. Booleans are bound as 0/1 by callers. */
export type SqlValue = string | number | null;

/** A row as the driver returns it, column name → value. */
export type SqlRow = Record<string, unknown>;

/** Which SQL dialect a driver speaks. */
export type DialectName = "postgres" | "sqlite";

/**
 * Runs statements written once in the shared dialect: `?` placeholders,
 * standard SQL; each driver rewrites what its engine needs (`$1` on PostgreSQL).
 */
export interface SqlExecutor {
  /** Rows of a query (or of a statement with `RETURNING`). */
  all<R extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Execute a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/**
 * One database connection or pool behind the small interface the store needs,
 * in the spirit of kysely's `Driver`: auto-commit statements, transactions, close.
 */
export interface SqlDriver {
  readonly dialect: DialectName;
  /** Run `fn` with an executor whose statements commit one by one. */
  withExecutor<T>(fn: (executor: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Run `fn` in one write transaction; commit when it resolves, roll back and
   * rethrow when it rejects. `migrationLock` also takes the cross-process
   * migration lock (advisory lock on PostgreSQL; SQLite's `BEGIN IMMEDIATE` is one).
   */
  transaction<T>(
    fn: (executor: SqlExecutor) => Promise<T>,
    options?: { migrationLock?: boolean },
  ): Promise<T>;
  /** Close every connection. */
  close(): Promise<void>;
}

/** Rewrite `?` placeholders (outside quoted text) as `$1, $2, …` for PostgreSQL. */
export function toNumberedPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === "?") {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  return out;
}
