import type { Redis } from "ioredis";
import { EVENT_ENVELOPE_VERSION, GrimnirError, SystemTimeSource, newId } from "@grimnir/core";
import type {
  BusEvent,
  EventBus,
  EventHandler,
  EventMap,
  Subscription,
  TimeSource,
  Topic,
} from "@grimnir/core";
import { channelFor, DEFAULT_MAX_EVENT_BYTES, encodeBounded, stationToken } from "./envelope.js";
import { Outbox } from "./outbox.js";
import {
  assertTopic,
  consoleLogger,
  decodeFromChannel,
  errorText,
  handlerErrorLogger,
  LocalSubscription,
  type BusClientHealth,
  type BusClientOptions,
  type BusLogger,
  type HandlerErrorReporter,
} from "./delivery.js";
import { closeRedis, openRedis, unavailable, waitReady } from "./redis-connection.js";

/** Options of {@link RedisBus}. */
export interface RedisBusOptions extends BusClientOptions {
  /** Server URL, `redis://[user:password@]host[:port][/db]` (default `redis://127.0.0.1:6379`). */
  url?: string;
  /** Clock for the envelope's `at` (default {@link SystemTimeSource}). */
  timeSource?: TimeSource;
}

interface Queued {
  readonly topic: Topic;
  readonly channel: string;
  readonly data: string;
}

/** One Redis-level subscription (a channel or a pattern) shared by local handlers. */
interface ServerSubscription {
  readonly kind: "channel" | "pattern";
  readonly name: string;
  readonly locals: Set<LocalSubscription>;
  /** Settles when the server has confirmed (or the attempt was deferred to reconnection). */
  confirmed: Promise<void>;
}

/** Batch size when draining the outbox after a reconnection. */
const FLUSH_BATCH = 256;

/**
 * {@link EventBus} on Redis pub/sub (ioredis), one connection to publish and one to subscribe.
 *
 * Delivery: at-most-once, per-publisher order, only to subscriptions confirmed by
 * the server (`subscribe` resolves after SUBSCRIBE/PSUBSCRIBE is acknowledged).
 * Redis keeps nothing: a subscriber that is disconnected misses what is published
 * meanwhile. Each message is a version-1 JSON envelope on
 * `<prefix>.<station>.<topic>`; subscriptions with "*" use PSUBSCRIBE.
 *
 * Outages: both connections reconnect with exponential backoff, and every
 * subscription is re-issued once per reconnection (never duplicated). While the
 * publishing connection is down, `publish` resolves at once and the event waits
 * in a bounded {@link Outbox} (oldest telemetry dropped first), flushed in order
 * on reconnection. A send that fails in flight is requeued; subscribers drop the
 * copy if the first one did arrive (ids are remembered), so delivery stays at-most-once.
 */
export class RedisBus implements EventBus {
  readonly #prefix: string;
  readonly #maxBytes: number;
  readonly #connectTimeoutMs: number;
  readonly #time: TimeSource;
  readonly #logger: BusLogger;
  readonly #onHandlerError: HandlerErrorReporter;
  readonly #outbox: Outbox<Queued>;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #subs = new Map<string, ServerSubscription>();
  #flushing = false;
  /** True once every subscription has been (re-)issued on the current subscriber connection. */
  #subscribed = false;
  #malformed = 0;
  #lastError: string | undefined;
  #closed = false;

