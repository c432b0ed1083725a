import { GrimnirError } from "@grimnir/core";
import type { ScheduleEntry } from "@grimnir/core";
import { withTimeout } from "./logger.js";
import { PLAYABLE_KINDS } from "./executor-context.js";
import type { ExecutorContext } from "./executor-context.js";
import type { EntryResolver, ResolvedEntry } from "./entry-resolver.js";

/**
 * What the engine needs for each timeline entry (file, cue points, gain),
 * resolved ahead of time and cached so a Store outage does not stop the air.
 * A failed resolution is retried after `resolveRetryMs`, never skipped for good.
 */
export class MediaResolution {
  readonly #ctx: ExecutorContext;
  readonly #resolveEntry: EntryResolver;
  /** Entry id → what to play, or null when nothing is playable for it. */
  readonly #resolved = new Map<string, ResolvedEntry | null>();
  /** Entry id → when a failed media resolution may be retried, epoch ms. */
  readonly #retryAt = new Map<string, number>();
  /** Resolutions in flight, by entry id. */
  readonly #inFlight = new Map<string, Promise<boolean>>();
  /** True while the last media resolution failed because the Store did not answer. */
  #failing = false;
  #prefetching: Promise<void> | undefined;
  #prefetchedTimelineAt: number | undefined;
  #nextPrefetchAt = Number.NEGATIVE_INFINITY;

  /** Resolution for the station of `ctx` through `resolveEntry`. */
  constructor(ctx: ExecutorContext, resolveEntry: EntryResolver) {
    this.#ctx = ctx;
    this.#resolveEntry = resolveEntry;
  }

  /** The cached resolution of `entryId`: a value, null (nothing playable) or undefined (not yet). */
  cached(entryId: string): ResolvedEntry | null | undefined {
    return this.#resolved.get(entryId);
  }

  /** Forget the cached resolution of `entryId` (its source changed); the next play resolves it again. */
  forgetEntry(entryId: string): void {
    this.#resolved.delete(entryId);
    this.#retryAt.delete(entryId);
  }

  /** True when `entryId` is known to have nothing playable, or its resolution waits for a retry. */
  unplayable(entryId: string): boolean {
    return this.#resolved.get(entryId) === null || this.#blocked(entryId, this.#ctx.time.now());
  }

  /**
   * What the engine needs for `entry`: from the cache filled ahead of time, else
   * from the resolver. An entry whose resolution failed recently is not asked
   * again before its retry time (the background prefetch retries it).
   */
  async resolve(entry: ScheduleEntry): Promise<ResolvedEntry | undefined> {
    const cached = this.#resolved.get(entry.id);
    if (cached !== undefined) return cached ?? undefined;
    if (this.#blocked(entry.id, this.#ctx.time.now())) return undefined;
    await this.#resolveNow(entry);
    return this.#resolved.get(entry.id) ?? undefined;
  }

  /** True while media resolution fails because the Store does not answer. */
  get failing(): boolean {
    return this.#failing;
  }

  /**
   * Resolve, in the background, the media of every playable entry of the cached
   * timeline within the horizon that is not resolved yet: after each successful
   * timeline read, and every `resolveRetryMs` to retry failed resolutions.
   * Stops at the first failure.
   */
  maybePrefetch(): void {
    const ctx = this.#ctx;
    if (this.#prefetching !== undefined || !ctx.running) return;
    const now = ctx.time.now();
    const refreshed = ctx.timeline.lastSuccessAt !== this.#prefetchedTimelineAt;
    if (!refreshed && now < this.#nextPrefetchAt) return;
    this.#prefetchedTimelineAt = ctx.timeline.lastSuccessAt;
    this.#nextPrefetchAt = now + ctx.o.resolveRetryMs;
    this.#prefetching = this.#prefetch().finally(() => {
      this.#prefetching = undefined;
    });
  }

  /** Drop what is kept for entries not in `known`. */
  forget(known: ReadonlySet<string>): void {
    for (const map of [this.#resolved, this.#retryAt]) {
      for (const id of map.keys()) if (!known.has(id)) map.delete(id);
    }
  }

  async #prefetch(): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.time.now();
    const until = now + ctx.o.timelineHorizonMs;
    for (const entry of [...ctx.timeline.entries]) {
      if (!ctx.running) return;
      if (entry.endsAt <= now || entry.startsAt >= until || !PLAYABLE_KINDS.has(entry.kind))
        continue;
      if (this.#resolved.has(entry.id) || this.#blocked(entry.id, now)) continue;
      if (!(await this.#resolveNow(entry))) return;
    }
  }

  /** Ask the resolver once (sharing a resolution in flight); false when it failed, never rejects. */
  #resolveNow(entry: ScheduleEntry): Promise<boolean> {
    const inFlight = this.#inFlight.get(entry.id);
    if (inFlight !== undefined) return inFlight;
    const resolving = this.#ask(entry).finally(() => {
      this.#inFlight.delete(entry.id);
    });
    this.#inFlight.set(entry.id, resolving);
    return resolving;
  }

  async #ask(entry: ScheduleEntry): Promise<boolean> {
    const ctx = this.#ctx;
    try {
      const resolved = await withTimeout(
        this.#resolveEntry(entry),
        ctx.o.storeTimeoutMs,
        () => new GrimnirError("STORE_UNAVAILABLE", `entry ${entry.id} not resolved in time`),
      );
      this.#resolved.set(entry.id, resolved ?? null);
      this.#retryAt.delete(entry.id);
      this.#failing = false;
      if (resolved === undefined)
        ctx.publish.failure(entry.id, "nothing playable for the entry", "skipped");
      return true;
    } catch (error) {
      if (!this.#failing) {
        ctx.logger.warn("could not resolve an entry; skipping it until the Store answers", {
          stationId: ctx.stationId,
          entryId: entry.id,
          error: String(error),
        });
      }
      this.#failing = true;
      this.#retryAt.set(entry.id, ctx.time.now() + ctx.o.resolveRetryMs);
      return false;
    }
  }

  /** True while a failed resolution of `entryId` waits for its retry. */
  #blocked(entryId: string, now: number): boolean {
    const retryAt = this.#retryAt.get(entryId);
    return retryAt !== undefined && now < retryAt;
  }
}
