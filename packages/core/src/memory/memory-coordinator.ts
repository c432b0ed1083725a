import { GrimnirError } from "../errors.js";
import { SystemTimeSource, type TimeSource } from "../time.js";
import type { Subscription } from "../contracts/bus.js";
import type { Coordinator, Lease, LeaseChange } from "../contracts/coordinator.js";

/** A key's state in a hub: the current lease and the last token ever issued. */
interface KeyState {
  lease: Lease | undefined;
  lastToken: number;
}

type Watcher = (change: LeaseChange) => void;

/** Hub internals, kept out of the hub's public surface. */
interface HubState {
  keys: Map<string, KeyState>;
  watchers: Map<string, Set<Watcher>>;
}

const hubStates = new WeakMap<MemoryCoordinatorHub, HubState>();

function stateOf(hub: MemoryCoordinatorHub): HubState {
  let state = hubStates.get(hub);
  if (state === undefined) {
    state = { keys: new Map(), watchers: new Map() };
    hubStates.set(hub, state);
  }
  return state;
}

/**
 * The shared in-process backend of {@link MemoryCoordinator} clients: leases and
 * their per-key token counters live here, so tokens keep increasing across
 * clients and client restarts for as long as the hub lives.
 */
export class MemoryCoordinatorHub {
  static readonly #default = new MemoryCoordinatorHub();

  /** The process-wide hub clients use when none is given. */
  static get default(): MemoryCoordinatorHub {
    return MemoryCoordinatorHub.#default;
  }

  /** Keys that currently have a lease record (expired ones included until observed). */
  get keyCount(): number {
    return [...stateOf(this).keys.values()].filter((k) => k.lease !== undefined).length;
  }
}

function keyState(hub: MemoryCoordinatorHub, key: string): KeyState {
  const keys = stateOf(hub).keys;
  let state = keys.get(key);
  if (state === undefined) {
    state = { lease: undefined, lastToken: 0 };
    keys.set(key, state);
  }
  return state;
}

function notify(hub: MemoryCoordinatorHub, key: string, lease: Lease | undefined): void {
  const watchers = stateOf(hub).watchers.get(key);
  if (watchers === undefined) return;
  for (const watcher of watchers) {
    const change: LeaseChange = { key, lease: lease === undefined ? undefined : { ...lease } };
    // Never call a watcher inside the operation that caused the change.
    queueMicrotask(() => watcher(change));
  }
}

/** Free `key` if its lease expired by `now`, telling watchers. Returns the live lease. */
function observe(hub: MemoryCoordinatorHub, key: string, now: number): Lease | undefined {
  const state = keyState(hub, key);
  if (state.lease !== undefined && state.lease.expiresAt <= now) {
    state.lease = undefined;
    notify(hub, key, undefined);
  }
  return state.lease;
}

/** Options of {@link MemoryCoordinator}. */
export interface MemoryCoordinatorOptions {
  /** Backend shared with other clients (default {@link MemoryCoordinatorHub.default}). */
  hub?: MemoryCoordinatorHub;
  /**
   * Clock deciding expiry (default {@link SystemTimeSource}). Clients of one hub
   * should share a time source.
   */
  timeSource?: TimeSource;
  /** How often watched keys are checked for expiry, ms of real time (default 25). */
  watchPollMs?: number;
  /** Where watcher errors go (default `console.error`). */
  onWatcherError?: (error: unknown, change: LeaseChange) => void;
}

/**
 * The reference {@link Coordinator}: a client of an in-process {@link MemoryCoordinatorHub}.
 *
 * A lease is live while `expiresAt` > now of the time source. Tokens start at 1
 * and increase by one on every new lease of a key; re-acquiring or renewing a
 * live lease keeps its token. Watchers hear of acquisitions and releases at
 * once, and of expiries when a call or the watch poll timer (unref'd, stopped
 * on close or when nothing is watched) observes them.
 */
