import { hasRole } from "@grimnir/core";
import type { BusEvent, EventBus, Subscription, User } from "@grimnir/core";
import { EncodedEvent, EventBatch } from "./event-encoding.js";

/** A connected event stream (WebSocket or SSE) as the fan-out sees it. */
export interface EventSink {
  /**
   * Write `batch` to the stream, synchronously and without throwing; the
   * batch's buffers are shared with other streams and must not be modified.
   */
  deliver(batch: EventBatch): void;
  /** End the stream (server shutdown). */
  close(): void;
}

/** What a stream asked for and who asked. */
export interface EventStreamFilter {
  /** The caller; only stations they hold at least the `dj` role on are ever delivered. */
  user: Pick<User, "roles" | "disabled">;
  /** Stations asked for; undefined = every station the user may see. */
  stations: ReadonlySet<string> | undefined;
  /** Topics asked for; undefined = all. */
  topics: ReadonlySet<string> | undefined;
}

/**
 * The streams that receive exactly the same events: the same visible stations
 * and the same topics. Permission is resolved once, when a stream joins, so
 * delivering an event costs no per-stream check at all.
 */
interface Audience {
  readonly key: string;
  /** Visible stations; "all" for a user with a role on `*` who did not narrow. */
  readonly stations: ReadonlySet<string> | "all";
  readonly topics: ReadonlySet<string> | undefined;
  readonly sinks: Set<EventSink>;
}

/** The stations `filter` may receive events of, resolved against the user's grants. */
function visibleStations(filter: EventStreamFilter): ReadonlySet<string> | "all" {
  const { user, stations } = filter;
  if (stations !== undefined) {
    return new Set([...stations].filter((stationId) => hasRole(user, stationId, "dj")));
  }
  if (hasRole(user, "*", "dj")) return "all";
  // Without a `*` grant, only the stations named in the user's own grants can pass hasRole.
  return new Set(
    user.roles
      .map((grant) => grant.stationId)
      .filter((stationId) => hasRole(user, stationId, "dj")),
  );
}

const sorted = (set: ReadonlySet<string>): string[] => [...set].sort();

/**
 * One bus subscription for every event stream. Streams are grouped into
 * audiences (same visible stations, same topics); events that arrive in the
 * same turn of the event loop are flushed together, each event is serialised
 * once, each audience's share is framed once per transport, and every stream
 * gets that shared buffer in a single write.
 */
export class EventFanout {
  readonly #bus: Pick<EventBus, "subscribe">;
  readonly #audiences = new Map<string, Audience>();
  readonly #audienceOf = new Map<EventSink, Audience>();
  #subscription: Promise<Subscription> | undefined;
  #pending: BusEvent[] = [];
  #flushScheduled = false;

  constructor(bus: Pick<EventBus, "subscribe">) {
    this.#bus = bus;
  }

  /** Number of connected streams. */
  get size(): number {
    return this.#audienceOf.size;
  }

  /** Number of distinct audiences (streams that receive the same events count once). */
  get audiences(): number {
    return this.#audiences.size;
  }

  /**
   * Start delivering to `sink` what `filter` allows; resolves once the bus
   * subscription is live. Adding a sink twice moves it to the new filter.
   */
  async add(sink: EventSink, filter: EventStreamFilter): Promise<void> {
    this.remove(sink);
    const stations = visibleStations(filter);
    const key = JSON.stringify([
      stations === "all" ? "*" : sorted(stations),
      filter.topics === undefined ? "*" : sorted(filter.topics),
    ]);
    let audience = this.#audiences.get(key);
    if (audience === undefined) {
      audience = { key, stations, topics: filter.topics, sinks: new Set() };
      this.#audiences.set(key, audience);
    }
    audience.sinks.add(sink);
    this.#audienceOf.set(sink, audience);
    this.#subscription ??= this.#bus.subscribe("*", "*", (event) => this.#enqueue(event));
    await this.#subscription;
  }

  /** Stop delivering to `sink` (no-op for an unknown sink). */
  remove(sink: EventSink): void {
    const audience = this.#audienceOf.get(sink);
    if (audience === undefined) return;
    this.#audienceOf.delete(sink);
    audience.sinks.delete(sink);
    if (audience.sinks.size === 0) this.#audiences.delete(audience.key);
  }

  /** Close every stream and drop the bus subscription (on server close). */
  async close(): Promise<void> {
    const sub = this.#subscription;
    this.#subscription = undefined;
    this.#pending = [];
    for (const sink of [...this.#audienceOf.keys()]) sink.close();
    this.#audienceOf.clear();
    this.#audiences.clear();
    if (sub !== undefined) await (await sub).unsubscribe();
  }

  #enqueue(event: BusEvent): void {
    this.#pending.push(event);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // A burst delivered in one turn (a bus read with several messages) goes out as one write per stream.
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const events = this.#pending.map((event) => new EncodedEvent(event));
    this.#pending = [];
    if (events.length === 0) return;
    // Audiences that see the same subset of the burst share one batch (and so one encoding).
    const batches = new Map<string, EventBatch>();
    for (const audience of this.#audiences.values()) {
      const seen: EncodedEvent[] = [];
      let key = "";
      for (let i = 0; i < events.length; i++) {
        const { event } = events[i]!;
        if (audience.topics !== undefined && !audience.topics.has(event.topic)) continue;
        if (audience.stations !== "all" && !audience.stations.has(event.stationId)) continue;
        seen.push(events[i]!);
        key += `${i},`;
      }
      if (seen.length === 0) continue;
      let batch = batches.get(key);
      if (batch === undefined) {
        batch = new EventBatch(seen);
        batches.set(key, batch);
      }
      for (const sink of audience.sinks) sink.deliver(batch);
    }
  };
}
