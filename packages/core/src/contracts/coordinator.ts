import type { Subscription } from "./bus.js";

/** A time-limited claim on a key (a station's executor, the planner's leadership). */
export interface Lease {
  key: string;
  /** Instance that holds it. */
  holder: string;
  /**
   * Fencing token: strictly greater than every token issued before for this key,
   * across holders and restarts of the coordinator's clients. Writers pass it along
   * so a paused ex-holder's late writes can be rejected.
   */
  token: number;
  /** When it lapses unless renewed, epoch ms (coordinator's clock). */
  expiresAt: number;
}

/** Change of a key's holder, as `watch` reports it. */
export interface LeaseChange {
  key: string;
  /** The new lease, or undefined when the key became free. */
  lease: Lease | undefined;
}

/**
 * Leases with fencing tokens, for leader election and station ownership.
 *
 * Guarantees (checked by `describeCoordinatorConformance`): at most one unexpired
 * lease per key; tokens strictly increase per key; a lease not renewed before
 * `expiresAt` can be acquired by another holder; renewing or releasing a lease
 * that was lost fails without disturbing the new holder.
 */
export interface Coordinator {
  /** Take `key` for `ttlMs` if free (or already ours). Undefined when someone else holds it. */
  acquire(key: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extend our lease by `ttlMs`, keeping its token. Undefined when it was lost. */
  renew(lease: Lease, ttlMs: number): Promise<Lease | undefined>;
  /** Give the key up if we still hold it. Never affects another holder's lease. */
  release(lease: Lease): Promise<void>;
  /** The unexpired lease on `key`, if any. */
  current(key: string): Promise<Lease | undefined>;
  /** Be told when `key` changes holder or becomes free (best effort, may be delayed up to the TTL). */
  watch(key: string, handler: (change: LeaseChange) => void): Promise<Subscription>;
  /** Stop watches and release the connection; held leases lapse at their expiry. */
  close(): Promise<void>;
}
