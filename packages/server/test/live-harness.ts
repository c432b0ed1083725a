import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { BusEvent, LiveSession, Topic } from "@grimnir/core";
import type { StationExecutor } from "@grimnir/executor";
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

/** The tone every live test's DJ sends, Hz. */
export const DJ_HZ = 660;

/**
 * Share of the 10 ms windows in `seconds` from `fromSec` where `freq`
 * dominates among `rivals` (the notes the demo music may play around it).
 */
export function share(
  samples: Float32Array,
  fromSec: number,
  seconds: number,
  freq: number,
  rivals: number[],
): number {
  const timeline = toneTimeline(samples, [freq, ...rivals]).slice(
    fromSec * 100,
    (fromSec + seconds) * 100,
  );
  return timeline.filter((t) => t === freq).length / Math.max(1, timeline.length);
}

/** ffmpeg options encoding 128 kb/s MP3 with LAME. */
export const MP3_128K = ["-c:a", "libmp3lame", "-b:a", "128k"];

/** Root mean square of `samples`. */
export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

/**
 * ffmpeg encoding the {@link DJ_HZ} tone in real time as 128 kb/s MP3:
 * `sine` are the lavfi sine options after the frequency (e.g. `duration=60`),
 * `output` the encoder options and destination after the codec.
 */
export function startToneEncoder(
  sine: string,
  output: string[],
  stderr: "pipe" | "ignore" = "pipe",
): ChildProcess {
  return spawn(
    "ffmpeg",
    ["-nostdin", "-loglevel", "error", "-re", "-f", "lavfi"].concat(
      ["-i", `sine=frequency=${DJ_HZ}:${sine}`],
      output,
    ),
    { stdio: ["ignore", "ignore", stderr] },
  );
}

/** SIGKILL `child` (if it still runs) and wait until it closed. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once("close", resolve));
  child.kill("SIGKILL");
  await closed;
}

/** An in-process `grimnir serve` of the embedded demo station, for live tests. */
export interface LiveServerFixture {
  /** The running server (set once `beforeAll` ran). */
  server: RunningServer;
  /** Bus events of station "demo" on the subscribed topics, in order. */
  events: BusEvent<Topic>[];
  /** Encoders and DJ clients the test started; all stopped in `afterAll`. */
  children: ChildProcess[];
  /** A request to the server's API as the admin (JSON body). */
  api: (method: string, path: string, body?: unknown) => Promise<Response>;
  /** The stored state of live session `sessionId` of "demo", through the API. */
  sessionState: (sessionId: string) => Promise<LiveSession["state"]>;
  /** The demo station's executor, once it runs. */
  executor: () => StationExecutor | undefined;
  /** Wait until automation (priority 3) is back on air. */
  automationBack: () => Promise<unknown>;
  /**
   * Wait (the grace plus 20 s at most) for the first `dj.disconnect`, or the
   * first of session `sessionId` when given.
   */
  disconnected: (sessionId?: string) => Promise<BusEvent<Topic>>;
  /**
   * Assert the station failed back: automation on air, no live source left,
   * and the stream (8 s, from 3 s in) audible with the DJ's tone dominating
   * less than `maxDjShare` of the windows among `rivals`.
   */
  expectFailedBack: (rivals: number[], maxDjShare: number) => Promise<void>;
}

/**
 * Start `grimnir serve` in `beforeAll` (free loopback ports, a temporary data
 * dir, `live_timeout_sec` set to `graceSec`), subscribe to `topics` of
 * "demo" and log in as admin; stop children, server and data dir in `afterAll`.
 * Fails (never skips) without ffmpeg and gst-launch-1.0.
 */
export function useLiveServer(options: {
  graceSec: number;
  instanceId: string;
  topics: readonly Topic[];
}): LiveServerFixture {
  let tmp: TempDir | undefined;
  let auth: Record<string, string> = {};
  const fixture: LiveServerFixture = {
    server: undefined as unknown as RunningServer,
    events: [],
    children: [],
    api: (method, path, body) =>
      fetch(`${fixture.server.url}${path}`, {
        method,
        headers: auth,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    sessionState: async (sessionId) => {
      const res = await fixture.api("GET", `/api/v1/live/sessions/${sessionId}?stationId=demo`);
      return ((await res.json()) as LiveSession).state;
    },
    executor: () => fixture.server.playout.pool.executor("demo")?.executor,
    automationBack: () =>
      waitFor(
        () => fixture.executor()?.state === "playing" && fixture.executor()?.onAir?.priority === 3,
        20_000,
        "automation back on air",
      ),
    disconnected: (sessionId) =>
      waitFor(
        () =>
          fixture.events.find(
            (e) =>
              e.topic === "dj.disconnect" &&
              (sessionId === undefined ||
                (e.payload as { sessionId: string }).sessionId === sessionId),
          ),
        (options.graceSec + 20) * 1000,
        sessionId === undefined ? "dj.disconnect" : `dj.disconnect of session ${sessionId}`,
      ),
    expectFailedBack: async (rivals, maxDjShare) => {
      await fixture.automationBack();
      expect(fixture.executor()?.sources.some((s) => s.id.startsWith("live:"))).toBe(false);
      const after = await listen(`${fixture.server.url}/stream/demo.mp3`, 8).done;
      expect(share(after, 3, 5, DJ_HZ, rivals), "660 Hz after failback").toBeLessThan(maxDjShare);
      expect(rms(after.subarray(3 * 44_100)), "automation audible after failback").toBeGreaterThan(
        0.01,
      );
    },
  };

  beforeAll(async () => {
    requireBinaries("apt-get install -y ffmpeg gstreamer1.0-tools", "ffmpeg", "gst-launch-1.0");
    tmp = tempDir(`grimnir-${options.instanceId}-`);
    const config = join(tmp.dir, "station.yaml");
    writeFileSync(
      config,
      EMBEDDED_STATION_YAML.replace(
        "live_timeout_sec: 30",
        `live_timeout_sec: ${options.graceSec}`,
      ),
    );
    const adminPassword = `${options.instanceId}-password`;
    const serveOptions = resolveServeOptions(
      {
        config,
        data: join(tmp.dir, "data"),
        host: "127.0.0.1",
        port: "0",
        enginePort: String(await freePort()),
        streamPort: String(await freePort()),
        harborPort: "0",
        instanceId: options.instanceId,
      },
      { GRIMNIR_ADMIN_PASSWORD: adminPassword },
    );
    fixture.server = await startServer(serveOptions, createServerLogger("silent"));
    for (const type of options.topics) {
      await fixture.server.bus.subscribe(type, "demo", (event) => {
        fixture.events.push(event as BusEvent<Topic>);
      });
    }
    const login = await fetch(`${fixture.server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: adminPassword }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    auth = { authorization: `Bearer ${accessToken}`, "content-type": "application/json" };
  });

  afterAll(async () => {
    for (const child of fixture.children) await stopChild(child);
    await fixture.server?.close();
    tmp?.remove();
  });

  return fixture;
}
