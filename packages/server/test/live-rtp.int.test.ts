import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

const GRACE_SEC = 5;
const DJ_HZ = 660;

/**
 * Share of the 10 ms windows in `seconds` from `fromSec` where `freq` dominates
 * among the notes around it (the demo music plays E5 = 659 Hz now and then;
 * the DJ's steady tone dominates nearly every window).
 */
function share(samples: Float32Array, fromSec: number, seconds: number, freq: number): number {
  const timeline = toneTimeline(samples, [freq, 330, 440, 494, 523, 587, 784, 880]).slice(
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

/** The DJ's encoder: ffmpeg sending a 660 Hz tone as MP3 over RTP (payload 14, MPA) in real time. */
function startSender(port: number): ChildProcess {
  return spawn(
    "ffmpeg",
    ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi"].concat(
      ["-i", `sine=frequency=${DJ_HZ}:sample_rate=44100`, "-ac", "2"],
      ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "rtp", `rtp://127.0.0.1:${port}`],
    ),
    { stdio: ["ignore", "ignore", "pipe"] },
  );
}

/** An SRT caller: ffmpeg sending a 660 Hz tone as MP3 in MPEG-TS to the engine's SRT listener. */
function startSrtCaller(port: number): ChildProcess {
  return spawn(
    "ffmpeg",
    ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi"].concat(
      ["-i", `sine=frequency=${DJ_HZ}:sample_rate=44100`, "-ac", "2"],
      ["-c:a", "libmp3lame", "-b:a", "128k", "-f", "mpegts"],
      [`srt://127.0.0.1:${port}?mode=caller&latency=120000`],
    ),
    { stdio: ["ignore", "ignore", "ignore"] },
  );
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once("close", resolve));
  child.kill("SIGKILL");
  await closed;
}

