import { describe, expect, it } from "vitest";
import { GrimnirError, MemoryStore, type MediaItem, type NewEntity } from "@grimnir/core";
import { AnalysisQueue, type AnalysisProgress } from "./analysis-queue.js";
import type { FileAnalysis } from "../analysis/analyze-file.js";
import type { MediaStorage } from "../storage/media-storage.js";

const STATION = "st-1";

/** Storage whose every key is a local path of the same name; nothing is read. */
const pathStorage: MediaStorage = {
  put: () => Promise.reject(new Error("unused")),
  get: () => Promise.reject(new Error("unused")),
  delete: () => Promise.reject(new Error("unused")),
  stat: () => Promise.reject(new Error("unused")),
  localCopy: (key) => Promise.resolve({ path: key, release: () => Promise.resolve() }),
};

function result(path: string, over: Partial<FileAnalysis> = {}): FileAnalysis {
  return {
    file: path,
    integratedLufs: -14.2,
    loudnessRangeLu: 6.5,
    samplePeakDbfs: -1.5,
    truePeakDbtp: -0.8,
    cueInMs: 120.4,
    cueOutMs: 180_000.6,
    silent: false,
    durationMs: 181_000,
    frames: 181 * 48000,
    sampleRateHz: 48000,
    channels: 2,
    ...over,
  };
}

async function seed(
  store: MemoryStore,
  n: number,
  status: MediaItem["analysisStatus"] = "pending",
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const input: NewEntity<MediaItem> = {
      stationId: STATION,
      title: `t${i}`,
      tags: [],
      fields: {},
      durationMs: 180_000,
      cueInMs: 0,
      cueOutMs: 180_000,
      storageKey: `file-${i}`,
      contentHash: `h${i}`,
      analysisStatus: status,
      addedAt: 0,
    };
    ids.push((await store.media.create(input)).id);
  }
  return ids;
}

describe("AnalysisQueue", () => {
  it("stores results on the item and walks pending → analysing → done", async () => {
    const store = new MemoryStore();
    const [id] = await seed(store, 1);
    const seen: AnalysisProgress[] = [];
    const q = new AnalysisQueue({
      stationId: STATION,
      store,
      storage: pathStorage,
      analyze: async (p) => result(p),
    });
    q.on((p) => seen.push(p));
    q.enqueue(id!);
    await q.idle();
    expect(seen.map((p) => p.status)).toEqual(["analysing", "done"]);
    expect(await store.media.get(STATION, id!)).toMatchObject({
      analysisStatus: "done",
      loudnessLufs: -14.2,
      loudnessRangeLu: 6.5,
      truePeakDbtp: -0.8,
      cueInMs: 120,
      cueOutMs: 180_001,
      durationMs: 181_000,
    });
  });

  it("never runs more items at once than its concurrency", async () => {
    const store = new MemoryStore();
    const ids = await seed(store, 9);
    let now = 0;
    let max = 0;
    const q = new AnalysisQueue({
      stationId: STATION,
      store,
      storage: pathStorage,
      concurrency: 3,
      analyze: async (p) => {
        max = Math.max(max, ++now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
        return result(p);
      },
    });
    q.enqueue(ids);
    await q.idle();
    expect(max).toBe(3);
    expect(q.stats).toEqual({ queued: 0, running: 0, done: 9, failed: 0 });
  });

  it("retries transient errors with doubling backoff, then fails with the reason", async () => {
    const store = new MemoryStore();
    const [a, b] = await seed(store, 2);
    const calls = new Map<string, number>();
    const q = new AnalysisQueue({
      stationId: STATION,
      store,
      storage: pathStorage,
      maxAttempts: 3,
      backoffMs: 1,
      analyze: async (p) => {
        const n = (calls.get(p) ?? 0) + 1;
        calls.set(p, n);
        if (p === "file-0" && n < 3) throw new Error("decoder crashed");
        if (p === "file-1") throw new Error("disk on fire");
        return result(p);
      },
    });
    q.enqueue([a!, b!]);
    await q.idle();
    expect(calls.get("file-0")).toBe(3);
    expect(calls.get("file-1")).toBe(3);
    expect((await store.media.get(STATION, a!))!.analysisStatus).toBe("done");
    expect(await store.media.get(STATION, b!)).toMatchObject({
      analysisStatus: "failed",
      analysisError: "disk on fire",
    });
  });

  it("fails permanent errors (corrupt, truncated, silent) at once without retrying", async () => {
    const store = new MemoryStore();
    const [corrupt, truncated, silent] = await seed(store, 3);
    let calls = 0;
    const q = new AnalysisQueue({
      stationId: STATION,
      store,
      storage: pathStorage,
      backoffMs: 1,
      analyze: async (p) => {
        calls++;
        if (p === "file-0")
          throw new GrimnirError("VALIDATION", "cannot decode file-0: corrupt", {
            details: { file: p },
          });
        if (p === "file-1") return result(p, { durationMs: 20_000 });
        return result(p, { silent: true, cueInMs: 0, cueOutMs: 0 });
      },
    });
    q.enqueue([corrupt!, truncated!, silent!]);
    await q.idle();
    expect(calls).toBe(3);
    expect((await store.media.get(STATION, corrupt!))!.analysisError).toMatch(/corrupt/);
    expect((await store.media.get(STATION, truncated!))!.analysisError).toMatch(
      /^truncated: decoded 20.0 s of the 180.0 s/,
    );
    expect((await store.media.get(STATION, silent!))!.analysisError).toMatch(/^silent/);
  });

  it("resumes items a previous run left pending or analysing, and leaves finished ones alone", async () => {
    const store = new MemoryStore();
    const pending = await seed(store, 2, "pending");
    const analysing = await seed(store, 1, "analysing");
    await seed(store, 1, "done");
    await seed(store, 1, "failed");
    const analysed: string[] = [];
    const q = new AnalysisQueue({
      stationId: STATION,
      store,
      storage: pathStorage,
      analyze: async (p) => {
        analysed.push(p);
        return result(p);
      },
    });
    expect(await q.resume()).toBe(3);
    await q.idle();
    expect(analysed.sort()).toEqual(["file-0", "file-0", "file-1"]);
    for (const id of [...pending, ...analysing])
      expect((await store.media.get(STATION, id))!.analysisStatus).toBe("done");
    expect(await store.media.count(STATION, { analysisStatus: "failed" })).toBe(1);
  });
});
