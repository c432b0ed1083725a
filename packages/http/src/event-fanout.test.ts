import { MemoryBus, MemoryBusHub } from "@grimnir/core";
import type { Role } from "@grimnir/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventBatch } from "./event-encoding.js";
import { EventFanout, type EventSink, type EventStreamFilter } from "./event-fanout.js";

/** A sink that records every batch it is given. */
class RecordingSink implements EventSink {
  readonly batches: EventBatch[] = [];
  closed = false;
  deliver(batch: EventBatch): void {
    this.batches.push(batch);
  }
  close(): void {
    this.closed = true;
  }
  /** Titles received, in order. */
  get titles(): string[] {
    return this.batches.flatMap((b) =>
      b.events.map((e) => (e.event.payload as { title: string }).title),
    );
  }
}

const user = (roles: Array<{ stationId: string; role: Role }>, disabled = false) => ({
  roles,
  disabled,
});
const filter = (
  roles: Array<{ stationId: string; role: Role }>,
  narrow: Partial<Pick<EventStreamFilter, "stations" | "topics">> = {},
  disabled = false,
): EventStreamFilter => ({
  user: user(roles, disabled),
  stations: narrow.stations,
  topics: narrow.topics,
});

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("EventFanout", () => {
  let bus: MemoryBus;
  let fanout: EventFanout;
  const nowPlaying = (stationId: string, title: string) =>
    bus.publish("now_playing", stationId, { title, startedAt: 1, priority: 3 });

  beforeEach(() => {
    bus = new MemoryBus({ hub: new MemoryBusHub() });
    fanout = new EventFanout(bus);
  });
  afterEach(async () => {
    await fanout.close();
    await bus.close();
  });

  it("never gives a station-B stream station A's event, even when both go out in one shared flush", async () => {
    const djA = new RecordingSink();
    const djB = new RecordingSink();
    const admin = new RecordingSink();
    await fanout.add(djA, filter([{ stationId: "A", role: "dj" }]));
    await fanout.add(djB, filter([{ stationId: "B", role: "manager" }]));
    await fanout.add(admin, filter([{ stationId: "*", role: "admin" }]));
    await Promise.all([nowPlaying("A", "for A"), nowPlaying("B", "for B")]);
    await until(() => admin.titles.length === 2 && djA.titles.length > 0 && djB.titles.length > 0);
    await nowPlaying("B", "later B");
    await until(() => djB.titles.length === 2);
    expect(djA.titles).toEqual(["for A"]);
    expect(djB.titles).toEqual(["for B", "later B"]);
    expect(djB.batches.flatMap((b) => b.events.map((e) => e.event.stationId))).toEqual(["B", "B"]);
    expect(djB.batches[0]!.sseMessages.toString()).not.toContain("for A");
    // The burst reached the admin as one batch, in publish order.
    expect(admin.batches[0]!.events.map((e) => e.event.stationId)).toEqual(["A", "B"]);
  });

  it("hands every stream of one audience the same batch, encoded once", async () => {
    const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    for (const sink of sinks) await fanout.add(sink, filter([{ stationId: "A", role: "dj" }]));
    const allStations = new RecordingSink();
    await fanout.add(allStations, filter([{ stationId: "*", role: "admin" }]));
    expect(fanout.audiences).toBe(2);
    await nowPlaying("A", "shared");
    await until(
      () => sinks.every((s) => s.batches.length === 1) && allStations.batches.length === 1,
    );
    const [batch] = sinks[0]!.batches;
    for (const sink of sinks) expect(sink.batches[0]).toBe(batch);
    // A different audience that sees the same events shares the encoding too.
    expect(allStations.batches[0]).toBe(batch);
    expect(allStations.batches[0]!.webSocketFrames).toBe(batch!.webSocketFrames);
  });

  it("resolves permission when a stream joins: stations without a role and disabled users get nothing", async () => {
    const narrowed = new RecordingSink();
    const disabled = new RecordingSink();
    const topicOnly = new RecordingSink();
    await fanout.add(
      narrowed,
      filter([{ stationId: "A", role: "dj" }], { stations: new Set(["A", "B"]) }),
    );
    await fanout.add(disabled, filter([{ stationId: "*", role: "admin" }], {}, true));
    await fanout.add(
      topicOnly,
      filter([{ stationId: "*", role: "admin" }], { topics: new Set(["dj.connect"]) }),
    );
    await nowPlaying("B", "secret");
    await nowPlaying("A", "visible");
    await bus.publish("dj.connect", "B", {
      sessionId: "s",
      userId: "u",
      mountId: "m",
      priority: 1,
    });
    await until(() => narrowed.titles.length === 1 && topicOnly.batches.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(narrowed.titles).toEqual(["visible"]);
    expect(disabled.batches).toEqual([]);
    expect(topicOnly.batches.flatMap((b) => b.events.map((e) => e.event.topic))).toEqual([
      "dj.connect",
    ]);
  });

  it("stops delivering to a removed stream, forgets empty audiences and closes the rest on close", async () => {
    const leaving = new RecordingSink();
    const staying = new RecordingSink();
    await fanout.add(leaving, filter([{ stationId: "A", role: "dj" }]));
    await fanout.add(staying, filter([{ stationId: "*", role: "admin" }]));
    fanout.remove(leaving);
    expect([fanout.size, fanout.audiences]).toEqual([1, 1]);
    await nowPlaying("A", "after");
    await until(() => staying.titles.length === 1);
    expect(leaving.batches).toEqual([]);
    await fanout.close();
    expect([leaving.closed, staying.closed, fanout.size]).toEqual([false, true, 0]);
  });
});