describe("grimnir serve: a live DJ over RTP (real engine, ffmpeg as the encoder and the listener)", () => {
  let tmp: TempDir;
  let server: RunningServer;
  let auth: Record<string, string>;
  const events: BusEvent<Topic>[] = [];
  const senders: ChildProcess[] = [];

  beforeAll(async () => {
    requireBinaries("apt-get install -y ffmpeg gstreamer1.0-tools", "ffmpeg", "gst-launch-1.0");
    tmp = tempDir("grimnir-live-rtp-");
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
        instanceId: "live-rtp-test",
      },
      { GRIMNIR_ADMIN_PASSWORD: "live-rtp-password" },
    );
    server = await startServer(options, createServerLogger("silent"));
    for (const type of ["dj.connect", "dj.disconnect", "source_failure"] as const) {
      await server.bus.subscribe(type, "demo", (event) => {
        events.push(event as BusEvent<Topic>);
      });
    }
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "live-rtp-password" }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    auth = { authorization: `Bearer ${accessToken}`, "content-type": "application/json" };
  });

  afterAll(async () => {
    for (const sender of senders) await stop(sender);
    await server?.close();
    tmp?.remove();
  });

  const sessionState = async (sessionId: string): Promise<LiveSession["state"]> => {
    const res = await fetch(`${server.url}/api/v1/live/sessions/${sessionId}?stationId=demo`, {
      headers: auth,
    });
    return ((await res.json()) as LiveSession).state;
  };

  it("puts an RTP encoder on air, keeps the session through a short drop, and fails back after the grace", async () => {
    const executor = () => server.playout.pool.executor("demo")?.executor;
    await waitFor(() => executor()?.state === "playing", 90_000, "the demo station playing");

    const rtpPort = await freePort();
    const inputUri = `rtp://127.0.0.1:${rtpPort}?encoding-name=MPA`;
    const issued = await fetch(`${server.url}/api/v1/live/tokens?stationId=demo`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ mountId: "main", priority: 1, ttlSec: 600 }),
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const connected = await fetch(`${server.url}/api/v1/live/connect?stationId=demo`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ token, inputUri }),
    });
    expect(connected.status).toBe(201);
    const session = (await connected.json()) as LiveSession;
    expect(session).toMatchObject({ state: "active", inputUri, priority: 1 });
    const liveId = `live:${session.id}`;
    expect(executor()?.sources.find((s) => s.id === liveId)).toMatchObject({
      priority: 1,
      uri: inputUri,
    });

    // The encoder starts: after the fade the station's stream carries its tone.
    senders.push(startSender(rtpPort));
    await waitFor(() => executor()?.state === "live", 30_000, "the executor in state live");
    const onAir = await listen(`${server.url}/stream/demo.mp3`, 8).done;
    expect(
      share(onAir, 3, 5, DJ_HZ),
      "share of 10 ms windows where 660 Hz dominates",
    ).toBeGreaterThan(0.8);

    // A drop shorter than the grace: the input stays routed and the session is kept.
    await stop(senders.pop()!);
    await waitFor(
      async () => (await sessionState(session.id)) === "connected" || undefined,
      10_000,
      "the session waiting out its grace",
    );
    expect(executor()?.sources.some((s) => s.id === liveId)).toBe(true);
    senders.push(startSender(rtpPort));
    await waitFor(
      async () => (await sessionState(session.id)) === "active" || undefined,
      GRACE_SEC * 1000,
      "the session active again once RTP arrives",
    );
    const back = await listen(`${server.url}/stream/demo.mp3`, 6).done;
    expect(share(back, 3, 3, DJ_HZ), "660 Hz after the encoder came back").toBeGreaterThan(0.8);
    expect(events.some((e) => e.topic === "dj.disconnect")).toBe(false);

    // The encoder stops for good: the engine reports the input gone, the grace runs out,
    // the session ends and automation takes the air back.
    const droppedAt = Date.now();
    await stop(senders.pop()!);
    const disconnect = await waitFor(
      () => events.find((e) => e.topic === "dj.disconnect"),
      (GRACE_SEC + 20) * 1000,
      "dj.disconnect",
    );
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SEC * 1000);
    expect(disconnect.payload).toMatchObject({
      sessionId: session.id,
      reason: expect.stringContaining("engine reports the input disconnected"),
    });
    expect(await sessionState(session.id)).toBe("disconnected");
    await waitFor(
      () => executor()?.state === "playing" && executor()?.onAir?.priority === 3,
      20_000,
      "automation back on air",
    );
    expect(executor()?.sources.some((s) => s.id.startsWith("live:"))).toBe(false);
    const after = await listen(`${server.url}/stream/demo.mp3`, 8).done;
    expect(share(after, 3, 5, DJ_HZ), "660 Hz after failback").toBeLessThan(0.4);
    expect(rms(after.subarray(3 * 44_100)), "automation audible after failback").toBeGreaterThan(
      0.01,
    );
    // The input stayed routed through both graces: nothing took it off the air early.
    expect(
      events.some(
        (e) => e.topic === "source_failure" && (e.payload as { source: string }).source === liveId,
      ),
    ).toBe(false);
  }, 240_000);

  it("ends an SRT session when the caller hangs up for longer than the grace", async () => {
    const executor = () => server.playout.pool.executor("demo")?.executor;
    await waitFor(() => executor()?.state === "playing", 30_000, "the demo station playing");
    const srtPort = await freePort();
    const inputUri = `srt://127.0.0.1:${srtPort}?mode=listener&latency=120`;
    const issued = await fetch(`${server.url}/api/v1/live/tokens?stationId=demo`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ mountId: "main", priority: 2, ttlSec: 600 }),
    });
    const { token } = (await issued.json()) as { token: string };
    const connected = await fetch(`${server.url}/api/v1/live/connect?stationId=demo`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ token, inputUri }),
    });
    expect(connected.status).toBe(201);
    const session = (await connected.json()) as LiveSession;

    // The engine's srtsrc listens; the caller is retried until the listener is up.
    const callers: ChildProcess[] = [];
    await waitFor(
      async () => {
        if (executor()?.state === "live") return true;
        if (callers.every((c) => c.exitCode !== null || c.signalCode !== null)) {
          const caller = startSrtCaller(srtPort);
          callers.push(caller);
          senders.push(caller);
        }
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      },
      30_000,
      "the SRT caller on air",
    );
    const onAir = await listen(`${server.url}/stream/demo.mp3`, 6).done;
    expect(share(onAir, 3, 3, DJ_HZ), "660 Hz from the SRT caller").toBeGreaterThan(0.8);

    const droppedAt = Date.now();
    for (const caller of callers) await stop(caller);
    const ofSession = (e: BusEvent<Topic>) =>
      e.topic === "dj.disconnect" && (e.payload as { sessionId: string }).sessionId === session.id;
    const disconnect = await waitFor(
      () => events.find(ofSession),
      (GRACE_SEC + 20) * 1000,
      "dj.disconnect of the SRT session",
    );
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SEC * 1000);
    expect((disconnect.payload as { reason: string }).reason).toContain("engine reports");
    expect(await sessionState(session.id)).toBe("disconnected");
    await waitFor(
      () => executor()?.state === "playing" && executor()?.onAir?.priority === 3,
      20_000,
      "automation back on air",
    );
    expect(executor()?.sources.some((s) => s.id === `live:${session.id}`)).toBe(false);
  }, 120_000);
});
