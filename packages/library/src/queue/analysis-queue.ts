import { cpus } from "node:os";
import {
  GrimnirError,
  SystemTimeSource,
  isGrimnirError,
  type AnalysisStatus,
  type MediaItem,
  type Store,
  type TimeSource,
} from "@grimnir/core";
import {
  analyzeFile,
  type AnalyzeFileOptions,
  type FileAnalysis,
} from "../analysis/analyze-file.js";
import type { MediaStorage } from "../storage/media-storage.js";

/** Options of {@link AnalysisQueue}. */
export interface AnalysisQueueOptions {
  /** Station whose media the queue analyses. */
  stationId: string;
  /** Where item status and results are persisted. */
  store: Store;
  /** Where the items' files are. */
  storage: MediaStorage;
  /** Items analysed at once. Default: the number of CPU cores. */
  concurrency?: number;
  /** Attempts per item before it is marked failed (permanent errors fail at once). Default 3. */
  maxAttempts?: number;
  /** Wait before the first retry, ms; doubles for each further retry. Default 1000. */
  backoffMs?: number;
  /** Options passed to {@link analyzeFile} (cue threshold, markers, gst-launch path). */
  analyzeOptions?: AnalyzeFileOptions;
  /** The analysis itself; default {@link analyzeFile}. Tests and other decoders plug in here. */
  analyze?: (path: string, options: AnalyzeFileOptions) => Promise<FileAnalysis>;
  /** Clock for retry backoff. Default the system clock. */
  timeSource?: TimeSource;
}

/** A status change of one item, with the queue's running totals. */
export interface AnalysisProgress {
  stationId: string;
  mediaId: string;
  /** The item's new status; "pending" means a retry is scheduled. */
  status: AnalysisStatus;
  /** Attempt number (1-based) the status belongs to. */
  attempt: number;
  /** Why the attempt failed, for "failed" and retried "pending". */
  error?: string;
  /** Items waiting (including those waiting for a retry). */
  queued: number;
  /** Items being analysed now. */
  running: number;
  /** Items finished "done" since the queue started. */
  done: number;
  /** Items finished "failed" since the queue started. */
  failed: number;
}

/** Listener of {@link AnalysisQueue.on}. */
export type AnalysisListener = (progress: AnalysisProgress) => void;

const DECLARED_SHORTFALL = 0.9;

/**
 * Analyses media items of one station with bounded concurrency and writes
 * every status transition through the `Store`: pending → analysing → done
 * (loudness, range, true peak, cues, duration stored on the item) or failed
 * with `analysisError`. Transient errors are retried with exponential
 * backoff; permanent ones (`VALIDATION`, `NOT_FOUND`: corrupt, not audio,
 * truncated, silent, missing) fail at once.
 *
 * Resumable: {@link AnalysisQueue.resume} re-queues every item left
 * "pending" or "analysing" (by a crash or a restart). Progress goes to
 * listeners registered with {@link AnalysisQueue.on} — core's `EventMap` has
 * no analysis topic yet, so a server forwards these to its own transport.
 */
