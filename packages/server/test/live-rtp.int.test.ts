import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { LiveSession } from "@grimnir/core";
import { freePort, listen, waitFor } from "@grimnir/testkit";
import {
  DJ_HZ,
  MP3_128K,
  share,
  startToneEncoder,
  stopChild,
  useLiveServer,
} from "./live-harness.js";

const GRACE_SEC = 5;
/**
 * The notes around 660 Hz the demo music plays (E5 = 659 Hz now and then;
 * the DJ's steady tone dominates nearly every window).
 */
const RIVALS = [330, 440, 494, 523, 587, 784, 880];
const MP3_STEREO = ["-ac", "2", ...MP3_128K];

/** The DJ's encoder: ffmpeg sending a 660 Hz tone as MP3 over RTP (payload 14, MPA) in real time. */
function startSender(port: number): ChildProcess {
  return startToneEncoder("sample_rate=44100", [
    ...MP3_STEREO,
    "-f",
    "rtp",
    `rtp://127.0.0.1:${port}`,
  ]);
}

/** An SRT caller: ffmpeg sending a 660 Hz tone as MP3 in MPEG-TS to the engine's SRT listener. */
function startSrtCaller(port: number): ChildProcess {
  return startToneEncoder(
    "sample_rate=44100",
    [...MP3_STEREO, "-f", "mpegts", `srt://127.0.0.1:${port}?mode=caller&latency=120000`],
    "ignore",
  );
}

describe("grimnir serve: a live DJ over RTP (real engine, ffmpeg as the encoder and the listener)", () => {
  const fx = useLiveServer({
    graceSec: GRACE_SEC,
    instanceId: "live-rtp-test",
    topics: ["dj.connect", "dj.disconnect", "source_failure"],
  });
  const { events, children: senders, executor, sessionState } = fx;

  /** Issue a token at `priority` and connect it with `inputUri` through the API. */
  const connectLive = async (priority: 1 | 2, inputUri: string): Promise<Response> => {
    const issued = await fx.api("POST", "/api/v1/live/tokens?stationId=demo", {
      mountId: "main",
      priority,
      ttlSec: 600,
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    return fx.api("POST", "/api/v1/live/connect?stationId=demo", { token, inputUri });
  };

  it("puts an RTP encoder on air, keeps the session through a short drop, and fails back after the grace", async () => {
    const { server } = fx;
    await waitFor(() => executor()?.state === "playing", 90_000, "the demo station playing");

    const rtpPort = await freePort();
    const inputUri = `rtp://127.0.0.1:${rtpPort}?encoding-name=MPA`;
    const connected = await connectLive(1, inputUri);
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
      share(onAir, 3, 5, DJ_HZ, RIVALS),
      "share of 10 ms windows where 660 Hz dominates",
    ).toBeGreaterThan(0.8);

    // A drop shorter than the grace: the input stays routed and the session is kept.
    await stopChild(senders.pop()!);
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
    expect(share(back, 3, 3, DJ_HZ, RIVALS), "660 Hz after the encoder came back").toBeGreaterThan(
      0.8,
    );
    expect(events.some((e) => e.topic === "dj.disconnect")).toBe(false);

    // The encoder stops for good: the engine reports the input gone, the grace runs out,
    // the session ends and automation takes the air back.
    const droppedAt = Date.now();
    await stopChild(senders.pop()!);
    const disconnect = await fx.disconnected();
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SEC * 1000);
    expect(disconnect.payload).toMatchObject({
      sessionId: session.id,
      reason: expect.stringContaining("engine reports the input disconnected"),
    });
    expect(await sessionState(session.id)).toBe("disconnected");
    await fx.expectFailedBack(RIVALS, 0.4);
    // The input stayed routed through both graces: nothing took it off the air early.
    expect(
      events.some(
        (e) => e.topic === "source_failure" && (e.payload as { source: string }).source === liveId,
      ),
    ).toBe(false);
  }, 240_000);

  it("ends an SRT session when the caller hangs up for longer than the grace", async () => {
    const { server } = fx;
    await waitFor(() => executor()?.state === "playing", 30_000, "the demo station playing");
    const srtPort = await freePort();
    const inputUri = `srt://127.0.0.1:${srtPort}?mode=listener&latency=120`;
    const connected = await connectLive(2, inputUri);
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
    expect(share(onAir, 3, 3, DJ_HZ, RIVALS), "660 Hz from the SRT caller").toBeGreaterThan(0.8);

    const droppedAt = Date.now();
    for (const caller of callers) await stopChild(caller);
    const disconnect = await fx.disconnected(session.id);
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SEC * 1000);
    expect((disconnect.payload as { reason: string }).reason).toContain("engine reports");
    expect(await sessionState(session.id)).toBe("disconnected");
    await fx.automationBack();
    expect(executor()?.sources.some((s) => s.id === `live:${session.id}`)).toBe(false);
  }, 120_000);
});
