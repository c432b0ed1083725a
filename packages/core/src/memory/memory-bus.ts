import { GrimnirError } from "../errors.js";
import { newId } from "../ids.js";
import { SystemTimeSource, type TimeSource } from "../time.js";
import {
  EVENT_ENVELOPE_VERSION,
  type BusEvent,
  type BusHealth,
  type EventBus,
  type EventHandler,
  type EventMap,
  type Subscription,
  type Topic,
} from "../contracts/bus.js";

/** Called with an error a handler threw (or rejected with) and the event it was handling. */
export type BusHandlerErrorReporter = (error: unknown, event: BusEvent) => void;

/** One subscription inside a hub: its filter and its own ordered delivery queue. */
class HubSubscription {
  readonly #pending: BusEvent[] = [];
  #draining = false;
  active = true;

  constructor(
    readonly topic: Topic | "*",
    readonly stationId: string,
    readonly handler: EventHandler,
    readonly onError: BusHandlerErrorReporter,
  ) {}

  matches(event: BusEvent): boolean {
    return (
      this.active &&
      (this.topic === "*" || this.topic === event.topic) &&
      (this.stationId === "*" || this.stationId === event.stationId)
    );
  }

  enqueue(event: BusEvent): void {
    // Each subscriber gets its own copy, as if it came over the wire.
    this.#pending.push(structuredClone(event));
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => void this.#drain());
    }
  }

  async #drain(): Promise<void> {
    while (this.active && this.#pending.length > 0) {
      const event = this.#pending.shift()!;
      try {
        await this.handler(event);
      } catch (error) {
        this.onError(error, event);
      }
    }
    this.#pending.length = 0;
    this.#draining = false;
  }
}

/**
 * The shared in-process backend of {@link MemoryBus} clients: events published
 * through any client reach the matching subscriptions of every client on the hub.
 */
export class MemoryBusHub {
  static readonly #default = new MemoryBusHub();

  /** The process-wide hub clients use when none is given. */
  static get default(): MemoryBusHub {
    return MemoryBusHub.#default;
  }

  /** Number of live subscriptions across all clients (for tests and diagnostics). */
  get subscriptionCount(): number {
    return subscriptionsOf(this).size;
  }
}

/** Each hub's subscriptions, kept out of the hub's public surface. */
const hubSubscriptions = new WeakMap<MemoryBusHub, Set<HubSubscription>>();

function subscriptionsOf(hub: MemoryBusHub): Set<HubSubscription> {
  let subs = hubSubscriptions.get(hub);
  if (subs === undefined) {
    subs = new Set();
    hubSubscriptions.set(hub, subs);
  }
  return subs;
}

/** Route `event` to every matching subscription of `hub`; handlers run later, never here. */
function dispatch(hub: MemoryBusHub, event: BusEvent): void {
  for (const sub of subscriptionsOf(hub)) {
    if (sub.matches(event)) sub.enqueue(event);
  }
}

function removeSubscription(hub: MemoryBusHub, sub: HubSubscription): void {
  sub.active = false;
  subscriptionsOf(hub).delete(sub);
}

/** Options of {@link MemoryBus}. */
export interface MemoryBusOptions {
  /** Backend shared with other clients (default {@link MemoryBusHub.default}). */
  hub?: MemoryBusHub;
  /** Clock for the envelope's `at` (default {@link SystemTimeSource}). */
  timeSource?: TimeSource;
  /** Where handler errors go (default `console.error`); they never reach the publisher. */
  onHandlerError?: BusHandlerErrorReporter;
}

function defaultReporter(error: unknown, event: BusEvent): void {
  console.error(
    `grimnir: bus handler for ${event.topic} on station ${event.stationId} failed`,
    error,
  );
}

/**
 * The reference {@link EventBus}: a client of an in-process {@link MemoryBusHub}.
 *
 * Delivery is asynchronous (never inside `publish`), in publish order per
 * subscription, to subscriptions that existed when the event was published.
 * A handler's failure is reported through `onHandlerError` and affects nothing else.
 */
export class MemoryBus implements EventBus {
  readonly #hub: MemoryBusHub;
  readonly #time: TimeSource;
  readonly #onError: BusHandlerErrorReporter;
  readonly #mine = new Set<HubSubscription>();
  #closed = false;

  /** A client of `options.hub` (default: the process-wide hub). */
  constructor(options: MemoryBusOptions = {}) {
    this.#hub = options.hub ?? MemoryBusHub.default;
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#onError = options.onHandlerError ?? defaultReporter;
  }

  /** Publish to the hub; resolves with the envelope before any handler runs. */
  async publish<K extends Topic>(
    topic: K,
    stationId: string,
    payload: EventMap[K],
  ): Promise<BusEvent<K>> {
    this.#assertOpen();
    const event: BusEvent<K> = {
      v: EVENT_ENVELOPE_VERSION,
      id: newId(),
      topic,
      stationId,
      at: this.#time.now(),
      payload: structuredClone(payload),
    };
    dispatch(this.#hub, event as unknown as BusEvent);
    return structuredClone(event);
  }

  /** Subscribe; events published after this resolves are delivered until `unsubscribe`. */
  async subscribe<K extends Topic>(
    topic: K | "*",
    stationId: string | "*",
    handler: EventHandler<K>,
  ): Promise<Subscription> {
    this.#assertOpen();
    const sub = new HubSubscription(
      topic,
      stationId,
      handler as unknown as EventHandler,
      this.#onError,
    );
    subscriptionsOf(this.#hub).add(sub);
    this.#mine.add(sub);
    return {
      unsubscribe: async () => {
        removeSubscription(this.#hub, sub);
        this.#mine.delete(sub);
      },
    };
  }

  /** Always connected until closed; nothing is ever queued or dropped. */
  health(): BusHealth {
    return { connected: !this.#closed, outboxSize: 0, dropped: 0 };
  }

  /** Remove this client's subscriptions; later publish/subscribe reject with `BUS_UNAVAILABLE`. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const sub of this.#mine) removeSubscription(this.#hub, sub);
    this.#mine.clear();
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new GrimnirError("BUS_UNAVAILABLE", "this MemoryBus is closed; create a new one");
  }
}
