import { SystemTimeSource } from "@grimnir/core";
import type { Coordinator, Lease, TimeSource } from "@grimnir/core";
import { HashRing } from "./hash-ring.js";
import type { ExecutorLogger } from "./logger.js";
import { consoleLogger } from "./logger.js";

/** What the pool needs from an executor: start, stop and be told its fencing token. */
export interface PooledExecutor {
  /** Start driving the station (reattaching to the engine). */
  start(): Promise<void>;
  /** Stop driving the station; audio keeps playing for the next owner. */
  stop(): Promise<void>;
  /** False once it stopped by itself (e.g. it saw a newer owner's fencing token). */
  readonly running: boolean;
}

/** Options of {@link ExecutorPool}. */
export interface ExecutorPoolOptions<E extends PooledExecutor = PooledExecutor> {
  /** This instance's id on the ring and as lease holder. */
  instanceId: string;
  coordinator: Coordinator;
  /** Build the executor of a station this instance won, with its lease (token = fencing token). */
  createExecutor: (stationId: string, lease: Lease) => E;
  /** Lease time to live, ms (default 10 000); renewed every third of it. */
  leaseTtlMs?: number;
  /** Virtual nodes per instance (default 500). */
  virtualNodes?: number;
  timeSource?: TimeSource;
  logger?: ExecutorLogger;
  /** Told when a station is taken or given up, and why. */
  onOwnershipChange?: (change: {
    stationId: string;
    owned: boolean;
    reason: string;
    token?: number;
  }) => void;
}

interface Owned<E> {
  stationId: string;
  lease: Lease;
  executor: E;
  /** Set while `executor.start()` runs; never rejects. */
  starting?: Promise<void>;
}

/** The coordinator key of a station's executor lease. */
export function stationLeaseKey(stationId: string): string {
  return `executor:${stationId}`;
}

/**
 * Many station executors in one process, and the share of stations this
 * instance drives among several: a station is driven here only when the hash
 * ring (CRC-32, 500 virtual nodes per instance) assigns it to this instance
 * AND this instance holds the station's Coordinator lease. A lease that cannot
 * be renewed stops the executor at once, so no station is ever driven by two
 * instances even when their views of the membership differ.
 *
 * Membership is given by the caller ({@link setMembers}); {@link reconcile}
 * (run it every `leaseTtlMs / 3`, e.g. from {@link run}) acquires, renews and
 * releases leases and starts and stops executors.
 */
export class ExecutorPool<E extends PooledExecutor = PooledExecutor> {
  /** This instance's id. */
  readonly instanceId: string;
  readonly #coordinator: Coordinator;
  readonly #create: (stationId: string, lease: Lease) => E;
  readonly #ttlMs: number;
  readonly #ring: HashRing;
  readonly #time: TimeSource;
  readonly #logger: ExecutorLogger;
  readonly #onChange: ExecutorPoolOptions<E>["onOwnershipChange"];
  readonly #stations = new Set<string>();
  readonly #owned = new Map<string, Owned<E>>();
  #running: Promise<void> | undefined;
  #stopRequested = false;
  #wake: (() => void) | undefined;
  #round: Promise<{ starts: Promise<void> }> | undefined;
  readonly #stopping = new Set<Promise<void>>();

  /** A pool for `options.instanceId`, alone on its ring until {@link setMembers}. */
  constructor(options: ExecutorPoolOptions<E>) {
    this.instanceId = options.instanceId;
    this.#coordinator = options.coordinator;
    this.#create = options.createExecutor;
    this.#ttlMs = options.leaseTtlMs ?? 10_000;
    this.#ring = new HashRing([options.instanceId], { virtualNodes: options.virtualNodes });
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#logger = options.logger ?? consoleLogger;
    this.#onChange = options.onOwnershipChange;
  }

