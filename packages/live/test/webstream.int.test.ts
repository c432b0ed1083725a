import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBus, MemoryStore, type BusEvent, type Webstream } from "@grimnir/core";
import { WebstreamHealthChecker, type WebstreamSwitch } from "../src/index.js";
import {
  dominantTone,
  ffmpegSource,
  listen,
  startIcecast,
  waitFor,
  type FfmpegSource,
  type Icecast,
} from "./helpers.js";

describe("WebstreamHealthChecker against a real icecast2 with two ffmpeg relay sources", () => {
  let icecast: Icecast;
  let primary: FfmpegSource;
  let backup: FfmpegSource;
  const store = new MemoryStore();
  const bus = new MemoryBus();
  const events: BusEvent[] = [];
  const switches: { change: WebstreamSwitch; at: number }[] = [];
  const checker = new WebstreamHealthChecker({
    store,
    bus,
    onSwitch: (_ws, change) => {
      switches.push({ change, at: performance.now() });
    },
    log: () => undefined,
  });
  const push = (mount: string, freq: number): FfmpegSource =>
    ffmpegSource(
      `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/${mount}`,
      freq,
      0,
    );
  const mountUp = (mount: string) =>
    waitFor(
      () =>
        fetch(`http://127.0.0.1:${icecast.port}/${mount}`).then(
          async (r) => (await r.body?.cancel(), r.ok),
        ),
      8000,
      `icecast mount /${mount}`,
    );

  beforeAll(async () => {
    icecast = await startIcecast();
    primary = push("primary", 440);
    backup = push("backup", 880);
    await Promise.all([mountUp("primary"), mountUp("backup")]);
    await bus.subscribe("*", "*", (e) => {
      events.push(e);
    });
  });
  afterAll(async () => {
    await checker.close();
    await primary?.stop();
    await backup?.stop();
    await icecast?.stop();
  });

  it("fails over to the backup within the configured probes and recovers to the primary", async () => {
    const intervalMs = 250;
    const ws: Webstream = await store.webstreams.create({
      stationId: "st-ws",
      name: "Relay",
      urls: [`http://127.0.0.1:${icecast.port}/primary`, `http://127.0.0.1:${icecast.port}/backup`],
      currentIndex: 0,
      health: { intervalMs, timeoutMs: 1000, method: "GET", failoverAfter: 3 },
      failover: { enabled: true, graceMs: 0, autoRecover: true },
      bufferMs: 2000,
      metadata: { passthrough: true },
      status: "healthy",
    });
    checker.watch("st-ws", ws.id);
    await waitFor(
      async () => (await store.webstreams.get("st-ws", ws.id))?.status === "healthy",
      3000,
      "a healthy first round",
    );

    await primary.stop();
    const killedAt = performance.now();
    const failover = await waitFor(
      () => switches.find((s) => s.change.kind === "failover"),
      5000,
      "the failover",
    );
    // Three failed probes at 250 ms intervals, plus probing the backup: well under 2 s.
    expect(failover.at - killedAt).toBeLessThan(intervalMs * 3 + 1500);
    expect(failover.change).toMatchObject({ fromIndex: 0, toIndex: 1 });
    const afterFailover = (await store.webstreams.get("st-ws", ws.id))!;
    expect(afterFailover.currentIndex).toBe(1);
    expect(events.find((e) => e.topic === "webstream.failover")?.payload).toMatchObject({
      webstreamId: ws.id,
      fromUrl: ws.urls[0],
      toUrl: ws.urls[1],
    });
    // What a listener of the current URL hears is the backup's tone.
    expect(
      dominantTone(await listen(afterFailover.urls[afterFailover.currentIndex]!, 1), [440, 880])
        .freq,
    ).toBe(880);

    primary = push("primary", 440);
    const restartedAt = performance.now();
    const recovered = await waitFor(
      () => switches.find((s) => s.change.kind === "recovered"),
      8000,
      "recovery to the primary",
    );
    expect(recovered.at - restartedAt).toBeLessThan(6000);
    const afterRecovery = (await store.webstreams.get("st-ws", ws.id))!;
    expect(afterRecovery).toMatchObject({ currentIndex: 0, status: "healthy" });
    expect(events.find((e) => e.topic === "webstream.recovered")?.payload).toEqual({
      webstreamId: ws.id,
      url: ws.urls[0],
    });
    expect(dominantTone(await listen(afterRecovery.urls[0]!, 1), [440, 880]).freq).toBe(440);
    checker.unwatch("st-ws", ws.id);
  });
});