export class AnalysisQueue {
  private readonly opts: Required<Omit<AnalysisQueueOptions, "analyzeOptions">> & {
    analyzeOptions: AnalyzeFileOptions;
  };
  private readonly waiting: { id: string; attempt: number }[] = [];
  private readonly known = new Set<string>();
  private readonly listeners = new Set<AnalysisListener>();
  private running = 0;
  private delayed = 0;
  private doneCount = 0;
  private failedCount = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: AnalysisQueueOptions) {
    this.opts = {
      concurrency: Math.max(1, options.concurrency ?? cpus().length),
      maxAttempts: options.maxAttempts ?? 3,
      backoffMs: options.backoffMs ?? 1000,
      analyzeOptions: options.analyzeOptions ?? {},
      analyze: options.analyze ?? analyzeFile,
      timeSource: options.timeSource ?? new SystemTimeSource(),
      stationId: options.stationId,
      store: options.store,
      storage: options.storage,
    };
  }

  /** Receive progress; returns a function that unsubscribes. */
  on(listener: AnalysisListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Totals so far: waiting, running, done and failed items. */
  get stats(): { queued: number; running: number; done: number; failed: number } {
    return {
      queued: this.waiting.length + this.delayed,
      running: this.running,
      done: this.doneCount,
      failed: this.failedCount,
    };
  }

  /** Queue items by id; ids already queued or running are ignored. */
  enqueue(mediaIds: string | readonly string[]): void {
    if (this.stopped)
      throw new GrimnirError(
        "INVALID_TRANSITION",
        "the analysis queue is stopped; expected a running queue",
      );
    for (const id of typeof mediaIds === "string" ? [mediaIds] : mediaIds) {
      if (this.known.has(id)) continue;
      this.known.add(id);
      this.waiting.push({ id, attempt: 1 });
    }
    this.pump();
  }

  /** Re-queue every item of the station left "analysing" or "pending"; resolves with how many. */
  async resume(): Promise<number> {
    const { store, stationId } = this.opts;
    const ids: string[] = [];
    for (const status of ["analysing", "pending"] as const) {
      for (let offset = 0; ; offset += 1000) {
        const page = await store.media.query(stationId, {
          analysisStatus: status,
          limit: 1000,
          offset,
        });
        ids.push(...page.map((m) => m.id));
        if (page.length < 1000) break;
      }
    }
    this.enqueue(ids);
    return ids.length;
  }

  /** Resolves when nothing is waiting, retrying or running. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Take no new items; resolves when the running ones have finished. Waiting items stay "pending" for {@link AnalysisQueue.resume}. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await this.idle();
  }

  private isIdle(): boolean {
    return this.waiting.length === 0 && this.running === 0 && this.delayed === 0;
  }

  private pump(): void {
    while (!this.stopped && this.running < this.opts.concurrency && this.waiting.length > 0) {
      const { id, attempt } = this.waiting.shift()!;
      this.running++;
      void this.process(id, attempt).then(
        (retry) => this.settle(id, retry),
        (err: unknown) => {
          // Only the store itself failing lands here; the item stays in its last persisted status for resume().
          this.failedCount++;
          this.emit(id, "failed", attempt, `store error: ${(err as Error).message}`);
          this.settle(id, false);
        },
      );
    }
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private settle(id: string, retrying: boolean): void {
    this.running--;
    if (!retrying) this.known.delete(id);
    this.pump();
  }

  private scheduleRetry(id: string, attempt: number): void {
    this.delayed++;
    void this.opts.timeSource.sleep(this.opts.backoffMs * 2 ** (attempt - 1)).then(() => {
      this.delayed--;
      if (this.stopped) this.known.delete(id);
      else this.waiting.push({ id, attempt: attempt + 1 });
      this.pump();
    });
  }

  private emit(mediaId: string, status: AnalysisStatus, attempt: number, error?: string): void {
    const progress: AnalysisProgress = {
      stationId: this.opts.stationId,
      mediaId,
      status,
      attempt,
      ...this.stats,
    };
    if (error !== undefined) progress.error = error;
    for (const l of this.listeners) l(progress);
  }

  /** Re-read the item and apply `change`, retrying on a concurrent edit (CONFLICT). */
  private async write(
    id: string,
    change: (item: MediaItem) => Partial<MediaItem>,
  ): Promise<MediaItem | undefined> {
    const { store, stationId } = this.opts;
    for (let tries = 0; ; tries++) {
      const item = await store.media.get(stationId, id);
      if (!item) return undefined;
      try {
        return await store.media.update({ ...item, ...change(item) });
      } catch (err) {
        if (!isGrimnirError(err, "CONFLICT") || tries >= 4) throw err;
      }
    }
  }

  /** Analyse one item; resolves true when a retry was scheduled. */
  private async process(id: string, attempt: number): Promise<boolean> {
    const item = await this.write(id, () => ({ analysisStatus: "analysing" }));
    if (!item) return false;
    this.emit(id, "analysing", attempt);
    let result: FileAnalysis;
    try {
      result = await this.analyse(item);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const permanent = isGrimnirError(err, "VALIDATION") || isGrimnirError(err, "NOT_FOUND");
      if (!permanent && attempt < this.opts.maxAttempts && !this.stopped) {
        await this.write(id, () => ({ analysisStatus: "pending", analysisError: reason }));
        this.scheduleRetry(id, attempt);
        this.emit(id, "pending", attempt, reason);
        return true;
      }
      await this.write(id, () => ({ analysisStatus: "failed", analysisError: reason }));
      this.failedCount++;
      this.emit(id, "failed", attempt, reason);
      return false;
    }
    await this.write(id, () => {
      const r: Partial<MediaItem> = {
        analysisStatus: "done",
        analysisError: undefined,
        durationMs: Math.round(result.durationMs),
        cueInMs: Math.round(result.cueInMs),
        cueOutMs: Math.round(result.cueOutMs),
        loudnessRangeLu: round2(result.loudnessRangeLu),
        sampleRateHz: result.sampleRateHz,
        channels: result.channels,
      };
      if (result.integratedLufs !== null) r.loudnessLufs = round2(result.integratedLufs);
      if (Number.isFinite(result.truePeakDbtp)) r.truePeakDbtp = round2(result.truePeakDbtp);
      if (result.introMs !== undefined) r.introMs = Math.round(result.introMs);
      if (result.outroMs !== undefined) r.outroMs = Math.round(result.outroMs);
      return r;
    });
    this.doneCount++;
    this.emit(id, "done", attempt);
    return false;
  }

  private async analyse(item: MediaItem): Promise<FileAnalysis> {
    const copy = await this.opts.storage.localCopy(item.storageKey);
    try {
      const result = await this.opts.analyze(copy.path, this.opts.analyzeOptions);
      const file = item.storageKey;
      if (
        item.durationMs > 0 &&
        result.durationMs < item.durationMs * DECLARED_SHORTFALL &&
        item.durationMs - result.durationMs > 1000
      ) {
        throw new GrimnirError(
          "VALIDATION",
          `truncated: decoded ${(result.durationMs / 1000).toFixed(1)} s of the ${(item.durationMs / 1000).toFixed(1)} s its header declares`,
          { details: { file, reason: "truncated" } },
        );
      }
      if (result.silent) {
        throw new GrimnirError(
          "VALIDATION",
          `silent: no sample above the ${this.opts.analyzeOptions.cueThresholdDbfs ?? -50} dBFS cue threshold`,
          {
            details: { file, reason: "silent" },
          },
        );
      }
      return result;
    } finally {
      await copy.release();
    }
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