  /** The stations whose executors run here, sorted. */
  get ownedStations(): string[] {
    return [...this.#owned.keys()].sort();
  }

  /** The running executor of a station, if this instance drives it. */
  executor(stationId: string): E | undefined {
    return this.#owned.get(stationId)?.executor;
  }

  /** The ring as this instance sees it. */
  get ring(): HashRing {
    return this.#ring;
  }

  /** Replace the set of stations to distribute. */
  setStations(stationIds: Iterable<string>): void {
    this.#stations.clear();
    for (const id of stationIds) this.#stations.add(id);
  }

  /** Replace the instances sharing the stations (this one is always included). */
  setMembers(instanceIds: Iterable<string>): void {
    this.#ring.setMembers(new Set([...instanceIds, this.instanceId]));
  }

  /** Stations the ring assigns to this instance, sorted. */
  assignedStations(): string[] {
    return [...this.#stations].filter((id) => this.#ring.owner(id) === this.instanceId).sort();
  }

  /**
   * One round: give up stations no longer assigned here, renew held leases
   * (stopping executors whose lease was lost), and take assigned stations whose
   * lease is free. Resolves once the executors it took have started (or failed
   * to). Never rejects; failures are logged and retried next round.
   */
  async reconcile(): Promise<void> {
    const { starts } = await this.#leaseRound();
    await starts;
  }

  /** Run the lease work of {@link reconcile} every third of the lease TTL until {@link shutdown}. */
  run(): void {
    if (this.#running !== undefined) return;
    this.#stopRequested = false;
    this.#running = (async () => {
      while (!this.#stopRequested) {
        // Executors start in the background: a slow engine must never delay renewals.
        await this.#leaseRound();
        await Promise.race([
          this.#time.sleep(Math.max(1, Math.floor(this.#ttlMs / 3))),
          new Promise<void>((resolve) => {
            this.#wake = resolve;
          }),
        ]);
      }
    })();
  }

  /** Stop the loop, stop every executor and release every lease. */
  async shutdown(): Promise<void> {
    this.#stopRequested = true;
    this.#wake?.();
    await this.#running;
    this.#running = undefined;
    await this.#round;
    for (const stationId of [...this.#owned.keys()])
      await this.#giveUp(stationId, "shutdown", true);
    await Promise.all(this.#stopping);
  }

  #leaseRound(): Promise<{ starts: Promise<void> }> {
    this.#round ??= this.#leases().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #leases(): Promise<{ starts: Promise<void> }> {
    const assigned = new Set(this.assignedStations());
    for (const [stationId, owned] of [...this.#owned]) {
      if (!assigned.has(stationId)) {
        await this.#giveUp(stationId, "reassigned by the hash ring", true);
        continue;
      }
      if (owned.lease.expiresAt <= this.#time.now()) {
        await this.#giveUp(stationId, "lease expired before renewal", false);
        continue;
      }
      if (owned.starting === undefined && !owned.executor.running) {
        await this.#giveUp(stationId, "executor stopped by itself", true);
        continue;
      }
      let renewed: Lease | undefined;
      try {
        renewed = await this.#coordinator.renew(owned.lease, this.#ttlMs);
      } catch (error) {
        this.#logger.warn("lease renewal failed", { stationId, error: String(error) });
        renewed = undefined;
      }
      if (renewed === undefined) {
        // Without a lease we may no longer drive the station, even if the coordinator is only unreachable.
        await this.#giveUp(stationId, "lease lost", false);
      } else {
        owned.lease = renewed;
      }
    }
    const starts: Promise<void>[] = [];
    for (const stationId of assigned) {
      if (this.#owned.has(stationId)) continue;
      let lease: Lease | undefined;
      try {
        lease = await this.#coordinator.acquire(
          stationLeaseKey(stationId),
          this.instanceId,
          this.#ttlMs,
        );
      } catch (error) {
        this.#logger.warn("lease acquisition failed", { stationId, error: String(error) });
        continue;
      }
      if (lease === undefined) continue;
      const owned: Owned<E> = { stationId, lease, executor: this.#create(stationId, lease) };
      this.#owned.set(stationId, owned);
      // After a failover an instance takes several stations at once; each start waits
      // on the engine (graph, first play), so they run together and beside renewals.
      owned.starting = this.#start(owned).finally(() => {
        owned.starting = undefined;
      });
      starts.push(owned.starting);
    }
    return { starts: Promise.all(starts).then(() => undefined) };
  }

  async #start(owned: Owned<E>): Promise<void> {
    const { stationId, lease, executor } = owned;
    try {
      await executor.start();
    } catch (error) {
      this.#logger.error("executor did not start; giving the station up", {
        stationId,
        error: String(error),
      });
      if (this.#owned.get(stationId) === owned) {
        this.#owned.delete(stationId);
        await this.#stopAndRelease(owned, "start failed", true);
      }
      return;
    }
    if (this.#owned.get(stationId) !== owned) return; // given up while starting: #giveUp stops it
    this.#onChange?.({ stationId, owned: true, reason: "lease acquired", token: lease.token });
  }

  /**
   * Stop driving a station. One still starting is stopped once its start is
   * over, in the background, so a lease round never waits on an engine.
   */
  #giveUp(stationId: string, reason: string, release: boolean): Promise<void> {
    const owned = this.#owned.get(stationId);
    if (owned === undefined) return Promise.resolve();
    this.#owned.delete(stationId);
    if (owned.starting === undefined) return this.#stopAndRelease(owned, reason, release);
    const stopping = owned.starting.then(() => this.#stopAndRelease(owned, reason, release));
    this.#stopping.add(stopping);
    void stopping.finally(() => this.#stopping.delete(stopping));
    return Promise.resolve();
  }

  async #stopAndRelease(owned: Owned<E>, reason: string, release: boolean): Promise<void> {
    const { stationId } = owned;
    try {
      await owned.executor.stop();
    } catch (error) {
      this.#logger.error("executor did not stop cleanly", { stationId, error: String(error) });
    }
    if (release) {
      try {
        await this.#coordinator.release(owned.lease);
      } catch (error) {
        this.#logger.warn("lease release failed; it lapses at its expiry", {
          stationId,
          error: String(error),
        });
      }
    }
    this.#onChange?.({ stationId, owned: false, reason });
  }
}
