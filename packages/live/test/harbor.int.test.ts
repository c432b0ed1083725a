import { beforeAll, describe, expect, it } from "vitest";
import type { BusEvent, LiveSession } from "@grimnir/core";
import type { HarborRefusal, LiveLogger } from "../src/index.js";
import {
  dominantTone,
  ffmpegSource,
  listen,
  mp3Bytes,
  rawRequest,
  sourceHead,
  useHarbor,
  waitFor,
} from "./helpers.js";

describe("Harbor with real ffmpeg DJ clients", () => {
  const events: BusEvent[] = [];
  const routed: LiveSession[] = [];
  const failbacks: { stationId: string; at: number; wallAt: number }[] = [];
  const refusals: HarborRefusal[] = [];
  const logs: string[] = [];
  const log: LiveLogger = (level, message, details) =>
    logs.push(`${level} ${message} ${JSON.stringify(details)}`);
  const fx = useHarbor(
    {
      liveTimeoutSec: 0.6,
      onLive: (session) => {
        routed.push(session);
      },
      onFailback: (stationId) => {
        failbacks.push({ stationId, at: performance.now(), wallAt: Date.now() });
      },
      log,
    },
    { headerTimeoutMs: 800, idleTimeoutMs: 1200, onRefused: (r) => refusals.push(r), log },
  );
  const { store, bus, live, harbor } = fx;
  let tone: Buffer;

  beforeAll(async () => {
    await bus.subscribe("*", "*", (e) => {
      events.push(e);
    });
    tone = mp3Bytes(440, 1);
  });

  /** A raw source request to the harbor for `mount`, declared audio/mpeg unless `head` says otherwise. */
  const put = (
    mount: string,
    password: string,
    body?: Buffer,
    head: Partial<Parameters<typeof sourceHead>[0]> = {},
  ) =>
    rawRequest(fx.port, sourceHead({ mount, password, contentType: "audio/mpeg", ...head }), body);

  const token = (mountId: string, ttlMs = 60_000, stationId = "st-1") =>
    live.generateToken(stationId, { mountId, userId: "dj-ann", priority: 1, ttlMs });

  it("puts an ffmpeg MP3 source on air, re-serves its 440 Hz tone, and fails back after the grace", async () => {
    const issued = await token("main");
    const dj = ffmpegSource(
      `icecast://source:${issued.token}@127.0.0.1:${fx.port}/studio`,
      440,
      4,
      "mp3",
      ["-ice_name", "Morning Show"],
    );
    try {
      const session = await waitFor(
        () => routed.find((s) => s.mountId === "main"),
        5000,
        "the live session to be routed",
      );
      expect(session.inputUri).toBe(`http://127.0.0.1:${fx.port}/live/studio`);
      expect(session.priority).toBe(1);
      const audio = await listen(session.inputUri!, 1.5);
      const heard = dominantTone(audio, [440, 880]);
      expect(heard.freq).toBe(440);
      expect(heard.amplitude).toBeGreaterThan(0.1);

      const metadataUrl = `http://127.0.0.1:${fx.port}/admin/metadata?mode=updinfo&mount=/studio&song=${encodeURIComponent("Nina Simone - Feeling Good")}`;
      const wrong = await fetch(metadataUrl, {
        headers: { authorization: `Basic ${Buffer.from("source:nope").toString("base64")}` },
      });
      expect(wrong.status).toBe(401);
      const ok = await fetch(metadataUrl, {
        headers: {
          authorization: `Basic ${Buffer.from(`source:${issued.token}`).toString("base64")}`,
        },
      });
      expect(ok.status).toBe(200);
      const np = events.filter((e) => e.topic === "now_playing").map((e) => e.payload);
      expect(np).toContainEqual(expect.objectContaining({ title: "Morning Show", priority: 1 }));
      expect(np).toContainEqual(
        expect.objectContaining({ artist: "Nina Simone", title: "Feeling Good", priority: 1 }),
      );
      expect((await store.liveSessions.get("st-1", session.id))?.state).toBe("active");
      expect(
        events.some(
          (e) =>
            e.topic === "dj.connect" &&
            (e.payload as { sessionId: string }).sessionId === session.id,
        ),
      ).toBe(true);

      const { code } = await dj.exited;
      expect(code).toBe(0);
      const endedAt = performance.now();
      const failback = await waitFor(
        () => failbacks.find((f) => f.stationId === "st-1"),
        3000,
        "failback",
      );
      // The station waited the 0.6 s grace for a reconnect before going back to automation:
      // from the drop (its "retrying" source_failure) to the failback.
      const dropped = events.find(
        (e) =>
          e.topic === "source_failure" &&
          (e.payload as { source: string }).source === `live:${session.id}`,
      );
      expect(dropped?.payload).toMatchObject({ action: "retrying" });
      expect(failback.wallAt - dropped!.at).toBeGreaterThanOrEqual(590);
      expect(failback.at - endedAt).toBeLessThan(3000);
      const ended = await store.liveSessions.get("st-1", session.id);
      expect(ended?.state).toBe("disconnected");
      expect(events.find((e) => e.topic === "dj.disconnect")?.payload).toMatchObject({
        sessionId: session.id,
        userId: "dj-ann",
      });
      expect(harbor.mounts()).toEqual([]);
    } finally {
      await dj.stop();
    }
  });

  it("accepts Ogg Opus, Ogg Vorbis and AAC sources and re-serves them decodably", async () => {
    const cases = [
      { codec: "opus", mount: "opus", freq: 660 },
      { codec: "vorbis", mount: "vorbis", freq: 550 },
      { codec: "aac", mount: "aac", freq: 880 },
    ] as const;
    const results = await Promise.all(
      cases.map(async ({ codec, mount, freq }) => {
        const issued = await token(`m-${codec}`, 60_000, "st-codecs");
        const dj = ffmpegSource(
          `icecast://source:${issued.token}@127.0.0.1:${fx.port}/${mount}`,
          freq,
          4,
          codec,
        );
        try {
          const session = await waitFor(
            () => routed.find((s) => s.mountId === `m-${codec}`),
            5000,
            `${codec} session`,
          );
          // Join late, so an Ogg listener depends on the header pages the harbor kept.
          await new Promise((r) => setTimeout(r, 700));
          const audio = await listen(session.inputUri!, 1);
          return { codec, freq, heard: dominantTone(audio, [550, 660, 880]) };
        } finally {
          await dj.stop();
        }
      }),
    );
    for (const r of results) {
      expect(r.heard.freq, r.codec).toBe(r.freq);
      expect(r.heard.amplitude, r.codec).toBeGreaterThan(0.1);
    }
  });

  it("refuses a wrong password, a used token, an expired token and a second source on a busy mount", async () => {
    const wrong = await put("x", "a".repeat(64));
    expect(wrong.status).toBe(401);
    expect(wrong.text).toMatch(/wrong password/);

    const notToken = await put("x", "hackme");
    expect(notToken.status).toBe(401);

    const expired = await token("exp", 1);
    await new Promise((r) => setTimeout(r, 5));
    const exp = await put("exp", expired.token);
    expect(exp.status).toBe(403);
    expect(exp.text).toMatch(/expired/);

    // A raw PUT with Expect: 100-continue holding the mount with real MP3 bytes.
    const first = await token("busy");
    const holder = await put("busy", first.token, undefined, { expect100: true });
    expect(holder.status).toBe(100);
    holder.socket.write(tone.subarray(0, 16_384));
    await waitFor(
      () => harbor.mounts().find((m) => m.mount === "busy"),
      3000,
      "the busy mount to go live",
    );

    const second = await token("busy-2");
    const busyPath = await put("busy", second.token, undefined, { method: "SOURCE" });
    expect(busyPath.status).toBe(409);
    const third = await token("busy");
    const busyMount = await put("elsewhere", third.token);
    expect(busyMount.status).toBe(409);
    expect(busyMount.text).toMatch(/already has a live source/);

    const reused = await put("again", first.token);
    expect(reused.status).toBe(403);
    expect(reused.text).toMatch(/already used/);
    holder.socket.destroy();

    const unsupported = await put("x", second.token, undefined, { contentType: "video/mp4" });
    expect(unsupported.status).toBe(415);
  });

  it("drops garbage and silent sources without using up their token", async () => {
    const issued = await token("g");
    const garbage = await put("g", issued.token, undefined, { method: "SOURCE" });
    expect(garbage.status).toBe(200);
    garbage.socket.write(
      Buffer.from("<html><body>this is not audio at all, sorry</body></html>\n".repeat(3)),
    );
    await waitFor(
      () => garbage.socket.destroyed || garbage.socket.readableEnded,
      3000,
      "the garbage source to be dropped",
    );
    await waitFor(
      () => refusals.find((r) => r.mount === "g" && /not audio/.test(r.reason)),
      1000,
      "the garbage refusal",
    );

    // Headers, then nothing: dropped after the idle timeout.
    const silent = await put("g", issued.token);
    expect(silent.status).toBe(200);
    await waitFor(
      () => refusals.find((r) => r.mount === "g" && /no audio within/.test(r.reason)),
      3000,
      "the silent source to be dropped",
    );

    // Half a request head (slowloris): dropped after the head timeout.
    const slow = await rawRequest(fx.port, "PUT /g HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    expect(slow.status).toBe(0);
    expect(refusals.some((r) => /request head not complete/.test(r.reason))).toBe(true);

    // The token still works: none of the refused attempts used it.
    expect((await live.authorizeSource(issued.token)).mountId).toBe("g");
    expect(logs.some((l) => l.startsWith("warn harbor dropped a source"))).toBe(true);
  });

  it("keeps the session when the DJ reconnects within the grace", async () => {
    const issued = await token("rc", 60_000, "st-rc");
    const before = failbacks.length;
    const a = await put("rc", issued.token, tone.subarray(0, 8192));
    expect(a.status).toBe(200);
    const session = await waitFor(
      () => routed.find((s) => s.mountId === "rc"),
      3000,
      "the rc session",
    );
    const listener = fetch(session.inputUri!);
    const response = await listener;
    expect(response.status).toBe(200);
    a.socket.destroy();
    await new Promise((r) => setTimeout(r, 150));
    const b = await put("rc", issued.token, tone.subarray(0, 8192));
    expect(b.status).toBe(200);
    await waitFor(
      () => routed.filter((s) => s.mountId === "rc").length === 2,
      3000,
      "the resumed session",
    );
    await new Promise((r) => setTimeout(r, 700));
    expect(failbacks.length).toBe(before);
    expect(routed.filter((s) => s.mountId === "rc").map((s) => s.id)).toEqual([
      session.id,
      session.id,
    ]);
    expect(
      events.filter(
        (e) => e.topic === "dj.connect" && (e.payload as { mountId: string }).mountId === "rc",
      ),
    ).toHaveLength(1);
    // Ending it through the service closes the source and the listener.
    await live.disconnect("st-rc", session.id, "ended by manager");
    await waitFor(
      () => b.socket.destroyed || b.socket.readableEnded,
      2000,
      "the source to be closed",
    );
    expect(failbacks.length).toBe(before + 1);
    await response.body?.cancel();
  });
});
