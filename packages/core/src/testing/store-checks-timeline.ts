import { expect } from "vitest";
import { newId } from "../ids.js";
import type { NewEntity } from "../model/entity.js";
import type { ScheduleEntry } from "../model/schedule.js";
import type { ExecutorState } from "../model/executor-state.js";
import { expectCode, type ConformanceCheck } from "./harness.js";
import type { StoreCheckContext } from "./store-checks-crud.js";

function entry(
  stationId: string,
  startsAt: number,
  endsAt: number,
  title?: string,
): NewEntity<ScheduleEntry> {
  return {
    stationId,
    startsAt,
    endsAt,
    kind: "media",
    mediaId: newId(),
    timing: "soft",
    source: { clockId: "c" },
    title: title ?? `at ${startsAt}`,
  };
}

function executorState(
  stationId: string,
  state: ExecutorState["state"] = "playing",
): NewEntity<ExecutorState> {
  return { stationId, state, priority: 3, ownerId: "node-1", fencingToken: 7 };
}

/** Schedule windows, play history and executor state. */
export const storeTimelineChecks: readonly ConformanceCheck<StoreCheckContext>[] = [
  {
    name: "returns schedule entries overlapping a window, ordered by start then id, per station",
    async run({ store }) {
      const a = newId();
      const b = newId();
      const made = await store.schedule.replaceWindow(a, { from: 0, to: 100 }, [
        entry(a, 20, 30),
        entry(a, 0, 10),
        entry(a, 10, 20),
        entry(a, 10, 15),
        entry(a, 5, 95),
      ]);
      expect(made.map((e) => e.startsAt)).toEqual([0, 5, 10, 10, 20]);
      expect(made.every((e) => e.version === 1)).toBe(true);
      await store.schedule.replaceWindow(b, { from: 0, to: 100 }, [entry(b, 10, 20)]);
      const starts = async (from: number, to: number): Promise<number[]> =>
        (await store.schedule.window(a, { from, to })).map((e) => e.startsAt);
      expect(await starts(10, 20)).toEqual([5, 10, 10]);
      expect(await starts(9, 11)).toEqual([0, 5, 10, 10]);
      expect(await starts(30, 40)).toEqual([5]);
      expect(await starts(95, 200)).toEqual([]);
      expect(await starts(-50, 0)).toEqual([]);
      const tens = (await store.schedule.window(a, { from: 10, to: 11 })).filter(
        (e) => e.startsAt === 10,
      );
      expect(tens.map((e) => e.id)).toEqual(tens.map((e) => e.id).sort());
      const first = made[0]!;
      expect(await store.schedule.get(a, first.id)).toEqual(first);
      expect(await store.schedule.get(b, first.id)).toBeUndefined();
      expect((await store.schedule.window(b, { from: 0, to: 100 })).length).toBe(1);
      const got = await store.schedule.get(a, first.id);
      got!.source.clockId = "vandalised";
      expect(await store.schedule.get(a, first.id)).toEqual(first);
    },
  },
  {
    name: "replaceWindow replaces only the entries starting inside the range, of that station",
    async run({ store }) {
      const a = newId();
      const b = newId();
      await store.schedule.replaceWindow(a, { from: 0, to: 1000 }, [
        entry(a, 0, 10, "keep-before"),
        entry(a, 5, 15, "keep-overlapping"),
        entry(a, 10, 20, "drop-1"),
        entry(a, 20, 30, "drop-2"),
        entry(a, 30, 40, "keep-after"),
      ]);
      await store.schedule.replaceWindow(b, { from: 0, to: 1000 }, [
        entry(b, 12, 18, "other-station"),
      ]);
      const created = await store.schedule.replaceWindow(a, { from: 10, to: 30 }, [
        entry(a, 25, 35, "new-2"),
        entry(a, 12, 25, "new-1"),
      ]);
      expect(created.map((e) => e.title)).toEqual(["new-1", "new-2"]);
      const titles = (await store.schedule.window(a, { from: 0, to: 1000 })).map((e) => e.title);
      expect(titles).toEqual(["keep-before", "keep-overlapping", "new-1", "new-2", "keep-after"]);
      expect((await store.schedule.window(b, { from: 0, to: 1000 })).map((e) => e.title)).toEqual([
        "other-station",
      ]);
      await store.schedule.replaceWindow(a, { from: 0, to: 30 }, []);
      expect((await store.schedule.window(a, { from: 0, to: 1000 })).map((e) => e.title)).toEqual([
        "keep-after",
      ]);
    },
  },
  {
    name: "replaceWindow rejects entries starting outside the range and changes nothing",
    async run({ store }) {
      const a = newId();
      const before = await store.schedule.replaceWindow(a, { from: 0, to: 100 }, [
        entry(a, 10, 20),
        entry(a, 20, 30),
      ]);
      await expectCode(
        store.schedule.replaceWindow(a, { from: 0, to: 50 }, [entry(a, 10, 20), entry(a, 50, 60)]),
        "VALIDATION",
      );
      await expectCode(
        store.schedule.replaceWindow(a, { from: 10, to: 50 }, [entry(a, 5, 20)]),
        "VALIDATION",
      );
      expect(await store.schedule.window(a, { from: 0, to: 100 })).toEqual(before);
    },
  },
  {
    name: "readers see the old or the new plan during replaceWindow, never a mix",
    async run({ store }) {
      const a = newId();
      const range = { from: 0, to: 100 };
      const plans = [0, 1, 2, 3].map((n) => [
        entry(a, 0, 50, `plan-${n}`),
        entry(a, 50, 100, `plan-${n}`),
      ]);
      await store.schedule.replaceWindow(a, range, plans[0]!);
      for (const plan of plans.slice(1)) {
        const reads = [];
        const write = store.schedule.replaceWindow(a, range, plan);
        for (let i = 0; i < 5; i++) reads.push(store.schedule.window(a, range));
        await write;
        for (const read of await Promise.all(reads)) {
          expect(read).toHaveLength(2);
          expect(new Set(read.map((e) => e.title)).size).toBe(1);
        }
      }
      expect((await store.schedule.window(a, range)).map((e) => e.title)).toEqual([
        "plan-3",
        "plan-3",
      ]);
    },
  },
  {
    name: "records play history, finishes plays and lists a range by start time with filters",
    async run({ store }) {
      const a = newId();
      const b = newId();
      const m1 = newId();
      const m2 = newId();
      const play = (stationId: string, mediaId: string, startedAt: number, artist: string) =>
        store.playHistory.append({
          stationId,
          mediaId,
          startedAt,
          artist,
          title: "t",
          priority: 3,
        });
      const p3 = await play(a, m1, 300, "Björk");
      const p1 = await play(a, m1, 100, "Björk");
      const p2 = await play(a, m2, 200, "Cure");
      const p4 = await play(a, m2, 400, "Cure");
      await play(b, m1, 250, "Björk");
      expect(p1.version).toBe(1);
      expect(p1.endedAt).toBeUndefined();
      const list = async (
        from: number,
        to: number,
        filter?: { mediaId?: string; artist?: string },
      ) => (await store.playHistory.list(a, { from, to }, filter)).map((p) => p.id);
      expect(await list(0, 1000)).toEqual([p1.id, p2.id, p3.id, p4.id]);
      expect(await list(100, 300)).toEqual([p1.id, p2.id]);
      expect(await list(101, 301)).toEqual([p2.id, p3.id]);
      expect(await list(0, 1000, { mediaId: m1 })).toEqual([p1.id, p3.id]);
      expect(await list(0, 1000, { artist: "Cure" })).toEqual([p2.id, p4.id]);
      expect(await list(0, 1000, { mediaId: m1, artist: "Cure" })).toEqual([]);
      const finished = await store.playHistory.finish(a, p1.id, 180);
      expect(finished.endedAt).toBe(180);
      expect(finished.version).toBe(2);
      expect((await store.playHistory.list(a, { from: 100, to: 101 }))[0]).toEqual(finished);
      await expectCode(store.playHistory.finish(b, p2.id, 250), "NOT_FOUND");
      await expectCode(store.playHistory.finish(a, newId(), 250), "NOT_FOUND");
      expect((await store.playHistory.list(a, { from: 200, to: 201 }))[0]?.endedAt).toBeUndefined();
    },
  },
  {
    name: "reports the last play per media id, per station",
    async run({ store }) {
      const a = newId();
      const b = newId();
      const [m1, m2, m3] = [newId(), newId(), newId()];
      for (const [stationId, mediaId, startedAt] of [
        [a, m1, 100],
        [a, m1, 500],
        [a, m1, 300],
        [a, m2, 200],
        [b, m2, 900],
        [b, m3, 900],
      ] as const) {
        await store.playHistory.append({ stationId, mediaId, startedAt, priority: 3 });
      }
      const last = await store.playHistory.lastPlayed(a, [m1, m2, m3, newId()]);
      expect(last).toBeInstanceOf(Map);
      expect([...last.entries()].sort((x, y) => x[1] - y[1])).toEqual([
        [m2, 200],
        [m1, 500],
      ]);
      expect((await store.playHistory.lastPlayed(a, [])).size).toBe(0);
      expect([...(await store.playHistory.lastPlayed(b, [m1, m3]))]).toEqual([[m3, 900]]);
    },
  },
  {
    name: "puts executor state with expectedVersion checks, one record per station",
    async run({ store }) {
      const a = newId();
      const b = newId();
      expect(await store.executorStates.get(a)).toBeUndefined();
      const first = await store.executorStates.put(executorState(a), 0);
      expect(first.id).toBe(a);
      expect(first.version).toBe(1);
      expect(await store.executorStates.get(a)).toEqual(first);
      await expectCode(store.executorStates.put(executorState(a, "idle"), 0), "CONFLICT");
      await expectCode(store.executorStates.put(executorState(a, "idle"), 2), "CONFLICT");
      expect(await store.executorStates.get(a)).toEqual(first);
      const second = await store.executorStates.put(executorState(a, "fading"), 1);
      expect(second.version).toBe(2);
      expect(second.state).toBe("fading");
      expect(second.createdAt).toBe(first.createdAt);
      const third = await store.executorStates.put(executorState(a, "idle"));
      expect(third.version).toBe(3);
      await expectCode(store.executorStates.put(executorState(b), 1), "CONFLICT");
      expect(await store.executorStates.get(b)).toBeUndefined();
      const other = await store.executorStates.put(executorState(b, "live"));
      expect(other.version).toBe(1);
      expect((await store.executorStates.get(a))?.state).toBe("idle");
    },
  },
];
