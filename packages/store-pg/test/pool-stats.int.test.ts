import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("PostgresStore.stats", () => {
  it("counts the pool's open, idle and waiting connections", async () => {
    const store = await PostgresStore.open(url, { max: 2 });
    try {
      expect(store.stats().total).toBeGreaterThanOrEqual(1);
      // Four concurrent reads on a pool of two: two run, the others wait for a connection.
      const reads = Promise.all(
        Array.from({ length: 4 }, () =>
          store.stations.list({ limit: 10 }).then(() => store.stats()),
        ),
      );
      let maxWaiting = 0;
      let settled = false;
      void reads.finally(() => (settled = true));
      while (!settled) {
        maxWaiting = Math.max(maxWaiting, store.stats().waiting);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const seen = await reads;
      expect(Math.max(...seen.map((s) => s.total))).toBe(2);
      expect(maxWaiting).toBeGreaterThanOrEqual(1);
      const after = store.stats();
      expect(after).toEqual({ total: 2, idle: 2, waiting: 0 });
    } finally {
      await store.close();
    }
    expect(store.stats().total).toBe(0);
  });
});
