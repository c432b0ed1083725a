import type { TimeSource } from "@grimnir/core";
import type { LiveEntry } from "./live-mounts.js";
import type { LiveLogger } from "./logger.js";

/**
 * The disconnect grace of live sessions: how long a dropped source may take
 * to come back. A grace belongs to one generation of its {@link LiveEntry};
 * a reconnect, a return or an end bumps the generation, so a stale timer
 * never acts. Timer callbacks are tracked so {@link DisconnectGrace.close}
 * can wait for them; a failing one is logged and settles false.
 */
export class DisconnectGrace {
  readonly #time: TimeSource;
  readonly #log: LiveLogger;
  readonly #pending = new Set<Promise<unknown>>();

  /** Graces timed by `time`; failures of their callbacks go to `log`. */
  constructor(time: TimeSource, log: LiveLogger) {
    this.#time = time;
    this.#log = log;
  }

  /** Put `entry` in its grace; returns the generation the grace belongs to. */
  begin(entry: LiveEntry): number {
    entry.inGrace = true;
    return ++entry.generation;
  }

  /** Take `entry` out of its grace (or any pending one): its timer will not act. */
  end(entry: LiveEntry): void {
    entry.inGrace = false;
    entry.generation++;
  }

  /**
   * After `graceMs`, run `expire` if `entry` is still in the grace of
   * `generation`. Resolves with what `expire` resolved, or false when the
   * grace was called off (or `expire` failed).
   */
  expireAfter(
    entry: LiveEntry,
    generation: number,
    graceMs: number,
    expire: () => Promise<boolean>,
  ): Promise<boolean> {
    return this.#track(
      this.#time.sleep(graceMs).then(async () => {
        if (entry.generation !== generation || !entry.inGrace) return false;
        return expire();
      }),
    );
  }

  /** Call off every grace of `entries` and wait for running callbacks. */
  async close(entries: Iterable<LiveEntry>): Promise<void> {
    for (const entry of entries) entry.generation++;
    await Promise.allSettled([...this.#pending]);
  }

  #track(promise: Promise<boolean>): Promise<boolean> {
    const tracked = promise.catch((err: unknown) => {
      this.#log("error", "live grace handling failed", {
        error: err instanceof Error ? err.message : String(err),
      });
      return false;
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }
}
