import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenMeanVolume, snapshotBuiltServer, startServe, waitFor } from "./serve-helpers.js";
import type { ServeProcess } from "./serve-helpers.js";

interface NowPlaying {
  nowPlaying: { title?: string; artist?: string; startedAt: string; source: string } | null;
}

describe("grimnir serve (built, real engine, ffmpeg as the listener)", () => {
  let snapshot: ReturnType<typeof snapshotBuiltServer>;
  let serve: ServeProcess;
  let startedAt: number;

  beforeAll(async () => {
    snapshot = snapshotBuiltServer();
    startedAt = Date.now();
    serve = await startServe(snapshot.cli);
  });
  afterAll(async () => {
    if (serve !== undefined && serve.child.exitCode === null) await serve.stop();
    snapshot?.remove();
  });

  it("is audible at /stream/demo.mp3 within 60 s, changes now-playing, and exits cleanly on SIGTERM", async () => {
    const heard = await waitFor(
      "non-silent audio at /stream/demo.mp3",
      async () => {
        const result = await listenMeanVolume(`${serve.url}/stream/demo.mp3`, 4);
        return result.meanDb > -45 ? result : undefined;
      },
      60_000,
      1000,
    );
    const audibleAfterMs = Date.now() - startedAt;
    expect(audibleAfterMs).toBeLessThan(60_000);
    expect(heard.meanDb).toBeGreaterThan(-45);
    expect(heard.title).toMatch(/ - /);

    const nowPlaying = async (): Promise<NowPlaying["nowPlaying"]> => {
      const res = await fetch(`${serve.url}/api/v1/public/now-playing?station=demo`);
      expect(res.status).toBe(200);
      return ((await res.json()) as NowPlaying).nowPlaying;
    };
    const first = await waitFor(
      "a now-playing item",
      async () => (await nowPlaying()) ?? undefined,
      10_000,
    );
    expect(first.source).toBe("automation");
    const next = await waitFor(
      "now-playing to change",
      async () => {
        const current = await nowPlaying();
        return current !== null && current.startedAt !== first.startedAt ? current : undefined;
      },
      50_000,
      1000,
    );
    expect(next.title).toBeDefined();

    serve.child.kill("SIGTERM");
    const code = await Promise.race([
      serve.exited,
      new Promise((r) => setTimeout(() => r("still running after 15 s"), 15_000)),
    ]);
    expect(code, serve.output().slice(-2000)).toBe(0);
    expect(serve.output()).toContain("grimnir serve stopped");
  }, 120_000);
});
