import { GrimnirError, Priority } from "@grimnir/core";
import type { ExecutorStateName, ScheduleEntry, Subscription } from "@grimnir/core";
import { AUTOMATION_SOURCE_ID } from "./priority-service.js";
import type { ActiveSource } from "./priority-service.js";
import { storeEntryResolver } from "./entry-resolver.js";
import { ExecutorContext } from "./executor-context.js";
import { EngineLink } from "./engine-link.js";
import { MediaResolution } from "./media-resolution.js";
import { PlayHistoryLog } from "./play-history.js";
import { Automation } from "./automation.js";
import { FallbackAudio } from "./fallback-audio.js";
import { FailoverMonitor } from "./failover.js";
import { AirSwitch } from "./air-switch.js";
import { ExecutorPersistence } from "./persistence.js";
import { subscribeStation } from "./subscriptions.js";
import type { TimelineCache } from "./timeline-cache.js";
import type {
  FailoverCause,
  StationExecutorOptions,
  StationExecutorStats,
} from "./executor-types.js";

/**
 * Drives one station's air: plays the timeline through the media engine,
 * arbitrates the five priority tiers, fails over to fallback audio and
 * recovers, persists its state and reattaches after a restart.
 *
 * Guarantees:
 * - every state change goes through `ExecutorStateMachine`; an invalid one
 *   is reported (`onEvent`, logger, stats) and leaves the state unchanged;
 * - the bus and the Store are never on the audio path: publishes and writes are
 *   queued, retried each tick and counted, and the timeline is served from a
 *   48 h in-memory cache while the Store is down;
 * - hard-timed entries are handed to the engine with `atMs` = planned start;
 *   soft entries start when the previous item ends;
 * - `insertEmergency` calls the engine before any other I/O.
 *
 * The work is split by idea: automation (timeline walking, preload, starts),
 * the air switch (tiers, fades, failback), failover detection, fallback audio,
 * persistence and publishing; this class composes them and serialises every
 * action on one chain.
 */
export class StationExecutor {
  /** The station this executor drives. */
  readonly stationId: string;
  readonly #ctx: ExecutorContext;
  readonly #engine: EngineLink;
  readonly #media: MediaResolution;
  readonly #automation: Automation;
  readonly #failover: FailoverMonitor;
  readonly #air: AirSwitch;
  readonly #persistence: ExecutorPersistence;
  #chain: Promise<unknown> = Promise.resolve();
  #subscriptions: Subscription[] = [];
  #loop: Promise<void> | undefined;
  #wakeLoop: (() => void) | undefined;

