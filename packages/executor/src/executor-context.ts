import { SystemTimeSource, isGrimnirError } from "@grimnir/core";
import type { ExecutorStateName, ScheduleEntry, TimeSource } from "@grimnir/core";
import { ExecutorStateMachine } from "./state-machine.js";
import { EventOutbox } from "./event-outbox.js";
import { WriteBehind } from "./write-behind.js";
import { TimelineCache } from "./timeline-cache.js";
import { consoleLogger } from "./logger.js";
import type { ExecutorLogger } from "./logger.js";
import { PriorityService } from "./priority-service.js";
import type { ActiveSource } from "./priority-service.js";
import type { ExecutorEvent, FailoverCause, StationExecutorOptions } from "./executor-types.js";
import type { PlayRecord } from "./play-history.js";
import { ExecutorPublisher } from "./publishing.js";

/** The executor's options with every default applied. */
export type ResolvedExecutorOptions = Required<
  Omit<
    StationExecutorOptions,
    "ownerId" | "fencingToken" | "onEvent" | "logger" | "resolveEntry" | "timeSource"
  >
>;

/** An automation item on air. */
export interface OnAirItem {
  entry: ScheduleEntry;
  /** When it went (or goes) on air, epoch ms. */
  startedAt: number;
  /** Offset into the entry's playable audio it started at, ms. */
  offsetMs: number;
  /** When it is expected to end, epoch ms. */
  endsAt: number;
  /** Its play history record. */
  history: PlayRecord;
}

/** The next automation item, between preload and start. */
export interface NextItem {
  entry: ScheduleEntry;
  /** When it must start, epoch ms. */
  dueAt: number;
  preloaded: boolean;
  /** `play` with `atMs` was accepted by the engine. */
  started: boolean;
}

/** Schedule entry kinds the engine can play. */
export const PLAYABLE_KINDS = new Set<ScheduleEntry["kind"]>(["media", "stopset", "webstream"]);

/** Identity of a source activation: the same id activated again is a new activation. */
export function sourceKey(source: ActiveSource | undefined): string {
  return source === undefined ? "" : `${source.id}@${source.activatedAt}`;
}

