import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBus, MemoryStore, type LiveSession } from "@grimnir/core";
import { Harbor, LiveService } from "@grimnir/live";
import {
  EngineClient,
  GstLiveInput,
  startEngineServer,
  type EngineServer,
  type EngineTelemetry,
  type StationEvent,
} from "../src/index.js";
import {
  firstRun,
  freePort,
  listen,
  makeTone,
  requireBinaries,
  startIcecast,
  tempDir,
  toneTimeline,
  waitFor,
  type Icecast,
} from "./helpers.js";

/** A DJ: ffmpeg pushing a `freq` Hz MP3 tone in real time to an Icecast-compatible source URL (or `format` to another URL). */
function dj(url: string, freq: number, format = "mp3"): ChildProcess {
  return spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=${freq}:sample_rate=44100`,
      "-c:a",
      "libmp3lame",
      "-b:a",
      "128k",
      ...(format === "mp3" ? ["-content_type", "audio/mpeg"] : []),
      "-f",
      format,
      url,
    ],
    { stdio: ["ignore", "ignore", "ignore"] },
  );
}

async function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGKILL");
  await new Promise((r) => child.once("close", r));
}

/** Bytes a raw HTTP listener receives from `url` during `ms`. */
async function bytesDuring(url: string, ms: number): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const reader = res.body!.getReader();
  let bytes = 0;
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
  } catch (err) {
    if ((err as Error).name !== "AbortError") throw err;
  } finally {
    clearTimeout(timer);
  }
  return bytes;
}

describe("live input on air (real harbor, ffmpeg DJ, GStreamer, icecast2, ffmpeg listener)", () => {
  let icecast: Icecast;
  let server: EngineServer;
  let client: EngineClient;
  let tmp: ReturnType<typeof tempDir>;
  const store = new MemoryStore();
  const bus = new MemoryBus();
  const sessions: LiveSession[] = [];
  const live = new LiveService({
    store,
    bus,
    liveTimeoutSec: 10,
    onLive: (session) => {
      sessions.push(session);
    },
    log: () => undefined,
  });
  const harbor = new Harbor({ live, log: () => undefined });
  const events: StationEvent[] = [];
  const samples: EngineTelemetry[] = [];
  const djs: ChildProcess[] = [];

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg", "icecast2");
    tmp = tempDir("grimnir-engine-live-");
    icecast = await startIcecast();
    await harbor.start();
    server = await startEngineServer({ port: 0 });
    client = new EngineClient({ address: server.address });
    await client.subscribe("*", {
      onEvent: (e) => events.push(e),
      onSample: (s) => samples.push(s),
    });
  });

  afterAll(async () => {
    for (const child of djs) await kill(child);
    client?.close();
    await server?.close();
    await harbor.stop();
    await live.close();
    await icecast?.stop();
    tmp?.remove();
  });

  it("answers RouteLive with INVALID_ARGUMENT naming input_uri for a URI that is not a live input", async () => {
    await expect(
      client.routeLive("bad", { inputUri: "ftp://example.org/x", priority: 1 }),
    ).rejects.toMatchObject({ code: "VALIDATION", details: { field: "input_uri" } });
    await expect(
      client.routeLive("bad", { inputUri: "srt://:0", priority: 1 }),
    ).rejects.toMatchObject({ code: "VALIDATION", details: { field: "input_uri" } });
  });

  it("puts a harbor DJ on air over the program, survives the DJ dropping and coming back, and fails back to a played item", async () => {
    const program = makeTone(tmp.dir, "p440", 440, 40, 0.5);
    const back = makeTone(tmp.dir, "b880", 880, 20, 0.5);
    const mount = `http://127.0.0.1:${icecast.port}/st.mp3`;
    await client.configureOutputs("st", [
      {
        name: "main",
        format: "mp3",
        icecastUrl: `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/st.mp3`,
      },
    ]);
    await waitFor(
      async () =>
        (
          await fetch(`http://127.0.0.1:${icecast.port}/status-json.xsl`).then((r) => r.text())
        ).includes("/st.mp3"),
      10_000,
      "the engine's mount on icecast",
    );
    const token = await live.generateToken("st", {
      mountId: "studio",
      userId: "dj-ann",
      priority: 1,
      ttlMs: 600_000,
    });
    const djUrl = `icecast://source:${token.token}@127.0.0.1:${harbor.port}/studio`;
    djs.push(dj(djUrl, 660));
    const session = await waitFor(() => sessions[0], 10_000, "the DJ's live session");
    const inputUri = harbor.inputUri("studio");
    expect(session.inputUri).toBe(inputUri);

    const listener = listen(mount, 40);
    await waitFor(() => listener.firstByteAt(), 10_000, "first bytes at the listener");
    await client.play("st", { itemId: "p440", uri: program });
    await waitFor(
      () => events.find((e) => e.type === "item_started" && e.itemId === "p440"),
      5000,
      "the program to start",
    );
    await new Promise((r) => setTimeout(r, 3000));

    // RouteLive: the DJ takes the air after the fade; the same URI again is a no-op.
    const routedAt = Date.now();
    await client.routeLive("st", { inputUri: inputUri, priority: 1, fadeInMs: 500 });
    await client.routeLive("st", { inputUri: inputUri, priority: 1, fadeInMs: 500 });
    const started = await waitFor(
      () => events.find((e) => e.type === "live_started"),
      10_000,
      "live_started",
    );
    expect(started.inputUri).toBe(inputUri);
    // Takeover latency: decoder start + 300 ms buffer + 150 ms lead (generous: shared CI machine).
    expect(started.at - routedAt).toBeGreaterThan(300);
    expect(started.at - routedAt).toBeLessThan(8000);
    const faded = await waitFor(
      () => events.find((e) => e.type === "item_ended" && e.itemId === "p440"),
      5000,
      "the program to fade out",
    );
    // On the engine's sample clock the program fades out over exactly the 500 ms fade-in.
    expect(faded.reason).toBe("faded");
    expect(faded.at - started.at).toBeCloseTo(500, 3);
    const status = (await client.fullStatus()).stations.find((s) => s.stationId === "st")!;
    expect(status).toMatchObject({
      state: "live",
      liveInputUri: inputUri,
      liveState: "connected",
    });
    await new Promise((r) => setTimeout(r, 3000));

    // The DJ drops: live_disconnected, the output keeps flowing (silence), telemetry says so.
    await kill(djs.pop());
    const dropped = await waitFor(
      () => events.find((e) => e.type === "live_disconnected"),
      5000,
      "live_disconnected",
    );
    expect(dropped.inputUri).toBe(inputUri);
    expect(await bytesDuring(mount, 2000)).toBeGreaterThan(8000);
    await waitFor(
      () => samples.find((s) => s.stationId === "st" && s.sourceState === "disconnected"),
      4000,
      "telemetry source state disconnected",
    );
    expect(
      samples.find((s) => s.stationId === "st" && s.sourceState === "disconnected"),
    ).toMatchObject({ liveState: "disconnected", liveInputUri: inputUri });

    // The DJ comes back within the grace: on air again without a new RouteLive.
    djs.push(dj(djUrl, 660));
    await waitFor(
      () => events.filter((e) => e.type === "live_connected").length >= 2 || undefined,
      10_000,
      "live_connected after the reconnect",
    );
    await new Promise((r) => setTimeout(r, 2500));

    // Failback: Play with a crossfade ends live (preloaded, as the executor does).
    await client.preload("st", { itemId: "b880", uri: back });
    await client.play("st", { itemId: "b880", uri: back, crossfadeMs: 1000 });
    await waitFor(
      () => events.find((e) => e.type === "live_ended"),
      5000,
      "live_ended after the failback Play",
    );
    expect((await client.fullStatus()).stations.find((s) => s.stationId === "st")).toMatchObject({
      state: "playing",
      currentItemId: "b880",
    });
    expect(
      (await client.fullStatus()).stations.find((s) => s.stationId === "st")?.liveInputUri,
    ).toBeUndefined();

    await new Promise((r) => setTimeout(r, 3000));
    listener.stop();
    const audio = await listener.done;
    const timeline = toneTimeline(audio, [440, 660, 880]);
    const i440 = firstRun(timeline, 440, 20);
    const i660 = firstRun(timeline, 660, 20, i440);
    const gap = firstRun(timeline, "silence", 30, i660);
    const again = firstRun(timeline, 660, 20, gap);
    const i880 = firstRun(timeline, 880, 20, again);
    expect(i440).toBeGreaterThanOrEqual(0);
    expect(i660).toBeGreaterThan(i440);
    expect(gap).toBeGreaterThan(i660);
    expect(again).toBeGreaterThan(gap);
    expect(i880).toBeGreaterThan(again);
    // No dead air at the takeover: 440 hands over to 660 (a few windows of slack for a
    // live input starved by an overloaded CI machine).
    expect(timeline.slice(i440, i660 + 100).filter((t) => t === "silence").length).toBeLessThan(30);
    // The DJ was on air ~3 s before dropping (10 ms windows).
    expect(gap - i660).toBeGreaterThan(200);
    // ... and the failback crossfade has no dead air either.
    expect(timeline.slice(again, i880).filter((t) => t === "silence").length).toBeLessThan(30);
  }, 90_000);

  it("takes an SRT input (engine listening, ffmpeg calling with MPEG-TS) on air", async () => {
    const httpPort = await freePort();
    const srtPort = await freePort();
    await client.configureOutputs("srt", [{ name: "srt", format: "mp3", httpPort }]);
    await client.play("srt", { itemId: "s440", uri: makeTone(tmp.dir, "s440", 440, 30, 0.5) });
    const inputUri = `srt://127.0.0.1:${srtPort}?mode=listener&latency=120`;
    await client.routeLive("srt", { inputUri, priority: 2, fadeInMs: 200 });
    // The engine's srtsrc listens; the DJ's encoder calls it (retried until the listener is up).
    const callers: ChildProcess[] = [];
    const started = await waitFor(
      async () => {
        const hit = events.find((e) => e.type === "live_started" && e.inputUri === inputUri);
        if (hit) return hit;
        if (callers.every((c) => c.exitCode !== null || c.signalCode !== null)) {
          const caller = dj(`srt://127.0.0.1:${srtPort}?mode=caller&latency=120000`, 550, "mpegts");
          callers.push(caller);
          djs.push(caller);
        }
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      },
      20_000,
      "the SRT input on air",
    );
    expect(started.stationId).toBe("srt");
    await new Promise((r) => setTimeout(r, 1000));
    const audio = await listen(`http://127.0.0.1:${httpPort}/stream/srt.mp3`, 3).done;
    const timeline = toneTimeline(audio, [440, 550]);
    // The stream's first second may still carry audio buffered before the takeover.
    const last = timeline.slice(-150);
    expect(last.filter((t) => t === 550).length).toBeGreaterThan(last.length * 0.9);
    expect((await client.fullStatus()).stations.find((s) => s.stationId === "srt")).toMatchObject({
      state: "live",
      liveInputUri: inputUri,
      liveState: "connected",
    });
    await client.stop("srt", { fadeOutMs: 100 });
    await waitFor(
      () => events.find((e) => e.type === "live_ended" && e.inputUri === inputUri),
      5000,
      "live_ended after Stop",
    );
    for (const child of callers) await kill(child);
  }, 60_000);

  it("retries an input that cannot be reached every second while it stays routed", async () => {
    const failures: string[] = [];
    const input = new GstLiveInput("http://127.0.0.1:9/live/nobody", {
      sampleRate: 44100,
      retryMs: 300,
      onFailure: (m) => failures.push(m),
    });
    try {
      await waitFor(() => input.starts >= 3 || undefined, 10_000, "three decoder runs");
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect(failures[0]).toContain("http://127.0.0.1:9/live/nobody");
      expect(input.availableFrames()).toBe(0);
    } finally {
      input.close();
    }
    const starts = input.starts;
    await new Promise((r) => setTimeout(r, 800));
    expect(input.starts).toBe(starts);
    expect(input.running).toBe(false);
  });
});
