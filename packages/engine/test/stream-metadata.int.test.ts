import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TagListingParser, type StreamTags } from "../src/gst/decoder.js";
import { AudioEngine } from "../src/engine/audio-engine.js";
import type { StationEvent } from "../src/engine/station.js";
import {
  freePort,
  readStreamTitle,
  requireBinaries,
  startIcecast,
  waitFor,
  type Icecast,
} from "./helpers.js";

describe("gst-launch -t tag listing", () => {
  it("reports each FOUND TAG block's title and artist, across split chunks, ignoring other lines", () => {
    const seen: StreamTags[] = [];
    const parser = new TagListingParser((t) => seen.push(t));
    parser.push("Setting pipeline to PAUSED ...\nFOUND TAG      : found by element ");
    parser.push('"fdsink0".\n           title: Hello - World\n          artist: Ba');
    parser.push("nd\n         encoder: Lavf59\nPipeline is PREROLLED ...\n");
    parser.push('FOUND TAG      : found by element "fdsink0".\n     audio codec: MP3\n');
    parser.push('FOUND TAG      : found by element "fdsink0".\n           title: Next\n');
    parser.push('Got EOS from element "pipeline0".\n');
    // The codec-only block has no title and is not reported.
    expect(seen).toEqual([{ title: "Hello - World", artist: "Band" }, { title: "Next" }]);
  });
});

describe("webstream metadata from a real icecast2 mount (real GStreamer, ffmpeg source)", () => {
  let icecast: Icecast;
  let source: ChildProcess;
  const mount = "/web.mp3";

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg", "icecast2");
    icecast = await startIcecast();
    source = spawn(
      "ffmpeg",
      [
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        "sine=f=440:sample_rate=44100",
        "-ac",
        "2",
        "-c:a",
        "libmp3lame",
        "-b:a",
        "128k",
        "-content_type",
        "audio/mpeg",
        "-ice_name",
        "Test Webstream",
        "-metadata",
        "title=First Song",
        "-f",
        "mp3",
        `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}${mount}`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${icecast.port}/status-json.xsl`);
        return (await res.text()).includes(mount);
      },
      15_000,
      "ffmpeg source on icecast",
      200,
    );
  });

  afterAll(async () => {
    source?.kill("SIGKILL");
    await icecast?.stop();
  });

  async function setIcecastTitle(song: string): Promise<void> {
    const auth = Buffer.from(`admin:${icecast.adminPassword}`).toString("base64");
    const res = await fetch(
      `http://127.0.0.1:${icecast.port}/admin/metadata?mount=${encodeURIComponent(mount)}&mode=updinfo&song=${encodeURIComponent(song)}`,
      { headers: { Authorization: `Basic ${auth}` } },
    );
    await res.arrayBuffer();
    expect(res.ok).toBe(true);
  }

  it("sends a metadata event on each new StreamTitle and updates the outputs' now-playing title", async () => {
    const engine = new AudioEngine();
    const events: StationEvent[] = [];
    engine.on("event", (e: StationEvent) => events.push(e));
    const httpPort = await freePort();
    try {
      await engine.configureOutputs("web", [
        { name: "web", format: "mp3", bitrateKbps: 128, httpPort },
      ]);
      await setIcecastTitle("Artist One - Song One");
      engine.play("web", {
        itemId: "ws",
        uri: `http://127.0.0.1:${icecast.port}${mount}`,
        title: "Test Webstream",
      });
      const first = await waitFor(
        () => events.find((e) => e.type === "metadata" && e.title === "Artist One - Song One"),
        20_000,
        "first StreamTitle",
      );
      expect(first.itemId).toBe("ws");
      await setIcecastTitle("Artist Two - Song Two");
      const second = await waitFor(
        () => events.find((e) => e.type === "metadata" && e.title === "Artist Two - Song Two"),
        20_000,
        "changed StreamTitle",
      );
      expect(second.itemId).toBe("ws");
      // One event per change, not one per repeated tag message.
      expect(
        events.filter((e) => e.type === "metadata" && e.title === "Artist One - Song One"),
      ).toHaveLength(1);
      // Listeners of the engine's own stream see the webstream's title.
      const { title } = await readStreamTitle(
        `http://127.0.0.1:${httpPort}/stream/web.mp3`,
        10_000,
      );
      expect(title).toBe("Artist Two - Song Two");
    } finally {
      await engine.close();
    }
  });
});
