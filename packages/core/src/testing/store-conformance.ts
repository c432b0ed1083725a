import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newId } from "../ids.js";
import type { Repositories, Store } from "../contracts/store.js";
import { STATION_KINDS } from "./fixtures.js";
import { expectCode, type ConformanceCheck } from "./harness.js";
import { storeCrudChecks, type StoreCheckContext } from "./store-checks-crud.js";
import { storeMediaChecks } from "./store-checks-media.js";
import { storeTimelineChecks } from "./store-checks-timeline.js";

/** Writes one record to every repository; used to prove rollback touches all of them. */
async function writeEverywhere(tx: Repositories, stationId: string): Promise<void> {
  for (const f of STATION_KINDS) await f.repo(tx).create(f.make(stationId));
  await tx.stations.create({ id: stationId, name: "tx", timezone: "UTC", active: true });
  await tx.users.create({
    username: `tx-${stationId}`,
    passwordHash: "h",
    roles: [],
    disabled: false,
  });
  await tx.schedule.replaceWindow(stationId, { from: 0, to: 10 }, [
    { stationId, startsAt: 0, endsAt: 10, kind: "silence", timing: "hard", source: {} },
  ]);
  await tx.playHistory.append({ stationId, startedAt: 1, priority: 3 });
  await tx.executorStates.put({ stationId, state: "idle", priority: 3 });
}

async function nothingOf(store: Store, stationId: string): Promise<void> {
  for (const f of STATION_KINDS) expect(await f.repo(store).list(stationId), f.kind).toEqual([]);
  expect(await store.stations.get(stationId)).toBeUndefined();
  expect(await store.users.findByUsername(`tx-${stationId}`)).toBeUndefined();
  expect(await store.schedule.window(stationId, { from: 0, to: 10 })).toEqual([]);
  expect(await store.playHistory.list(stationId, { from: 0, to: 10 })).toEqual([]);
  expect(await store.executorStates.get(stationId)).toBeUndefined();
}

