import type { Redis } from "ioredis";
import { GrimnirError } from "@grimnir/core";
import type { Coordinator, Lease, LeaseChange, Subscription } from "@grimnir/core";
import { consoleLogger, type BusLogger, type ReconnectOptions } from "./delivery.js";
import { LeaseWatches } from "./lease-watch.js";
import { closeRedis, openRedis, unavailable, waitReady } from "./redis-connection.js";

/** Options of {@link RedisCoordinator}. */
export interface RedisCoordinatorOptions {
  /** Server URL, `redis://[user:password@]host[:port][/db]` (default `redis://127.0.0.1:6379`). */
  url?: string;
  /** First part of every key (default "grimnir"). */
  prefix?: string;
  /** Backoff between reconnection attempts. */
  reconnect?: ReconnectOptions;
  /** How long `connect` waits for the first connection, ms (default 10 000). */
  connectTimeoutMs?: number;
  /** How often a watched key is read, ms (default 100). */
  watchPollMs?: number;
  /** Log sink (default `console`). */
  logger?: BusLogger;
}

// Server time in ms, so every client measures expiry on the same clock.
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: lease, counter. ARGV: holder, ttlMs. Returns {token, expiresAt} or nil. */
const ACQUIRE = `${NOW}
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder then
  if holder ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {redis.call('HGET', KEYS[1], 'token'), tostring(now + tonumber(ARGV[2]))}
end
local token = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {tostring(token), tostring(now + tonumber(ARGV[2]))}`;

/** KEYS: lease. ARGV: holder, ttlMs, token. Returns {token, expiresAt} or nil. */
const RENEW = `${NOW}
local v = redis.call('HMGET', KEYS[1], 'holder', 'token')
if v[1] ~= ARGV[1] or v[2] ~= ARGV[3] then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {v[2], tostring(now + tonumber(ARGV[2]))}`;

/** KEYS: lease. ARGV: holder, token. Returns 1 when released. */
const RELEASE = `
local v = redis.call('HMGET', KEYS[1], 'holder', 'token')
if v[1] ~= ARGV[1] or v[2] ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** KEYS: lease. Returns {holder, token, expiresAt} or nil. */
const CURRENT = `${NOW}
local v = redis.call('HMGET', KEYS[1], 'holder', 'token')
local ttl = redis.call('PTTL', KEYS[1])
if not v[1] or ttl < 0 then return false end
return {v[1], v[2], tostring(now + ttl)}`;

/**
 * {@link Coordinator} on Redis. A lease is a hash (`holder`, `token`) with a PX
 * expiry, taken and checked in Lua scripts so every step is atomic; expiry is
 * measured on the Redis server's clock, and `expiresAt` is in that clock.
 *
 * Fencing tokens come from INCR on a per-key counter that never expires, so they
 * strictly increase across holders and client restarts, and across Redis restarts
 * only if Redis persists its data (RDB/AOF): a Redis that loses its data starts
 * counting again at 1. Renew and release check holder and token, so a paused
 * ex-holder can neither extend nor free a lease someone else now holds.
 *
 * Calls made while disconnected reject at once with `BUS_UNAVAILABLE` (the client
 * reconnects with backoff in the background). `watch` polls.
 */
export class RedisCoordinator implements Coordinator {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #pollMs: number;
  readonly #logger: BusLogger;
  readonly #watches: LeaseWatches;
  #lastError: string | undefined;
  #closed = false;

  /** Connect and wait for the first connection; rejects with `BUS_UNAVAILABLE` after `connectTimeoutMs`. */
  static async connect(options: RedisCoordinatorOptions = {}): Promise<RedisCoordinator> {
    const coordinator = new RedisCoordinator(options);
    try {
      await waitReady(
        coordinator.#client,
        options.connectTimeoutMs ?? 10_000,
        () => coordinator.#lastError,
      );
    } catch (error) {
      await coordinator.close();
      throw error;
    }
    return coordinator;
  }

  private constructor(options: RedisCoordinatorOptions) {
    this.#prefix = options.prefix ?? "grimnir";
    this.#pollMs = options.watchPollMs ?? 100;
    this.#logger = options.logger ?? consoleLogger;
    this.#watches = new LeaseWatches(
      (k) => this.current(k),
      this.#pollMs,
      (k, error) => this.#logger.warn(`watching lease ${k} failed`, error),
    );
    this.#client = openRedis(
      options.url ?? "redis://127.0.0.1:6379",
      "grimnir-coordinator",
      options.reconnect,
      (error) => {
        this.#lastError = error.message;
      },
    );
  }

  /** Take `key` when free (new token) or already ours (same token, new expiry); undefined when held by another. */
  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs);
    const reply = await this.#eval(
      "acquire",
      ACQUIRE,
      [this.#leaseKey(key), this.#counterKey(key)],
      [holder, String(ttlMs)],
    );
    if (reply === null) return undefined;
    const [token, expiresAt] = reply as [string, string];
    return { key, holder, token: Number(token), expiresAt: Number(expiresAt) };
  }

  /** Extend a lease we still hold (same holder and token) by `ttlMs`; undefined once lost or expired. */
  async renew(lease: Lease, ttlMs: number): Promise<Lease | undefined> {
    checkTtl(ttlMs);
    const reply = await this.#eval(
      "renew",
      RENEW,
      [this.#leaseKey(lease.key)],
      [lease.holder, String(ttlMs), String(lease.token)],
    );
    if (reply === null) return undefined;
    const [token, expiresAt] = reply as [string, string];
    return {
      key: lease.key,
      holder: lease.holder,
      token: Number(token),
      expiresAt: Number(expiresAt),
    };
  }

  /** Free the key when `lease` is still the live one; otherwise do nothing. */
  async release(lease: Lease): Promise<void> {
    await this.#eval(
      "release",
      RELEASE,
      [this.#leaseKey(lease.key)],
      [lease.holder, String(lease.token)],
    );
  }

  /** The live lease on `key`, if any. */
  async current(key: string): Promise<Lease | undefined> {
    const reply = await this.#eval("current", CURRENT, [this.#leaseKey(key)], []);
    if (reply === null) return undefined;
    const [holder, token, expiresAt] = reply as [string, string, string];
    return { key, holder, token: Number(token), expiresAt: Number(expiresAt) };
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
    closeRedis(this.#client);
  }

  #leaseKey(key: string): string {
    // The hash tag keeps a lease and its counter in one cluster slot.
    return `${this.#prefix}:lease:{${key}}`;
  }

  #counterKey(key: string): string {
    return `${this.#prefix}:lease-token:{${key}}`;
  }

  async #eval(what: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    this.#assertOpen();
    try {
      return await this.#client.eval(script, keys.length, ...keys, ...args);
    } catch (error) {
      throw unavailable(`lease ${what} on Redis`, error);
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new GrimnirError(
        "BUS_UNAVAILABLE",
        "this RedisCoordinator is closed; create a new one",
      );
    }
  }
}

/** Reject a non-positive or non-integer TTL with `VALIDATION`. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new GrimnirError(
      "VALIDATION",
      `lease ttlMs must be a positive integer of milliseconds (got ${ttlMs})`,
      {
        details: { field: "ttlMs" },
      },
    );
  }
}
