import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryBus, MemoryStore, SystemTimeSource, isGrimnirError } from "@grimnir/core";
import type { BusEvent, StationConfig, Subscription } from "@grimnir/core";
import type { EngineStreamHandlers, StationEvent } from "@grimnir/engine";
import { FakeMediaEngine, StationExecutor, storeEntryResolver } from "@grimnir/executor";
import { createServerLogger } from "./logger.js";
import { ServeLive, type ServeLiveOptions } from "./live.js";

const STATION = "s1";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** An HTTP server where `/backup` streams and everything else is 404. */
async function streams(): Promise<{ url: (path: string) => string }> {
  const server: Server = createHttpServer((req, res) => {
    if (req.url === "/backup") {
      res.writeHead(200, { "content-type": "audio/mpeg" });
      res.write(Buffer.alloc(64));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return { url: (path) => `http://127.0.0.1:${port}${path}` };
}

/** The engine's event stream, driven by the test. */
function fakeEngineEvents() {
  const handlers: EngineStreamHandlers[] = [];
  return {
    subscribe: (stationId: string, h: EngineStreamHandlers): Promise<Subscription> => {
      expect(stationId).toBe("*");
      handlers.push(h);
      return Promise.resolve({
        unsubscribe: () => {
          handlers.splice(handlers.indexOf(h), 1);
          return Promise.resolve();
        },
      });
    },
    emit: (event: Omit<StationEvent, "at">) => {
      for (const h of handlers) h.onEvent?.({ at: Date.now(), ...event });
    },
    get subscribers() {
      return handlers.length;
    },
  };
}

/** A station file with a `graceSec` live timeout (only what ServeLive reads). */
function graceConfig(graceSec: number): StationConfig {
  return { webstreams: [], failover: { liveTimeoutSec: graceSec } } as unknown as StationConfig;
}

async function setup(
  options: {
    configs?: Map<string, StationConfig>;
    harborPort?: number;
    optional?: boolean;
    engine?: ServeLiveOptions["engine"];
  } = {},
) {
  const store = new MemoryStore();
  const bus = new MemoryBus();
  const time = new SystemTimeSource();
  await store.stations.create({ id: STATION, name: "S1", timezone: "UTC", active: true });
  const engine = new FakeMediaEngine(time);
  const executor = new StationExecutor({
    stationId: STATION,
    engine,
    store,
    bus,
    timeSource: time,
    resolveEntry: storeEntryResolver(store),
    logger: { warn: () => undefined, error: () => undefined },
  });
  const live = new ServeLive({
    store,
    bus,
    time,
    logger: createServerLogger("silent"),
    configs: options.configs ?? new Map(),
    executorOf: (id) => (id === STATION ? executor : undefined),
    ownedStations: () => [STATION],
    harbor: { host: "127.0.0.1", port: options.harborPort ?? 0 },
    harborOptional: options.optional ?? false,
    ...(options.engine === undefined ? {} : { engine: options.engine }),
  });
  const events: BusEvent[] = [];
  await bus.subscribe("*", STATION, (event) => {
    events.push(event);
  });
  cleanups.push(async () => {
    await live.close();
    await executor.stop();
    await bus.close();
  });
  return { store, bus, engine, executor, live, events };
}

async function waitForEvent(events: BusEvent[], topic: string, ms: number): Promise<BusEvent> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = events.find((e) => e.topic === topic);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`no ${topic} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("ServeLive", () => {
  it("creates the station file's webstreams in the Store (GET probes) and takes changed URLs", async () => {
    const config = {
      webstreams: [
        {
          id: "news",
          name: "News",
          urls: ["http://a/1", "http://b/2"],
          bufferMs: 1000,
          metadataPassthrough: true,
        },
      ],
      failover: { liveTimeoutSec: 5 },
    } as unknown as StationConfig;
    const { store, live } = await setup({ configs: new Map([[STATION, config]]) });
    await live.syncConfiguredWebstreams();
    const created = await store.webstreams.get(STATION, "news");
    expect(created).toMatchObject({
      urls: ["http://a/1", "http://b/2"],
      currentIndex: 0,
      bufferMs: 1000,
      health: { method: "GET", failoverAfter: 3 },
      failover: { enabled: true, autoRecover: true },
    });
    await store.webstreams.update({ ...created!, currentIndex: 1 });
    config.webstreams[0]!.urls = ["http://c/3", "http://b/2"];
    await live.syncConfiguredWebstreams();
    expect(await store.webstreams.get(STATION, "news")).toMatchObject({
      urls: ["http://c/3", "http://b/2"],
      currentIndex: 0,
    });
  });

  it("re-plays the webstream on air from the backup URL after a failover", async () => {
    const { url } = await streams();
    const { store, engine, executor, live, events } = await setup();
    const ws = await store.webstreams.create({
      stationId: STATION,
      name: "relay",
      urls: [url("/primary"), url("/backup")],
      currentIndex: 0,
      health: { intervalMs: 60_000, timeoutMs: 1000, method: "GET", failoverAfter: 3 },
      failover: { enabled: true, graceMs: 0, autoRecover: false },
      bufferMs: 0,
      metadata: { passthrough: true },
      status: "healthy",
    });
    const now = Date.now();
    await store.schedule.replaceWindow(STATION, { from: now - 60_000, to: now + 3_600_000 }, [
      {
        stationId: STATION,
        startsAt: now - 30_000,
        endsAt: now + 3_600_000,
        kind: "webstream",
        webstreamId: ws.id,
        timing: "soft",
        source: {},
      },
    ]);
    await executor.start({ runLoop: false });
    await executor.tick();
    const first = engine.callsOf("play").at(-1)!;
    expect(first.request).toMatchObject({ uri: url("/primary"), startMs: 0 });

    const switched = await live.webstreams.failover(STATION, ws.id);
    expect(switched.currentIndex).toBe(1);
    const replay = engine.callsOf("play").at(-1)!;
    // The relay joins the backup where it is now (no seek) and crossfades over the dead primary.
    expect(replay.request).toMatchObject({
      uri: url("/backup"),
      startMs: 0,
      itemId: first.request.itemId,
    });
    expect(executor.currentEntryId).toBe(first.request.itemId);
    await settle();
    expect(events.find((e) => e.topic === "webstream.failover")?.payload).toMatchObject({
      fromUrl: url("/primary"),
      toUrl: url("/backup"),
    });
  });

  it("routes a token's session to the executor at its tier and hands back to automation when it ends", async () => {
    const { engine, executor, live } = await setup();
    await executor.start({ runLoop: false });
    const issued = await live.service.generateToken(STATION, {
      mountId: "main",
      userId: "dj",
      priority: 1,
      ttlMs: 60_000,
    });
    const { session } = await live.service.handleConnect({
      token: issued.token,
      inputUri: "http://127.0.0.1:9/live/studio",
    });
    expect(session.state).toBe("active");
    expect(engine.callsOf("routeLive").at(-1)).toMatchObject({
      inputUri: "http://127.0.0.1:9/live/studio",
      priority: 1,
    });
    expect(executor.state).toBe("live");
    await live.service.disconnect(STATION, session.id, "test over");
    expect(executor.sources.some((s) => s.id === `live:${session.id}`)).toBe(false);
    expect(executor.state).not.toBe("live");
  });

  it("ends an SRT session the engine reports disconnected once the grace is over, and fails back", async () => {
    const engineEvents = fakeEngineEvents();
    const { executor, live, events, store } = await setup({
      configs: new Map([[STATION, graceConfig(0.3)]]),
      engine: engineEvents,
    });
    await live.start();
    expect(engineEvents.subscribers).toBe(1);
    await executor.start({ runLoop: false });
    const issued = await live.service.generateToken(STATION, {
      mountId: "main",
      userId: "dj",
      priority: 1,
      ttlMs: 60_000,
    });
    const inputUri = "srt://127.0.0.1:9000?mode=listener&latency=120";
    const session = await live.service.connect(STATION, { token: issued.token, inputUri });
    expect(executor.state).toBe("live");

    // Reports about other inputs or stations change nothing.
    engineEvents.emit({ stationId: STATION, type: "live_disconnected", inputUri: "srt://x:1" });
    engineEvents.emit({ stationId: "other", type: "live_disconnected", inputUri });
    await new Promise((r) => setTimeout(r, 450));
    expect((await store.liveSessions.get(STATION, session.id))?.state).toBe("active");

    const droppedAt = Date.now();
    engineEvents.emit({
      stationId: STATION,
      type: "live_disconnected",
      inputUri,
      message: "no audio for 88200 frames",
    });
    const disconnect = await waitForEvent(events, "dj.disconnect", 3000);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(290);
    expect(disconnect.payload).toMatchObject({
      sessionId: session.id,
      reason: expect.stringContaining("no audio for 88200 frames"),
    });
    // The input stayed routed through the grace (no source_failure taking it off the air).
    expect(events.some((e) => e.topic === "source_failure")).toBe(false);
    await settle();
    expect((await store.liveSessions.get(STATION, session.id))?.state).toBe("disconnected");
    expect(executor.sources.some((s) => s.id === `live:${session.id}`)).toBe(false);
    expect(executor.state).not.toBe("live");
    await live.close();
    expect(engineEvents.subscribers).toBe(0);
  });

  it("keeps an RTP session whose input delivers again within the grace", async () => {
    const engineEvents = fakeEngineEvents();
    const { executor, live, events, store } = await setup({
      configs: new Map([[STATION, graceConfig(0.4)]]),
      engine: engineEvents,
    });
    await live.start();
    await executor.start({ runLoop: false });
    const issued = await live.service.generateToken(STATION, {
      mountId: "main",
      userId: "dj",
      priority: 2,
      ttlMs: 60_000,
    });
    const inputUri = "rtp://127.0.0.1:5004?encoding-name=MPA";
    const session = await live.service.connect(STATION, { token: issued.token, inputUri });
    engineEvents.emit({ stationId: STATION, type: "live_disconnected", inputUri, message: "x" });
    await new Promise((r) => setTimeout(r, 150));
    expect((await store.liveSessions.get(STATION, session.id))?.state).toBe("connected");
    expect(executor.state).toBe("live");
    engineEvents.emit({ stationId: STATION, type: "live_connected", inputUri });
    await new Promise((r) => setTimeout(r, 600));
    expect(events.some((e) => e.topic === "dj.disconnect")).toBe(false);
    expect((await store.liveSessions.get(STATION, session.id))?.state).toBe("active");
    expect(executor.state).toBe("live");
  });

  it("takes a harbor DJ off the air at the drop and routes them again on a reconnect within the grace", async () => {
    const { executor, live, engine } = await setup({
      configs: new Map([[STATION, graceConfig(5)]]),
    });
    await executor.start({ runLoop: false });
    const issued = await live.service.generateToken(STATION, {
      mountId: "main",
      userId: "dj",
      priority: 1,
      ttlMs: 60_000,
    });
    const inputUri = "http://127.0.0.1:9/live/studio";
    const { session } = await live.service.handleConnect({ token: issued.token, inputUri });
    expect(executor.state).toBe("live");
    await live.service.handleDisconnect(session.id, "source connection closed");
    await settle();
    expect(executor.sources.some((s) => s.id === `live:${session.id}`)).toBe(false);
    const routes = engine.callsOf("routeLive").length;
    const again = await live.service.handleConnect({ token: issued.token, inputUri });
    expect(again).toMatchObject({ resumed: true, session: { id: session.id, state: "active" } });
    expect(engine.callsOf("routeLive").length).toBe(routes + 1);
    expect(executor.state).toBe("live");
  });

  it("leaves harbor sessions to the harbor: an engine report about the harbor URL ends nothing", async () => {
    const engineEvents = fakeEngineEvents();
    const { live, events, store } = await setup({
      configs: new Map([[STATION, graceConfig(0.1)]]),
      engine: engineEvents,
    });
    await live.start();
    const issued = await live.service.generateToken(STATION, {
      mountId: "main",
      userId: "dj",
      priority: 1,
      ttlMs: 60_000,
    });
    const inputUri = live.harbor.inputUri("studio");
    const session = await live.service.connect(STATION, { token: issued.token, inputUri });
    engineEvents.emit({ stationId: STATION, type: "live_disconnected", inputUri, message: "x" });
    await new Promise((r) => setTimeout(r, 300));
    expect(events.some((e) => e.topic === "dj.disconnect")).toBe(false);
    expect((await store.liveSessions.get(STATION, session.id))?.state).toBe("active");
  });

  it("passes a DJ's title change to the executor once: one now_playing per new title", async () => {
    const { executor, live, events } = await setup();
    await executor.start({ runLoop: false });
    const issued = await live.service.generateToken(STATION, {
      mountId: "main",
      userId: "dj",
      priority: 1,
      ttlMs: 60_000,
    });
    const { session } = await live.service.handleConnect({
      token: issued.token,
      inputUri: "srt://127.0.0.1:9000?mode=listener",
      metadata: "Morning Show",
    });
    await settle();
    const titles = () =>
      events
        .filter((e) => e.topic === "now_playing")
        .map((e) => (e.payload as { title?: string }).title);
    expect(titles()).toEqual(["Morning Show"]);
    const update = { stationId: STATION, sessionId: session.id };
    // The harbor's connect-time title is the one the session went live with.
    expect(await live.liveTitle({ ...update, song: "Morning Show" })).toBe(false);
    // The harbor hands the title to LiveService (stored, no bus event of its own), then here.
    expect(await live.service.updateMetadata(session.id, "Nina Simone - Feeling Good")).toBe(true);
    expect(await live.liveTitle({ ...update, song: "Nina Simone - Feeling Good" })).toBe(true);
    expect(await live.liveTitle({ ...update, song: "Nina Simone - Feeling Good" })).toBe(false);
    await settle();
    expect(titles()).toEqual(["Morning Show", "Feeling Good"]);
    expect(events.filter((e) => e.topic === "now_playing").at(-1)?.payload).toMatchObject({
      artist: "Nina Simone",
      priority: 1,
    });
  });

  it("refuses to route a session of a station this instance does not drive", async () => {
    const { live } = await setup();
    const issued = await live.service.generateToken("elsewhere", {
      mountId: "main",
      userId: "dj",
      priority: 2,
      ttlMs: 60_000,
    });
    const { session } = await live.service.handleConnect({
      token: issued.token,
      inputUri: "http://127.0.0.1:9/live/x",
    });
    // The session stays connected (not on air); the failure is published, not thrown.
    expect(session.state).toBe("connected");
  });

  it("runs without live input when the default harbor port is taken, and fails when a chosen one is", async () => {
    const blocker = createNetServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as { port: number }).port;

    const optional = await setup({ harborPort: port, optional: true });
    await optional.live.start();
    expect(optional.live.harborPort).toBeUndefined();

    const chosen = await setup({ harborPort: port, optional: false });
    const error = await chosen.live.start().catch((err: unknown) => err);
    expect(isGrimnirError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toMatch(/--harbor-port/);
  });
});
