import { describe, expect, it } from "vitest";
import { ManualTimeSource, MemoryStore, type ImportProgress, type Store } from "@grimnir/core";
import type { MappedEntity } from "./mapped-entity.js";
import { applySteps, planEntities, WRITE_BATCH } from "./plan-engine.js";
import { ProgressReporter } from "./progress.js";

const clock = new ManualTimeSource(0);

function clockEntity(n: number, name = `Clock ${n}`): MappedEntity {
  return {
    sourceKind: "clock",
    sourceId: String(n),
    records: [{ repo: "clocks", value: { id: `c-${n}`, stationId: "s1", name, slots: [] } }],
    notes: [],
  };
}

async function storeWithStation(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.stations.create({ id: "s1", name: "One", timezone: "UTC", active: true });
  return store;
}

/** Plan then apply `entities` as an importer does, counting the store's transactions. */
async function importInto(store: Store, entities: MappedEntity[]) {
  let transactions = 0;
  const counting = Object.create(store) as Store;
  counting.transaction = (fn) => {
    transactions += 1;
    return store.transaction(fn);
  };
  const progress: ImportProgress[] = [];
  const context = { onProgress: (p: ImportProgress) => progress.push(p) };
  const steps = await planEntities(
    counting,
    entities,
    [],
    new ProgressReporter(context, clock),
    context,
  );
  const failures = await applySteps(counting, steps, new ProgressReporter(context, clock), context);
  return { steps, failures, transactions, progress };
}

describe("applySteps", () => {
  it("writes entities in batches of one transaction each and re-runs as unchanged", async () => {
    const store = await storeWithStation();
    const entities = Array.from({ length: 2 * WRITE_BATCH + 5 }, (_, i) => clockEntity(i));
    const first = await importInto(store, entities);
    expect(first.failures).toEqual([]);
    expect(first.transactions).toBe(3);
    expect(first.steps.every((s) => s.action.action === "create")).toBe(true);
    expect(await store.clocks.get("s1", "c-204")).toMatchObject({ name: "Clock 204", version: 1 });
    expect(first.progress.at(-1)).toEqual({ phase: "apply", done: 205, total: 205 });

    entities[7] = clockEntity(7, "Renamed");
    const second = await importInto(store, entities);
    expect(second.steps.filter((s) => s.action.action === "update")).toHaveLength(1);
    expect(second.transactions).toBe(1);
    expect(await store.clocks.get("s1", "c-7")).toMatchObject({ name: "Renamed", version: 2 });
  });

  it("fails only the entity that cannot be written and leaves nothing of it", async () => {
    const store = await storeWithStation();
    await store.stations.create({ id: "s2", name: "Two", timezone: "UTC", active: true });
    // The id is taken in another station, so creating it in s1 is a CONFLICT.
    await store.clocks.create({ id: "c-taken", stationId: "s2", name: "taken", slots: [] });
    const entities = Array.from({ length: 10 }, (_, i) => clockEntity(i));
    entities[4] = {
      sourceKind: "show",
      sourceId: "4",
      records: [
        { repo: "clocks", value: { id: "c-4", stationId: "s1", name: "Show clock", slots: [] } },
        { repo: "clocks", value: { id: "c-taken", stationId: "s1", name: "dup", slots: [] } },
      ],
      notes: [],
    };
    const { failures } = await importInto(store, entities);
    expect(failures.map((f) => `${f.action.sourceKind} ${f.action.sourceId}`)).toEqual(["show 4"]);
    expect(failures[0]!.error).toContain("CONFLICT");
    expect(await store.clocks.get("s1", "c-4")).toBeUndefined();
    expect(await store.clocks.list("s1")).toHaveLength(9);
  });

  it("updates a record created after planning instead of failing on it", async () => {
    const store = await storeWithStation();
    const entities = Array.from({ length: 12 }, (_, i) => clockEntity(i));
    const context = {};
    const steps = await planEntities(
      store,
      entities,
      [],
      new ProgressReporter(context, clock),
      context,
    );
    expect(steps[11]!.action.action).toBe("create");
    // Someone else creates clock 11 between the plan and the writes.
    await store.clocks.create({ id: "c-11", stationId: "s1", name: "meanwhile", slots: [] });
    const failures = await applySteps(store, steps, new ProgressReporter(context, clock), context);
    expect(failures).toEqual([]);
    expect(await store.clocks.get("s1", "c-11")).toMatchObject({ name: "Clock 11", version: 2 });
    expect(await store.clocks.list("s1")).toHaveLength(12);
  });

  it("does not write an entity whose beforeWrite fails", async () => {
    const store = await storeWithStation();
    const entities = Array.from({ length: 3 }, (_, i) => clockEntity(i));
    entities[1]!.beforeWrite = () => Promise.reject(new Error("copy failed: disk full"));
    const { failures } = await importInto(store, entities);
    expect(failures).toEqual([
      { action: expect.objectContaining({ sourceId: "1" }), error: "copy failed: disk full" },
    ]);
    expect((await store.clocks.list("s1")).map((c) => c.id)).toEqual(["c-0", "c-2"]);
  });
});
