/**
 * Where the planner and executor get "now" from. Production uses
 * {@link SystemTimeSource}; tests and what-if runs use {@link ManualTimeSource}.
 */
export interface TimeSource {
  /** Current time in epoch milliseconds. */
  now(): number;
  /**
   * Resolve after `ms` milliseconds of this source's time. A manual source
   * resolves only when advanced past the deadline.
   */
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time from the operating system. */
export class SystemTimeSource implements TimeSource {
  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }
}

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/** A clock that moves only when told to; sleepers wake in deadline order. */
export class ManualTimeSource implements TimeSource {
  #now: number;
  #sleepers: Sleeper[] = [];

  /**
   * A clock stopped at `startMs`.
   * @param startMs initial time in epoch milliseconds
   */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepers.push({ wakeAt: this.#now + Math.max(0, ms), resolve });
      this.#sleepers.sort((a, b) => a.wakeAt - b.wakeAt);
    });
  }

  /** Move time forward by `ms` and wake every sleeper whose deadline passed. */
  advance(ms: number): void {
    this.set(this.#now + ms);
  }

  /** Jump to `epochMs` (never backwards) and wake due sleepers in order. */
  set(epochMs: number): void {
    if (epochMs < this.#now) throw new RangeError("ManualTimeSource cannot go backwards");
    this.#now = epochMs;
    while (this.#sleepers.length > 0 && this.#sleepers[0]!.wakeAt <= epochMs) {
      this.#sleepers.shift()!.resolve();
    }
  }
}
