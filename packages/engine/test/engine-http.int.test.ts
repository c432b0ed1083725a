import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGrimnirError } from "@grimnir/core";
import {
  EngineClient,
  startEngineServer,
  type EngineServer,
  type StationEvent,
} from "../src/index.js";
import {
  firstRun,
  freePort,
  listen,
  makeTone,
  requireBinaries,
  readStreamTitle,
  tempDir,
  toneEnvelope,
  toneTimeline,
  waitFor,
} from "./helpers.js";

describe("engine over gRPC with the built-in HTTP stream (real GStreamer)", () => {
  let server: EngineServer;
  let client: EngineClient;
  let tmp: ReturnType<typeof tempDir>;
  let httpPort: number;
  const tones: Record<string, string> = {};
  const events: StationEvent[] = [];

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg");
    tmp = tempDir("grimnir-engine-");
    tones["a440"] = makeTone(tmp.dir, "a440", 440, 2, 0.5);
    tones["b660"] = makeTone(tmp.dir, "b660", 660, 2, 0.5);
    tones["c880"] = makeTone(tmp.dir, "c880", 880, 1, 0.5);
    tones["long440"] = makeTone(tmp.dir, "long440", 440, 6, 0.5);
    server = await startEngineServer({ port: 0 });
    client = new EngineClient({ address: server.address });
    httpPort = await freePort();
    await client.subscribe("*", { onEvent: (e) => events.push(e) });
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    tmp?.remove();
  });

  async function station(name: string): Promise<string> {
    await client.configureOutputs(name, [{ name, format: "mp3", bitrateKbps: 128, httpPort }]);
    return `http://127.0.0.1:${httpPort}/stream/${name}.mp3`;
  }

  it("plays tracks in order and joins gapless items without silence", async () => {
    const url = await station("gapless");
    const listener = listen(url, 9);
    await waitFor(() => listener.firstByteAt(), 5000, "first MP3 bytes");
    await client.preload("gapless", { itemId: "a", uri: tones["a440"]! });
    await client.play("gapless", { itemId: "a", uri: tones["a440"]! });
    await client.play("gapless", { itemId: "b", uri: tones["b660"]! });
    await client.play("gapless", { itemId: "c", uri: tones["c880"]! });
    const audio = await listener.done;
    const timeline = toneTimeline(audio, [440, 660, 880]);
    const a = firstRun(timeline, 440);
    const b = firstRun(timeline, 660, 5, a);
    const c = firstRun(timeline, 880, 5, b);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    // 2 s tracks: the next tone starts 2 s after the previous one (±30 ms of MP3 framing and windowing).
    expect(Math.abs((b - a) * 10 - 2000)).toBeLessThanOrEqual(30);
    expect(Math.abs((c - b) * 10 - 2000)).toBeLessThanOrEqual(30);
    // No silent window anywhere between the first and the last tone.
    const end = firstRun(timeline, "silence", 5, c);
    expect(timeline.slice(a, end === -1 ? undefined : end).filter((t) => t === "silence")).toEqual(
      [],
    );
    expect(
      events.some(
        (e) => e.stationId === "gapless" && e.type === "item_started" && e.itemId === "c",
      ),
    ).toBe(true);
  });

  it("starts a crossfade at the requested time, ±50 ms at the listener", async () => {
    const url = await station("xfade");
    const listener = listen(url, 6);
    await waitFor(() => listener.firstByteAt(), 5000, "first MP3 bytes");
    await client.preload("xfade", { itemId: "a", uri: tones["long440"]! });
    await client.play("xfade", { itemId: "a", uri: tones["long440"]! });
    const started = await waitFor(
      () =>
        events.find(
          (e) => e.stationId === "xfade" && e.type === "item_started" && e.itemId === "a",
        ),
      5000,
      "item a to start",
    );
    await client.preload("xfade", { itemId: "b", uri: tones["b660"]! });
    await client.play("xfade", {
      itemId: "b",
      uri: tones["b660"]!,
      atMs: started.at + 1500,
      crossfadeMs: 1000,
      curve: "linear",
    });
    const audio = await listener.done;
    const a440 = toneEnvelope(audio, 440);
    const b660 = toneEnvelope(audio, 660);
    // Track a (0.5 amplitude) starts abruptly: a Hann window centred on the onset reads half of it.
    const aStart = a440.find((p) => p.amp > 0.25)!;
    // Linear crossfade of a 0.5 sine over 1000 ms: 0.05 is reached 100 ms in (the window averages a line exactly).
    const bCross = b660.find((p) => p.t > aStart.t && p.amp > 0.05)!;
    expect(aStart).toBeDefined();
    expect(bCross).toBeDefined();
    const observedMs = bCross.t - 100 - aStart.t;
    expect(Math.abs(observedMs - 1500)).toBeLessThanOrEqual(50);
    // Mid-crossfade both tones are heard at about half amplitude.
    const mid = b660.find((p) => p.t >= bCross.t + 400)!;
    expect(mid.amp).toBeGreaterThan(0.15);
    expect(a440.find((p) => p.t >= mid.t)!.amp).toBeGreaterThan(0.15);
  });

  it("lets an emergency preempt the program, then resumes it", async () => {
    const url = await station("eas");
    const listener = listen(url, 6);
    await waitFor(() => listener.firstByteAt(), 5000, "first MP3 bytes");
    await client.play("eas", { itemId: "prog", uri: tones["long440"]! });
    await waitFor(
      () => events.find((e) => e.stationId === "eas" && e.type === "item_started"),
      5000,
      "program start",
    );
    await new Promise((r) => setTimeout(r, 1000));
    await client.insertEmergency("eas", { itemId: "alert", uri: tones["c880"]! });
    const audio = await listener.done;
    const timeline = toneTimeline(audio, [440, 880]);
    const p = firstRun(timeline, 440);
    const e = firstRun(timeline, 880, 5, p);
    const resumed = firstRun(timeline, 440, 5, e);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(e).toBeGreaterThan(p);
    expect(resumed).toBeGreaterThan(e);
    // The 1 s alert is heard whole before the program returns.
    expect((resumed - e) * 10).toBeGreaterThan(900);
    const status = await client.fullStatus();
    expect(status.stations.find((s) => s.stationId === "eas")).toMatchObject({
      state: "playing",
      currentItemId: "prog",
    });
  });

  it("carries ICY StreamTitle to listeners that ask for it", async () => {
    const url = await station("icy");
    await client.play("icy", {
      itemId: "t",
      uri: tones["long440"]!,
      title: "Sine Song",
      artist: "Tone Band",
    });
    const { metaint, title } = await readStreamTitle(url, 8000);
    expect(metaint).toBe(16000);
    expect(title).toBe("Tone Band - Sine Song");
    await client.setMetadata("icy", "Station ID");
    expect((await readStreamTitle(url, 8000)).title).toBe("Station ID");
  });

  it("answers a missing file with NOT_FOUND and skips a corrupt one with source_failure, without stopping", async () => {
    const url = await station("bad");
    const corrupt = join(tmp.dir, "corrupt.mp3");
    writeFileSync(corrupt, Buffer.alloc(20_000, 0x5a));
    const err = await client
      .play("bad", { itemId: "missing", uri: join(tmp.dir, "nope.wav") })
      .catch((e: unknown) => e);
    expect(isGrimnirError(err, "NOT_FOUND")).toBe(true);
    const listener = listen(url, 7);
    await waitFor(() => listener.firstByteAt(), 5000, "first MP3 bytes");
    await client.play("bad", { itemId: "corrupt", uri: corrupt });
    await client.play("bad", { itemId: "next", uri: tones["b660"]! });
    const failure = await waitFor(
      () =>
        events.find(
          (e) => e.stationId === "bad" && e.type === "source_failure" && e.itemId === "corrupt",
        ),
      5000,
      "source_failure",
    );
    expect(failure.message).toMatch(/corrupt\.mp3/);
    const timeline = toneTimeline(await listener.done, [660]);
    expect(firstRun(timeline, 660)).toBeGreaterThanOrEqual(0);
    await expect(client.preload("bad", { itemId: "c2", uri: corrupt })).rejects.toMatchObject({
      code: "VALIDATION",
    });
  });

  it("rejects invalid graphs naming node and field, and reports what is not implemented", async () => {
    await expect(
      client.loadGraph("g", {
        nodes: [{ id: "sd", type: "silence_detector", params: { threshold_db: 5 } }],
      }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      details: { node: "sd", field: "params.threshold_db" },
    });
    await expect(
      client.loadGraph("g", { nodes: [{ id: "x", type: "reverb", params: {} }] }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      details: { node: "x", field: "type" },
    });
    await expect(
      client.loadGraph("g", { nodes: [{ id: "c", type: "compressor", params: { ratio: 40 } }] }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      details: { node: "c", field: "params.ratio" },
    });
    await expect(
      client.loadGraph("g", {
        nodes: [{ id: "s", type: "source", params: { sample_rate_hz: 48000 } }],
      }),
    ).rejects.toMatchObject({
      code: "NOT_IMPLEMENTED",
    });
    await client.loadGraph("g", {
      nodes: [
        { id: "sd", type: "silence_detector", params: { threshold_db: -45, duration_sec: 2 } },
      ],
    });
    // RouteLive exists now; an SRT URI without a port is invalid input naming its field.
    await expect(client.routeLive("g", { inputUri: "srt://x", priority: 1 })).rejects.toMatchObject(
      { code: "VALIDATION", details: { field: "input_uri" } },
    );
    await expect(client.play("", { itemId: "x", uri: "/x" })).rejects.toMatchObject({
      code: "VALIDATION",
      details: { field: "station_id" },
    });
    await expect(
      client.play("g", { itemId: "x", uri: tones["a440"]!, curve: "zigzag" as never }),
    ).rejects.toMatchObject({
      code: "VALIDATION",
      details: { field: "curve" },
    });
  });

  it("rejects calls with ENGINE_UNAVAILABLE when no engine listens", async () => {
    const nobody = new EngineClient({ address: `127.0.0.1:${await freePort()}`, deadlineMs: 1000 });
    await expect(nobody.status()).rejects.toMatchObject({ code: "ENGINE_UNAVAILABLE" });
    nobody.close();
  });
});