  /** Create a bus and wait for its first connection; rejects with `BUS_UNAVAILABLE` after `connectTimeoutMs`. */
  static async connect(options: RedisBusOptions = {}): Promise<RedisBus> {
    const bus = new RedisBus(options);
    try {
      await bus.ready();
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  /** Create a bus that connects in the background; see {@link RedisBus.connect} to wait for it. */
  constructor(options: RedisBusOptions = {}) {
    const url = options.url ?? "redis://127.0.0.1:6379";
    this.#prefix = options.prefix ?? "grimnir";
    this.#maxBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#logger = options.logger ?? consoleLogger;
    this.#onHandlerError = options.onHandlerError ?? handlerErrorLogger(this.#logger);
    this.#outbox = new Outbox(options.outboxCapacity ?? 10_000);
    const onError = (error: Error): void => {
      this.#lastError = error.message;
    };
    this.#pub = openRedis(url, "grimnir-bus-pub", options.reconnect, onError);
    this.#sub = openRedis(url, "grimnir-bus-sub", options.reconnect, onError);
    this.#pub.on("ready", () => void this.#flush());
    this.#sub.on("ready", () => void this.#resubscribe());
    this.#sub.on("close", () => {
      this.#subscribed = false;
      this.#lastError ??= "connection to Redis closed";
    });
    this.#pub.on("close", () => {
      this.#lastError ??= "connection to Redis closed";
    });
    this.#sub.on("message", (channel: string, message: string) =>
      this.#route(`c:${channel}`, channel, message),
    );
    this.#sub.on("pmessage", (pattern: string, channel: string, message: string) =>
      this.#route(`p:${pattern}`, channel, message),
    );
  }

  /** Resolve once both connections are up; reject with `BUS_UNAVAILABLE` after `connectTimeoutMs`. */
  async ready(): Promise<void> {
    await waitReady(this.#pub, this.#connectTimeoutMs, () => this.#lastError);
    await waitReady(this.#sub, this.#connectTimeoutMs, () => this.#lastError);
    this.#subscribed ||= this.#subs.size === 0;
  }

  /**
   * Publish an event. Resolves with the envelope once Redis accepted it (one round
   * trip, bounded by a 5 s command timeout after which it is queued), or at once when
   * queued in the outbox while disconnected; never rejects for a connection problem. Rejects
   * with `VALIDATION` for a bad station id or an event over `maxEventBytes`.
   */
  async publish<K extends Topic>(
    topic: K,
    stationId: string,
    payload: EventMap[K],
  ): Promise<BusEvent<K>> {
    this.#assertOpen();
    assertTopic(topic);
    const channel = channelFor(this.#prefix, stationId, topic);
    const event: BusEvent<K> = {
      v: EVENT_ENVELOPE_VERSION,
      id: newId(),
      topic,
      stationId,
      at: this.#time.now(),
      payload,
    };
    const data = encodeBounded(event as unknown as BusEvent, this.#maxBytes);
    const item: Queued = { topic, channel, data };
    if (
      this.#pub.status === "ready" &&
      this.#subscribed &&
      !this.#flushing &&
      this.#outbox.size === 0
    ) {
      await this.#send(item);
    } else {
      this.#outbox.push(item);
    }
    return JSON.parse(data) as BusEvent<K>;
  }

  /**
   * Subscribe to `topic` ("*" for all) on `stationId` ("*" for all). Resolves once the
   * server confirmed the subscription, or at once while disconnected (it is applied
   * on reconnection). Events published after it resolves are delivered in order.
   */
  async subscribe<K extends Topic>(
    topic: K | "*",
    stationId: string | "*",
    handler: EventHandler<K>,
  ): Promise<Subscription> {
    this.#assertOpen();
    if (topic !== "*") assertTopic(topic);
    const local = new LocalSubscription(
      topic,
      stationId,
      handler as unknown as EventHandler,
      this.#onHandlerError,
    );
    const { kind, name } = this.#targetFor(topic, stationId);
    const key = `${kind === "channel" ? "c" : "p"}:${name}`;
    let entry = this.#subs.get(key);
    if (entry === undefined) {
      entry = { kind, name, locals: new Set(), confirmed: Promise.resolve() };
      this.#subs.set(key, entry);
      entry.confirmed = this.#serverSubscribe(entry);
    }
    entry.locals.add(local);
    try {
      await entry.confirmed;
    } catch (error) {
      this.#dropLocal(key, local);
      throw error;
    }
    return { unsubscribe: async () => this.#unsubscribe(key, local) };
  }

  /** Connection state, outbox size, drop and malformed-message counts, last connection error. */
  health(): BusClientHealth {
    return {
      connected:
        !this.#closed &&
        this.#pub.status === "ready" &&
        this.#sub.status === "ready" &&
        this.#subscribed,
      outboxSize: this.#outbox.size,
      dropped: this.#outbox.dropped,
      malformed: this.#malformed,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** Stop every subscription and close both connections; queued events are discarded. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#subs.values()) for (const local of entry.locals) local.close();
    this.#subs.clear();
    this.#outbox.clear();
    closeRedis(this.#pub);
    closeRedis(this.#sub);
  }

  #targetFor(topic: Topic | "*", stationId: string): { kind: "channel" | "pattern"; name: string } {
    const station = stationId === "*" ? "*" : globEscape(stationToken(stationId));
    if (topic !== "*" && stationId !== "*") {
      return { kind: "channel", name: channelFor(this.#prefix, stationId, topic) };
    }
    return { kind: "pattern", name: `${globEscape(this.#prefix)}.${station}.${topic}` };
  }

  async #serverSubscribe(entry: ServerSubscription): Promise<void> {
    if (this.#sub.status !== "ready") return;
    try {
      if (entry.kind === "channel") await this.#sub.subscribe(entry.name);
      else await this.#sub.psubscribe(entry.name);
    } catch (error) {
      // Lost to a dropped connection: the next "ready" re-issues it.
      if (this.#sub.status !== "ready") {
        this.#lastError = errorText(error);
        return;
      }
      throw unavailable(`subscribing to ${entry.name}`, error);
    }
  }

  async #unsubscribe(key: string, local: LocalSubscription): Promise<void> {
    const entry = this.#dropLocal(key, local);
    if (entry === undefined || this.#closed || this.#sub.status !== "ready") return;
    try {
      if (entry.kind === "channel") await this.#sub.unsubscribe(entry.name);
      else await this.#sub.punsubscribe(entry.name);
    } catch (error) {
      // A connection that dropped took the server-side subscription with it.
      if (this.#sub.status === "ready")
        throw unavailable(`unsubscribing from ${entry.name}`, error);
      this.#lastError = errorText(error);
    }
  }

  /** Remove `local`; returns the server subscription when it has no local handler left. */
  #dropLocal(key: string, local: LocalSubscription): ServerSubscription | undefined {
    local.close();
    const entry = this.#subs.get(key);
    if (entry === undefined || !entry.locals.delete(local) || entry.locals.size > 0)
      return undefined;
    this.#subs.delete(key);
    return entry;
  }

  async #resubscribe(): Promise<void> {
    const channels: string[] = [];
    const patterns: string[] = [];
    for (const entry of this.#subs.values()) {
      (entry.kind === "channel" ? channels : patterns).push(entry.name);
    }
    try {
      if (channels.length > 0) await this.#sub.subscribe(...channels);
      if (patterns.length > 0) await this.#sub.psubscribe(...patterns);
      this.#subscribed = this.#sub.status === "ready";
      void this.#flush();
    } catch (error) {
      // The connection dropped again; its next "ready" retries.
      this.#lastError = errorText(error);
      this.#logger.warn("re-subscribing after reconnection failed", error);
    }
  }

  #route(key: string, channel: string, message: string): void {
    const entry = this.#subs.get(key);
    if (entry === undefined) return;
    let event: BusEvent;
    try {
      event = decodeFromChannel(this.#prefix, channel, message);
    } catch (error) {
      this.#malformed += 1;
      this.#logger.warn(`dropped a malformed message on ${channel}`, error);
      return;
    }
    let first = true;
    for (const local of entry.locals) {
      local.deliver(first ? event : structuredClone(event));
      first = false;
    }
  }

  #send(item: Queued): Promise<void> {
    return this.#pub.publish(item.channel, item.data).then(
      () => undefined,
      (error: unknown) => {
        this.#lastError = errorText(error);
        if (this.#closed) return;
        if (this.#pub.status !== "ready") {
          this.#outbox.push(item);
        } else {
          this.#logger.warn(`publishing on ${item.channel} failed; event dropped`, error);
        }
      },
    );
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      // Wait for our own subscriptions too, so a bus that hears its own events misses none.
      while (
        !this.#closed &&
        this.#pub.status === "ready" &&
        this.#subscribed &&
        this.#outbox.size > 0
      ) {
        const batch: Queued[] = [];
        for (let item = this.#outbox.shift(); item !== undefined; item = this.#outbox.shift()) {
          batch.push(item);
          if (batch.length >= FLUSH_BATCH) break;
        }
        const pipeline = this.#pub.pipeline();
        for (const item of batch) pipeline.publish(item.channel, item.data);
        let failed: Queued[];
        try {
          const results = await pipeline.exec();
          failed = batch.filter((_, i) => results?.[i]?.[0] != null);
        } catch (error) {
          this.#lastError = errorText(error);
          failed = batch;
        }
        if (failed.length > 0 && this.#pub.status !== "ready") {
          this.#outbox.putBack(failed);
          break;
        }
        if (failed.length > 0) {
          this.#logger.warn(`publishing ${failed.length} queued events failed; they were dropped`);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new GrimnirError("BUS_UNAVAILABLE", "this RedisBus is closed; create a new one");
  }
}

/** Escape Redis glob metacharacters so `text` matches only itself in a PSUBSCRIBE pattern. */
function globEscape(text: string): string {
  return text.replace(/[\\?*[\]]/g, (c) => `\\${c}`);
}
