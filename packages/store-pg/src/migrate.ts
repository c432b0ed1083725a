import { createHash } from "node:crypto";
import { GrimnirError } from "@grimnir/core";
import type { SqlDriver, SqlExecutor } from "./driver.js";
import { mapDriverError } from "./errors.js";
import { MIGRATIONS, type Migration } from "./schema.js";

/** One migration as `grimnir migrate --status` reports it. */
export interface MigrationStatus {
  version: number;
  name: string;
  /** sha256 (hex) of the statements this release would run. */
  checksum: string;
  /** When it was applied, epoch ms; undefined while pending. */
  appliedAt?: number;
}

/** What {@link runMigrations} found and did. */
export interface MigrationReport {
  /** Every known migration, applied or pending, in version order. */
  migrations: MigrationStatus[];
  /** Versions applied by this call (empty for a status query or an up-to-date database). */
  applied: number[];
}

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS grimnir_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** sha256 (hex) of a migration's statements in `dialect`, joined by ";\n". */
export function migrationChecksum(migration: Migration, dialect: SqlDriver["dialect"]): string {
  return createHash("sha256").update(migration.statements(dialect).join(";\n")).digest("hex");
}

interface LedgerRow {
  [column: string]: unknown;
  version: number;
  name: string;
  checksum: string;
  applied_at: number;
}

/**
 * Bring the schema to the newest version (or only report it with `status`).
 * Runs in one transaction under the migration lock, so two instances starting
 * together apply each migration once; every applied migration's checksum is
 * verified first and a mismatch (an edited or foreign migration) or a version
 * this release does not know is refused with `CONFIG_INVALID`, changing nothing.
 */
export async function runMigrations(
  driver: SqlDriver,
  options: { status?: boolean; migrations?: readonly Migration[]; now?: () => number } = {},
): Promise<MigrationReport> {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  const now = options.now ?? Date.now;
  const work = async (ex: SqlExecutor): Promise<MigrationReport> => {
    await ex.run(CREATE_LEDGER);
    const rows = await ex.all<LedgerRow>(
      "SELECT version, name, checksum, applied_at FROM grimnir_migrations ORDER BY version",
    );
    const applied = new Map(rows.map((row) => [Number(row.version), row]));
    const known = new Set(migrations.map((m) => m.version));
    for (const row of rows) {
      if (!known.has(Number(row.version))) {
        throw new GrimnirError(
          "CONFIG_INVALID",
          `database schema is at migration ${row.version} (${JSON.stringify(row.name)}), which this Grimnir release does not know; upgrade Grimnir instead of downgrading`,
          { details: { field: "migrations", version: Number(row.version) } },
        );
      }
    }
    const report: MigrationReport = { migrations: [], applied: [] };
    for (const migration of migrations) {
      const checksum = migrationChecksum(migration, driver.dialect);
      const row = applied.get(migration.version);
      if (row !== undefined && row.checksum !== checksum) {
        throw new GrimnirError(
          "CONFIG_INVALID",
          `migration ${migration.version} (${JSON.stringify(migration.name)}) was applied with checksum ${row.checksum} but this release has ${checksum}: an applied migration was modified; restore it and add a new migration instead`,
          {
            details: {
              field: "migrations",
              version: migration.version,
              expected: checksum,
              found: row.checksum,
            },
          },
        );
      }
      report.migrations.push({
        version: migration.version,
        name: migration.name,
        checksum,
        ...(row === undefined ? {} : { appliedAt: Number(row.applied_at) }),
      });
    }
    if (options.status === true) return report;
    for (const [index, migration] of migrations.entries()) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements(driver.dialect)) await ex.run(statement);
      const status = report.migrations[index]!;
      status.appliedAt = now();
      await ex.run(
        "INSERT INTO grimnir_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
        [migration.version, migration.name, status.checksum, status.appliedAt],
      );
      report.applied.push(migration.version);
    }
    return report;
  };
  try {
    return await driver.transaction(work, { migrationLock: true });
  } catch (err) {
    throw mapDriverError(err, "migrate the database schema");
  }
}
