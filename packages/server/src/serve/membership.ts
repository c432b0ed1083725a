import type { Coordinator, Lease } from "@grimnir/core";
import type { ServerLogger } from "./logger.js";

/** The Coordinator key an instance holds while it is a member of the cluster. */
export function memberLeaseKey(instanceId: string): string {
  return `member:${instanceId}`;
}

/** Options of {@link ClusterMembership}. */
export interface ClusterMembershipOptions {
  coordinator: Coordinator;
  /** This instance's id. */
  instanceId: string;
  /** Ids of the other instances that may share the stations. */
  peers: readonly string[];
  /** Time to live of the membership lease, ms; renewed and peers re-read every third of it. */
  ttlMs: number;
  logger: ServerLogger;
  /** Told the live member ids (this one included, sorted) each time the set changes. */
  onChange: (members: string[]) => void;
}

/**
 * Who shares the stations: this instance holds a `member:<id>` Coordinator
 * lease (renewed every `ttlMs / 3`) and counts a peer as a member while the
 * peer's lease is live. A peer killed with SIGKILL therefore leaves the
 * member set at most `ttlMs` (plus one poll) after its last renewal, and the
 * executor pools of the others take its stations over once their leases lapse.
 *
 * This instance is always a member of its own view, even while its lease
 * cannot be renewed: station ownership is still guarded by the station leases.
 */
export class ClusterMembership {
  readonly #o: ClusterMembershipOptions;
  #lease: Lease | undefined;
  #members: string[];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #round: Promise<void> | undefined;
  #stopped = false;

  /** Prepare; nothing is acquired before {@link ClusterMembership.start}. */
  constructor(options: ClusterMembershipOptions) {
    this.#o = options;
    this.#members = [options.instanceId];
  }

  /** Live members (this instance included), sorted. */
  get members(): string[] {
    return [...this.#members];
  }

  /** Take the membership lease, read the peers once, then keep both up to date. */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  /** One round: renew (or take) this instance's lease and re-read the peers'. Never rejects. */
  refresh(): Promise<void> {
    this.#round ??= this.#refresh().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  /** Stop the loop and give the membership lease up, so peers see this instance leave at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    const lease = this.#lease;
    this.#lease = undefined;
    if (lease !== undefined) {
      await this.#o.coordinator.release(lease).catch((err: unknown) => {
        this.#o.logger.warn({ err }, "membership lease release failed; it lapses at its expiry");
      });
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        void this.refresh().then(() => this.#schedule());
      },
      Math.max(1, Math.floor(this.#o.ttlMs / 3)),
    );
  }

  async #refresh(): Promise<void> {
    const { coordinator, instanceId, ttlMs, logger } = this.#o;
    try {
      this.#lease =
        (this.#lease === undefined ? undefined : await coordinator.renew(this.#lease, ttlMs)) ??
        (await coordinator.acquire(memberLeaseKey(instanceId), instanceId, ttlMs));
    } catch (err) {
      logger.warn({ err }, "membership lease renewal failed");
    }
    const alive = [instanceId];
    for (const peer of this.#o.peers) {
      try {
        const lease = await coordinator.current(memberLeaseKey(peer));
        if (lease !== undefined && lease.holder === peer) alive.push(peer);
      } catch (err) {
        // Unknown state: keep the peer as it was rather than churn the ring on a coordinator blip.
        logger.warn({ err, peer }, "membership of a peer could not be read");
        if (this.#members.includes(peer)) alive.push(peer);
      }
    }
    alive.sort();
    if (this.#stopped) return;
    if (alive.length !== this.#members.length || alive.some((m, i) => m !== this.#members[i])) {
      const before = this.#members;
      this.#members = alive;
      logger.info({ members: alive, before }, "cluster members changed");
      this.#o.onChange(alive);
    }
  }
}
