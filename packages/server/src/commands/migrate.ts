import { isGrimnirError } from "@grimnir/core";
import { migrate } from "@grimnir/store-pg";
import type { CommandIo } from "./io.js";

/**
 * `grimnir migrate [--store URL] [--status]`: bring a SQL store's schema up to
 * date (forward-only, checksummed, under a lock), or with `status` only list
 * each migration as applied or pending. Exit codes: 0 done, 1 refused
 * (tampered or unknown migration, unreachable database) with the reason on stderr.
 */
export async function runMigrate(
  storeUrl: string,
  options: { status?: boolean },
  io: CommandIo,
): Promise<number> {
  try {
    const report = await migrate(storeUrl, { status: options.status === true });
    for (const m of report.migrations) {
      const state =
        m.appliedAt === undefined ? "pending" : `applied ${new Date(m.appliedAt).toISOString()}`;
      io.stdout.write(`${String(m.version).padStart(4, "0")} ${m.name}: ${state}\n`);
    }
    if (options.status !== true) {
      io.stdout.write(
        report.applied.length === 0
          ? "schema is up to date\n"
          : `applied ${report.applied.length} migration(s): ${report.applied.join(", ")}\n`,
      );
    }
    return 0;
  } catch (error) {
    if (!isGrimnirError(error)) throw error;
    io.stderr.write(`grimnir migrate: ${error.message}\n`);
    return 1;
  }
}