export class MemoryCoordinator implements Coordinator {
  readonly #hub: MemoryCoordinatorHub;
  readonly #time: TimeSource;
  readonly #pollMs: number;
  readonly #onWatcherError: (error: unknown, change: LeaseChange) => void;
  readonly #watches = new Map<Watcher, string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  /** A client of `options.hub` (default: the process-wide hub), expiring leases by `options.timeSource`. */
  constructor(options: MemoryCoordinatorOptions = {}) {
    this.#hub = options.hub ?? MemoryCoordinatorHub.default;
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#pollMs = options.watchPollMs ?? 25;
    this.#onWatcherError =
      options.onWatcherError ??
      ((error, change) => console.error(`grimnir: lease watcher for ${change.key} failed`, error));
  }

  /** Take `key` for `ttlMs` when free or expired (new token) or already ours (same token, new expiry). */
  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    this.#assertOpen();
    const now = this.#time.now();
    const current = observe(this.#hub, key, now);
    if (current !== undefined) {
      if (current.holder !== holder) return undefined;
      current.expiresAt = now + ttlMs;
      return { ...current };
    }
    const state = keyState(this.#hub, key);
    state.lastToken += 1;
    state.lease = { key, holder, token: state.lastToken, expiresAt: now + ttlMs };
    notify(this.#hub, key, state.lease);
    return { ...state.lease };
  }

  /** Extend a live lease with the same holder and token; undefined once lost or expired. */
  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    this.#assertOpen();
    const now = this.#time.now();
    const current = observe(this.#hub, lease.key, now);
    if (current === undefined || current.token !== lease.token || current.holder !== lease.holder)
      return undefined;
    current.expiresAt = now + ttlMs;
    return { ...current };
  }

  /** Free the key when `lease` is still the live one; otherwise do nothing. */
  async release(lease: Lease): Promise<void> {
    this.#assertOpen();
    const current = observe(this.#hub, lease.key, this.#time.now());
    if (current === undefined || current.token !== lease.token || current.holder !== lease.holder)
      return;
    keyState(this.#hub, lease.key).lease = undefined;
    notify(this.#hub, lease.key, undefined);
  }

  /** The live lease on `key`, if any. */
  async current(key: string): Promise<Lease | undefined> {
    this.#assertOpen();
    const lease = observe(this.#hub, key, this.#time.now());
    return lease === undefined ? undefined : { ...lease };
  }

  /** Call `handler` on every change of `key`'s holder, asynchronously, until unsubscribed. */
  async watch(key: string, handler: (change: LeaseChange) => void): Promise<Subscription> {
    this.#assertOpen();
    const watcher: Watcher = (change) => {
      if (!this.#watches.has(watcher)) return;
      try {
        handler(change);
      } catch (error) {
        this.#onWatcherError(error, change);
      }
    };
    const watchers = stateOf(this.#hub).watchers;
    let set = watchers.get(key);
    if (set === undefined) {
      set = new Set();
      watchers.set(key, set);
    }
    set.add(watcher);
    this.#watches.set(watcher, key);
    this.#startPolling();
    return { unsubscribe: async () => this.#unwatch(watcher) };
  }

  /** Stop watching and polling; later calls reject with `INTERNAL`. Leases stay in the hub until they expire. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const watcher of [...this.#watches.keys()]) this.#unwatch(watcher);
  }

  #unwatch(watcher: Watcher): void {
    const key = this.#watches.get(watcher);
    if (key === undefined) return;
    this.#watches.delete(watcher);
    const watchers = stateOf(this.#hub).watchers;
    const set = watchers.get(key);
    set?.delete(watcher);
    if (set !== undefined && set.size === 0) watchers.delete(key);
    if (this.#watches.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #startPolling(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      const now = this.#time.now();
      for (const key of new Set(this.#watches.values())) observe(this.#hub, key, now);
    }, this.#pollMs);
    this.#timer.unref();
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new GrimnirError("INTERNAL", "this MemoryCoordinator is closed; create a new one");
  }
}
