import type { KV, KvEntry, NatsConnection } from "nats";
import { GrimnirError, SystemTimeSource } from "@grimnir/core";
import type { Coordinator, Lease, LeaseChange, Subscription, TimeSource } from "@grimnir/core";
import { consoleLogger, errorText, type BusLogger, type ReconnectOptions } from "./delivery.js";
import { LeaseWatches } from "./lease-watch.js";
import { natsUnavailable, openNats } from "./nats-connection.js";
import { checkTtl } from "./redis-coordinator.js";

/** Options of {@link NatsCoordinator}. */
export interface NatsCoordinatorOptions {
  /** Server URL, `nats://[user:pass@|token@]host[:port]` (default `nats://127.0.0.1:4222`); JetStream must be enabled. */
  url?: string;
  /** JetStream key-value bucket holding the leases (default "grimnir_leases"); created when missing. */
  bucket?: string;
  /** Backoff between reconnection attempts. */
  reconnect?: ReconnectOptions;
  /** How long `connect` waits for the first connection, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** How often a watched key is read, ms (default 100). */
  watchPollMs?: number;
  /** Clock compared with the server's write times to decide expiry (default {@link SystemTimeSource}). */
  timeSource?: TimeSource;
  /** Log sink (default `console`). */
  logger?: BusLogger;
}

/** What a lease entry stores; `token` is absent on the write that took the lease. */
interface LeaseRecord {
  holder: string;
  ttlMs: number;
  token?: number;
}

/** JetStream "wrong last sequence": another client wrote the key since we read it. */
const WRONG_LAST_SEQUENCE = 10071;

/**
 * {@link Coordinator} on a NATS JetStream key-value bucket, with compare-and-set
 * on the key's revision for every change.
 *
 * The fencing token of a lease is the bucket revision of the write that took it:
 * the stream sequence only grows, so tokens strictly increase across holders,
 * client restarts and (with the server's file storage) server restarts; they stop
 * increasing only if the bucket is deleted. Renewals rewrite the entry with the
 * same token. A lease lapses `ttlMs` after the server's timestamp of its last
 * write, compared with this client's clock: keep clocks NTP-synchronised, skew
 * moves expiry by as much. `expiresAt` returned to the holder is measured from
 * before its write, so the holder never believes in a lease longer than it lasts.
 *
 * Calls made while disconnected reject with `BUS_UNAVAILABLE`. `watch` polls.
 */
export class NatsCoordinator implements Coordinator {
  readonly #nc: NatsConnection;
  readonly #kv: KV;
  readonly #time: TimeSource;
  readonly #pollMs: number;
  readonly #logger: BusLogger;
  readonly #watches: LeaseWatches;
  #closed = false;

  /** Connect, open (or create) the bucket and return the coordinator; rejects with `BUS_UNAVAILABLE`. */
  static async connect(options: NatsCoordinatorOptions = {}): Promise<NatsCoordinator> {
    const logger = options.logger ?? consoleLogger;
    const nc = await openNats(
      options.url ?? "nats://127.0.0.1:4222",
      "grimnir-coordinator",
      options.reconnect,
      options.connectTimeoutMs ?? 10_000,
      {
        onDisconnect: () => undefined,
        onReconnect: () => undefined,
        onError: (message) => logger.warn(`NATS coordinator connection: ${message}`),
      },
    );
    let kv: KV;
    try {
      kv = await nc.jetstream().views.kv(options.bucket ?? "grimnir_leases", { history: 1 });
    } catch (error) {
      await nc.close();
      throw new GrimnirError(
        "BUS_UNAVAILABLE",
        `could not open the lease bucket on NATS (is JetStream enabled? start nats-server with -js): ${errorText(error)}`,
        { cause: error },
      );
    }
    return new NatsCoordinator(nc, kv, options, logger);
  }

