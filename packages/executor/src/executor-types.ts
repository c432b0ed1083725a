import type {
  EventBus,
  ExecutorState,
  ExecutorStateName,
  FadeCurve,
  GrimnirError,
  MediaEngine,
  Store,
  TimeSource,
} from "@grimnir/core";
import type { EntryResolver } from "./entry-resolver.js";
import type { ExecutorLogger } from "./logger.js";
import type { ActiveSource } from "./priority-service.js";

/** One item of the station's fallback (dead-air prevention) audio. */
export interface FallbackItem {
  /** File path or URL the engine decodes. */
  uri: string;
  /** Length, ms; the next fallback item starts after it. Absent: the item loops by itself. */
  durationMs?: number;
  title?: string;
  artist?: string;
}

/** Why automation was taken off the air in favour of fallback audio. */
export type FailoverCause = "silence" | "source_failure" | "engine";

/** What a {@link StationExecutor} reports to its owner besides the bus. */
export type ExecutorEvent =
  | { type: "invalid_transition"; stationId: string; at: number; error: GrimnirError }
  | { type: "failover"; stationId: string; at: number; cause: FailoverCause; source: string }
  | { type: "recovered"; stationId: string; at: number; cause: FailoverCause }
  | { type: "reattached"; stationId: string; at: number; itemId?: string; state: ExecutorStateName }
  | { type: "lease_lost"; stationId: string; at: number; reason: string };

/** Options of {@link StationExecutor}. Durations are ms of the time source unless they say "real time". */
export interface StationExecutorOptions {
  stationId: string;
  engine: MediaEngine;
  store: Store;
  bus: EventBus;
  /** Default: the system clock. */
  timeSource?: TimeSource;
  /** Default: {@link consoleLogger}. */
  logger?: ExecutorLogger;
  /** Default: {@link storeEntryResolver} over `store`. */
  resolveEntry?: EntryResolver;
  /** Preload the next item this long before it starts (default 30 000). */
  preloadMs?: number;
  /** Hand `play` with `atMs` to the engine this long before the start (default 1000). */
  startLeadMs?: number;
  /** Interval of the control loop (default 250). */
  tickMs?: number;
  /** Crossfade between timeline items when the entry gives no fade (default 0 = gapless cut). */
  crossfadeMs?: number;
  /** Shape of every fade (default "scurve"). */
  curve?: FadeCurve;
  /** Fade of a preemption by a live source and of a stop (default 500). */
  preemptFadeMs?: number;
  /** Longest fade an emergency insert may use (default 50). */
  emergencyFadeMs?: number;
  /** Crossfade in when automation or fallback comes back after live/emergency (default 2000). */
  resumeCrossfadeMs?: number;
  /** Resume the interrupted item where it stopped instead of the item planned for now (default false). */
  resumeWhereInterrupted?: boolean;
  /** Dead-air prevention audio, played at fallback priority (default none). */
  fallback?: FallbackItem[];
  /** Peak level below which a telemetry sample counts as silence, dBFS (default −50). */
  silenceThresholdDb?: number;
  /** Silence longer than this takes the item off the air (default 5000). */
  silenceWindowMs?: number;
  /** How often the engine's status is checked (default 500). */
  engineCheckEveryMs?: number;
  /**
   * An engine command (preload, play, insert, stop…) not answered within this
   * many ms of real time fails (default 3000: a real preload waits for the
   * decoder and takes from ~100 ms to ~1 s on a loaded machine).
   */
  engineTimeoutMs?: number;
  /**
   * A `status` call not answered within this many ms of real time fails; kept
   * short so a hung engine is noticed quickly (default 400, at most `engineTimeoutMs`).
   */
  engineStatusTimeoutMs?: number;
  /**
   * The engine renders ahead and reports `idle` shortly before an item's
   * planned end: an idle engine within this many ms of the item's end is the
   * item ending, not lost audio, and an item this close to its end is not
   * (re)started (default 500).
   */
  endToleranceMs?: number;
  /**
   * An entry whose media could not be resolved (Store down) is retried after
   * this long instead of being skipped for good (default 5000).
   */
  resolveRetryMs?: number;
  /** How often the timeline is re-read from the Store (default 60 000). */
  timelineRefreshEveryMs?: number;
  /** How far ahead the timeline is cached (default 48 h). */
  timelineHorizonMs?: number;
  /** Store calls not answered within this many ms of real time fail (default 2000). */
  storeTimeoutMs?: number;
  /** Bus publishes not answered within this many ms of real time fail (default 2000). */
  busTimeoutMs?: number;
  /** React to `source_failure` events other publishers send for this station (default true). */
  listenForSourceFailures?: boolean;
  /** Write the state (position, heartbeat) at least this often, and on every change (default 5000). */
  persistEveryMs?: number;
  /** Instance driving the station and its lease's fencing token, written with the state. */
  ownerId?: string;
  fencingToken?: number;
  /** Told about failovers, reattachment, invalid transitions and lost ownership. */
  onEvent?: (event: ExecutorEvent) => void;
}

/**
 * The state record the executor writes: core's `ExecutorState` (current item,
 * position, priority stack, open play history record) and the item a higher
 * tier interrupted; adapters store it as a document.
 */
export interface PersistedExecutorState extends ExecutorState {
  /** Active live and emergency sources (automation and fallback are derived). */
  sources?: ActiveSource[];
  /** Entry interrupted by a higher tier and the position it had, for "resume where interrupted". */
  interrupted?: { entryId: string; positionMs: number };
}

/** Counters of a {@link StationExecutor}, for metrics. */
export interface StationExecutorStats {
  ticks: number;
  busFailures: number;
  busPending: number;
  busDropped: number;
  storeFailures: number;
  storePending: number;
  timelineReadFailures: number;
  engineFailures: number;
  invalidTransitions: number;
  failovers: number;
}
