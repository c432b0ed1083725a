import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newId } from "../ids.js";
import {
  EVENT_ENVELOPE_VERSION,
  type BusEvent,
  type EventBus,
  type EventMap,
} from "../contracts/bus.js";
import { sleep, waitFor, type ConformanceCheck } from "./harness.js";

/** What every bus check receives. */
export interface BusCheckContext {
  /** A new client of the shared backend; the suite closes it after the check. */
  connect(): Promise<EventBus>;
}

/** Grace period for proving something did NOT arrive, after a later event did. */
const QUIET_MS = 50;

function level(n: number): EventMap["buffer_health"] {
  return { depthMs: n, underruns: 0, status: "ok" };
}

/** Collects delivered events and waits for them. */
class Inbox {
  readonly events: BusEvent[] = [];
  readonly handler = (event: BusEvent): void => {
    this.events.push(event);
  };

  depths(): number[] {
    return this.events.map((e) => (e.payload as EventMap["buffer_health"]).depthMs);
  }

  async waitForCount(n: number, what = `${n} events`): Promise<void> {
    await waitFor(() => this.events.length >= n, 1500, 5, what);
  }

  async waitForDepth(depth: number): Promise<void> {
    await waitFor(() => this.depths().includes(depth), 1500, 5, `event with depth ${depth}`);
  }
}

