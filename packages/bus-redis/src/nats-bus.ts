import type { NatsConnection, Subscription as NatsSubscription } from "nats";
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
import { natsUnavailable, openNats } from "./nats-connection.js";

/** Options of {@link NatsBus}. */
export interface NatsBusOptions extends BusClientOptions {
  /** Server URL, `nats://[user:pass@|token@]host[:port]` (default `nats://127.0.0.1:4222`). */
  url?: string;
  /** Clock for the envelope's `at` (default {@link SystemTimeSource}). */
  timeSource?: TimeSource;
}

interface Queued {
  readonly topic: Topic;
  readonly subject: string;
  readonly data: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * {@link EventBus} on NATS core pub/sub (nats.js), one connection per bus.
 *
 * Subjects are `<prefix>.<station>.<topic>` (topic dots kept, station dots escaped,
 * see {@link channelFor}); "*" subscriptions use `<prefix>.*.<topic>` and
 * `<prefix>.<station>.>`. Delivery: at-most-once, per-publisher order, to
 * subscriptions the server has registered (`subscribe` resolves after a
 * round trip). NATS core keeps nothing for absent subscribers.
 *
 * Outages: the client reconnects forever with exponential backoff and re-sends
 * each subscription once. While disconnected, `publish` resolves at once and the
 * event waits in a bounded {@link Outbox} (oldest telemetry dropped first),
 * sent in order on reconnection. Subscribers drop copies of an id they already
 * delivered, so a resent event is seen at most once.
 */
export class NatsBus implements EventBus {
  readonly #prefix: string;
  readonly #maxBytes: number;
  readonly #time: TimeSource;
  readonly #logger: BusLogger;
  readonly #onHandlerError: HandlerErrorReporter;
  readonly #outbox: Outbox<Queued>;
  readonly #locals = new Map<LocalSubscription, NatsSubscription>();
  #nc: NatsConnection | undefined;
  #connected = false;
  #confirmed = false;
  #malformed = 0;
  #lastError: string | undefined;
  #closed = false;
  /** The PING/PONG the publishes of the current tick wait for, until it is sent. */
  #pendingFlush: Promise<void> | undefined;

  /** Connect (retrying until `connectTimeoutMs`, then rejecting with `BUS_UNAVAILABLE`) and return the bus. */
  static async connect(options: NatsBusOptions = {}): Promise<NatsBus> {
    const bus = new NatsBus(options);
    bus.#nc = await openNats(
      options.url ?? "nats://127.0.0.1:4222",
      "grimnir-bus",
      options.reconnect,
      options.connectTimeoutMs ?? 10_000,
      {
        onDisconnect: () => {
          bus.#connected = false;
          bus.#confirmed = false;
          bus.#lastError ??= "connection to NATS closed";
        },
        onReconnect: () => bus.#onReconnect(),
        onError: (message) => {
          bus.#lastError = message;
        },
      },
    );
    bus.#connected = true;
    bus.#confirmed = true;
    return bus;
  }

  private constructor(options: NatsBusOptions) {
    this.#prefix = options.prefix ?? "grimnir";
    this.#maxBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#logger = options.logger ?? consoleLogger;
    this.#onHandlerError = options.onHandlerError ?? handlerErrorLogger(this.#logger);
    this.#outbox = new Outbox(options.outboxCapacity ?? 10_000);
  }

