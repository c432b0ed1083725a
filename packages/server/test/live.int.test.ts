import { describe, expect, it } from "vitest";
import { listen, waitFor } from "@grimnir/testkit";
import type { LiveSession } from "@grimnir/core";
import { DJ_HZ, MP3_128K, share, startToneEncoder, useLiveServer } from "./live-harness.js";

const GRACE_SEC = 4;
/** Notes the demo music plays that could be mistaken for the DJ's tone. */
const RIVALS = [440, 880, 330];

/** The DJ: ffmpeg pushing a 660 Hz tone to the harbor as Icecast source, as BUTT or Mixxx would. */
function startDj(url: string, seconds: number) {
  return startToneEncoder(`duration=${seconds}`, [
    ...MP3_128K,
    ...["-content_type", "audio/mpeg", "-ice_name", "DJ Test", "-f", "mp3", url],
  ]);
}

describe("grimnir serve: a live DJ through the harbor (real engine, ffmpeg as the DJ)", () => {
  const fx = useLiveServer({
    graceSec: GRACE_SEC,
    instanceId: "live-test",
    topics: ["dj.connect", "dj.disconnect", "executor.state", "now_playing"],
  });
  const { events } = fx;

  it("puts a DJ with a one-time token on air at live override and fails back to automation after the grace", async () => {
    const { server, executor } = fx;
    await waitFor(() => executor()?.state === "playing", 90_000, "the demo station playing");

    const harborPort = server.live.harborPort;
    expect(harborPort).toBeGreaterThan(0);
    const issued = await fx.api("POST", "/api/v1/live/tokens?stationId=demo", {
      mountId: "main",
      priority: 1,
      ttlSec: 600,
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    expect(token).toMatch(/^[0-9a-f]{64}$/);

    const dj = startDj(`icecast://source:${token}@127.0.0.1:${harborPort}/studio`, 60);
    fx.children.push(dj);
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
        const res = await fx.api("GET", "/api/v1/live/sessions?stationId=demo");
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
      share(onAir, 3, 5, DJ_HZ, RIVALS),
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
    const playHistory = () =>
      server.store.playHistory.list("demo", { from: Date.now() - 600_000, to: Date.now() + 1 });
    const record = await waitFor(
      async () =>
        (await playHistory()).find((h) => h.title === "Feeling Good" && h.artist === "Nina Simone"),
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
    expect((await playHistory()).filter((h) => h.title === "Feeling Good")).toHaveLength(1);

    // The DJ drops: the session waits out the grace, then automation takes the air back.
    const droppedAt = Date.now();
    dj.kill("SIGKILL");
    const disconnect = await fx.disconnected();
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(GRACE_SEC * 1000 - 500);
    expect(disconnect.payload).toMatchObject({ sessionId });
    await fx.expectFailedBack(RIVALS, 0.2);
    expect(await fx.sessionState(sessionId)).toBe("disconnected");
  }, 240_000);

  it("refuses an unknown token on the harbor with a reason, and the station stays on air", async () => {
    const harborPort = fx.server.live.harborPort!;
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
    expect(fx.executor()?.state).toBe("playing");
  });
});
