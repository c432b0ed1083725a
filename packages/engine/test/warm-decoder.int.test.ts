import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDecoder } from "../src/gst/decoder.js";
import { sniffWarmKind, WarmDecoderPool } from "../src/gst/warm-decoder.js";
import type { PcmBuffer } from "../src/mixer/pcm-buffer.js";
import { AudioEngine } from "../src/engine/audio-engine.js";
import type { StationEvent } from "../src/engine/station.js";
import { freePort, makeTone, requireBinaries, tempDir, waitFor } from "./helpers.js";

/** All of a buffer's audio once its decoder finished, left channel. */
async function drain(buffer: PcmBuffer): Promise<Float32Array> {
  await waitFor(() => buffer.ended, 10_000, "decoder end");
  const frames = buffer.availableFrames();
  const all = new Float32Array(frames * 2);
  buffer.read(all, 0, frames);
  const left = new Float32Array(frames);
  for (let i = 0; i < frames; i++) left[i] = all[i * 2]!;
  return left;
}

/** Amplitude of `freq` over the whole signal (a full-scale sine reads 1). */
function amplitude(x: Float32Array, freq: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * freq * i) / 44100);
    im += x[i]! * Math.sin((2 * Math.PI * freq * i) / 44100);
  }
  return (2 * Math.hypot(re, im)) / x.length;
}

/** ms from `start()` until the buffer first holds audio. */
async function firstAudioMs(start: () => PcmBuffer): Promise<number> {
  const t0 = performance.now();
  const buffer = start();
  await waitFor(() => buffer.availableFrames() > 0 || buffer.ended, 10_000, "first audio");
  const ms = performance.now() - t0;
  buffer.close();
  return ms;
}

