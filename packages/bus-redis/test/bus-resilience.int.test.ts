import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { connect as natsConnect } from "nats";
import { newId, type BusEvent, type EventBus, type EventMap } from "@grimnir/core";
import { sleep, waitFor } from "@grimnir/core/testing";
import { NatsBus, RedisBus, channelFor, encodeEvent } from "../src/index.js";
import { startNats, startRedis, type TestServer } from "@grimnir/testkit";

const quiet = { warn: () => undefined };
const fastReconnect = { initialDelayMs: 50, maxDelayMs: 400 };

interface Backend {
  name: string;
  start(): Promise<TestServer>;
  connect(server: TestServer, options?: { outboxCapacity?: number }): Promise<RedisBus | NatsBus>;
  /** Publish raw text on a channel/subject, as a foreign client would. */
  raw(server: TestServer, channel: string, text: string): Promise<void>;
}

const backends: Backend[] = [
  {
    name: "RedisBus",
    start: startRedis,
    connect: (server, options) =>
      RedisBus.connect({ url: server.url, reconnect: fastReconnect, logger: quiet, ...options }),
    async raw(server, channel, text) {
      const client = new Redis(server.url);
      await client.publish(channel, text);
      client.disconnect();
    },
  },
  {
    name: "NatsBus",
    start: startNats,
    connect: (server, options) =>
      NatsBus.connect({ url: server.url, reconnect: fastReconnect, logger: quiet, ...options }),
    async raw(server, channel, text) {
      const nc = await natsConnect({ servers: server.url.replace("nats://", "") });
      nc.publish(channel, new TextEncoder().encode(text));
      await nc.flush();
      await nc.close();
    },
  },
];

function level(n: number): EventMap["buffer_health"] {
  return { depthMs: n, underruns: 0, status: "ok" };
}

function labels(events: BusEvent[]): string[] {
  return events.map((e) =>
    e.topic === "now_playing"
      ? `np:${(e.payload as EventMap["now_playing"]).startedAt}`
      : `${e.topic}:${(e.payload as { depthMs?: number; bufferDepthMs?: number }).depthMs ?? (e.payload as EventMap["metrics"]).bufferDepthMs}`,
  );
}

function metrics(n: number): EventMap["metrics"] {
  return { levelLeftDb: -12, levelRightDb: -12, loudnessLufs: -16, bufferDepthMs: n, underruns: 0 };
}

