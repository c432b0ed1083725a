/** Fresh, already-migrated PostgreSQL databases for tests, cloned from a template. */
import pg from "pg";
import { runMigrations } from "../src/migrate.js";
import { PostgresDriver } from "../src/pg-driver.js";
import { startPgTestServer, type PgTestServer } from "@grimnir/testkit";

/** A private server plus a factory of fresh migrated databases. */
export interface PgDatabases {
  server: PgTestServer;
  /** URL of a new database, migrated to the newest schema (unless `empty`). */
  fresh(options?: { empty?: boolean }): Promise<string>;
  stop(): Promise<void>;
}

let counter = 0;

/** Start a server and prepare a migrated template database. */
export async function startPgDatabases(): Promise<PgDatabases> {
  const server = await startPgTestServer();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query("CREATE DATABASE grimnir_template");
  const base = server.url.replace(/\/[^/]*$/, "");
  const driver = new PostgresDriver(`${base}/grimnir_template`);
  await runMigrations(driver);
  await driver.close();
  return {
    server,
    async fresh(options = {}) {
      counter += 1;
      const name = `t_${process.pid}_${counter}`;
      await admin.query(
        `CREATE DATABASE ${name} ${options.empty === true ? "" : "TEMPLATE grimnir_template"}`,
      );
      return `${base}/${name}`;
    },
    async stop() {
      await admin.end();
      await server.stop();
    },
  };
}
