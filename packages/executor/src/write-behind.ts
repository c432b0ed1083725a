import type { ExecutorLogger } from "./logger.js";
import { withTimeout } from "./logger.js";
import { GrimnirError } from "@grimnir/core";

/** Counters of a {@link WriteBehind} queue. */
export interface WriteBehindStats {
  /** Writes that reached the Store. */
  written: number;
  /** Attempts that failed (each is retried). */
  failures: number;
  /** Writes dropped because the queue was full. */
  dropped: number;
  /** Writes waiting. */
  pending: number;
}

interface Write {
  label: string;
  run: () => Promise<unknown>;
}

/**
 * Store writes done behind playout: {@link enqueue} returns at once, writes
 * run in order, a failed write stays at the head and is retried on the next
 * {@link flush} — so a Store outage delays history and never the audio.
 */
export class WriteBehind {
  readonly #queue: Write[] = [];
  readonly #logger: ExecutorLogger;
  readonly #timeoutMs: number;
  readonly #capacity: number;
  readonly #context: Record<string, unknown>;
  #running: Promise<void> | undefined;
  #failing = false;
  #stats = { written: 0, failures: 0, dropped: 0 };

  /** A queue reporting to `logger`; writes time out after `timeoutMs` of real time. */
  constructor(options: {
    logger: ExecutorLogger;
    timeoutMs?: number;
    capacity?: number;
    context?: Record<string, unknown>;
  }) {
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#capacity = options.capacity ?? 10_000;
    this.#context = options.context ?? {};
  }

  /** Counters since construction. */
  get stats(): WriteBehindStats {
    return { ...this.#stats, pending: this.#queue.length };
  }

  /** Queue a write and start the queue; returns at once. */
  enqueue(label: string, run: () => Promise<unknown>): void {
    if (this.#queue.length >= this.#capacity) {
      this.#queue.shift();
      this.#stats.dropped++;
    }
    this.#queue.push({ label, run });
    void this.flush();
  }

  /** Run queued writes in order until empty or one fails; never rejects. */
  flush(): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    if (this.#queue.length === 0) return Promise.resolve();
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const write = this.#queue[0]!;
      try {
        await withTimeout(
          write.run(),
          this.#timeoutMs,
          () =>
            new GrimnirError(
              "STORE_UNAVAILABLE",
              `${write.label} not written within ${this.#timeoutMs} ms`,
            ),
        );
      } catch (error) {
        this.#stats.failures++;
        if (!this.#failing) {
          this.#failing = true;
          this.#logger.warn("store write failed; it is kept and retried", {
            ...this.#context,
            write: write.label,
            pending: this.#queue.length,
            error: String(error),
          });
        }
        return;
      }
      if (this.#queue[0] === write) this.#queue.shift();
      this.#stats.written++;
      this.#failing = false;
    }
  }
}
