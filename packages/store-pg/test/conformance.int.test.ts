import { afterAll, beforeAll } from "vitest";
import { describeStoreConformance } from "@grimnir/core/testing";
import { PostgresStore } from "../src/open.js";
import { startPgDatabases, type PgDatabases } from "./pg-databases.js";

let pgdb: PgDatabases;
let url: string;
beforeAll(async () => {
  pgdb = await startPgDatabases();
  url = await pgdb.fresh();
});
afterAll(async () => {
  await pgdb?.stop();
});

// Every check works on fresh random station ids and name prefixes, so one migrated
// database serves them all (a database per check would cost ~0.3 s each).
describeStoreConformance("PostgresStore", {
  create: () => PostgresStore.open(url, { max: 4 }),
});