describe("warm decoders (real GStreamer)", () => {
  let tmp: ReturnType<typeof tempDir>;
  let wav: string;
  let mp3: string;
  let pool: WarmDecoderPool;

  beforeAll(() => {
    requireBinaries("gst-launch-1.0", "ffmpeg");
    tmp = tempDir("grimnir-warm-");
    wav = makeTone(tmp.dir, "w660", 660, 1, 0.5);
    mp3 = join(tmp.dir, "m440.mp3");
    // ffmpeg writes an ID3v2 tag first, as most MP3 files have.
    const r = spawnSync("ffmpeg", [
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "sine=f=440:d=1",
      "-af",
      "volume=4",
      "-ac",
      "2",
      "-ar",
      "44100",
      "-c:a",
      "libmp3lame",
      "-b:a",
      "192k",
      mp3,
    ]);
    expect(r.status, String(r.stderr)).toBe(0);
    pool = new WarmDecoderPool({ sampleRate: 44100, respawnDelayMs: 50 });
  });

  afterAll(() => {
    pool?.close();
    tmp?.remove();
  });

  it("tells MP3 (ID3 or frame sync) and WAV from other files by their first bytes", () => {
    const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
    const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
    expect(sniffWarmKind(ascii("ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"))).toBe(
      "mp3",
    );
    expect(sniffWarmKind(bytes(0xff, 0xfb, 0x90, 0x64))).toBe("mp3");
    expect(sniffWarmKind(ascii("RIFF\u0000\u0000\u0000\u0000WAVEfmt "))).toBe("wav");
    // ADTS AAC has the same sync word but layer bits 00.
    expect(sniffWarmKind(bytes(0xff, 0xf1, 0x50, 0x80))).toBeUndefined();
    expect(sniffWarmKind(ascii("OggS\u0000\u0002\u0000\u0000\u0000\u0000\u0000\u0000"))).toBe(
      undefined,
    );
  });

  it("decodes WAV and ID3-tagged MP3 files to the right tone and length, and is warm again after", async () => {
    await waitFor(() => pool.ready.length === 2, 10_000, "two warm decoders");
    const w = pool.take(pathToFileURL(wav).href);
    const m = pool.take(pathToFileURL(mp3).href);
    expect(w).toBeDefined();
    expect(m).toBeDefined();
    const wl = await drain(w!);
    const ml = await drain(m!);
    expect(w!.error).toBeUndefined();
    expect(m!.error).toBeUndefined();
    expect(Math.abs(wl.length - 44100)).toBeLessThan(50);
    // The same samples as `uridecodebin` gives (it picks the same parser and decoder).
    const cold = await drain(startDecoder(pathToFileURL(mp3).href, { sampleRate: 44100 }));
    expect(ml.length).toBe(cold.length);
    expect(amplitude(ml, 440)).toBeCloseTo(amplitude(cold, 440), 4);
    expect(amplitude(wl, 660)).toBeGreaterThan(0.4);
    expect(amplitude(ml, 440)).toBeGreaterThan(0.2);
    await waitFor(() => pool.ready.length === 2, 10_000, "replacement warm decoders");
  });

  it("cuts an MP3's encoder delay and padding (LAME tag): it decodes to its input's exact length", async () => {
    await waitFor(() => pool.ready.includes("mp3"), 10_000, "warm mp3 decoder");
    for (const buffer of [
      pool.take(pathToFileURL(mp3).href)!,
      startDecoder(pathToFileURL(mp3).href, { sampleRate: 44100 }),
    ]) {
      const left = await drain(buffer);
      // ffmpeg encoded 1 s at 44.1 kHz; untrimmed, mpg123 gives 40 frames of 1152 (46080).
      expect(left.length).toBe(44100);
      // The sine starts at once (untrimmed, 1105 frames of near-silence come first).
      let early = 0;
      for (let i = 0; i < 100; i++) early = Math.max(early, Math.abs(left[i]!));
      expect(early).toBeGreaterThan(0.2);
    }
  });

  it("leaves URLs, missing files and other kinds to the regular decoder", () => {
    expect(pool.take("http://127.0.0.1:1/stream.mp3")).toBeUndefined();
    expect(pool.take(pathToFileURL(join(tmp.dir, "missing.mp3")).href)).toBeUndefined();
  });

  it("has audio sooner than a newly started decoder", async () => {
    const uri = pathToFileURL(mp3).href;
    const warm: number[] = [];
    const cold: number[] = [];
    for (let k = 0; k < 3; k++) {
      await waitFor(() => pool.ready.includes("mp3"), 10_000, "warm mp3 decoder");
      warm.push(await firstAudioMs(() => pool.take(uri)!));
      cold.push(await firstAudioMs(() => startDecoder(uri, { sampleRate: 44100 })));
    }
    warm.sort((a, b) => a - b);
    cold.sort((a, b) => a - b);
    expect(warm[1]!).toBeLessThan(cold[1]!);
  });

  it("reports emergency_started when the alert's first frame reaches the encoder, with the latency", async () => {
    const engine = new AudioEngine();
    const events: StationEvent[] = [];
    engine.on("event", (e: StationEvent) => events.push(e));
    try {
      engine.station("e1");
      await engine.configureOutputs("e1", [
        { name: "e1", format: "mp3", bitrateKbps: 128, httpPort: await freePort() },
      ]);
      engine.play("e1", { itemId: "prog", uri: wav });
      await waitFor(() => events.find((e) => e.type === "item_started"), 5000, "program");
      // The engine's own warm decoders start with its first station.
      await new Promise((r) => setTimeout(r, 1000));
      const before = performance.now();
      engine.insertEmergency("e1", { itemId: "alert", uri: mp3 });
      const started = await waitFor(
        () => events.find((e) => e.type === "emergency_started"),
        5000,
        "emergency_started",
      );
      const after = performance.now();
      expect(started.itemId).toBe("alert");
      expect(started.latencyMs).toBeGreaterThan(0);
      expect(started.latencyMs!).toBeLessThanOrEqual(after - before);
      // The event waits for audio: the alert has already started, not only been queued.
      const itemStarted = events.findIndex(
        (e) => e.type === "item_started" && e.itemId === "alert",
      );
      expect(itemStarted).toBeGreaterThanOrEqual(0);
      expect(events.indexOf(started)).toBeGreaterThan(itemStarted);
    } finally {
      await engine.close();
    }
  });
});