/** Transactions and lifecycle. */
export const storeTransactionChecks: readonly ConformanceCheck<StoreCheckContext>[] = [
  {
    name: "commits a transaction's writes to every repository",
    async run({ store }) {
      const stationId = newId();
      const result = await store.transaction(async (tx) => {
        await writeEverywhere(tx, stationId);
        return "done";
      });
      expect(result).toBe("done");
      for (const f of STATION_KINDS)
        expect(await f.repo(store).list(stationId), f.kind).toHaveLength(1);
      expect(await store.stations.get(stationId)).toBeDefined();
      expect(await store.users.findByUsername(`tx-${stationId}`)).toBeDefined();
      expect(await store.schedule.window(stationId, { from: 0, to: 10 })).toHaveLength(1);
      expect(await store.playHistory.list(stationId, { from: 0, to: 10 })).toHaveLength(1);
      expect(await store.executorStates.get(stationId)).toBeDefined();
    },
  },
  {
    name: "rolls back every repository and rethrows when the transaction throws",
    async run({ store }) {
      const stationId = newId();
      const boom = new Error("boom");
      await expect(
        store.transaction(async (tx) => {
          await writeEverywhere(tx, stationId);
          throw boom;
        }),
      ).rejects.toBe(boom);
      await nothingOf(store, stationId);
    },
  },
  {
    name: "rolls back updates and deletes when a later write in the transaction conflicts",
    async run({ store }) {
      const stationId = newId();
      const kept = await store.playlists.create({
        stationId,
        name: "keep",
        items: ["x"],
        mode: "ordered",
      });
      const gone = await store.mounts.create({ stationId, name: "gone", outputs: [] });
      const media = await store.media.create({
        stationId,
        title: "t",
        tags: [],
        fields: {},
        durationMs: 1,
        cueInMs: 0,
        cueOutMs: 1,
        storageKey: "k",
        contentHash: newId(),
        analysisStatus: "done",
        addedAt: 0,
      });
      await store.media.update(media);
      await expectCode(
        store.transaction(async (tx) => {
          await tx.playlists.update({ ...kept, name: "changed" });
          await tx.mounts.delete(stationId, gone.id);
          await tx.media.update(media); // stale: version 1 after an update
        }),
        "CONFLICT",
      );
      expect(await store.playlists.get(stationId, kept.id)).toEqual(kept);
      expect(await store.mounts.get(stationId, gone.id)).toEqual(gone);
      expect((await store.media.get(stationId, media.id))?.version).toBe(2);
    },
  },
  {
    name: "lets a transaction read its own writes",
    async run({ store }) {
      const stationId = newId();
      await store.transaction(async (tx) => {
        const p = await tx.playlists.create({
          stationId,
          name: "mine",
          items: [],
          mode: "shuffled",
        });
        expect(await tx.playlists.get(stationId, p.id)).toEqual(p);
        const u = await tx.playlists.update({ ...p, name: "mine too" });
        expect((await tx.playlists.list(stationId)).map((r) => r.name)).toEqual(["mine too"]);
        expect(u.version).toBe(2);
      });
    },
  },
  {
    name: "joins a nested transaction to the outer one",
    async run({ store }) {
      const stationId = newId();
      await expect(
        store.transaction(async (tx) => {
          await tx.playlists.create({ stationId, name: "outer", items: [], mode: "ordered" });
          await store.transaction(async (inner) => {
            await inner.playlists.create({ stationId, name: "inner", items: [], mode: "ordered" });
          });
          throw new Error("outer fails");
        }),
      ).rejects.toThrow("outer fails");
      expect(await store.playlists.list(stationId)).toEqual([]);
    },
  },
  {
    name: "lets exactly one of two concurrent conflicting updates win",
    async run({ store }) {
      const stationId = newId();
      const p = await store.playlists.create({
        stationId,
        name: "race",
        items: [],
        mode: "ordered",
      });
      const plain = await Promise.allSettled([
        store.playlists.update({ ...p, name: "one" }),
        store.playlists.update({ ...p, name: "two" }),
      ]);
      expect(plain.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = plain.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect(lost.reason).toMatchObject({ code: "CONFLICT" });
      const current = (await store.playlists.get(stationId, p.id))!;
      expect(current.version).toBe(2);
      const txs = await Promise.allSettled(
        ["three", "four"].map((name) =>
          store.transaction(async (tx) => {
            await tx.playlists.update({ ...current, name });
            await tx.mounts.create({ stationId, name, outputs: [] });
          }),
        ),
      );
      expect(txs.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const after = (await store.playlists.get(stationId, p.id))!;
      expect(after.version).toBe(3);
      expect((await store.mounts.list(stationId)).map((m) => m.name)).toEqual([after.name]);
    },
  },
  {
    name: "answers ping while open and rejects calls after close",
    async run(ctx) {
      const { store } = ctx;
      await store.ping();
      const stationId = newId();
      await store.playlists.create({ stationId, name: "before close", items: [], mode: "ordered" });
      await store.close();
      ctx.closed = true;
      await expect(store.playlists.list(stationId)).rejects.toBeDefined();
      await expect(store.ping()).rejects.toBeDefined();
    },
  },
];

/** Every store check, in the order the suite runs them. */
export const storeConformanceChecks: readonly ConformanceCheck<StoreCheckContext>[] = [
  ...storeCrudChecks,
  ...storeMediaChecks,
  ...storeTimelineChecks,
  ...storeTransactionChecks,
];

/** How the store suite gets a store for each test and disposes of it. */
export interface StoreConformanceOptions {
  /** A fresh, empty store. Called before every test. */
  create(): Promise<Store>;
  /** Dispose of a store after its test (default `store.close()`, skipped when a check closed it). */
  destroy?(store: Store): Promise<void>;
}

/**
 * Register the store conformance suite with vitest: one test per
 * {@link storeConformanceChecks} entry, each on a fresh store from `options.create`.
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  describe(`${name}: Store conformance`, () => {
    let ctx: StoreCheckContext | undefined;
    beforeEach(async () => {
      ctx = { store: await options.create() };
    });
    afterEach(async () => {
      const done = ctx;
      ctx = undefined;
      if (done === undefined) return;
      if (options.destroy !== undefined) await options.destroy(done.store);
      else if (done.closed !== true) await done.store.close();
    });
    for (const check of storeConformanceChecks) {
      it(check.name, async () => {
        if (ctx === undefined) throw new Error("store was not created");
        await check.run(ctx);
      });
    }
  });
}