/** Resolve the defaults of `options`. */
function resolveOptions(options: StationExecutorOptions): ResolvedExecutorOptions {
  return {
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
}

/**
 * The state one station's executor parts share (automation, air switching,
 * failover, persistence, publishing) and the few actions all of them use:
 * state transitions, events, bus publishes and failover bookkeeping.
 * Internal to the package; `StationExecutor` composes the parts over it.
 */
export class ExecutorContext {
  /** The station driven. */
  readonly stationId: string;
  /** Options with defaults applied. */
  readonly o: ResolvedExecutorOptions;
  /** Clock of every decision. */
  readonly time: TimeSource;
  /** Where warnings and errors go. */
  readonly logger: ExecutorLogger;
  /** Bus publishes, queued and retried. */
  readonly outbox: EventOutbox;
  /** What the executor says on the bus. */
  readonly publish: ExecutorPublisher;
  /** Store writes, queued and retried. */
  readonly writes: WriteBehind;
  /** The in-memory timeline. */
  readonly timeline: TimelineCache;
  /** The five-tier ladder. */
  readonly priority = new PriorityService();
  /** Active failover causes and the source each concerns. */
  readonly causes = new Map<FailoverCause, string>();
  /** Entries taken off the air (failed, refused, silent). */
  readonly failedEntries = new Set<string>();
  /** Entries that played to their end. */
  readonly endedEntries = new Set<string>();
  /** Counters kept here; bus and store counters come from the outbox and write queue. */
  readonly stats = { ticks: 0, engineFailures: 0, invalidTransitions: 0, failovers: 0 };
  readonly #onEvent: ((event: ExecutorEvent) => void) | undefined;
  /** The state machine of the six states. */
  machine: ExecutorStateMachine;
  /** Instance driving the station and its fencing token. */
  ownerId: string | undefined;
  fencingToken: number | undefined;
  /** The source on air as the engine was last told. */
  applied: ActiveSource | undefined;
  /** Bumped by every switch of the air; a step that sees it changed gives way. */
  switchGeneration = 0;
  /** Urgent switches (emergency inserts) running outside the serial chain; reconcile waits for them. */
  urgentSwitches = 0;
  /** Automation item on air. */
  current: OnAirItem | undefined;
  /** Automation item preloaded or scheduled next. */
  next: NextItem | undefined;
  /** Automation item a higher tier interrupted and where. */
  interrupted: { entry: ScheduleEntry; positionMs: number } | undefined;
  /** Fallback item on air. */
  fallback: { index: number; startedAt: number } | undefined;
  /** A fade in progress and the state it ends in. */
  fadeDone: { at: number; to: ExecutorStateName } | undefined;
  /** Last telemetry heartbeat, epoch ms. */
  lastHeartbeatAt: number | undefined;
  /** True between start and stop. */
  running = false;
  /** A newer owner drives the station. */
  leaseLost = false;
  /** Queue a write of the state (set by the persistence part). */
  persist: () => void = () => undefined;
  /** Re-run the control step soon, serialised (set by the executor). */
  requestReconcile: () => void = () => undefined;

  /** Shared state for `options.stationId`, idle. */
  constructor(options: StationExecutorOptions) {
    this.stationId = options.stationId;
    this.time = options.timeSource ?? new SystemTimeSource();
    this.logger = options.logger ?? consoleLogger;
    this.#onEvent = options.onEvent;
    this.ownerId = options.ownerId;
    this.fencingToken = options.fencingToken;
    this.o = resolveOptions(options);
    this.outbox = new EventOutbox(options.bus, {
      logger: this.logger,
      publishTimeoutMs: this.o.busTimeoutMs,
    });
    this.publish = new ExecutorPublisher(this.stationId, this.outbox);
    this.writes = new WriteBehind({
      logger: this.logger,
      timeoutMs: this.o.storeTimeoutMs,
      context: { stationId: this.stationId },
    });
    this.timeline = new TimelineCache({
      stationId: this.stationId,
      store: options.store,
      timeSource: this.time,
      logger: this.logger,
      horizonMs: this.o.timelineHorizonMs,
      refreshEveryMs: this.o.timelineRefreshEveryMs,
      readTimeoutMs: this.o.storeTimeoutMs,
    });
    this.machine = this.newMachine("idle");
  }

  /** Current state of the six. */
  get state(): ExecutorStateName {
    return this.machine.state;
  }

  /** A state machine starting at `initial` that publishes `executor.state` and reports refusals. */
  newMachine(initial: ExecutorStateName): ExecutorStateMachine {
    return new ExecutorStateMachine({
      initial,
      timeSource: this.time,
      onChange: (change) => this.publish.stateChanged(change),
      onReject: (rejected) => {
        this.stats.invalidTransitions++;
        this.logger.error("invalid executor transition refused", {
          stationId: this.stationId,
          from: rejected.from,
          to: rejected.to,
        });
        this.emit({
          type: "invalid_transition",
          stationId: this.stationId,
          at: rejected.at,
          error: rejected.error,
        });
      },
    });
  }

  /** Transition if needed; an invalid transition is reported by the machine and leaves the state. */
  transition(to: ExecutorStateName, reason: string): void {
    if (this.machine.state === to) return;
    try {
      this.machine.transition(to, reason);
    } catch (error) {
      if (!isGrimnirError(error, "INVALID_TRANSITION")) throw error;
      // Already counted, logged and emitted by onReject; the air itself is unaffected.
    }
  }

  /** Record a failover cause (once while it lasts): publish, count and tell the owner. */
  failover(cause: FailoverCause, source: string, reason: string): void {
    if (this.causes.has(cause)) return;
    this.causes.set(cause, source);
    if (cause !== "engine") this.failedEntries.add(source);
    this.stats.failovers++;
    this.publish.failure(source, reason, "fallback");
    this.emit({ type: "failover", stationId: this.stationId, at: this.time.now(), cause, source });
  }

  /** Tell the owner; a throwing handler is logged, never propagated. */
  emit(event: ExecutorEvent): void {
    try {
      this.#onEvent?.(event);
    } catch (error) {
      this.logger.error("executor event handler threw", {
        stationId: this.stationId,
        event: event.type,
        error: String(error),
      });
    }
  }
}
