import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusEvent, LiveSession, Topic } from "@grimnir/core";
import {
  freePort,
  listen,
  requireBinaries,
  tempDir,
  toneTimeline,
  waitFor,
} from "@grimnir/testkit";
import type { TempDir } from "@grimnir/testkit";
import { createServerLogger } from "../src/serve/logger.js";
import { EMBEDDED_STATION_YAML, resolveServeOptions } from "../src/serve/options.js";
import { startServer, type RunningServer } from "../src/serve/server.js";

const GRACE_SEC = 4;
const DJ_HZ = 660;

/** Share of the 10 ms windows in `seconds` from `fromSec` where `freq` dominates. */
function share(samples: Float32Array, fromSec: number, seconds: number, freq: number): number {
  const timeline = toneTimeline(samples, [freq, 440, 880, 330]).slice(
    fromSec * 100,
    (fromSec + seconds) * 100,
  );
  return timeline.filter((t) => t === freq).length / Math.max(1, timeline.length);
}

/** Root mean square of `samples`. */
function rms(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/** The DJ: ffmpeg pushing a 660 Hz tone to the harbor as Icecast source, as BUTT or Mixxx would. */
function startDj(url: string, seconds: number): ChildProcess {
  return spawn(
    "ffmpeg",
    ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi"].concat(
      ["-i", `sine=frequency=${DJ_HZ}:duration=${seconds}`, "-c:a", "libmp3lame", "-b:a", "128k"],
      ["-content_type", "audio/mpeg", "-ice_name", "DJ Test", "-f", "mp3", url],
    ),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

describe("grimnir serve: a live DJ through the harbor (real engine, ffmpeg as the DJ)", () => {
  let tmp: TempDir;
  let server: RunningServer;
  let logLines: Record<string, unknown>[];
  let auth: Record<string, string>;
  const events: BusEvent<Topic>[] = [];
  const djs: ChildProcess[] = [];

  beforeAll(async () => {
    requireBinaries("apt-get install -y ffmpeg gstreamer1.0-tools", "ffmpeg", "gst-launch-1.0");
    tmp = tempDir("grimnir-live-");
    const config = join(tmp.dir, "station.yaml");
    writeFileSync(
      config,
      EMBEDDED_STATION_YAML.replace("live_timeout_sec: 30", `live_timeout_sec: ${GRACE_SEC}`),
    );
    const options = resolveServeOptions(
      {
        config,
        data: join(tmp.dir, "data"),
        host: "127.0.0.1",
        port: "0",
        enginePort: String(await freePort()),
        streamPort: String(await freePort()),
        harborPort: "0",
        instanceId: "live-test",
      },
      { GRIMNIR_ADMIN_PASSWORD: "live-test-password" },
    );
    const sink = new PassThrough();
    logLines = [];
    sink.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (line.trim() !== "") logLines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    server = await startServer(options, createServerLogger("info", sink));
    for (const type of ["dj.connect", "dj.disconnect", "executor.state", "now_playing"] as const) {
      await server.bus.subscribe(type, "demo", (event) => {
        events.push(event as BusEvent<Topic>);
      });
    }
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "live-test-password" }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    auth = { authorization: `Bearer ${accessToken}`, "content-type": "application/json" };
  });

  afterAll(async () => {
    for (const dj of djs) if (dj.exitCode === null) dj.kill("SIGKILL");
    await server?.close();
    tmp?.remove();
  });

  it("puts a DJ with a one-time token on air at live override and fails back to automation after the grace", async () => {
    const executor = () => server.playout.pool.executor("demo")?.executor;
    await waitFor(() => executor()?.state === "playing", 90_000, "the demo station playing");

    const harborPort = server.live.harborPort;
    expect(harborPort).toBeGreaterThan(0);
    const issued = await fetch(`${server.url}/api/v1/live/tokens?stationId=demo`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ mountId: "main", priority: 1, ttlSec: 600 }),
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    expect(token).toMatch(/^[0-9a-f]{64}$/);

    const dj = startDj(`icecast://source:${token}@127.0.0.1:${harborPort}/studio`, 60);
    djs.push(dj);
    const connect = await waitFor(
      () => events.find((e) => e.topic === "dj.connect"),
      20_000,
      "dj.connect",
    );
    expect(connect.payload).toMatchObject({ mountId: "main", priority: 1 });
    const sessionId = (connect.payload as { sessionId: string }).sessionId;
    const harborUrl = `http://127.0.0.1:${harborPort}/live/studio`;

    // The API shows the session active with the harbor re-serve URL as its input.
    const active = await waitFor(
      async () => {
        const res = await fetch(`${server.url}/api/v1/live/sessions?stationId=demo`, {
          headers: auth,
        });
        const sessions = (await res.json()) as LiveSession[];
        return sessions.find((s) => s.id === sessionId && s.state === "active");
      },
      10_000,
      "the session active in the API",
    );
    expect(active).toMatchObject({ priority: 1, inputUri: harborUrl, mountId: "main" });

    // The executor holds the DJ at live override with the harbor URL as input.
    const liveSource = await waitFor(
      () => executor()?.sources.find((s) => s.id === `live:${sessionId}`),
      10_000,
      "the live source in the executor",
    );
    expect(liveSource).toMatchObject({ priority: 1, uri: harborUrl });
    await waitFor(
      () => server.live.harbor.mounts()[0]!.bytesIn > 16_000,
      10_000,
      "audio from the DJ at the harbor",
    );

    // The engine pulls the harbor URL; after the fade the listener hears the DJ.
    await waitFor(() => executor()?.state === "live", 30_000, "the executor in state live");
    expect(executor()?.onAir).toMatchObject({ id: `live:${sessionId}`, priority: 1 });
    expect(server.live.harbor.mounts()).toMatchObject([
      { mount: "studio", sessionId, sourceConnected: true, inputUri: harborUrl },
    ]);
    await waitFor(
      () => server.live.harbor.mounts()[0]!.listeners >= 1,
      15_000,
      "the engine pulling the harbor mount",
    );
    const onAir = await listen(`${server.url}/stream/demo.mp3`, 8).done;
    expect(
      share(onAir, 3, 5, DJ_HZ),
      "share of 10 ms windows where 660 Hz dominates",
    ).toBeGreaterThan(0.8);

    // A stream title from the DJ software (Icecast's updinfo with the source's credentials)
    // reaches the play history through the executor. DJ software repeats its title: the
    // second identical update announces nothing new.
    const song = encodeURIComponent("Nina Simone - Feeling Good");
    for (let i = 0; i < 2; i++) {
      const updinfo = await fetch(
        `http://127.0.0.1:${harborPort}/admin/metadata?mode=updinfo&mount=/studio&song=${song}`,
        {
          headers: { authorization: `Basic ${Buffer.from(`source:${token}`).toString("base64")}` },
        },
      );
      expect(updinfo.status).toBe(200);
    }
    const record = await waitFor(
      async () =>
        (
          await server.store.playHistory.list("demo", {
            from: Date.now() - 600_000,
            to: Date.now() + 1,
          })
        ).find((h) => h.title === "Feeling Good" && h.artist === "Nina Simone"),
      15_000,
      "the live title in the play history",
    );
    expect(record.priority).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    const titles = events
      .filter((e) => e.topic === "now_playing")
      .map((e) => (e.payload as { title?: string }).title);
    // One now_playing per title: the ice-name the DJ went live with, then the new song.
    expect(titles.filter((t) => t === "DJ Test")).toHaveLength(1);
    expect(titles.filter((t) => t === "Feeling Good")).toHaveLength(1);
    const feelingGood = await server.store.playHistory.list("demo", {
      from: Date.now() - 600_000,
      to: Date.now() + 1,
    });
    expect(feelingGood.filter((h) => h.title === "Feeling Good")).toHaveLength(1);

    // The DJ drops: the session waits out the grace, then automation takes the air back.
    const droppedAt = Date.now();
    dj.kill("SIGKILL");
    const disconnect = await waitFor(
      () => events.find((e) => e.topic === "dj.disconnect"),
      (GRACE_SEC + 20) * 1000,
      "dj.disconnect",
    );
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SEC * 1000 - 500);
    expect(disconnect.payload).toMatchObject({ sessionId });
    await waitFor(
      () => executor()?.state === "playing" && executor()?.onAir?.priority === 3,
      20_000,
      "automation back on air",
    );
    expect(executor()?.sources.some((s) => s.id.startsWith("live:"))).toBe(false);
    const after = await listen(`${server.url}/stream/demo.mp3`, 8).done;
    expect(share(after, 3, 5, DJ_HZ), "660 Hz after failback").toBeLessThan(0.2);
    expect(rms(after.subarray(3 * 44_100)), "automation audible after failback").toBeGreaterThan(
      0.01,
    );
    const ended = await fetch(`${server.url}/api/v1/live/sessions/${sessionId}?stationId=demo`, {
      headers: auth,
    });
    expect(((await ended.json()) as LiveSession).state).toBe("disconnected");
  }, 240_000);

  it("refuses an unknown token on the harbor with a reason, and the station stays on air", async () => {
    const harborPort = server.live.harborPort!;
    const res = await fetch(`http://127.0.0.1:${harborPort}/other`, {
      method: "PUT",
      headers: {
        authorization: `Basic ${Buffer.from(`source:${"ab".repeat(32)}`).toString("base64")}`,
        "content-type": "audio/mpeg",
      },
      body: Buffer.alloc(0),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/not valid/);
    expect(server.playout.pool.executor("demo")?.executor.state).toBe("playing");
  });
});
