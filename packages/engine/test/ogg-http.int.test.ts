import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEngine } from "../src/engine/audio-engine.js";
import {
  freePort,
  goertzel,
  listen,
  makeTone,
  requireBinaries,
  tempDir,
  waitFor,
} from "./helpers.js";

describe("Ogg Opus and Vorbis on the built-in HTTP stream (real GStreamer, ffmpeg listeners)", () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: AudioEngine;
  let tone: string;

  beforeAll(() => {
    requireBinaries("gst-launch-1.0", "ffmpeg");
    tmp = tempDir("grimnir-ogg-http-");
    tone = makeTone(tmp.dir, "t660", 660, 30, 0.5);
    engine = new AudioEngine();
  });

  afterAll(async () => {
    await engine?.close();
    tmp?.remove();
  });

  // Both Ogg codecs: Opus (OpusHead, then OpusTags) and Vorbis (3 header packets, \x01vorbis first).
  for (const { codec, extension, magic, at } of [
    { codec: "opus", extension: "opus", magic: "OpusHead", at: 28 },
    { codec: "vorbis", extension: "ogg", magic: "\x01vorbis", at: 28 },
  ]) {
    it(`lets a listener join ${codec} mid-stream: header pages first, then whole pages it can decode`, async () => {
      const httpPort = await freePort();
      const station = `ogg-${codec}`;
      await engine.configureOutputs(station, [
        { name: station, format: codec, bitrateKbps: 96, httpPort },
      ]);
      engine.play(station, { itemId: "tone", uri: tone });
      // Join well after the stream's start (and after the 32 KiB burst window of ~2.7 s at
      // 96 kbit/s), so the header pages can only come from the mount's stored copy.
      await waitFor(
        () =>
          (engine.status().stations.find((s) => s.stationId === station)?.positionMs ?? 0) > 5000,
        20_000,
        "the tone playing for 5 s",
      );
      const url = `http://127.0.0.1:${httpPort}/stream/${station}.${extension}`;
      const head = await fetch(url);
      expect(head.headers.get("content-type")).toBe("audio/ogg");
      const reader = head.body!.getReader();
      const first = (await reader.read()).value!;
      await reader.cancel();
      expect(Buffer.from(first.subarray(0, 4)).toString("latin1")).toBe("OggS");
      // The first page a late listener gets is the stream's first (BOS) page with the codec's header.
      expect(first[5]! & 0x02).toBe(2);
      expect(Buffer.from(first.subarray(at, at + magic.length)).toString("latin1")).toBe(magic);

      const audio = await listen(url, 3).done;
      expect(audio.length).toBeGreaterThan(44100 * 2);
      const amplitude = (freq: number): number =>
        2 * Math.sqrt(goertzel(audio, freq, 0, audio.length));
      expect(amplitude(660)).toBeGreaterThan(0.1);
      expect(amplitude(440)).toBeLessThan(amplitude(660) / 10);
      engine.stop(station);
    });
  }
});