  /**
   * Publish an event. Resolves with the envelope once the server has read it (one
   * round trip), or at once when queued in the outbox while disconnected; never
   * rejects for a connection problem. Rejects with
   * `VALIDATION` for a bad station id or an event over `maxEventBytes` (or the
   * server's `max_payload`).
   */
  async publish<K extends Topic>(
    topic: K,
    stationId: string,
    payload: EventMap[K],
  ): Promise<BusEvent<K>> {
    const nc = this.#open();
    assertTopic(topic);
    const subject = channelFor(this.#prefix, stationId, topic);
    const event: BusEvent<K> = {
      v: EVENT_ENVELOPE_VERSION,
      id: newId(),
      topic,
      stationId,
      at: this.#time.now(),
      payload,
    };
    const limit = Math.min(this.#maxBytes, nc.info?.max_payload ?? this.#maxBytes);
    const text = encodeBounded(event as unknown as BusEvent, limit);
    const item: Queued = { topic, subject, data: encoder.encode(text) };
    if (this.#connected && this.#outbox.size === 0) {
      if (this.#send(nc, item)) await this.#flushed(nc);
    } else {
      this.#outbox.push(item);
    }
    return JSON.parse(text) as BusEvent<K>;
  }

  /**
   * Subscribe to `topic` ("*" for all) on `stationId` ("*" for all). Resolves once the
   * server has the subscription, or at once while disconnected (the client sends it
   * on reconnection). Events published after it resolves are delivered in order.
   */
  async subscribe<K extends Topic>(
    topic: K | "*",
    stationId: string | "*",
    handler: EventHandler<K>,
  ): Promise<Subscription> {
    const nc = this.#open();
    if (topic !== "*") assertTopic(topic);
    const local = new LocalSubscription(
      topic,
      stationId,
      handler as unknown as EventHandler,
      this.#onHandlerError,
    );
    const sub = nc.subscribe(this.#subjectFor(topic, stationId), {
      callback: (error, msg) => {
        if (error !== null) {
          this.#lastError = error.message;
          this.#logger.warn(`subscription ${msg?.subject ?? topic} failed`, error);
          return;
        }
        this.#route(local, msg.subject, msg.data);
      },
    });
    this.#locals.set(local, sub);
    if (this.#connected) {
      try {
        await nc.flush();
      } catch (error) {
        // Disconnected meanwhile: the client re-sends the subscription on reconnection.
        if (this.#connected) throw natsUnavailable("subscribing", error);
        this.#lastError = errorText(error);
      }
    }
    return {
      unsubscribe: async () => {
        local.close();
        const held = this.#locals.get(local);
        this.#locals.delete(local);
        if (held !== undefined && !held.isClosed()) held.unsubscribe();
      },
    };
  }

  /** Connection state, outbox size, drop and malformed-message counts, last connection error. */
  health(): BusClientHealth {
    return {
      connected: !this.#closed && this.#connected && this.#confirmed,
      outboxSize: this.#outbox.size,
      dropped: this.#outbox.dropped,
      malformed: this.#malformed,
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
    };
  }

  /** Stop every subscription and close the connection; queued events are discarded. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const local of this.#locals.keys()) local.close();
    this.#locals.clear();
    this.#outbox.clear();
    const nc = this.#nc;
    if (nc !== undefined && !nc.isClosed()) await nc.close();
  }

  #subjectFor(topic: Topic | "*", stationId: string): string {
    const station = stationId === "*" ? "*" : stationToken(stationId);
    return `${this.#prefix}.${station}.${topic === "*" ? ">" : topic}`;
  }

  #route(local: LocalSubscription, subject: string, data: Uint8Array): void {
    let event: BusEvent;
    try {
      event = decodeFromChannel(this.#prefix, subject, decoder.decode(data));
    } catch (error) {
      this.#malformed += 1;
      this.#logger.warn(`dropped a malformed message on ${subject}`, error);
      return;
    }
    local.deliver(event);
  }

  #send(nc: NatsConnection, item: Queued): boolean {
    try {
      nc.publish(item.subject, item.data);
      return true;
    } catch (error) {
      // The connection closed under us; keep the event for the next connection.
      this.#lastError = errorText(error);
      this.#outbox.push(item);
      return false;
    }
  }

  /**
   * Wait until the server has read what we sent; a connection lost meanwhile is only
   * noted. Publishes made in the same tick share one PING/PONG, sent after all of them.
   */
  #flushed(nc: NatsConnection): Promise<void> {
    this.#pendingFlush ??= Promise.resolve().then(async () => {
      this.#pendingFlush = undefined;
      try {
        await nc.flush();
      } catch (error) {
        // The client keeps unsent data and writes it after reconnecting; publish must not fail for that.
        this.#lastError = errorText(error);
      }
    });
    return this.#pendingFlush;
  }

  #onReconnect(): void {
    const nc = this.#nc;
    if (nc === undefined || this.#closed) return;
    // Synchronous drain: nothing can publish in between, so order is kept.
    for (let item = this.#outbox.shift(); item !== undefined; item = this.#outbox.shift()) {
      try {
        nc.publish(item.subject, item.data);
      } catch (error) {
        this.#lastError = errorText(error);
        this.#outbox.putBack([item]);
        return;
      }
    }
    this.#connected = true;
    nc.flush().then(
      () => {
        this.#confirmed = this.#connected;
      },
      (error: unknown) => {
        this.#lastError = errorText(error);
      },
    );
  }

  #open(): NatsConnection {
    if (this.#closed || this.#nc === undefined) {
      throw new GrimnirError("BUS_UNAVAILABLE", "this NatsBus is closed; create a new one");
    }
    return this.#nc;
  }
}