for (const backend of backends) {
  describe(`${backend.name} across outages`, () => {
    let server: TestServer;
    const buses: EventBus[] = [];
    const connect = async (options?: { outboxCapacity?: number }) => {
      const bus = await backend.connect(server, options);
      buses.push(bus);
      return bus;
    };

    beforeAll(async () => {
      server = await backend.start();
    });
    afterEach(async () => {
      for (const bus of buses.splice(0)) await bus.close();
      if (server.process === undefined) await server.start();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("re-subscribes after a server restart and delivers later events exactly once", async () => {
      const [pub, sub] = [await connect(), await connect()];
      const station = newId();
      const exact: BusEvent[] = [];
      const wildcard: BusEvent[] = [];
      await sub.subscribe("buffer_health", station, (e) => void exact.push(e));
      await sub.subscribe("*", station, (e) => void wildcard.push(e));
      await pub.publish("buffer_health", station, level(1));
      await waitFor(() => exact.length === 1 && wildcard.length === 1, 2000);

      await server.restart();
      await waitFor(
        () => pub.health().connected && sub.health().connected,
        5000,
        10,
        "both buses to reconnect",
      );
      await pub.publish("buffer_health", station, level(2));
      await pub.publish("buffer_health", station, level(3));
      await waitFor(() => exact.length >= 3 && wildcard.length >= 3, 2000);
      await sleep(100);
      expect(labels(exact)).toEqual(["buffer_health:1", "buffer_health:2", "buffer_health:3"]);
      expect(labels(wildcard)).toEqual(["buffer_health:1", "buffer_health:2", "buffer_health:3"]);
      if (backend.name === "RedisBus") {
        // One server-side subscription per filter, not one more per reconnection.
        const probe = new Redis(server.url);
        const channel = channelFor("grimnir", station, "buffer_health");
        expect(await probe.pubsub("NUMSUB", channel)).toEqual([channel, 1]);
        expect(await probe.pubsub("NUMPAT")).toBe(1);
        probe.disconnect();
      }
    });

    it("queues events published while the server is down and sends them in order when it returns", async () => {
      const bus = await connect();
      const station = newId();
      const got: BusEvent[] = [];
      await bus.subscribe("*", station, (e) => void got.push(e));

      await server.kill();
      await waitFor(() => !bus.health().connected, 3000, 10, "the bus to notice the outage");
      const started = performance.now();
      await bus.publish("now_playing", station, { startedAt: 1, priority: 3 });
      await bus.publish("metrics", station, metrics(2));
      await bus.publish("buffer_health", station, level(3));
      await bus.publish("now_playing", station, { startedAt: 4, priority: 3 });
      // Publishing while disconnected never waits for the server.
      expect(performance.now() - started).toBeLessThan(200);
      expect(bus.health()).toMatchObject({ connected: false, outboxSize: 4, dropped: 0 });
      expect(bus.health().lastError).toBeTypeOf("string");

      await server.start();
      await waitFor(() => got.length >= 4, 5000, 10, "queued events after reconnection");
      await sleep(100);
      expect(labels(got)).toEqual(["np:1", "metrics:2", "buffer_health:3", "np:4"]);
      expect(bus.health()).toMatchObject({ connected: true, outboxSize: 0, dropped: 0 });
    });

    it("drops the oldest telemetry first when the outbox fills during an outage, and counts it", async () => {
      const bus = await connect({ outboxCapacity: 3 });
      const station = newId();
      const got: BusEvent[] = [];
      await bus.subscribe("*", station, (e) => void got.push(e));

      await server.kill();
      await waitFor(() => !bus.health().connected, 3000, 10, "the bus to notice the outage");
      await bus.publish("metrics", station, metrics(1));
      await bus.publish("buffer_health", station, level(2));
      await bus.publish("metrics", station, metrics(3));
      await bus.publish("now_playing", station, { startedAt: 4, priority: 3 });
      await bus.publish("now_playing", station, { startedAt: 5, priority: 3 });
      expect(bus.health()).toMatchObject({ outboxSize: 3, dropped: 2 });

      await server.start();
      await waitFor(() => got.length >= 3, 5000, 10, "queued events after reconnection");
      await sleep(100);
      expect(labels(got)).toEqual(["metrics:3", "np:4", "np:5"]);
      expect(bus.health()).toMatchObject({ connected: true, outboxSize: 0, dropped: 2 });
    });

    it("drops malformed and foreign messages with a count and keeps delivering", async () => {
      const bus = await connect();
      const station = newId();
      const got: BusEvent[] = [];
      await bus.subscribe("*", station, (e) => void got.push(e));
      const channel = channelFor("grimnir", station, "buffer_health");
      const valid = {
        v: 1,
        id: newId(),
        topic: "buffer_health",
        stationId: station,
        at: 1,
        payload: level(9),
      } as const;
      await backend.raw(server, channel, "{not json");
      await backend.raw(server, channel, JSON.stringify({ ...valid, v: 99 }));
      // An envelope claiming another station than its channel is foreign too.
      await backend.raw(
        server,
        channel,
        encodeEvent({ ...valid, id: newId(), stationId: "elsewhere" }),
      );
      await backend.raw(server, channel, encodeEvent(valid));
      await waitFor(() => got.length === 1, 2000);
      await sleep(50);
      expect(got.map((e) => e.id)).toEqual([valid.id]);
      expect(bus.health().malformed).toBe(3);
    });

    it("refuses an oversized payload at publish", async () => {
      const bus = await connect();
      const huge = { sessionId: "s", userId: "u", reason: "x".repeat(300 * 1024) };
      await expect(bus.publish("dj.disconnect", "wgmr", huge)).rejects.toMatchObject({
        code: "VALIDATION",
        details: { field: "payload" },
      });
      await expect(bus.publish("dj.disconnect", "bad station", huge)).rejects.toMatchObject({
        code: "VALIDATION",
      });
    });
  });
}
