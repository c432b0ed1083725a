import { GrimnirError, Priority, SystemTimeSource, isGrimnirError } from "@grimnir/core";
import type {
  EngineStationStatus,
  ExecutorStateName,
  NewEntity,
  PlayHistory,
  PlayRequest,
  ScheduleEntry,
  Subscription,
  TelemetrySample,
  TimeSource,
} from "@grimnir/core";
import { ExecutorStateMachine } from "./state-machine.js";
import type { RejectedTransition, StateChange } from "./state-machine.js";
import { EventOutbox } from "./event-outbox.js";
import { WriteBehind } from "./write-behind.js";
import { TimelineCache } from "./timeline-cache.js";
import { storeEntryResolver } from "./entry-resolver.js";
import type { EntryResolver, ResolvedEntry } from "./entry-resolver.js";
import { consoleLogger, withTimeout } from "./logger.js";
import type { ExecutorLogger } from "./logger.js";
import {
  AUTOMATION_SOURCE_ID,
  FALLBACK_SOURCE_ID,
  PriorityService,
  isLiveTier,
} from "./priority-service.js";
import type { ActiveSource } from "./priority-service.js";
import type {
  ExecutorEvent,
  FailoverCause,
  FallbackItem,
  PersistedExecutorState,
  StationExecutorOptions,
  StationExecutorStats,
} from "./executor-types.js";

/** An automation item on air. */
interface OnAirItem {
  entry: ScheduleEntry;
  /** When it went (or goes) on air, epoch ms. */
  startedAt: number;
  /** Offset into the entry's playable audio it started at, ms. */
  offsetMs: number;
  /** When it is expected to end, epoch ms. */
  endsAt: number;
  /** Play history record, filled once the Store answered. */
  history: { id?: string };
}

/** The next automation item, between preload and start. */
interface NextItem {
  entry: ScheduleEntry;
  /** When it must start, epoch ms. */
  dueAt: number;
  preloaded: boolean;
  /** `play` with `atMs` was accepted by the engine. */
  started: boolean;
}

const PLAYABLE_KINDS = new Set<ScheduleEntry["kind"]>(["media", "stopset", "webstream"]);

function sourceKey(source: ActiveSource | undefined): string {
  return source === undefined ? "" : `${source.id}@${source.activatedAt}`;
}

/**
 * Drives one station's air: plays the timeline through the media engine,
 * arbitrates the five priority tiers, fails over to fallback audio and
 * recovers, persists its state and reattaches after a restart.
 *
 * Guarantees:
 * - every state change goes through {@link ExecutorStateMachine}; an invalid one
 *   is reported (`onEvent`, logger, stats) and leaves the state unchanged;
 * - the bus and the Store are never on the audio path: publishes and writes are
 *   queued, retried each tick and counted, and the timeline is served from a
 *   48 h in-memory cache while the Store is down;
 * - hard-timed entries are handed to the engine with `atMs` = planned start;
 *   soft entries start when the previous item ends;
 * - `insertEmergency` calls the engine before any other I/O.
 */
export class StationExecutor {
  /** The station this executor drives. */
  readonly stationId: string;
  readonly #o: Required<
    Omit<
      StationExecutorOptions,
      "ownerId" | "fencingToken" | "onEvent" | "logger" | "resolveEntry" | "timeSource"
    >
  >;
  readonly #time: TimeSource;
  readonly #logger: ExecutorLogger;
  readonly #resolveEntry: EntryResolver;
  readonly #onEvent: ((event: ExecutorEvent) => void) | undefined;
  readonly #outbox: EventOutbox;
  readonly #writes: WriteBehind;
  readonly #timeline: TimelineCache;
  readonly #priority = new PriorityService();
  readonly #resolved = new Map<string, ResolvedEntry | null>();
  readonly #failedEntries = new Set<string>();
  readonly #endedEntries = new Set<string>();
  readonly #causes = new Map<FailoverCause, string>();
  readonly #ownFailureSources = new Set<string>();
  #machine: ExecutorStateMachine;
  #ownerId: string | undefined;
  #fencingToken: number | undefined;
  #version: number | undefined;
  #applied: ActiveSource | undefined;
  #switchGeneration = 0;
  /** Urgent switches (emergency inserts) running outside the serial chain; reconcile waits for them. */
  #urgentSwitches = 0;
  /** Entry id → when a failed media resolution may be retried, epoch ms. */
  readonly #resolveRetryAt = new Map<string, number>();
  /** Resolutions in flight, by entry id. */
  readonly #resolving = new Map<string, Promise<boolean>>();
  /** True while the last media resolution failed because the Store did not answer. */
  #resolveFailing = false;
  #prefetching: Promise<void> | undefined;
  #prefetchedTimelineAt: number | undefined;
  #nextPrefetchAt = Number.NEGATIVE_INFINITY;
  #current: OnAirItem | undefined;
  #next: NextItem | undefined;
  #interrupted: { entry: ScheduleEntry; positionMs: number } | undefined;
  #fallback: { index: number; startedAt: number } | undefined;
  #fadeDone: { at: number; to: ExecutorStateName } | undefined;
  #silentSince: number | undefined;
  #lastEngineCheck = Number.NEGATIVE_INFINITY;
  #lastHeartbeatAt: number | undefined;
  #lastPersistAt = Number.NEGATIVE_INFINITY;
  #chain: Promise<unknown> = Promise.resolve();
  #subscriptions: Subscription[] = [];
  #running = false;
  #leaseLost = false;
  #loop: Promise<void> | undefined;
  #wakeLoop: (() => void) | undefined;
  #stats = { ticks: 0, engineFailures: 0, invalidTransitions: 0, failovers: 0 };

