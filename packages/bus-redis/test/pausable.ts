import type { Coordinator, Lease, LeaseChange, Subscription } from "@grimnir/core";

/**
 * Wraps a coordinator so a test can freeze its owner as SIGSTOP would: while
 * paused, every call waits, and runs only after `resume()`, late.
 */
export class PausableCoordinator implements Coordinator {
  #paused: Promise<void> | undefined;
  #release: (() => void) | undefined;

  constructor(private readonly inner: Coordinator) {}

  pause(): void {
    this.#paused ??= new Promise((resolve) => (this.#release = resolve));
  }

  resume(): void {
    this.#release?.();
    this.#paused = undefined;
    this.#release = undefined;
  }

  async #gate(): Promise<void> {
    while (this.#paused !== undefined) await this.#paused;
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    await this.#gate();
    return this.inner.acquire(key, holder, ttlMs);
  }

  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    await this.#gate();
    return this.inner.renew(lease, ttlMs);
  }

  async release(lease: Lease): Promise<void> {
    await this.#gate();
    return this.inner.release(lease);
  }

  async current(key: string): Promise<Lease | undefined> {
    await this.#gate();
    return this.inner.current(key);
  }

  watch(key: string, handler: (change: LeaseChange) => void): Promise<Subscription> {
    return this.inner.watch(key, handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** A resource guarded by fencing tokens: it refuses writes older than the newest token it has seen. */
export class FencedRegister {
  highest = 0;
  readonly writes: { token: number; value: string }[] = [];

  write(token: number, value: string): boolean {
    if (token < this.highest) return false;
    this.highest = token;
    this.writes.push({ token, value });
    return true;
  }
}