  /** An executor for `options.stationId`; nothing happens until {@link start}. */
  constructor(options: StationExecutorOptions) {
    this.stationId = options.stationId;
    const ctx = new ExecutorContext(options);
    this.#ctx = ctx;
    const engine = new EngineLink(ctx);
    this.#media = new MediaResolution(
      ctx,
      options.resolveEntry ?? storeEntryResolver(options.store),
    );
    const history = new PlayHistoryLog(ctx);
    const automation = new Automation(ctx, engine, this.#media, history);
    this.#automation = automation;
    const fallback = new FallbackAudio(ctx, engine, history);
    this.#failover = new FailoverMonitor(ctx, engine, automation, history);
    automation.onItemStart = () => this.#failover.resetSilence();
    this.#air = new AirSwitch({
      ctx,
      engine,
      automation,
      fallback,
      failover: this.#failover,
      media: this.#media,
      history,
    });
    this.#persistence = new ExecutorPersistence(ctx, history);
    ctx.persist = () => this.#persistence.persist();
    ctx.requestReconcile = () => void this.#serial(() => this.#air.reconcile());
    this.#engine = engine;
  }

  /** Current state of the six. */
  get state(): ExecutorStateName {
    return this.#ctx.state;
  }

  /** The source on air as the engine was last told, if any. */
  get onAir(): ActiveSource | undefined {
    return this.#ctx.applied;
  }

  /** Active sources, highest tier first. */
  get sources(): ActiveSource[] {
    return this.#ctx.priority.sources;
  }

  /** Schedule entry on air (automation), if any. */
  get currentEntryId(): string | undefined {
    return this.#ctx.current?.entry.id;
  }

  /** Position in the current entry's playable audio, ms, if automation is on air. */
  get positionMs(): number | undefined {
    const current = this.#ctx.current;
    if (current === undefined) return undefined;
    return current.offsetMs + Math.max(0, this.#ctx.time.now() - current.startedAt);
  }

  /** Entry preloaded or scheduled next, if any. */
  get nextEntryId(): string | undefined {
    return this.#ctx.next?.entry.id;
  }

  /** Active failover causes and the source each concerns. */
  get failoverCauses(): ReadonlyMap<FailoverCause, string> {
    return this.#ctx.causes;
  }

  /** The in-memory timeline. */
  get timeline(): TimelineCache {
    return this.#ctx.timeline;
  }

  /** True between {@link start} and {@link stop}. */
  get running(): boolean {
    return this.#ctx.running;
  }

  /** Counters since construction. */
  get stats(): StationExecutorStats {
    const ctx = this.#ctx;
    const bus = ctx.outbox.stats;
    const store = ctx.writes.stats;
    return {
      ...ctx.stats,
      busFailures: bus.failures,
      busPending: bus.pending,
      busDropped: bus.dropped,
      storeFailures: store.failures,
      storePending: store.pending,
      timelineReadFailures: ctx.timeline.failures,
    };
  }

  /**
   * Load the timeline and the persisted state, ask the engine what it plays and
   * take over from there without touching audio that already plays (reattach);
   * when the engine plays nothing for the station, start at the position the
   * timeline gives for now. With `runLoop: false` nothing runs until {@link tick}.
   */
  async start(options: { runLoop?: boolean } = {}): Promise<void> {
    const ctx = this.#ctx;
    if (ctx.running) return;
    ctx.running = true;
    ctx.leaseLost = false;
    await ctx.timeline.refresh();
    const persisted = await this.#persistence.read();
    const engineStation = await this.#engine.station();
    this.#persistence.restore(persisted, engineStation);
    this.#subscriptions = await subscribeStation(ctx, this.#engine, {
      onTelemetry: (sample) => this.#failover.onTelemetry(sample),
      onSourceFailure: (source, reason) => void this.reportSourceFailure(source, reason),
    });
    this.#media.maybePrefetch();
    await this.#serial(() => this.#air.reconcile());
    if (options.runLoop ?? true) this.#loop = this.#runLoop();
  }

  /**
   * Stop driving the station: the loop ends, subscriptions close and pending
   * writes get one more try. The engine keeps playing (a new owner reattaches).
   */
  async stop(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx.running) return;
    ctx.running = false;
    const subscriptions = this.#subscriptions;
    this.#subscriptions = [];
    for (const subscription of subscriptions) {
      await subscription.unsubscribe().catch((error: unknown) => {
        ctx.logger.warn("unsubscribe failed", { stationId: this.stationId, error: String(error) });
      });
    }
    this.#wakeLoop?.();
    await this.#loop;
    this.#loop = undefined;
    if (!ctx.leaseLost) {
      this.#persistence.persist();
      await ctx.writes.flush();
    }
    await ctx.outbox.flush();
  }

  /** One pass of the control loop at the time source's now; serialised with every other action. */
  tick(): Promise<void> {
    return this.#serial(async () => {
      const ctx = this.#ctx;
      ctx.stats.ticks++;
      ctx.timeline.maybeRefresh();
      this.#media.maybePrefetch();
      void ctx.outbox.flush();
      void ctx.writes.flush();
      await this.#failover.checkEngine();
      await this.#air.reconcile();
      ctx.timeline.prune(ctx.time.now() - 60 * 60 * 1000);
      if (ctx.stats.ticks % 240 === 0) this.#forgetOldEntries();
      this.#persistence.persistIfDue();
    });
  }

  /** Re-read the timeline now (e.g. on `schedule.updated`); resolves true when the Store answered. */
  refreshTimeline(): Promise<boolean> {
    return this.#ctx.timeline.refresh();
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
    const ctx = this.#ctx;
    if (!ctx.running) {
      throw new GrimnirError(
        ctx.leaseLost ? "LEASE_LOST" : "CONFLICT",
        `executor of station ${this.stationId} is not running; insert the emergency through its owner`,
        { details: { stationId: this.stationId } },
      );
    }
    const source: ActiveSource = {
      id: `emergency:${emergency.id}`,
      priority: Priority.Emergency,
      activatedAt: ctx.time.now(),
      uri: emergency.uri,
      title: emergency.title ?? "Emergency alert",
    };
    ctx.priority.activate(source);
    // Bypass the serial chain: an emergency must not wait for a slow tick. Marked
    // before the first await so a tick meanwhile does not insert it a second time.
    ctx.urgentSwitches++;
    try {
      await this.#air.switchTo(ctx.priority.onAir, true);
    } finally {
      ctx.urgentSwitches--;
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
    /** Now-playing title and play history title (default "Live"). */
    title?: string;
    artist?: string;
  }): Promise<void> {
    const ctx = this.#ctx;
    const source: ActiveSource = {
      id: `live:${live.sessionId}`,
      priority: live.priority,
      activatedAt: ctx.time.now(),
      uri: live.inputUri,
      title: live.title ?? "Live",
      ...(live.artist === undefined ? {} : { artist: live.artist }),
    };
    return this.#serial(async () => {
      ctx.priority.activate(source);
      this.#persistence.persist();
      await this.#air.reconcile();
    });
  }

  /**
   * The live session's stream metadata changed (a new song, a new show
   * title): `now_playing` says so and the play history closes the previous
   * record and opens one with this title and artist. Resolves false when the
   * session is not active.
   */
  setLiveMetadata(
    sessionId: string,
    metadata: { title?: string; artist?: string },
  ): Promise<boolean> {
    return this.#serial(async () => this.#air.liveMetadata(`live:${sessionId}`, metadata));
  }

  /**
   * A webstream switched URL (failover or recovery): forget what its entries
   * resolved to and the failures the old URL caused (silence, source failure),
   * and, when one of its entries is on air, play it again from the new URL
   * with the entry's crossfade; when the old URL's failure had taken it off
   * the air, it comes back. Resolves true when an entry of the webstream is on
   * air from the new URL.
   */
  refreshWebstream(webstreamId: string): Promise<boolean> {
    return this.#serial(async () => {
      const ctx = this.#ctx;
      const ofIt = (e: ScheduleEntry): boolean =>
        e.kind === "webstream" && e.webstreamId === webstreamId;
      for (const entry of ctx.timeline.entries) {
        if (!ofIt(entry)) continue;
        this.#media.forgetEntry(entry.id);
        ctx.failedEntries.delete(entry.id);
        for (const [cause, source] of [...ctx.causes]) {
          if (source !== entry.id) continue;
          ctx.causes.delete(cause);
          ctx.emit({ type: "recovered", stationId: this.stationId, at: ctx.time.now(), cause });
        }
      }
      if (await this.#automation.replayCurrent(ofIt)) return true;
      await this.#air.reconcile();
      const current = ctx.current;
      return (
        ctx.applied?.id === AUTOMATION_SOURCE_ID && current !== undefined && ofIt(current.entry)
      );
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
      const ctx = this.#ctx;
      const liveOrEmergency = ctx.priority.sources.find(
        (s) => s.id === source || s.id === `live:${source}` || s.id === `emergency:${source}`,
      );
      if (liveOrEmergency !== undefined) {
        ctx.priority.deactivate(liveOrEmergency.id);
        ctx.publish.failure(liveOrEmergency.id, reason, "skipped");
      } else if (
        ctx.current !== undefined &&
        (source === ctx.current.entry.id || source === AUTOMATION_SOURCE_ID)
      ) {
        ctx.failover("source_failure", ctx.current.entry.id, reason);
      } else {
        ctx.logger.warn("source failure for a source not on air", {
          stationId: this.stationId,
          source,
          reason,
        });
        return;
      }
      await this.#air.reconcile();
    });
  }

  /** Set the owner and fencing token written with the state (after a lease renewal). */
  setOwnership(ownerId: string, fencingToken: number): void {
    this.#ctx.ownerId = ownerId;
    this.#ctx.fencingToken = fencingToken;
  }

  /** Drop per-entry bookkeeping of entries that left the cached timeline. */
  #forgetOldEntries(): void {
    const ctx = this.#ctx;
    const known = new Set(ctx.timeline.entries.map((e) => e.id));
    for (const set of [ctx.failedEntries, ctx.endedEntries]) {
      for (const id of set) if (!known.has(id)) set.delete(id);
    }
    this.#media.forget(known);
  }

  async #runLoop(): Promise<void> {
    const ctx = this.#ctx;
    while (ctx.running) {
      await this.tick();
      if (!ctx.running) break;
      await Promise.race([
        ctx.time.sleep(ctx.o.tickMs),
        new Promise<void>((resolve) => {
          this.#wakeLoop = resolve;
        }),
      ]);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch((error: unknown) => {
      this.#ctx.logger.error("executor step failed", {
        stationId: this.stationId,
        error: String(error),
      });
    });
    return run;
  }

  #deactivate(id: string): Promise<void> {
    return this.#serial(async () => {
      this.#ctx.priority.deactivate(id);
      this.#persistence.persist();
      await this.#air.reconcile();
    });
  }
}
