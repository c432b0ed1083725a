/**
 * `@grimnir/store-pg` — Grimnir's SQL `Store`: one implementation over
 * PostgreSQL (`pg`) and SQLite (`better-sqlite3`), with versioned, checksummed
 * migrations. Importing the package registers the `postgres:`, `postgresql:`
 * and `sqlite:` store schemes on core's `adapters` registry.
 *
 * @packageDocumentation
 */
import { adapters } from "@grimnir/core";
import { registerSqlStores } from "./register.js";

export { SqlStore } from "./sql-store.js";
export type { SqlStoreOptions } from "./sql-store.js";
export { PostgresStore, SqliteStore, openSqlStore, parseStoreUrl, migrate } from "./open.js";
export type {
  PostgresStoreOptions,
  SqliteStoreOptions,
  SqlStoreTarget,
  MigrateOptions,
} from "./open.js";
export { runMigrations, migrationChecksum } from "./migrate.js";
export type { MigrationReport, MigrationStatus } from "./migrate.js";
export { MIGRATIONS } from "./schema.js";
export type { Migration } from "./schema.js";
export { PostgresDriver } from "./pg-driver.js";
export type { PostgresPoolOptions, PostgresPoolStats } from "./pg-driver.js";
export { SqliteDriver } from "./sqlite-driver.js";
export type { SqliteDriverOptions } from "./sqlite-driver.js";
export type { SqlDriver, SqlExecutor, SqlRow, SqlValue, DialectName } from "./driver.js";
export { mapDriverError } from "./errors.js";
export { registerSqlStores } from "./register.js";

registerSqlStores(adapters);