  /** An executor for `options.stationId`; nothing happens until {@link start}. */
  constructor(options: StationExecutorOptions) {
    this.stationId = options.stationId;
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#logger = options.logger ?? consoleLogger;
    this.#onEvent = options.onEvent;
    this.#ownerId = options.ownerId;
    this.#fencingToken = options.fencingToken;
    this.#resolveEntry = options.resolveEntry ?? storeEntryResolver(options.store);
    this.#o = {
      stationId: options.stationId,
      engine: options.engine,
      store: options.store,
      bus: options.bus,
      preloadMs: options.preloadMs ?? 30_000,
      startLeadMs: options.startLeadMs ?? 1000,
      tickMs: options.tickMs ?? 250,
      crossfadeMs: options.crossfadeMs ?? 0,
      curve: options.curve ?? "scurve",
      preemptFadeMs: options.preemptFadeMs ?? 500,
      emergencyFadeMs: options.emergencyFadeMs ?? 50,
      resumeCrossfadeMs: options.resumeCrossfadeMs ?? 2000,
      resumeWhereInterrupted: options.resumeWhereInterrupted ?? false,
      fallback: options.fallback ?? [],
      silenceThresholdDb: options.silenceThresholdDb ?? -50,
      silenceWindowMs: options.silenceWindowMs ?? 5000,
      engineCheckEveryMs: options.engineCheckEveryMs ?? 500,
      engineTimeoutMs: options.engineTimeoutMs ?? 3000,
      engineStatusTimeoutMs:
        options.engineStatusTimeoutMs ?? Math.min(400, options.engineTimeoutMs ?? 3000),
      endToleranceMs: options.endToleranceMs ?? 500,
      resolveRetryMs: options.resolveRetryMs ?? 5000,
      timelineRefreshEveryMs: options.timelineRefreshEveryMs ?? 60_000,
      timelineHorizonMs: options.timelineHorizonMs ?? 48 * 60 * 60 * 1000,
      storeTimeoutMs: options.storeTimeoutMs ?? 2000,
      busTimeoutMs: options.busTimeoutMs ?? 2000,
      listenForSourceFailures: options.listenForSourceFailures ?? true,
      persistEveryMs: options.persistEveryMs ?? 5000,
    };
    const context = { stationId: this.stationId };
    this.#outbox = new EventOutbox(options.bus, {
      logger: this.#logger,
      publishTimeoutMs: this.#o.busTimeoutMs,
    });
    this.#writes = new WriteBehind({
      logger: this.#logger,
      timeoutMs: this.#o.storeTimeoutMs,
      context,
    });
    this.#timeline = new TimelineCache({
      stationId: this.stationId,
      store: options.store,
      timeSource: this.#time,
      logger: this.#logger,
      horizonMs: this.#o.timelineHorizonMs,
      refreshEveryMs: this.#o.timelineRefreshEveryMs,
      readTimeoutMs: this.#o.storeTimeoutMs,
    });
    this.#machine = this.#newMachine("idle");
  }

  /** Current state of the six. */
  get state(): ExecutorStateName {
    return this.#machine.state;
  }

  /** The source on air as the engine was last told, if any. */
  get onAir(): ActiveSource | undefined {
    return this.#applied;
  }

  /** Active sources, highest tier first. */
  get sources(): ActiveSource[] {
    return this.#priority.sources;
  }

  /** Schedule entry on air (automation), if any. */
  get currentEntryId(): string | undefined {
    return this.#current?.entry.id;
  }

  /** Position in the current entry's playable audio, ms, if automation is on air. */
  get positionMs(): number | undefined {
    const current = this.#current;
    if (current === undefined) return undefined;
    return current.offsetMs + Math.max(0, this.#time.now() - current.startedAt);
  }

  /** Entry preloaded or scheduled next, if any. */
  get nextEntryId(): string | undefined {
    return this.#next?.entry.id;
  }

  /** Active failover causes and the source each concerns. */
  get failoverCauses(): ReadonlyMap<FailoverCause, string> {
    return this.#causes;
  }

  /** The in-memory timeline. */
  get timeline(): TimelineCache {
    return this.#timeline;
  }

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.#running;
  }

  /** Counters since construction. */
  get stats(): StationExecutorStats {
    const bus = this.#outbox.stats;
    const store = this.#writes.stats;
    return {
      ...this.#stats,
      busFailures: bus.failures,
      busPending: bus.pending,
      busDropped: bus.dropped,
      storeFailures: store.failures,
      storePending: store.pending,
      timelineReadFailures: this.#timeline.failures,
    };
  }

  /**
   * Load the timeline and the persisted state, ask the engine what it plays and
   * take over from there without touching audio that already plays (reattach);
   * when the engine plays nothing for the station, start at the position the
   * timeline gives for now. With `runLoop: false` nothing runs until {@link tick}.
   */
  async start(options: { runLoop?: boolean } = {}): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#leaseLost = false;
    await this.#timeline.refresh();
    const persisted = await this.#readPersisted();
    const engineStation = await this.#engineStation();
    this.#restore(persisted, engineStation);
    await this.#subscribe();
    this.#maybePrefetch();
    await this.#serial(() => this.#reconcile());
    if (options.runLoop ?? true) this.#loop = this.#runLoop();
  }

  /**
   * Stop driving the station: the loop ends, subscriptions close and pending
   * writes get one more try. The engine keeps playing (a new owner reattaches).
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const subscriptions = this.#subscriptions;
    this.#subscriptions = [];
    for (const subscription of subscriptions) {
      await subscription.unsubscribe().catch((error: unknown) => {
        this.#logger.warn("unsubscribe failed", {
          stationId: this.stationId,
          error: String(error),
        });
      });
    }
    this.#wakeLoop?.();
    await this.#loop;
    this.#loop = undefined;
    if (!this.#leaseLost) {
      this.#persist();
      await this.#writes.flush();
    }
    await this.#outbox.flush();
  }

  /** One pass of the control loop at the time source's now; serialised with every other action. */
  tick(): Promise<void> {
    return this.#serial(async () => {
      this.#stats.ticks++;
      this.#timeline.maybeRefresh();
      this.#maybePrefetch();
      void this.#outbox.flush();
      void this.#writes.flush();
      await this.#checkEngine();
      await this.#reconcile();
      this.#timeline.prune(this.#time.now() - 60 * 60 * 1000);
      if (this.#stats.ticks % 240 === 0) this.#forgetOldEntries();
      const now = this.#time.now();
      if (now - this.#lastPersistAt >= this.#o.persistEveryMs) this.#persist();
    });
  }

  /** Drop per-entry bookkeeping of entries that left the cached timeline. */
  #forgetOldEntries(): void {
    const known = new Set(this.#timeline.entries.map((e) => e.id));
    for (const set of [this.#failedEntries, this.#endedEntries]) {
      for (const id of set) if (!known.has(id)) set.delete(id);
    }
    for (const id of this.#resolved.keys()) if (!known.has(id)) this.#resolved.delete(id);
    for (const id of this.#resolveRetryAt.keys())
      if (!known.has(id)) this.#resolveRetryAt.delete(id);
  }

  /** Re-read the timeline now (e.g. on `schedule.updated`); resolves true when the Store answered. */
  refreshTimeline(): Promise<boolean> {
    return this.#timeline.refresh();
  }

  /**
   * Put emergency audio on air at once: the engine's `insertEmergency` is the
   * first I/O. A newer emergency replaces an older one. Resolves once the
   * engine accepted it, with the executor in state "emergency"; the control
   * loop does not switch the air while the insert is in flight. Rejects only
   * when the engine refused; the emergency stays active and is re-inserted on recovery.
   */
  async insertEmergency(emergency: {
    id: string;
    uri: string;
    title?: string;
    startMs?: number;
  }): Promise<void> {
    if (!this.#running) {
      throw new GrimnirError(
        this.#leaseLost ? "LEASE_LOST" : "CONFLICT",
        `executor of station ${this.stationId} is not running; insert the emergency through its owner`,
        { details: { stationId: this.stationId } },
      );
    }
    const source: ActiveSource = {
      id: `emergency:${emergency.id}`,
      priority: Priority.Emergency,
      activatedAt: this.#time.now(),
      uri: emergency.uri,
      title: emergency.title ?? "Emergency alert",
    };
    this.#priority.activate(source);
    // Bypass the serial chain: an emergency must not wait for a slow tick. Marked
    // before the first await so a tick meanwhile does not insert it a second time.
    this.#urgentSwitches++;
    try {
      await this.#switchTo(this.#priority.onAir, true);
    } finally {
      this.#urgentSwitches--;
    }
  }

  /** End an emergency; the air fails back to the highest remaining tier. */
  endEmergency(id: string): Promise<void> {
    return this.#deactivate(`emergency:${id}`);
  }

  /**
   * A DJ takes the air at live override (1) or live scheduled (2) priority.
   * It preempts lower tiers with the configured fade; a newer override
   * replaces an older one; a scheduled live never preempts another.
   */
  startLive(live: {
    sessionId: string;
    inputUri: string;
    priority: typeof Priority.LiveOverride | typeof Priority.LiveScheduled;
    title?: string;
  }): Promise<void> {
    const source: ActiveSource = {
      id: `live:${live.sessionId}`,
      priority: live.priority,
      activatedAt: this.#time.now(),
      uri: live.inputUri,
      title: live.title ?? "Live",
    };
    return this.#serial(async () => {
      this.#priority.activate(source);
      this.#persist();
      await this.#reconcile();
    });
  }

  /** The DJ left; the air fails back to the highest remaining tier. */
  endLive(sessionId: string): Promise<void> {
    return this.#deactivate(`live:${sessionId}`);
  }

  /**
   * A source failed (a file that cannot play, a dead webstream, a dropped DJ).
   * Automation items are taken off the air for fallback until the timeline
   * moves on; live and emergency sources end and the air fails back.
   */
  reportSourceFailure(source: string, reason: string): Promise<void> {
    return this.#serial(async () => {
      const liveOrEmergency = this.#priority.sources.find(
        (s) => s.id === source || s.id === `live:${source}` || s.id === `emergency:${source}`,
      );
      if (liveOrEmergency !== undefined) {
        this.#priority.deactivate(liveOrEmergency.id);
        this.#publishFailure(liveOrEmergency.id, reason, "skipped");
      } else if (
        this.#current !== undefined &&
        (source === this.#current.entry.id || source === AUTOMATION_SOURCE_ID)
      ) {
        this.#failover("source_failure", this.#current.entry.id, reason);
      } else {
        this.#logger.warn("source failure for a source not on air", {
          stationId: this.stationId,
          source,
          reason,
        });
        return;
      }
      await this.#reconcile();
    });
  }

  /** Set the owner and fencing token written with the state (after a lease renewal). */
  setOwnership(ownerId: string, fencingToken: number): void {
    this.#ownerId = ownerId;
    this.#fencingToken = fencingToken;
  }

  // --- control loop -------------------------------------------------------

  async #runLoop(): Promise<void> {
    while (this.#running) {
      await this.tick();
      if (!this.#running) break;
      await Promise.race([
        this.#time.sleep(this.#o.tickMs),
        new Promise<void>((resolve) => {
          this.#wakeLoop = resolve;
        }),
      ]);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch((error: unknown) => {
      this.#logger.error("executor step failed", {
        stationId: this.stationId,
        error: String(error),
      });
    });
    return run;
  }

  async #deactivate(id: string): Promise<void> {
    return this.#serial(async () => {
      this.#priority.deactivate(id);
      this.#persist();
      await this.#reconcile();
    });
  }

  /** Bring derived sources up to date and make the engine play what should be on air. */
  async #reconcile(): Promise<void> {
    if (!this.#running) return;
    // An emergency insert is on its way to the engine; the next tick picks up from there.
    if (this.#urgentSwitches > 0) return;
    this.#updateDerivedSources();
    const target = this.#priority.onAir;
    // Never stop the air because the Store is down: what plays keeps playing until it answers again.
    const keepAir =
      target === undefined && this.#applied?.id === AUTOMATION_SOURCE_ID && this.#storeTrouble();
    if (!keepAir && sourceKey(target) !== sourceKey(this.#applied))
      await this.#switchTo(target, false);
    const now = this.#time.now();
    if (this.#fadeDone !== undefined && now >= this.#fadeDone.at) {
      const to = this.#fadeDone.to;
      this.#fadeDone = undefined;
      this.#transition(to, "fade complete");
    }
    if (this.#applied?.id === AUTOMATION_SOURCE_ID) await this.#driveAutomation();
    else if (this.#applied?.id === FALLBACK_SOURCE_ID) await this.#driveFallback();
  }

  /** Automation is active when the timeline has something playable now; fallback when configured. */
  #updateDerivedSources(): void {
    this.#clearRecoveredCauses();
    const now = this.#time.now();
    const automationUp = this.#causes.size === 0 && this.#automationCandidate(now) !== undefined;
    const automation = this.#priority.get(AUTOMATION_SOURCE_ID);
    if (automationUp && automation === undefined) {
      this.#priority.activate({
        id: AUTOMATION_SOURCE_ID,
        priority: Priority.Automation,
        activatedAt: now,
      });
    } else if (!automationUp && automation !== undefined) {
      this.#priority.deactivate(AUTOMATION_SOURCE_ID);
    }
    const fallbackUp = this.#o.fallback.length > 0;
    if (fallbackUp && !this.#priority.has(FALLBACK_SOURCE_ID)) {
      this.#priority.activate({
        id: FALLBACK_SOURCE_ID,
        priority: Priority.Fallback,
        activatedAt: now,
      });
    }
  }

  /** The entry automation would play at `now`: the one on air, the one planned, or one about to start. */
  #automationCandidate(now: number): ScheduleEntry | undefined {
    const current = this.#current;
    if (current !== undefined && this.#applied?.id === AUTOMATION_SOURCE_ID) {
      if (!this.#failedEntries.has(current.entry.id) && current.endsAt > now) return current.entry;
      if (this.#next?.started === true && this.#isPlayable(this.#next.entry))
        return this.#next.entry;
      const next = this.#nextPlayable(current.entry, now);
      // A soft entry follows the item before it whatever its planned time says.
      if (
        next !== undefined &&
        (next.timing === "soft" || next.startsAt <= now + this.#o.startLeadMs)
      ) {
        return next;
      }
    }
    const planned = this.#timeline.entryAt(now);
    if (planned !== undefined && this.#isPlayable(planned)) return planned;
    const upcoming =
      planned === undefined ? this.#timeline.firstFrom(now) : this.#timeline.after(planned);
    if (
      upcoming !== undefined &&
      this.#isPlayable(upcoming) &&
      upcoming.startsAt <= now + this.#o.startLeadMs
    ) {
      return upcoming;
    }
    return undefined;
  }

  #isPlayable(entry: ScheduleEntry): boolean {
    return (
      PLAYABLE_KINDS.has(entry.kind) &&
      !this.#failedEntries.has(entry.id) &&
      !this.#endedEntries.has(entry.id) &&
      this.#resolved.get(entry.id) !== null &&
      !this.#resolveBlocked(entry.id, this.#time.now())
    );
  }

  #nextPlayable(after: ScheduleEntry, now: number): ScheduleEntry | undefined {
    let next = this.#timeline.after(after);
    while (next !== undefined && (!this.#isPlayable(next) || next.endsAt <= now)) {
      next = this.#timeline.after(next);
    }
    return next;
  }

  #clearRecoveredCauses(): void {
    for (const [cause, source] of [...this.#causes]) {
      if (cause === "engine") continue;
      const planned = this.#timeline.entryAt(this.#time.now());
      // An item-level failure clears once the timeline has moved past that item.
      if (planned?.id !== source) {
        this.#causes.delete(cause);
        this.#emit({ type: "recovered", stationId: this.stationId, at: this.#time.now(), cause });
      }
    }
  }

  // --- switching sources ----------------------------------------------------

  /** Tell the engine to put `target` on air, handling what leaves the air. */
  async #switchTo(target: ActiveSource | undefined, urgent: boolean): Promise<void> {
    const generation = ++this.#switchGeneration;
    const previous = this.#applied;
    const now = this.#time.now();
    if (previous?.id === AUTOMATION_SOURCE_ID && target?.id !== AUTOMATION_SOURCE_ID)
      this.#interrupt(now);
    if (previous?.id === FALLBACK_SOURCE_ID && target?.id !== FALLBACK_SOURCE_ID)
      this.#fallback = undefined;
    const fromHigherTier = previous !== undefined && previous.priority < Priority.Automation;
    try {
      if (target === undefined) {
        // Never stop audio this executor did not start (e.g. reattached without a timeline).
        if (previous !== undefined) {
          await this.#engineCall("stop", () =>
            this.#o.engine.stop(this.stationId, { fadeOutMs: this.#o.preemptFadeMs }),
          );
        }
        if (generation !== this.#switchGeneration) return;
        this.#applied = undefined;
        this.#transition("idle", "nothing to play");
      } else if (target.priority === Priority.Emergency) {
        await this.#engineCall("insertEmergency", () =>
          this.#o.engine.insertEmergency(this.stationId, {
            itemId: target.id,
            uri: target.uri ?? "",
            crossfadeMs: this.#o.emergencyFadeMs,
            curve: this.#o.curve,
            title: target.title,
          }),
        );
        if (generation !== this.#switchGeneration) return;
        this.#applied = target;
        this.#fadeDone = undefined;
        this.#transition("emergency", `emergency ${target.id}`);
        this.#publishNowPlaying({ title: target.title, startedAt: now, priority: target.priority });
      } else if (isLiveTier(target.priority)) {
        const fade = this.state === "playing" && !urgent;
        if (fade) this.#transition("fading", `preempted by ${target.id}`);
        await this.#engineCall("routeLive", () =>
          this.#o.engine.routeLive(this.stationId, {
            inputUri: target.uri ?? "",
            priority: target.priority,
            fadeInMs: this.#o.preemptFadeMs,
          }),
        );
        if (generation !== this.#switchGeneration) return;
        this.#applied = target;
        if (this.state === "fading")
          this.#fadeDone = { at: now + this.#o.preemptFadeMs, to: "live" };
        else this.#transition("live", `live ${target.id}`);
        this.#publishNowPlaying({ title: target.title, startedAt: now, priority: target.priority });
      } else {
        const crossfadeMs = fromHigherTier ? this.#o.resumeCrossfadeMs : undefined;
        if (fromHigherTier && this.state !== "fading")
          this.#transition("fading", `failback to ${target.id}`);
        const started =
          target.id === AUTOMATION_SOURCE_ID
            ? await this.#startAutomation(crossfadeMs)
            : await this.#startFallback(crossfadeMs ?? 0, 0);
        if (generation !== this.#switchGeneration) return;
        if (!started) {
          this.#applied = undefined;
          return;
        }
        this.#applied = target;
        if (this.state === "fading")
          this.#fadeDone = { at: now + (crossfadeMs ?? 0), to: "playing" };
        else this.#transition("playing", target.id);
      }
    } catch (error) {
      if (generation === this.#switchGeneration) this.#applied = undefined;
      this.#logger.error("could not switch the air", {
        stationId: this.stationId,
        target: target?.id,
        error: String(error),
      });
      if (urgent) throw error;
      return;
    }
    if (previous?.id !== target?.id && target !== undefined) {
      this.#outbox.publish("priority.changed", this.stationId, {
        ...(previous === undefined ? {} : { from: previous.priority }),
        to: target.priority,
        sourceId: target.id,
      });
    }
    this.#persist();
  }

  /** Automation leaves the air: remember where, close its history, forget the preload. */
  #interrupt(now: number): void {
    const current = this.#current;
    if (current !== undefined) {
      const positionMs = current.offsetMs + Math.max(0, now - current.startedAt);
      this.#interrupted = { entry: current.entry, positionMs };
      this.#finishHistory(current, now);
    }
    this.#current = undefined;
    this.#next = undefined;
  }

  // --- automation -----------------------------------------------------------

  /** Start the entry that should play now (or the interrupted one when so configured). */
  async #startAutomation(crossfadeMs: number | undefined): Promise<boolean> {
    const generation = this.#switchGeneration;
    const now = this.#time.now();
    let entry: ScheduleEntry | undefined;
    let offsetMs = 0;
    const interrupted = this.#interrupted;
    this.#interrupted = undefined;
    if (
      this.#o.resumeWhereInterrupted &&
      interrupted !== undefined &&
      !this.#failedEntries.has(interrupted.entry.id) &&
      interrupted.positionMs < interrupted.entry.endsAt - interrupted.entry.startsAt
    ) {
      entry = interrupted.entry;
      offsetMs = interrupted.positionMs;
    } else {
      entry = this.#automationCandidate(now);
      // An item about to end is not (re)started for its last few hundred ms: its successor is.
      if (
        entry !== undefined &&
        entry.startsAt < now &&
        entry.endsAt - now <= this.#o.endToleranceMs
      ) {
        this.#endedEntries.add(entry.id);
        entry = this.#automationCandidate(now);
      }
      if (entry !== undefined) offsetMs = Math.max(0, now - entry.startsAt);
    }
    if (entry === undefined) return false;
    const resolved = await this.#resolve(entry);
    if (resolved === undefined || generation !== this.#switchGeneration) return false;
    const atMs = entry.startsAt > now ? entry.startsAt : undefined;
    const request = this.#playRequest(
      entry,
      resolved,
      offsetMs,
      crossfadeMs ?? this.#crossfadeFor(entry),
      atMs,
    );
    const ok = await this.#playEntry(entry, () => this.#o.engine.play(this.stationId, request));
    // An emergency took the air while the engine answered: it owns the air now.
    if (!ok || generation !== this.#switchGeneration) return false;
    const startedAt = atMs ?? now;
    this.#current = {
      entry,
      startedAt,
      offsetMs,
      endsAt: startedAt + Math.max(0, entry.endsAt - entry.startsAt - offsetMs),
      history: {},
    };
    this.#next = undefined;
    this.#onItemStarted(this.#current, resolved);
    return true;
  }

  /** Preload and start the next entry on time; move on when the current one ends. */
  async #driveAutomation(): Promise<void> {
    const now = this.#time.now();
    const generation = this.#switchGeneration;
    const current = this.#current;
    if (current === undefined) {
      const started = await this.#startAutomation(undefined);
      if (!started && generation === this.#switchGeneration) this.#applied = undefined;
      return;
    }
    if (this.#next === undefined) {
      const entry = this.#nextPlayable(current.entry, now);
      if (entry !== undefined) {
        const dueAt = entry.timing === "hard" ? entry.startsAt : Math.max(current.endsAt, now);
        this.#next = { entry, dueAt, preloaded: false, started: false };
      }
    } else if (this.#next.entry.timing === "soft" && !this.#next.started) {
      this.#next.dueAt = Math.max(current.endsAt, now);
    }
    const next = this.#next;
    // The item ended and nothing starts now (nothing next, or a hard-timed item
    // after a gap): leave the air to the next tier until the next item is due.
    // A hard-timed item that follows the current one is preloaded and handed
    // over with `atMs` ahead of time like a soft one.
    const gap =
      next !== undefined &&
      !next.started &&
      next.entry.timing === "hard" &&
      next.dueAt > now + this.#o.startLeadMs;
    if (next === undefined || (gap && now >= current.endsAt)) {
      if (now >= current.endsAt) {
        this.#finishHistory(current, now);
        this.#endedEntries.add(current.entry.id);
        this.#current = undefined;
      }
      return;
    }
    if (!next.preloaded && now >= next.dueAt - this.#o.preloadMs) {
      const resolved = await this.#resolve(next.entry);
      if (resolved === undefined) {
        this.#next = undefined;
        return;
      }
      const request = this.#playRequest(
        next.entry,
        resolved,
        0,
        this.#crossfadeFor(next.entry),
        undefined,
      );
      const ok = await this.#playEntry(next.entry, () =>
        this.#o.engine.preload(this.stationId, request),
      );
      if (!ok || this.#next !== next) return;
      next.preloaded = true;
      if (this.state === "playing") this.#transition("preloading", `preload ${next.entry.id}`);
    }
    if (next.preloaded && !next.started && now >= next.dueAt - this.#o.startLeadMs) {
      const resolved = await this.#resolve(next.entry);
      if (resolved === undefined || this.#next !== next) return;
      const atMs = Math.max(next.dueAt, now);
      const request = this.#playRequest(
        next.entry,
        resolved,
        0,
        this.#crossfadeFor(next.entry),
        atMs,
      );
      const ok = await this.#playEntry(next.entry, () =>
        this.#o.engine.play(this.stationId, request),
      );
      if (!ok || this.#next !== next) return;
      next.started = true;
      next.dueAt = atMs;
    }
    if (next.started && now >= next.dueAt) {
      this.#finishHistory(current, next.dueAt);
      this.#endedEntries.add(current.entry.id);
      const item: OnAirItem = {
        entry: next.entry,
        startedAt: next.dueAt,
        offsetMs: 0,
        endsAt: next.dueAt + (next.entry.endsAt - next.entry.startsAt),
        history: {},
      };
      this.#current = item;
      this.#next = undefined;
      this.#silentSince = undefined;
      if (this.state !== "playing") this.#transition("playing", `start ${next.entry.id}`);
      const resolved = this.#resolved.get(next.entry.id) ?? undefined;
      this.#onItemStarted(item, resolved);
    }
  }

  #crossfadeFor(entry: ScheduleEntry): number {
    return entry.fadeInMs ?? this.#o.crossfadeMs;
  }

  #playRequest(
    entry: ScheduleEntry,
    resolved: ResolvedEntry,
    offsetMs: number,
    crossfadeMs: number,
    atMs: number | undefined,
  ): PlayRequest {
    const request: PlayRequest = {
      itemId: entry.id,
      uri: resolved.uri,
      startMs: resolved.startMs + offsetMs,
      crossfadeMs,
      curve: this.#o.curve,
    };
    if (resolved.endMs !== undefined) request.endMs = resolved.endMs;
    if (resolved.gainDb !== undefined) request.gainDb = resolved.gainDb;
    if (atMs !== undefined) request.atMs = atMs;
    const title = entry.title ?? resolved.title;
    const artist = entry.artist ?? resolved.artist;
    if (title !== undefined) request.title = title;
    if (artist !== undefined) request.artist = artist;
    return request;
  }

  /** Run an engine call for an entry; a refusal of the item skips it, an unreachable engine fails over. */
  async #playEntry(entry: ScheduleEntry, call: () => Promise<void>): Promise<boolean> {
    try {
      await this.#engineCall("play", call);
      return true;
    } catch (error) {
      if (!isGrimnirError(error, "ENGINE_UNAVAILABLE")) {
        this.#failedEntries.add(entry.id);
        this.#publishFailure(entry.id, `engine refused the item: ${String(error)}`, "skipped");
        this.#logger.warn("engine refused an item; skipping it", {
          stationId: this.stationId,
          entryId: entry.id,
          error: String(error),
        });
      }
      return false;
    }
  }

  /**
   * What the engine needs for `entry`: from the cache filled ahead of time, else
   * from the resolver. An entry whose resolution failed recently is not asked
   * again before its retry time (the background prefetch retries it).
   */
  async #resolve(entry: ScheduleEntry): Promise<ResolvedEntry | undefined> {
    const cached = this.#resolved.get(entry.id);
    if (cached !== undefined) return cached ?? undefined;
    if (this.#resolveBlocked(entry.id, this.#time.now())) return undefined;
    await this.#resolveNow(entry);
    return this.#resolved.get(entry.id) ?? undefined;
  }

  /**
   * Ask the resolver once (a resolution already in flight for the entry is
   * shared); resolves false when it failed (the Store did not answer), never rejects.
   */
  #resolveNow(entry: ScheduleEntry): Promise<boolean> {
    const inFlight = this.#resolving.get(entry.id);
    if (inFlight !== undefined) return inFlight;
    const resolving = this.#askResolver(entry).finally(() => {
      this.#resolving.delete(entry.id);
    });
    this.#resolving.set(entry.id, resolving);
    return resolving;
  }

  async #askResolver(entry: ScheduleEntry): Promise<boolean> {
    try {
      const resolved = await withTimeout(
        this.#resolveEntry(entry),
        this.#o.storeTimeoutMs,
        () => new GrimnirError("STORE_UNAVAILABLE", `entry ${entry.id} not resolved in time`),
      );
      this.#resolved.set(entry.id, resolved ?? null);
      this.#resolveRetryAt.delete(entry.id);
      this.#resolveFailing = false;
      if (resolved === undefined)
        this.#publishFailure(entry.id, "nothing playable for the entry", "skipped");
      return true;
    } catch (error) {
      if (!this.#resolveFailing) {
        this.#logger.warn("could not resolve an entry; skipping it until the Store answers", {
          stationId: this.stationId,
          entryId: entry.id,
          error: String(error),
        });
      }
      this.#resolveFailing = true;
      this.#resolveRetryAt.set(entry.id, this.#time.now() + this.#o.resolveRetryMs);
      return false;
    }
  }

  /** True while a failed resolution of `entryId` waits for its retry. */
  #resolveBlocked(entryId: string, now: number): boolean {
    const retryAt = this.#resolveRetryAt.get(entryId);
    return retryAt !== undefined && now < retryAt;
  }

  /** True while the Store does not answer (timeline reads or media resolution). */
  #storeTrouble(): boolean {
    return this.#timeline.stale || this.#resolveFailing;
  }

  /**
   * Resolve, in the background, the media of every playable entry of the cached
   * timeline within the horizon that is not resolved yet, so a Store outage
   * does not stop the air: after each successful timeline read, and every
   * `resolveRetryMs` to retry failed resolutions. Stops at the first failure.
   */
  #maybePrefetch(): void {
    if (this.#prefetching !== undefined || !this.#running) return;
    const now = this.#time.now();
    const refreshed = this.#timeline.lastSuccessAt !== this.#prefetchedTimelineAt;
    if (!refreshed && now < this.#nextPrefetchAt) return;
    this.#prefetchedTimelineAt = this.#timeline.lastSuccessAt;
    this.#nextPrefetchAt = now + this.#o.resolveRetryMs;
    this.#prefetching = this.#prefetch().finally(() => {
      this.#prefetching = undefined;
    });
  }

  async #prefetch(): Promise<void> {
    const now = this.#time.now();
    const until = now + this.#o.timelineHorizonMs;
    for (const entry of [...this.#timeline.entries]) {
      if (!this.#running) return;
      if (entry.endsAt <= now || entry.startsAt >= until || !PLAYABLE_KINDS.has(entry.kind))
        continue;
      if (this.#resolved.has(entry.id) || this.#resolveBlocked(entry.id, now)) continue;
      if (!(await this.#resolveNow(entry))) return;
    }
  }

  #onItemStarted(item: OnAirItem, resolved: ResolvedEntry | undefined): void {
    const { entry } = item;
    const title = entry.title ?? resolved?.title;
    const artist = entry.artist ?? resolved?.artist;
    this.#publishNowPlaying({
      entryId: entry.id,
      mediaId: entry.mediaId,
      title,
      artist,
      startedAt: item.startedAt,
      durationMs: item.endsAt - item.startedAt,
      priority: Priority.Automation,
    });
    const record: NewEntity<PlayHistory> = {
      stationId: this.stationId,
      startedAt: item.startedAt,
      priority: Priority.Automation,
      scheduleEntryId: entry.id,
    };
    if (entry.mediaId !== undefined) record.mediaId = entry.mediaId;
    if (title !== undefined) record.title = title;
    if (artist !== undefined) record.artist = artist;
    this.#writes.enqueue(`play history of ${entry.id}`, async () => {
      const stored = await this.#o.store.playHistory.append(record);
      item.history.id = stored.id;
    });
    this.#persist();
  }

  #finishHistory(item: OnAirItem, endedAt: number): void {
    this.#writes.enqueue(`end of play ${item.entry.id}`, async () => {
      // The append ran first in queue order; without an id it was dropped.
      if (item.history.id === undefined) return;
      await this.#o.store.playHistory.finish(this.stationId, item.history.id, endedAt);
    });
  }

  // --- fallback ------------------------------------------------------------

  async #startFallback(crossfadeMs: number, index: number): Promise<boolean> {
    const items = this.#o.fallback;
    const item: FallbackItem | undefined = items[index % items.length];
    if (item === undefined) return false;
    const now = this.#time.now();
    try {
      await this.#engineCall("play", () =>
        this.#o.engine.play(this.stationId, {
          itemId: `fallback:${index % items.length}`,
          uri: item.uri,
          crossfadeMs,
          curve: this.#o.curve,
          ...(item.title === undefined ? {} : { title: item.title }),
          ...(item.artist === undefined ? {} : { artist: item.artist }),
        }),
      );
    } catch (error) {
      this.#logger.error("fallback audio did not start", {
        stationId: this.stationId,
        uri: item.uri,
        error: String(error),
      });
      return false;
    }
    this.#fallback = { index: index % items.length, startedAt: now };
    this.#publishNowPlaying({
      title: item.title,
      artist: item.artist,
      startedAt: now,
      durationMs: item.durationMs,
      priority: Priority.Fallback,
    });
    return true;
  }

  async #driveFallback(): Promise<void> {
    const playing = this.#fallback;
    if (playing === undefined) return;
    const item = this.#o.fallback[playing.index];
    if (item?.durationMs === undefined) return;
    if (this.#time.now() >= playing.startedAt + item.durationMs) {
      await this.#startFallback(this.#o.crossfadeMs, playing.index + 1);
    }
  }

  // --- failover -------------------------------------------------------------

  #failover(cause: FailoverCause, source: string, reason: string): void {
    if (this.#causes.has(cause)) return;
    this.#causes.set(cause, source);
    if (cause !== "engine") this.#failedEntries.add(source);
    this.#stats.failovers++;
    this.#publishFailure(source, reason, "fallback");
    this.#emit({
      type: "failover",
      stationId: this.stationId,
      at: this.#time.now(),
      cause,
      source,
    });
  }

  #onTelemetry(sample: TelemetrySample): void {
    this.#lastHeartbeatAt = sample.at;
    this.#outbox.publish("metrics", this.stationId, {
      levelLeftDb: sample.levelLeftDb,
      levelRightDb: sample.levelRightDb,
      loudnessLufs: sample.loudnessLufs,
      bufferDepthMs: sample.bufferDepthMs,
      underruns: sample.underruns,
    });
    this.#outbox.publish("buffer_health", this.stationId, {
      depthMs: sample.bufferDepthMs,
      underruns: sample.underruns,
      status: sample.bufferDepthMs <= 0 ? "empty" : sample.bufferDepthMs < 500 ? "low" : "ok",
    });
    const current = this.#current;
    if (this.#applied?.id !== AUTOMATION_SOURCE_ID || current === undefined) {
      this.#silentSince = undefined;
      return;
    }
    const peak = Math.max(sample.levelLeftDb, sample.levelRightDb);
    if (peak >= this.#o.silenceThresholdDb) {
      this.#silentSince = undefined;
      return;
    }
    this.#silentSince ??= sample.at;
    if (sample.at - this.#silentSince >= this.#o.silenceWindowMs) {
      this.#silentSince = undefined;
      this.#failover("silence", current.entry.id, `silence for ${this.#o.silenceWindowMs} ms`);
      void this.#serial(() => this.#reconcile());
    }
  }

  async #checkEngine(): Promise<void> {
    const now = this.#time.now();
    if (now - this.#lastEngineCheck < this.#o.engineCheckEveryMs) return;
    this.#lastEngineCheck = now;
    const station = await this.#engineStation();
    if (station === undefined) return;
    if (this.#causes.delete("engine")) {
      this.#emit({ type: "recovered", stationId: this.stationId, at: now, cause: "engine" });
    }
    // The engine renders ahead and reports idle shortly before the item's planned
    // end: that is the item ending (the control loop moves on), not lost audio.
    const current = this.#current;
    if (
      station.state === "idle" &&
      this.#applied?.id === AUTOMATION_SOURCE_ID &&
      current !== undefined &&
      now >= current.endsAt - this.#o.endToleranceMs
    ) {
      return;
    }
    // An engine that forgot the station (restart) gets what should be on air again, at position.
    if (station.state === "idle" && this.#applied !== undefined) {
      this.#logger.warn("engine lost the station's audio; resuming at position", {
        stationId: this.stationId,
        onAir: this.#applied.id,
      });
      if (this.#current !== undefined && this.#current.startedAt > now) return;
      if (this.#applied.id === AUTOMATION_SOURCE_ID) this.#interrupt(now);
      this.#interrupted = undefined;
      this.#applied = undefined;
    }
  }

  /** The engine's view of this station, or undefined when it does not answer (which fails over). */
  async #engineStation(): Promise<EngineStationStatus | undefined> {
    try {
      const status = await this.#engineCall(
        "status",
        () => this.#o.engine.status(),
        this.#o.engineStatusTimeoutMs,
      );
      return (
        status.stations.find((s) => s.stationId === this.stationId) ?? {
          stationId: this.stationId,
          state: "idle",
          bufferDepthMs: 0,
          underruns: 0,
        }
      );
    } catch (error) {
      this.#logger.warn("engine status failed", {
        stationId: this.stationId,
        error: String(error),
      });
      return undefined;
    }
  }

  /** Call the engine with a deadline; an unreachable engine is a failover cause. */
  async #engineCall<T>(
    what: string,
    call: () => Promise<T>,
    timeoutMs: number = this.#o.engineTimeoutMs,
  ): Promise<T> {
    try {
      return await withTimeout(
        call(),
        timeoutMs,
        () =>
          new GrimnirError(
            "ENGINE_UNAVAILABLE",
            `engine did not answer ${what} within ${timeoutMs} ms`,
          ),
      );
    } catch (error) {
      this.#stats.engineFailures++;
      if (isGrimnirError(error, "ENGINE_UNAVAILABLE") && !this.#causes.has("engine")) {
        this.#failover("engine", "engine", error.message);
      }
      throw error;
    }
  }

  // --- persistence and restart ----------------------------------------------

  async #readPersisted(): Promise<PersistedExecutorState | undefined> {
    try {
      const state = await withTimeout(
        this.#o.store.executorStates.get(this.stationId),
        this.#o.storeTimeoutMs,
        () => new GrimnirError("STORE_UNAVAILABLE", "executor state not read in time"),
      );
      this.#version = state?.version ?? 0;
      return state as PersistedExecutorState | undefined;
    } catch (error) {
      this.#logger.warn("could not read persisted executor state; starting from the timeline", {
        stationId: this.stationId,
        error: String(error),
      });
      return undefined;
    }
  }

  /** Rebuild sources and what is on air from the persisted state and the engine's status. */
  #restore(
    persisted: PersistedExecutorState | undefined,
    station: EngineStationStatus | undefined,
  ): void {
    const now = this.#time.now();
    const sources = (persisted?.sources ?? []).filter((s) => s.priority < Priority.Automation);
    if (sources.length > 0) this.#priority.restore(sources);
    const interrupted = persisted?.interrupted;
    if (interrupted !== undefined) {
      const entry = this.#timeline.get(interrupted.entryId);
      if (entry !== undefined) this.#interrupted = { entry, positionMs: interrupted.positionMs };
    }
    if (station === undefined || station.state === "idle" || station.currentItemId === undefined) {
      this.#machine = this.#newMachine("idle");
      return;
    }
    const itemId = station.currentItemId;
    let state: ExecutorStateName = "idle";
    const higher = this.#priority.sources.find((s) => s.id === itemId || s.uri === itemId);
    const entry = this.#timeline.get(itemId);
    if (higher !== undefined && (station.state === "emergency" || station.state === "live")) {
      this.#applied = higher;
      state = station.state;
    } else if (entry !== undefined && station.state === "playing") {
      const positionMs =
        persisted?.currentEntryId === entry.id && persisted.currentStartedAt !== undefined
          ? now - persisted.currentStartedAt
          : Math.max(0, now - entry.startsAt);
      this.#priority.activate({
        id: AUTOMATION_SOURCE_ID,
        priority: Priority.Automation,
        activatedAt: now,
      });
      this.#applied = this.#priority.get(AUTOMATION_SOURCE_ID);
      this.#current = {
        entry,
        startedAt: now,
        offsetMs: positionMs,
        endsAt: now + Math.max(0, entry.endsAt - entry.startsAt - positionMs),
        history: {},
      };
      state = "playing";
    } else if (itemId.startsWith("fallback:") && this.#o.fallback.length > 0) {
      this.#priority.activate({
        id: FALLBACK_SOURCE_ID,
        priority: Priority.Fallback,
        activatedAt: now,
      });
      this.#applied = this.#priority.get(FALLBACK_SOURCE_ID);
      this.#fallback = { index: Number(itemId.slice("fallback:".length)) || 0, startedAt: now };
      state = "playing";
    }
    this.#machine = this.#newMachine(state);
    if (state !== "idle") {
      this.#emit({ type: "reattached", stationId: this.stationId, at: now, itemId, state });
    }
  }

  /** Queue a write of the current state with its version; a newer owner's token stops this executor. */
  #persist(): void {
    if (this.#leaseLost) return;
    this.#lastPersistAt = this.#time.now();
    this.#writes.enqueue("executor state", async () => {
      const doc = this.#snapshot();
      try {
        const stored = await this.#o.store.executorStates.put(doc, this.#version ?? 0);
        this.#version = stored.version;
      } catch (error) {
        if (!isGrimnirError(error, "CONFLICT")) throw error;
        const stored = (await this.#o.store.executorStates.get(this.stationId)) as
          PersistedExecutorState | undefined;
        this.#version = stored?.version ?? 0;
        if (
          stored?.fencingToken !== undefined &&
          this.#fencingToken !== undefined &&
          stored.fencingToken > this.#fencingToken
        ) {
          this.#loseLease(
            `state written by ${stored.ownerId ?? "another owner"} with a newer fencing token`,
          );
          return;
        }
        const retried = await this.#o.store.executorStates.put(this.#snapshot(), this.#version);
        this.#version = retried.version;
      }
    });
  }

  #snapshot(): NewEntity<PersistedExecutorState> {
    const now = this.#time.now();
    const doc: NewEntity<PersistedExecutorState> = {
      stationId: this.stationId,
      state: this.#machine.state,
      priority: this.#applied?.priority ?? Priority.Fallback,
      sources: this.#priority.sources.filter((s) => s.priority < Priority.Automation),
      lastHeartbeatAt: this.#lastHeartbeatAt ?? now,
    };
    const current = this.#current;
    if (current !== undefined) {
      doc.currentEntryId = current.entry.id;
      doc.currentStartedAt = current.startedAt - current.offsetMs;
      doc.positionMs = current.offsetMs + Math.max(0, now - current.startedAt);
    }
    if (this.#next !== undefined) doc.nextEntryId = this.#next.entry.id;
    if (this.#interrupted !== undefined) {
      doc.interrupted = {
        entryId: this.#interrupted.entry.id,
        positionMs: this.#interrupted.positionMs,
      };
    }
    if (this.#ownerId !== undefined) doc.ownerId = this.#ownerId;
    if (this.#fencingToken !== undefined) doc.fencingToken = this.#fencingToken;
    return doc;
  }

  #loseLease(reason: string): void {
    if (this.#leaseLost) return;
    this.#leaseLost = true;
    this.#logger.error("station is driven by a newer owner; stopping", {
      stationId: this.stationId,
      reason,
    });
    this.#emit({ type: "lease_lost", stationId: this.stationId, at: this.#time.now(), reason });
    this.#running = false;
  }

  async #subscribe(): Promise<void> {
    try {
      this.#subscriptions.push(
        await this.#engineCall("streamTelemetry", () =>
          this.#o.engine.streamTelemetry(this.stationId, (sample) => this.#onTelemetry(sample)),
        ),
      );
    } catch (error) {
      this.#logger.warn("telemetry subscription failed", {
        stationId: this.stationId,
        error: String(error),
      });
    }
    if (!this.#o.listenForSourceFailures) return;
    try {
      this.#subscriptions.push(
        await withTimeout(
          this.#o.bus.subscribe("source_failure", this.stationId, (event) => {
            const { source, reason } = event.payload;
            if (this.#ownFailureSources.has(source)) return;
            void this.reportSourceFailure(source, reason);
          }),
          this.#o.busTimeoutMs,
          () =>
            new GrimnirError(
              "BUS_UNAVAILABLE",
              "source_failure subscription not confirmed in time",
            ),
        ),
      );
    } catch (error) {
      this.#logger.warn("source_failure subscription failed; failures are still detected locally", {
        stationId: this.stationId,
        error: String(error),
      });
    }
  }

  // --- events ----------------------------------------------------------------

  #newMachine(initial: ExecutorStateName): ExecutorStateMachine {
    return new ExecutorStateMachine({
      initial,
      timeSource: this.#time,
      onChange: (change: StateChange) => {
        this.#outbox.publish("executor.state", this.stationId, {
          from: change.from,
          to: change.to,
          ...(change.reason === undefined ? {} : { reason: change.reason }),
        });
      },
      onReject: (rejected: RejectedTransition) => {
        this.#stats.invalidTransitions++;
        this.#logger.error("invalid executor transition refused", {
          stationId: this.stationId,
          from: rejected.from,
          to: rejected.to,
        });
        this.#emit({
          type: "invalid_transition",
          stationId: this.stationId,
          at: rejected.at,
          error: rejected.error,
        });
      },
    });
  }

  /** Transition if needed; an invalid transition is reported by the machine and leaves the state. */
  #transition(to: ExecutorStateName, reason: string): void {
    if (this.#machine.state === to) return;
    try {
      this.#machine.transition(to, reason);
    } catch (error) {
      if (!isGrimnirError(error, "INVALID_TRANSITION")) throw error;
      // Already counted, logged and emitted by onReject; the air itself is unaffected.
    }
  }

  #publishNowPlaying(payload: {
    entryId?: string;
    mediaId?: string;
    title?: string;
    artist?: string;
    startedAt: number;
    durationMs?: number;
    priority: Priority;
  }): void {
    const clean = Object.fromEntries(
      Object.entries(payload).filter(([, value]) => value !== undefined),
    ) as typeof payload;
    this.#outbox.publish("now_playing", this.stationId, clean);
  }

  #publishFailure(
    source: string,
    reason: string,
    action: "skipped" | "fallback" | "retrying",
  ): void {
    this.#ownFailureSources.add(source);
    this.#outbox.publish("source_failure", this.stationId, { source, reason, action });
  }

  #emit(event: ExecutorEvent): void {
    try {
      this.#onEvent?.(event);
    } catch (error) {
      this.#logger.error("executor event handler threw", {
        stationId: this.stationId,
        event: event.type,
        error: String(error),
      });
    }
  }
}
