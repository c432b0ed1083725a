import type { Priority, TelemetrySample } from "@grimnir/core";
import type { EventOutbox } from "./event-outbox.js";
import type { StateChange } from "./state-machine.js";

/** What `now_playing` says about the item on air; absent fields are left out. */
export interface NowPlaying {
  entryId?: string;
  mediaId?: string;
  title?: string;
  artist?: string;
  /** When it went on air, epoch ms. */
  startedAt: number;
  /** Expected length, ms. */
  durationMs?: number;
  /** Tier it plays at. */
  priority: Priority;
}

/**
 * Everything one station's executor says on the bus: `now_playing`,
 * `executor.state`, `priority.changed`, `source_failure`, `metrics` and
 * `buffer_health`. Publishes go through the outbox: queued, retried, never
 * on the audio path.
 */
export class ExecutorPublisher {
  readonly #stationId: string;
  readonly #outbox: EventOutbox;
  /** Sources this executor reported as failed itself (ignored when they come back on the bus). */
  readonly ownFailureSources = new Set<string>();

  /** Publishes for `stationId` through `outbox`. */
  constructor(stationId: string, outbox: EventOutbox) {
    this.#stationId = stationId;
    this.#outbox = outbox;
  }

  /** Publish `now_playing` without absent fields. */
  nowPlaying(payload: NowPlaying): void {
    const clean = Object.fromEntries(
      Object.entries(payload).filter(([, value]) => value !== undefined),
    ) as unknown as NowPlaying;
    this.#outbox.publish("now_playing", this.#stationId, clean);
  }

  /** Publish `executor.state` for a transition. */
  stateChanged(change: StateChange): void {
    this.#outbox.publish("executor.state", this.#stationId, {
      from: change.from,
      to: change.to,
      ...(change.reason === undefined ? {} : { reason: change.reason }),
    });
  }

  /** Publish `priority.changed` when a different source took the air. */
  priorityChanged(from: Priority | undefined, to: Priority, sourceId: string): void {
    this.#outbox.publish("priority.changed", this.#stationId, {
      ...(from === undefined ? {} : { from }),
      to,
      sourceId,
    });
  }

  /** Publish `source_failure` for a source this executor gave up on. */
  failure(source: string, reason: string, action: "skipped" | "fallback" | "retrying"): void {
    this.ownFailureSources.add(source);
    this.#outbox.publish("source_failure", this.#stationId, { source, reason, action });
  }

  /** Publish `metrics` and `buffer_health` for an engine telemetry sample. */
  telemetry(sample: TelemetrySample): void {
    this.#outbox.publish("metrics", this.#stationId, {
      levelLeftDb: sample.levelLeftDb,
      levelRightDb: sample.levelRightDb,
      loudnessLufs: sample.loudnessLufs,
      bufferDepthMs: sample.bufferDepthMs,
      underruns: sample.underruns,
    });
    this.#outbox.publish("buffer_health", this.#stationId, {
      depthMs: sample.bufferDepthMs,
      underruns: sample.underruns,
      status: sample.bufferDepthMs <= 0 ? "empty" : sample.bufferDepthMs < 500 ? "low" : "ok",
    });
  }
}