  private constructor(
    nc: NatsConnection,
    kv: KV,
    options: NatsCoordinatorOptions,
    logger: BusLogger,
  ) {
    this.#nc = nc;
    this.#kv = kv;
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#pollMs = options.watchPollMs ?? 100;
    this.#logger = logger;
    this.#watches = new LeaseWatches(
      (k) => this.current(k),
      this.#pollMs,
      (k, error) => this.#logger.warn(`watching lease ${k} failed`, error),
    );
  }

  /** Take `key` when free or expired (new token) or already ours (same token, new expiry); undefined when held by another. */
  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs);
    const k = kvKey(key);
    // A lost compare-and-set means someone wrote in between: read again and decide again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await this.#get(k);
      const now = this.#time.now();
      const live = this.#live(key, entry, now);
      if (live !== undefined && live.holder !== holder) return undefined;
      const record: LeaseRecord =
        live === undefined ? { holder, ttlMs } : { holder, ttlMs, token: live.token };
      const revision = await this.#write(k, record, entry?.revision);
      if (revision === undefined) continue;
      return { key, holder, token: record.token ?? revision, expiresAt: now + ttlMs };
    }
    return undefined;
  }

  /** Extend a live lease with the same holder and token; undefined once lost or expired. */
  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs);
    const k = kvKey(lease.key);
    const entry = await this.#get(k);
    const now = this.#time.now();
    const live = this.#live(lease.key, entry, now);
    if (live === undefined || live.holder !== lease.holder || live.token !== lease.token)
      return undefined;
    const revision = await this.#write(
      k,
      { holder: lease.holder, ttlMs, token: lease.token },
      entry!.revision,
    );
    if (revision === undefined) return undefined;
    return { ...lease, expiresAt: now + ttlMs };
  }

  /** Free the key when `lease` is still the live one; otherwise do nothing. */
  async release(lease: Lease): Promise<void> {
    const k = kvKey(lease.key);
    const entry = await this.#get(k);
    const live = this.#live(lease.key, entry, this.#time.now());
    if (live === undefined || live.holder !== lease.holder || live.token !== lease.token) return;
    try {
      await this.#kv.delete(k, { previousSeq: entry!.revision });
    } catch (error) {
      // Someone else wrote the key since we read it: it is no longer ours to free.
      if (isCasConflict(error)) return;
      throw natsUnavailable(`lease release on NATS`, error);
    }
  }

  /** The live lease on `key`, if any. */
  async current(key: string): Promise<Lease | undefined> {
    return this.#live(key, await this.#get(kvKey(key)), this.#time.now());
  }

  /** Report holder changes of `key` (polled every `watchPollMs`) until unsubscribed or closed. */
  async watch(key: string, handler: (change: LeaseChange) => void): Promise<Subscription> {
    this.#assertOpen();
    return this.#watches.add(key, handler);
  }

  /** Stop watches and close the connection; leases stay until they expire. Later calls reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watches.closeAll();
    if (!this.#nc.isClosed()) await this.#nc.close();
  }

  /** The lease `entry` describes, if it is a live one at `now`. */
  #live(key: string, entry: KvEntry | null, now: number): Lease | undefined {
    if (entry === null || entry.operation !== "PUT") return undefined;
    let record: LeaseRecord;
    try {
      record = entry.json<LeaseRecord>();
    } catch (error) {
      // A foreign or corrupt value cannot be a lease; treat the key as free.
      this.#logger.warn(`lease entry for ${key} is not a lease record`, error);
      return undefined;
    }
    if (typeof record.holder !== "string" || typeof record.ttlMs !== "number") return undefined;
    const expiresAt = entry.created.getTime() + record.ttlMs;
    if (expiresAt <= now) return undefined;
    return { key, holder: record.holder, token: record.token ?? entry.revision, expiresAt };
  }

  async #get(k: string): Promise<KvEntry | null> {
    this.#assertOpen();
    try {
      return await this.#kv.get(k);
    } catch (error) {
      throw natsUnavailable("lease read on NATS", error);
    }
  }

  /** Write `record` if the key is still at `revision` (absent: never written). Undefined on a lost race. */
  async #write(
    k: string,
    record: LeaseRecord,
    revision: number | undefined,
  ): Promise<number | undefined> {
    const data = JSON.stringify(record);
    try {
      return revision === undefined
        ? await this.#kv.create(k, data)
        : await this.#kv.update(k, data, revision);
    } catch (error) {
      if (isCasConflict(error)) return undefined;
      throw natsUnavailable("lease write on NATS", error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new GrimnirError("BUS_UNAVAILABLE", "this NatsCoordinator is closed; create a new one");
    }
  }
}

/** KV keys allow only `[-/_=.a-zA-Z0-9]`: base64url keeps any lease key distinct and legal. */
function kvKey(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url") || "_";
}

function isCasConflict(error: unknown): boolean {
  const api = (error as { api_error?: { err_code?: number } } | null)?.api_error;
  return api?.err_code === WRONG_LAST_SEQUENCE;
}
