import { GrimnirError } from "@grimnir/core";
import type { ScheduleEntry, Store, TimeSource } from "@grimnir/core";
import { withTimeout, type ExecutorLogger } from "./logger.js";

/** The brief's rolling window: 48 hours, ms. */
export const TIMELINE_HORIZON_MS = 48 * 60 * 60 * 1000;

/** Options of {@link TimelineCache}. */
export interface TimelineCacheOptions {
  stationId: string;
  store: Pick<Store, "schedule">;
  timeSource: TimeSource;
  logger: ExecutorLogger;
  /** How far ahead entries are read and kept, ms (default 48 h). */
  horizonMs?: number;
  /** Minimum time between two reads of the Store, ms of the time source (default 60 000). */
  refreshEveryMs?: number;
  /** A read not answered within this many ms of real time counts as failed (default 5000). */
  readTimeoutMs?: number;
}

/**
 * The station's timeline held in memory so playout survives a Store outage:
 * a successful read replaces the cached window; a failed read keeps what is
 * cached (up to the horizon) and is retried on the next refresh.
 */
export class TimelineCache {
  readonly #options: Required<
    Omit<TimelineCacheOptions, "store" | "logger" | "timeSource" | "stationId">
  >;
  readonly #store: Pick<Store, "schedule">;
  readonly #time: TimeSource;
  readonly #logger: ExecutorLogger;
  readonly #stationId: string;
  #entries: ScheduleEntry[] = [];
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastSuccessAt: number | undefined;
  #failures = 0;
  #failing = false;
  #inFlight: Promise<boolean> | undefined;

  /** An empty cache; call {@link refresh} to fill it. */
  constructor(options: TimelineCacheOptions) {
    this.#stationId = options.stationId;
    this.#store = options.store;
    this.#time = options.timeSource;
    this.#logger = options.logger;
    this.#options = {
      horizonMs: options.horizonMs ?? TIMELINE_HORIZON_MS,
      refreshEveryMs: options.refreshEveryMs ?? 60_000,
      readTimeoutMs: options.readTimeoutMs ?? 5000,
    };
  }

  /** Cached entries ordered by start, then id. */
  get entries(): readonly ScheduleEntry[] {
    return this.#entries;
  }

  /** When the Store last answered, epoch ms, or undefined if never. */
  get lastSuccessAt(): number | undefined {
    return this.#lastSuccessAt;
  }

  /** Failed reads since construction. */
  get failures(): number {
    return this.#failures;
  }

  /** True while the last read failed. */
  get stale(): boolean {
    return this.#failing;
  }

  /** Start a read if the last attempt is older than `refreshEveryMs`; never waits for it. */
  maybeRefresh(): void {
    if (this.#time.now() - this.#lastAttemptAt >= this.#options.refreshEveryMs) void this.refresh();
  }

  /** Read the window [now − 1 h, now + horizon) from the Store. Resolves true on success; never rejects. */
  refresh(): Promise<boolean> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const now = this.#time.now();
    this.#lastAttemptAt = now;
    const range = { from: now - 60 * 60 * 1000, to: now + this.#options.horizonMs };
    this.#inFlight = withTimeout(
      this.#store.schedule.window(this.#stationId, range),
      this.#options.readTimeoutMs,
      () =>
        new GrimnirError(
          "STORE_UNAVAILABLE",
          `schedule window not read within ${this.#options.readTimeoutMs} ms`,
        ),
    )
      .then(
        (entries) => {
          this.#entries = [...entries].sort(
            (a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
          );
          this.#lastSuccessAt = this.#time.now();
          this.#failing = false;
          return true;
        },
        (error: unknown) => {
          this.#failures++;
          if (!this.#failing) {
            this.#failing = true;
            this.#logger.warn("timeline read failed; playing from the cached timeline", {
              stationId: this.#stationId,
              cachedEntries: this.#entries.length,
              error: String(error),
            });
          }
          return false;
        },
      )
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  /** Forget entries that ended before `before`, epoch ms. */
  prune(before: number): void {
    if (this.#entries.length > 0 && this.#entries[0]!.endsAt <= before) {
      this.#entries = this.#entries.filter((e) => e.endsAt > before);
    }
  }

  /** The entry planned to be on air at `at` (latest start wins on overlap). */
  entryAt(at: number): ScheduleEntry | undefined {
    let found: ScheduleEntry | undefined;
    for (const entry of this.#entries) {
      if (entry.startsAt > at) break;
      if (entry.endsAt > at) found = entry;
    }
    return found;
  }

  /** The first entry after `entry` in timeline order. */
  after(entry: ScheduleEntry): ScheduleEntry | undefined {
    const index = this.#entries.findIndex((e) => e.id === entry.id);
    if (index >= 0) return this.#entries[index + 1];
    return this.#entries.find((e) => e.startsAt >= entry.endsAt);
  }

  /** The first entry starting at or after `at`. */
  firstFrom(at: number): ScheduleEntry | undefined {
    return this.#entries.find((e) => e.startsAt >= at);
  }

  /** The entry with this id, if cached. */
  get(id: string): ScheduleEntry | undefined {
    return this.#entries.find((e) => e.id === id);
  }
}
