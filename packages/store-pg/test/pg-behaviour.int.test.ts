import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapters } from "@grimnir/core";
import "../src/index.js";
import { PostgresStore } from "../src/open.js";
import { describeSqlBehaviour } from "./sql-behaviour.js";
import { startPgDatabases, type PgDatabases } from "./pg-databases.js";

let pgdb: PgDatabases;
beforeAll(async () => {
  pgdb = await startPgDatabases();
});
afterAll(async () => {
  await pgdb?.stop();
});

describeSqlBehaviour("PostgresStore", () => ({
  emptyUrl: () => pgdb.fresh({ empty: true }),
}));

describe("PostgresStore connections", () => {
  it("opens through the adapter registry for postgres: and postgresql: URLs", async () => {
    const url = await pgdb.fresh();
    for (const scheme of ["postgres", "postgresql"]) {
      const store = await adapters.createStore(url.replace(/^postgres/, scheme));
      expect(store).toBeInstanceOf(PostgresStore);
      await store.ping();
      await store.close();
    }
  });

  it("reports a database that is down as STORE_UNAVAILABLE without a driver stack", async () => {
    const url = pgdb.server.url.replace(/:\d+\//, ":1/");
    const failure = await PostgresStore.open(url, { connectionTimeoutMillis: 2000 }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ name: "GrimnirError", code: "STORE_UNAVAILABLE" });
    expect(JSON.stringify(failure)).not.toMatch(/at .*node_modules/);
  });
});

describe("private PostgreSQL helper", () => {
  it("fails (never skips) with the install command when the binaries are missing", async () => {
    const saved = process.env.PG_BIN;
    process.env.PG_BIN = "/nonexistent/postgresql/bin";
    try {
      const { startPgTestServer } = await import("@grimnir/testkit");
      await expect(startPgTestServer()).rejects.toThrow(/apt-get install -y postgresql/);
    } finally {
      if (saved === undefined) delete process.env.PG_BIN;
      else process.env.PG_BIN = saved;
    }
  });
});
