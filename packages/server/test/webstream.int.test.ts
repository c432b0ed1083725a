import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adapters } from "@grimnir/core";
import type { BusEvent, Topic } from "@grimnir/core";
import { registerSqlStores } from "@grimnir/store-pg";
import {
  firstRun,
  freePort,
  listen,
  requireBinaries,
  startIcecast,
  tempDir,
  toneTimeline,
  waitFor,
} from "@grimnir/testkit";
import type { Icecast, TempDir } from "@grimnir/testkit";
import { createServerLogger } from "../src/serve/logger.js";
import { resolveServeOptions } from "../src/serve/options.js";
import { startServer, type RunningServer } from "../src/serve/server.js";

const PRIMARY_HZ = 440;
const BACKUP_HZ = 880;

/** A relay source: ffmpeg pushing a tone to an icecast2 mount. */
function feed(icecast: Icecast, mount: string, freq: number): ChildProcess {
  return spawn(
    "ffmpeg",
    ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi"].concat(
      ["-i", `sine=frequency=${freq}:duration=600`, "-c:a", "libmp3lame", "-b:a", "128k"],
      ["-content_type", "audio/mpeg", "-f", "mp3"],
      [`icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/${mount}`],
    ),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

/** Which tone dominates the `seconds` of the listener's audio from `fromSec` on (10 ms windows). */
function dominant(samples: Float32Array, fromSec: number, seconds: number): number | "silence" {
  const timeline = toneTimeline(samples, [PRIMARY_HZ, BACKUP_HZ]).slice(
    fromSec * 100,
    (fromSec + seconds) * 100,
  );
  const count = (t: number | "silence") => timeline.filter((x) => x === t).length;
  const best = [PRIMARY_HZ, BACKUP_HZ, "silence" as const].sort((a, b) => count(b) - count(a))[0]!;
  return best;
}

describe("grimnir serve: a webstream relay fails over to its backup and recovers (real icecast2, engine, ffmpeg)", () => {
  let tmp: TempDir;
  let icecast: Icecast;
  let server: RunningServer;
  let logLines: Record<string, unknown>[];
  const events: BusEvent<Topic>[] = [];
  const feeds = new Map<string, ChildProcess>();

  beforeAll(async () => {
    requireBinaries("apt-get install -y ffmpeg gstreamer1.0-tools", "ffmpeg", "gst-launch-1.0");
    tmp = tempDir("grimnir-webstream-");
    icecast = await startIcecast();
    feeds.set("primary", feed(icecast, "primary.mp3", PRIMARY_HZ));
    feeds.set("backup", feed(icecast, "backup.mp3", BACKUP_HZ));
    const base = `http://127.0.0.1:${icecast.port}`;
    for (const mount of ["primary.mp3", "backup.mp3"]) {
      await waitFor(
        async () => (await fetch(`${base}/status-json.xsl`).then((r) => r.text())).includes(mount),
        15_000,
        `icecast mount ${mount}`,
        200,
      );
    }
    const config = join(tmp.dir, "relay.yaml");
    writeFileSync(
      config,
      `station:
  id: relay
  name: Relay Radio
  timezone: UTC
mounts:
  - id: main
    name: Main
    outputs:
      - type: http
        path: relay.mp3
        format: mp3
        bitrate_kbps: 128
failover:
  live_timeout_sec: 5
  emergency_audio_path: emergency.mp3
crossfade:
  duration_ms: 1000
  curve: scurve
webstreams:
  - id: news
    name: News relay
    urls:
      - ${base}/primary.mp3
      - ${base}/backup.mp3
`,
    );
    // The station, an hour template relaying the webstream, and the webstream (fast
    // probes for the test) are in the Store before the server plans for the first time.
    const storeUrl = `sqlite:${join(tmp.dir, "grimnir.db")}`;
    registerSqlStores(adapters);
    const setup = await adapters.createStore(storeUrl);
    await setup.stations.create({
      id: "relay",
      name: "Relay Radio",
      timezone: "UTC",
      active: true,
    });
    await setup.mounts.create({
      id: "main",
      stationId: "relay",
      name: "Main",
      outputs: [{ type: "http", path: "relay.mp3", format: "mp3", bitrateKbps: 128 }],
    });
    await setup.clocks.create({
      stationId: "relay",
      name: "standard",
      slots: [{ id: "relay", kind: "webstream", offsetMs: 0, refId: "news", timing: "soft" }],
    });
    await setup.webstreams.create({
      id: "news",
      stationId: "relay",
      name: "News relay",
      urls: [`${base}/primary.mp3`, `${base}/backup.mp3`],
      currentIndex: 0,
      health: { intervalMs: 500, timeoutMs: 1000, method: "GET", failoverAfter: 3 },
      // The grace makes the switch come well after the dead relay left the air: the
      // switch must bring the entry back, not only re-play it.
      failover: { enabled: true, graceMs: 6000, autoRecover: true },
      bufferMs: 2000,
      metadata: { passthrough: true },
      status: "healthy",
    });
    await setup.close();
    const options = resolveServeOptions(
      {
        config,
        data: join(tmp.dir, "data"),
        store: storeUrl,
        host: "127.0.0.1",
        port: "0",
        enginePort: String(await freePort()),
        streamPort: String(await freePort()),
        harborPort: "0",
        instanceId: "webstream-test",
        demo: false,
      },
      { GRIMNIR_ADMIN_PASSWORD: "webstream-test-password" },
    );
    const sink = new PassThrough();
    logLines = [];
    sink.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line.trim() !== "") logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    server = await startServer(options, createServerLogger("info", sink));
    for (const topic of ["webstream.failover", "webstream.recovered"] as const) {
      await server.bus.subscribe(topic, "relay", (event) => {
        events.push(event as BusEvent<Topic>);
      });
    }
  });

  afterAll(async () => {
    for (const child of feeds.values()) if (child.exitCode === null) child.kill("SIGKILL");
    await server?.close();
    await icecast?.stop();
    tmp?.remove();
  });

  it("relays the primary, plays the backup when the primary source dies, and goes back when it returns", async () => {
    const { store } = server;
    const stored = (await store.webstreams.get("relay", "news"))!;
    expect(stored.currentIndex).toBe(0);
    const executor = () => server.playout.pool.executor("relay")?.executor;
    await waitFor(
      () => {
        const id = executor()?.currentEntryId;
        const entry = id === undefined ? undefined : executor()?.timeline.get(id);
        return entry?.kind === "webstream" && executor()?.state === "playing";
      },
      30_000,
      "the webstream entry on air",
    );

    const streamUrl = `${server.url}/stream/relay.mp3`;
    await waitFor(
      async () => dominant(await listen(streamUrl, 6).done, 2, 4) === PRIMARY_HZ,
      30_000,
      "the primary tone at the listener",
      0,
    );

    // The primary source dies: probes fail, the checker fails over, the executor re-plays.
    const listener = listen(streamUrl, 40);
    await waitFor(() => listener.firstByteAt(), 15_000, "the listener's first audio");
    const killedAt = performance.now();
    feeds.get("primary")!.kill("SIGKILL");
    const failover = await waitFor(
      () => events.find((e) => e.topic === "webstream.failover"),
      20_000,
      "webstream.failover",
    );
    expect(failover.payload).toMatchObject({
      webstreamId: "news",
      fromUrl: stored.urls[0],
      toUrl: stored.urls[1],
    });
    expect((await store.webstreams.get("relay", "news"))?.currentIndex).toBe(1);
    const switched = await waitFor(
      () => logLines.find((l) => l["msg"] === "webstream on air switched to its new URL"),
      10_000,
      "the executor re-playing the webstream",
    );
    expect(switched).toMatchObject({ webstreamId: "news", url: stored.urls[1], replayed: true });
    // The dead relay had left the air before the switch (the engine's decoder ended and
    // its re-play failed, or 5 s of silence made the executor fail over); the switch brought it back.
    const offAir = logLines.find(
      (l) =>
        l["msg"] === "engine lost the station's audio; resuming at position" ||
        (l["msg"] === "executor failover" &&
          (l["event"] as { cause?: string } | undefined)?.cause === "silence"),
    );
    expect(offAir, "the dead relay off the air before the switch").toBeDefined();
    expect(Number(offAir!["time"])).toBeLessThan(Number(switched["time"]));
    const samples = await listener.done;
    const timeline = toneTimeline(samples, [PRIMARY_HZ, BACKUP_HZ]);
    const killedWindow = Math.round((killedAt - listener.firstByteAt()!) / 10);
    const backupWindow = firstRun(timeline, BACKUP_HZ, 100, killedWindow);
    expect(backupWindow, "the backup tone held for 1 s after the primary died").toBeGreaterThan(0);
    // Heard within the probes (3 × 500 ms), the 6 s grace, the backup probe, the crossfade and the encoder/listener buffers.
    expect((backupWindow - killedWindow) / 100).toBeLessThan(25);
    expect(dominant(samples, Math.ceil(backupWindow / 100) + 1, 5)).toBe(BACKUP_HZ);

    // The primary comes back: the checker recovers to it and the listener hears it again.
    feeds.set("primary", feed(icecast, "primary.mp3", PRIMARY_HZ));
    const recovered = await waitFor(
      () => events.find((e) => e.topic === "webstream.recovered"),
      30_000,
      "webstream.recovered",
    );
    expect(recovered.payload).toMatchObject({ webstreamId: "news", url: stored.urls[0] });
    expect((await store.webstreams.get("relay", "news"))?.currentIndex).toBe(0);
    await waitFor(
      async () => dominant(await listen(streamUrl, 5).done, 1, 4) === PRIMARY_HZ,
      30_000,
      "the primary tone at the listener again",
      0,
    );
  }, 240_000);
});
