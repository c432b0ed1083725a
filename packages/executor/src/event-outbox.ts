import type { EventBus, EventMap, Topic } from "@grimnir/core";
import { withTimeout, type ExecutorLogger } from "./logger.js";
import { GrimnirError } from "@grimnir/core";

/** Options of {@link EventOutbox}. */
export interface EventOutboxOptions {
  /** Most events kept while the bus is down; the oldest are dropped beyond it (default 1000). */
  capacity?: number;
  /** A publish not answered within this many ms of real time counts as failed (default 2000). */
  publishTimeoutMs?: number;
  /** Where failures are reported (only the first of a run of failures is logged). */
  logger: ExecutorLogger;
}

/** Counters of an {@link EventOutbox}. */
export interface EventOutboxStats {
  /** Events handed to the bus. */
  published: number;
  /** Publish attempts that failed or timed out. */
  failures: number;
  /** Events dropped because the outbox was full. */
  dropped: number;
  /** Events waiting for the bus. */
  pending: number;
}

interface Pending {
  topic: Topic;
  stationId: string;
  payload: EventMap[Topic];
}

/**
 * Publishes executor events so that a failing bus can never stop playout:
 * {@link publish} never throws and never waits for the bus; events queue in
 * order and are sent one at a time; a failed send stays at the head of the
 * queue until {@link flush} is called again (the executor calls it every tick),
 * so per-station order is kept across an outage.
 */
export class EventOutbox {
  readonly #bus: EventBus;
  readonly #capacity: number;
  readonly #timeoutMs: number;
  readonly #logger: ExecutorLogger;
  readonly #queue: Pending[] = [];
  #sending: Promise<void> | undefined;
  #failing = false;
  #stats = { published: 0, failures: 0, dropped: 0 };

  /** An outbox in front of `bus`. */
  constructor(bus: EventBus, options: EventOutboxOptions) {
    this.#bus = bus;
    this.#capacity = options.capacity ?? 1000;
    this.#timeoutMs = options.publishTimeoutMs ?? 2000;
    this.#logger = options.logger;
  }

  /** Counters since construction. */
  get stats(): EventOutboxStats {
    return { ...this.#stats, pending: this.#queue.length };
  }

  /** Queue an event and start sending; returns at once. */
  publish<K extends Topic>(topic: K, stationId: string, payload: EventMap[K]): void {
    if (this.#queue.length >= this.#capacity) {
      this.#queue.shift();
      this.#stats.dropped++;
    }
    this.#queue.push({ topic, stationId, payload });
    void this.flush();
  }

  /**
   * Send queued events in order until the queue is empty or a send fails.
   * Resolves when this attempt is over; never rejects.
   */
  flush(): Promise<void> {
    if (this.#sending !== undefined) return this.#sending;
    if (this.#queue.length === 0) return Promise.resolve();
    this.#sending = this.#drain().finally(() => {
      this.#sending = undefined;
    });
    return this.#sending;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      try {
        await withTimeout(
          this.#bus.publish(next.topic, next.stationId, next.payload),
          this.#timeoutMs,
          () =>
            new GrimnirError(
              "BUS_UNAVAILABLE",
              `bus did not accept ${next.topic} within ${this.#timeoutMs} ms`,
            ),
        );
      } catch (error) {
        this.#stats.failures++;
        if (!this.#failing) {
          this.#failing = true;
          this.#logger.warn("bus publish failed; events are kept and retried", {
            topic: next.topic,
            stationId: next.stationId,
            pending: this.#queue.length,
            error: String(error),
          });
        }
        return;
      }
      if (this.#queue[0] === next) this.#queue.shift();
      this.#stats.published++;
      this.#failing = false;
    }
  }
}
