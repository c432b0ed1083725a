import type { Priority } from "../priority.js";
import type { ExecutorStateName } from "../model/executor-state.js";

/** Payloads of every topic. Adding a topic here types it everywhere. */
export interface EventMap {
  now_playing: {
    entryId?: string;
    mediaId?: string;
    title?: string;
    artist?: string;
    album?: string;
    /** When it started on air, epoch ms. */
    startedAt: number;
    /** Playable length, ms, when known. */
    durationMs?: number;
    priority: Priority;
  };
  source_failure: { source: string; reason: string; action: "skipped" | "fallback" | "retrying" };
  buffer_health: { depthMs: number; underruns: number; status: "ok" | "low" | "empty" };
  metrics: {
    /** Peak levels, dBFS. */
    levelLeftDb: number;
    levelRightDb: number;
    /** Momentary loudness, LUFS. */
    loudnessLufs: number;
    bufferDepthMs: number;
    underruns: number;
  };
  "dj.connect": { sessionId: string; userId: string; mountId: string; priority: 1 | 2 };
  "dj.disconnect": { sessionId: string; userId: string; reason: string };
  "webstream.failover": { webstreamId: string; fromUrl: string; toUrl: string; reason: string };
  "webstream.recovered": { webstreamId: string; url: string };
  "priority.changed": { from?: Priority; to: Priority; sourceId: string };
  "schedule.updated": { from: number; to: number; entries: number };
  "executor.state": { from: ExecutorStateName; to: ExecutorStateName; reason?: string };
  /** Progress of an import job (HTTP `POST /api/v1/imports`); `done`/`total` count records of `phase`. */
  "import.progress": {
    jobId: string;
    source: string;
    status: "running" | "done" | "failed";
    phase: string;
    done: number;
    total: number;
  };
}

/** Every topic name. */
export type Topic = keyof EventMap;

/** All topic names, in a stable order. */
export const TOPICS: readonly Topic[] = [
  "now_playing",
  "source_failure",
  "buffer_health",
  "metrics",
  "dj.connect",
  "dj.disconnect",
  "webstream.failover",
  "webstream.recovered",
  "priority.changed",
  "schedule.updated",
  "executor.state",
  "import.progress",
];

/** Version of the event envelope on the wire. */
export const EVENT_ENVELOPE_VERSION = 1;

/** An event as delivered: the payload with its routing and identity. */
export interface BusEvent<K extends Topic = Topic> {
  /** Envelope version, {@link EVENT_ENVELOPE_VERSION}. */
  v: number;
  /** Unique id of this event. */
  id: string;
  topic: K;
  stationId: string;
  /** Publish time, epoch ms. */
  at: number;
  payload: EventMap[K];
}

/** Handler for delivered events. Errors it throws are reported, never propagated to the publisher. */
export type EventHandler<K extends Topic = Topic> = (event: BusEvent<K>) => void | Promise<void>;

/** A live subscription. */
export interface Subscription {
  /** Stop delivery. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Connection health, for /readyz. */
export interface BusHealth {
  connected: boolean;
  /** Events waiting to be sent while disconnected. */
  outboxSize: number;
  /** Events dropped from a full outbox since start. */
  dropped: number;
  /** Last connection error, if any. */
  lastError?: string;
}

/**
 * Station-scoped publish/subscribe.
 *
 * Delivery semantics every implementation gives (checked by `describeBusConformance`):
 * - at-most-once: a subscriber receives an event at most once, and only events
 *   published after its `subscribe` resolved;
 * - per-publisher order: events one bus client publishes to one station and topic
 *   arrive in publish order;
 * - isolation: a subscriber to station A never sees station B's events (unless it
 *   subscribed to "*");
 * - `publish` never blocks on slow subscribers and never throws because of them.
 */
export interface EventBus {
  /** Publish `payload` on `topic` for `stationId`. Resolves when handed to the transport. */
  publish<K extends Topic>(topic: K, stationId: string, payload: EventMap[K]): Promise<BusEvent<K>>;
  /** Receive `topic` (or every topic with "*") for `stationId` (or every station with "*"). */
  subscribe<K extends Topic>(
    topic: K | "*",
    stationId: string | "*",
    handler: EventHandler<K>,
  ): Promise<Subscription>;
  /** Connection health and outbox size, for /readyz; never throws. */
  health(): BusHealth;
  /** Stop all subscriptions and release the connection. */
  close(): Promise<void>;
}
