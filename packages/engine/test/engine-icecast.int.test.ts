import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "tsup";
import {
  EngineClient,
  EngineSupervisor,
  startEngineServer,
  type EngineServer,
  type SupervisorEvent,
} from "../src/index.js";
import {
  firstRun,
  freePort,
  listen,
  makeTone,
  readStreamTitle,
  requireBinaries,
  startIcecast,
  tempDir,
  toneTimeline,
  waitFor,
  writeSegmentsWav,
  type Icecast,
} from "./helpers.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

describe("engine into a real icecast2 (real GStreamer, ffmpeg listener)", () => {
  let icecast: Icecast;
  let server: EngineServer;
  let client: EngineClient;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg", "icecast2");
    tmp = tempDir("grimnir-engine-ice-");
    icecast = await startIcecast();
    server = await startEngineServer({ port: 0 });
    client = new EngineClient({ address: server.address });
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    await icecast?.stop();
    tmp?.remove();
  });

  it("pushes tracks in order with ICY titles to an Icecast mount", async () => {
    const a = makeTone(tmp.dir, "i440", 440, 2, 0.5);
    const b = makeTone(tmp.dir, "i660", 660, 2, 0.25);
    const c = makeTone(tmp.dir, "i880", 880, 2, 0.5);
    await client.configureOutputs("ice", [
      {
        name: "main",
        format: "mp3",
        bitrateKbps: 128,
        icecastUrl: `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/ice.mp3`,
      },
    ]);
    const mountUrl = `http://127.0.0.1:${icecast.port}/ice.mp3`;
    await waitFor(
      async () =>
        (
          await fetch(`http://127.0.0.1:${icecast.port}/status-json.xsl`).then((r) => r.text())
        ).includes("/ice.mp3"),
      10_000,
      "the mount to go live",
    );
    const listener = listen(mountUrl, 10);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes from icecast");
    await client.play("ice", { itemId: "a", uri: a, title: "First", artist: "Tones" });
    await client.play("ice", { itemId: "b", uri: b, title: "Second", artist: "Tones" });
    await client.play("ice", { itemId: "c", uri: c, title: "Third", artist: "Tones" });
    const title = await waitFor(
      async () => {
        const t = (await readStreamTitle(mountUrl, 3000)).title;
        return /^Tones - (First|Second|Third)$/.test(t) ? t : undefined;
      },
      6000,
      "a Tones title from icecast",
    );
    expect(title).toMatch(/^Tones - /);
    const timeline = toneTimeline(await listener.done, [440, 660, 880]);
    const ia = firstRun(timeline, 440);
    const ib = firstRun(timeline, 660, 5, ia);
    const ic = firstRun(timeline, 880, 5, ib);
    expect(ia).toBeGreaterThanOrEqual(0);
    expect(ib).toBeGreaterThan(ia);
    expect(ic).toBeGreaterThan(ib);
    expect(Math.abs((ib - ia) * 10 - 2000)).toBeLessThanOrEqual(30);
    expect(timeline.slice(ia, ic).filter((t) => t === "silence")).toEqual([]);
  });

  it("brings audio back after kill -9 under the supervisor, resuming the item near its position", async () => {
    // Built engine entry point (core bundled in), so the supervisor runs the real process.
    const outDir = join(packageDir, "node_modules", ".cache", "grimnir-engine-test");
    await build({
      entry: [join(packageDir, "src", "engine-main.ts")],
      outDir,
      format: ["esm"],
      target: "node20",
      noExternal: ["@grimnir/core", "@grimnir/live"],
      dts: false,
      silent: true,
      config: false,
      // Bundled CommonJS dependencies of core call require(); give the ESM bundle one.
      banner: {
        js: "import { createRequire as __grimnirCreateRequire } from 'node:module'; const require = __grimnirCreateRequire(import.meta.url);",
      },
    });
    const track = writeSegmentsWav(join(tmp.dir, "two-part.wav"), [
      [440, 3],
      [660, 6],
    ]);
    const events: SupervisorEvent[] = [];
    const httpPort = await freePort();
    const supervisor = new EngineSupervisor({
      port: await freePort(),
      args: [join(outDir, "engine-main.js")],
      healthIntervalMs: 250,
      heartbeatTimeoutMs: 1500,
      onEvent: (e) => events.push(e),
    });
    try {
      await supervisor.start();
      await supervisor.configureOutputs("sup", [{ name: "sup", format: "mp3", httpPort }]);
      await supervisor.play("sup", { itemId: "song", uri: track });
      await waitFor(
        async () =>
          ((await supervisor.engine.fullStatus()).stations[0]?.positionMs ?? 0) > 1500 || undefined,
        5000,
        "1.5 s of the song",
      );
      await new Promise((r) => setTimeout(r, 300));
      process.kill(supervisor.pid!, "SIGKILL");
      const restarted = await waitFor(
        () => events.find((e) => e.type === "restarted"),
        15_000,
        "the supervisor to restart the engine",
      );
      expect(restarted.type === "restarted" && restarted.reason).toBe(
        "engine exited (code null, signal SIGKILL)",
      );
      expect(restarted.type === "restarted" && restarted.resumed[0]).toMatchObject({
        stationId: "sup",
        itemId: "song",
      });
      const resumedAt = restarted.type === "restarted" ? restarted.resumed[0]!.positionMs : 0;
      expect(resumedAt).toBeGreaterThan(1500);
      const listener = listen(`http://127.0.0.1:${httpPort}/stream/sup.mp3`, 4);
      const timeline = toneTimeline(await listener.done, [440, 660]);
      const back = timeline.findIndex((t) => t !== "silence");
      expect(back).toBeGreaterThanOrEqual(0);
      // Resumed near its position: the switch to 660 Hz (at 3 s in the file) comes within 3 s - position (+ slack), not after a full 3 s.
      const switchAt = firstRun(timeline, 660, 5, back);
      expect(switchAt).toBeGreaterThanOrEqual(0);
      expect((switchAt - back) * 10).toBeLessThan(Math.max(0, 3000 - resumedAt) + 800);
    } finally {
      await supervisor.stop();
    }
  });
});