/** Delivery, isolation, ordering and envelope checks for an {@link EventBus}. */
export const busConformanceChecks: readonly ConformanceCheck<BusCheckContext>[] = [
  {
    name: "delivers a published event to a subscriber on another client",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      const inbox = new Inbox();
      await sub.subscribe("buffer_health", station, inbox.handler);
      await pub.publish("buffer_health", station, level(1));
      await inbox.waitForCount(1);
      expect(inbox.depths()).toEqual([1]);
      await sleep(QUIET_MS);
      expect(inbox.events).toHaveLength(1);
    },
  },
  {
    name: "delivers asynchronously, never inside publish",
    async run({ connect }) {
      const bus = await connect();
      const station = newId();
      const inbox = new Inbox();
      await bus.subscribe("buffer_health", station, inbox.handler);
      const published = bus.publish("buffer_health", station, level(1));
      expect(inbox.events).toHaveLength(0);
      await published;
      await inbox.waitForCount(1);
    },
  },
  {
    name: "isolates stations: a subscriber never sees another station's events",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const [a, b] = [newId(), newId()];
      const inA = new Inbox();
      const inB = new Inbox();
      await sub.subscribe("buffer_health", a, inA.handler);
      await sub.subscribe("*", b, inB.handler);
      await pub.publish("buffer_health", b, level(1));
      await pub.publish("buffer_health", a, level(2));
      await pub.publish("now_playing", b, { startedAt: 3, priority: 3 });
      await inA.waitForDepth(2);
      await inB.waitForCount(2);
      await sleep(QUIET_MS);
      expect(inA.events.map((e) => e.stationId)).toEqual([a]);
      expect(inB.events.every((e) => e.stationId === b)).toBe(true);
      expect(inB.events).toHaveLength(2);
    },
  },
  {
    name: "filters by topic and delivers every topic to a '*' topic subscription",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      const onlyLevels = new Inbox();
      const everything = new Inbox();
      await sub.subscribe("buffer_health", station, onlyLevels.handler);
      await sub.subscribe("*", station, everything.handler);
      await pub.publish("now_playing", station, { startedAt: 1, priority: 3 });
      await pub.publish("schedule.updated", station, { from: 0, to: 1, entries: 0 });
      await pub.publish("buffer_health", station, level(7));
      await everything.waitForCount(3);
      await onlyLevels.waitForDepth(7);
      await sleep(QUIET_MS);
      expect(everything.events.map((e) => e.topic)).toEqual([
        "now_playing",
        "schedule.updated",
        "buffer_health",
      ]);
      expect(onlyLevels.events.map((e) => e.topic)).toEqual(["buffer_health"]);
    },
  },
  {
    name: "delivers every station's events to a '*' station subscription",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const [a, b] = [newId(), newId()];
      const mine = new Set([a, b]);
      const inbox = new Inbox();
      await sub.subscribe("buffer_health", "*", (event) => {
        // Other tests may share the backend: keep only this check's stations.
        if (mine.has(event.stationId)) inbox.handler(event);
      });
      await pub.publish("buffer_health", a, level(1));
      await pub.publish("buffer_health", b, level(2));
      await pub.publish("now_playing", a, { startedAt: 0, priority: 3 });
      await inbox.waitForCount(2);
      await sleep(QUIET_MS);
      expect(inbox.events.map((e) => [e.stationId, e.topic])).toEqual([
        [a, "buffer_health"],
        [b, "buffer_health"],
      ]);
    },
  },
  {
    name: "keeps one publisher's order over 200 rapid events",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      const inbox = new Inbox();
      await sub.subscribe("buffer_health", station, inbox.handler);
      const sends = [];
      for (let i = 0; i < 200; i++) sends.push(pub.publish("buffer_health", station, level(i)));
      await Promise.all(sends);
      await inbox.waitForCount(200);
      expect(inbox.depths()).toEqual(Array.from({ length: 200 }, (_, i) => i));
    },
  },
  {
    name: "stops delivery after unsubscribe, and unsubscribe is idempotent",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      const gone = new Inbox();
      const stays = new Inbox();
      const subscription = await sub.subscribe("buffer_health", station, gone.handler);
      await sub.subscribe("buffer_health", station, stays.handler);
      await pub.publish("buffer_health", station, level(1));
      await gone.waitForDepth(1);
      await subscription.unsubscribe();
      await subscription.unsubscribe();
      await pub.publish("buffer_health", station, level(2));
      await stays.waitForDepth(2);
      await sleep(QUIET_MS);
      expect(gone.depths()).toEqual([1]);
    },
  },
  {
    name: "does not deliver events published before subscribe resolved",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      await pub.publish("buffer_health", station, level(1));
      const inbox = new Inbox();
      await sub.subscribe("buffer_health", station, inbox.handler);
      await pub.publish("buffer_health", station, level(2));
      await inbox.waitForDepth(2);
      await sleep(QUIET_MS);
      expect(inbox.depths()).toEqual([2]);
    },
  },
  {
    name: "isolates a throwing handler from the publisher and from other subscribers",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      let thrown = 0;
      const healthy = new Inbox();
      await sub.subscribe("buffer_health", station, (event) => {
        thrown += 1;
        throw new Error(`handler failure ${event.id} (expected by the conformance suite)`);
      });
      await sub.subscribe("buffer_health", station, async () => {
        throw new Error("async handler failure (expected by the conformance suite)");
      });
      await sub.subscribe("buffer_health", station, healthy.handler);
      await pub.publish("buffer_health", station, level(1));
      await pub.publish("buffer_health", station, level(2));
      await healthy.waitForCount(2);
      await waitFor(() => thrown === 2, 1500, 5, "the throwing handler to see both events");
      expect(healthy.depths()).toEqual([1, 2]);
    },
  },
  {
    name: "delivers to every subscriber of the event, on the same or different clients",
    async run({ connect }) {
      const [pub, sub1, sub2] = [await connect(), await connect(), await connect()];
      const station = newId();
      const inboxes = [new Inbox(), new Inbox(), new Inbox()];
      await sub1.subscribe("buffer_health", station, inboxes[0]!.handler);
      await sub1.subscribe("buffer_health", station, inboxes[1]!.handler);
      await sub2.subscribe("buffer_health", station, inboxes[2]!.handler);
      await pub.publish("buffer_health", station, level(5));
      for (const inbox of inboxes) await inbox.waitForCount(1);
      await sleep(QUIET_MS);
      for (const inbox of inboxes) expect(inbox.depths()).toEqual([5]);
    },
  },
  {
    name: "wraps payloads in an envelope with version, unique id, topic, station and time",
    async run({ connect }) {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      const inbox = new Inbox();
      await sub.subscribe("*", station, inbox.handler);
      const payload: EventMap["now_playing"] = {
        mediaId: "m1",
        title: "Song",
        startedAt: 1_700_000_000_000,
        priority: 3,
      };
      const before = Date.now();
      const first = await pub.publish("now_playing", station, payload);
      const second = await pub.publish("now_playing", station, payload);
      await inbox.waitForCount(2);
      for (const [sent, got] of [
        [first, inbox.events[0]!],
        [second, inbox.events[1]!],
      ] as const) {
        expect(sent.v).toBe(EVENT_ENVELOPE_VERSION);
        expect(got.v).toBe(EVENT_ENVELOPE_VERSION);
        expect(typeof sent.id).toBe("string");
        expect(got.id).toBe(sent.id);
        expect(got.topic).toBe("now_playing");
        expect(got.stationId).toBe(station);
        expect(got.at).toBe(sent.at);
        expect(Number.isFinite(got.at)).toBe(true);
        expect(got.payload).toEqual(payload);
      }
      expect(first.id).not.toBe(second.id);
      expect(first.at).toBeGreaterThanOrEqual(before - 60_000);
    },
  },
  {
    name: "reports health while connected",
    async run({ connect }) {
      const bus = await connect();
      const health = bus.health();
      expect(health.connected).toBe(true);
      expect(health.outboxSize).toBeGreaterThanOrEqual(0);
      expect(health.dropped).toBeGreaterThanOrEqual(0);
    },
  },
];

/** How the bus suite gets clients of one backend and disposes of them. */
export interface BusConformanceOptions {
  /** A new client; two calls must give clients of the same backend (as two Redis connections). */
  create(): Promise<EventBus>;
  /** Dispose of a client after its test (default `bus.close()`). */
  destroy?(bus: EventBus): Promise<void>;
}

/**
 * Register the bus conformance suite with vitest: one test per
 * {@link busConformanceChecks} entry. Tests use fresh station ids, so the
 * backend needs no reset between them.
 */
export function describeBusConformance(name: string, options: BusConformanceOptions): void {
  describe(`${name}: EventBus conformance`, () => {
    let clients: EventBus[] = [];
    beforeEach(() => {
      clients = [];
    });
    afterEach(async () => {
      const done = clients;
      clients = [];
      for (const bus of done) {
        if (options.destroy !== undefined) await options.destroy(bus);
        else await bus.close();
      }
    });
    const ctx: BusCheckContext = {
      connect: async () => {
        const bus = await options.create();
        clients.push(bus);
        return bus;
      },
    };
    for (const check of busConformanceChecks) it(check.name, () => check.run(ctx));
  });
}
