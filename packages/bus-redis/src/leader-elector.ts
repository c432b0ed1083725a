import { performance } from "node:perf_hooks";
import { GrimnirError } from "@grimnir/core";
import type { Coordinator, Lease } from "@grimnir/core";

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions {
  /** Lease key contended for, e.g. "planner" or "station:wgmr". */
  key: string;
  /** This instance's id; must differ between contenders. */
  holder: string;
  /** Lease time to live, ms. */
  ttlMs: number;
  /** Interval between renewals while leader, ms (default `ttlMs / 3`). */
  renewEveryMs?: number;
  /** Interval between acquisition attempts while not leader, ms (default `ttlMs / 3`). */
  retryEveryMs?: number;
  /** Errors of the coordinator and of listeners (default `console.warn`); the campaign goes on. */
  onError?: (error: unknown) => void;
}

/** Called with the lease won or lost. */
export type LeadershipListener = (lease: Lease) => void;

/**
 * Leader election over any {@link Coordinator}: a campaign loop that acquires
 * `key`, renews it every `ttlMs / 3` and reports changes.
 *
 * Guarantees: `onElected` and `onDeposed` alternate, starting with `onElected`.
 * This instance considers itself leader only until `ttlMs` (less 1 % + 2 ms for
 * clock drift) after it *sent* the last successful acquire or renew, measured on
 * the monotonic clock, so a process paused beyond its lease (SIGSTOP, GC, VM
 * freeze) is deposed as soon as it runs again, before it can act on a stale lease. Leadership can still
 * overlap by clock drift: pass {@link LeaderElector.lease}'s `token` along with
 * every write so the resource can reject a stale leader (fencing).
 */
export class LeaderElector {
  readonly #coordinator: Coordinator;
  readonly #key: string;
  readonly #holder: string;
  readonly #ttlMs: number;
  readonly #renewMs: number;
  readonly #retryMs: number;
  readonly #marginMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #elected = new Set<LeadershipListener>();
  readonly #deposed = new Set<LeadershipListener>();
  #lease: Lease | undefined;
  #validUntil = 0;
  #running = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;

  /** Prepare a campaign on `coordinator`; nothing happens before {@link LeaderElector.start}. */
  constructor(coordinator: Coordinator, options: LeaderElectorOptions) {
    if (!Number.isInteger(options.ttlMs) || options.ttlMs <= 0) {
      throw new GrimnirError(
        "VALIDATION",
        `ttlMs must be a positive integer of milliseconds (got ${options.ttlMs})`,
        {
          details: { field: "ttlMs" },
        },
      );
    }
    this.#coordinator = coordinator;
    this.#key = options.key;
    this.#holder = options.holder;
    this.#ttlMs = options.ttlMs;
    this.#renewMs = options.renewEveryMs ?? Math.max(1, Math.floor(options.ttlMs / 3));
    this.#retryMs = options.retryEveryMs ?? Math.max(1, Math.floor(options.ttlMs / 3));
    this.#marginMs = Math.min(options.ttlMs / 2, options.ttlMs * 0.01 + 2);
    this.#onError =
      options.onError ??
      ((error) => console.warn(`grimnir: leader election for ${options.key}:`, error));
  }

  /** True while this instance holds a lease it may still trust (see the class notes). */
  get isLeader(): boolean {
    return this.#lease !== undefined && performance.now() < this.#validUntil;
  }

  /** The lease held while leader (its `token` fences writes), otherwise undefined. */
  get lease(): Lease | undefined {
    return this.isLeader ? this.#lease : undefined;
  }

  /** Call `listener` each time leadership is won. Returns a function that removes it. */
  onElected(listener: LeadershipListener): () => void {
    this.#elected.add(listener);
    return () => this.#elected.delete(listener);
  }

  /** Call `listener` each time leadership is lost (lease lost, expired, or stopped). Returns a remover. */
  onDeposed(listener: LeadershipListener): () => void {
    this.#deposed.add(listener);
    return () => this.#deposed.delete(listener);
  }

  /** Begin campaigning: try to acquire at once, then keep renewing or retrying. Idempotent. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stop campaigning; if leader, release the lease and report `onDeposed`. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A coordinator call that hangs (partition, paused server) must not hang stop() too.
    if (this.#inFlight !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#inFlight,
        new Promise((resolve) => (timer = setTimeout(resolve, this.#ttlMs))),
      ]);
      clearTimeout(timer);
    }
    const lease = this.#lease;
    if (lease === undefined) return;
    this.#depose();
    try {
      await this.#coordinator.release(lease);
    } catch (error) {
      // The lease then lapses by itself after its TTL.
      this.#onError(error);
    }
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#inFlight = this.#tick().finally(() => {
        this.#inFlight = undefined;
      });
    }, delayMs);
  }

  async #tick(): Promise<void> {
    // Paused past our lease: we may no longer act as leader, whatever the server says next.
    if (this.#lease !== undefined && performance.now() >= this.#validUntil) this.#depose();
    const held = this.#lease;
    const sentAt = performance.now();
    try {
      const next =
        held === undefined
          ? await this.#coordinator.acquire(this.#key, this.#holder, this.#ttlMs)
          : await this.#coordinator.renew(held, this.#ttlMs);
      if (!this.#running) {
        // stop() ran meanwhile and already gave up what it knew of; give back a lease it did not.
        if (next !== undefined && held === undefined) await this.#coordinator.release(next);
        return;
      }
      if (next === undefined) {
        if (held !== undefined && this.#lease === held) this.#depose();
      } else {
        this.#lease = next;
        this.#validUntil = sentAt + this.#ttlMs - this.#marginMs;
        this.#armDeadline();
        if (held === undefined) this.#emit(this.#elected, next);
      }
    } catch (error) {
      this.#onError(error);
    }
    this.#schedule(this.#lease === undefined ? this.#retryMs : this.#renewMs);
  }

  /** Depose at the local deadline even if renewals hang. */
  #armDeadline(): void {
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(
      () => {
        if (this.#lease === undefined) return;
        // Timers may fire a little early by the monotonic clock: check again later if so.
        if (performance.now() >= this.#validUntil) this.#depose();
        else this.#armDeadline();
      },
      Math.max(0, this.#validUntil - performance.now()),
    );
    this.#deadline.unref();
  }

  #depose(): void {
    const lost = this.#lease;
    clearTimeout(this.#deadline);
    this.#lease = undefined;
    this.#validUntil = 0;
    if (lost !== undefined) this.#emit(this.#deposed, lost);
  }

  #emit(listeners: Set<LeadershipListener>, lease: Lease): void {
    for (const listener of listeners) {
      try {
        listener({ ...lease });
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
