import { afterAll, beforeAll } from "vitest";
import { describeStoreConformance } from "@grimnir/core/testing";
import { PostgresStore } from "../src/open.js";
import { startPgDatabases, type PgDatabases } from "./pg-databases.js";

let pgdb: PgDatabases;
beforeAll(async () => {
  pgdb = await startPgDatabases();
});
afterAll(async () => {
  await pgdb?.stop();
});

describeStoreConformance("PostgresStore", {
  create: async () => PostgresStore.open(await pgdb.fresh(), { max: 4 }),
});
