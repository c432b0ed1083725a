import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGrimnirError } from "@grimnir/core";
import { decodeFile, decoderEnv, parseSinkCaps, type PcmSink } from "./gstreamer-decoder.js";

const nullSink: PcmSink = { format: () => undefined, data: () => undefined };

describe("parseSinkCaps", () => {
  it("reads rate, channels and BS.1770 weights from a 5.1 channel mask", () => {
    const line =
      "/GstPipeline:pipeline0/GstFdSink:fdsink0.GstPad:sink: caps = audio/x-raw, rate=(int)48000, format=(string)F32LE, channels=(int)6, layout=(string)interleaved, channel-mask=(bitmask)0x000000000000003f";
    expect(parseSinkCaps(line)).toEqual({
      sampleRateHz: 48000,
      channels: 6,
      channelWeights: [1, 1, 1, 0, 1.41, 1.41],
    });
  });

  it("reads the caps of the filesink that writes the PCM into the named pipe", () => {
    const line =
      "/GstPipeline:pipeline0/GstFileSink:filesink0.GstPad:sink: caps = audio/x-raw, format=(string)F32LE, layout=(string)interleaved, rate=(int)44100, channels=(int)2, channel-mask=(bitmask)0x0000000000000003";
    expect(parseSinkCaps(line)).toEqual({
      sampleRateHz: 44100,
      channels: 2,
      channelWeights: [1, 1],
    });
  });

  it("ignores caps of other elements", () => {
    expect(
      parseSinkCaps(
        "/GstPipeline:pipeline0/GstAudioConvert:audioconvert0.GstPad:src: caps = audio/x-raw, rate=(int)44100, channels=(int)1",
      ),
    ).toBeUndefined();
  });
});

describe("decoderEnv", () => {
  it("prefers mpg123 for MP3 and keeps the caller's other variables", () => {
    const env = decoderEnv({ PATH: "/usr/bin" });
    expect(env.GST_PLUGIN_FEATURE_RANK).toBe("mpg123audiodec:PRIMARY");
    expect(env.PATH).toBe("/usr/bin");
  });

  it("puts a rank the user set after ours, so theirs wins", () => {
    expect(
      decoderEnv({ GST_PLUGIN_FEATURE_RANK: "mpg123audiodec:NONE" }).GST_PLUGIN_FEATURE_RANK,
    ).toBe("mpg123audiodec:PRIMARY,mpg123audiodec:NONE");
  });
});

describe("decodeFile errors", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "grimnir-decode-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const failure = async (file: string, gstLaunch?: string) => {
    const err = await decodeFile(file, nullSink, gstLaunch ? { gstLaunch } : {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isGrimnirError(err)) throw new Error(`expected a GrimnirError, got ${String(err)}`);
    return err;
  };

  it("names a missing file with NOT_FOUND", async () => {
    const err = await failure(join(dir, "missing.mp3"));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.details).toMatchObject({ file: join(dir, "missing.mp3"), reason: "missing" });
  });

  it("rejects an empty file before starting a decoder", async () => {
    const file = join(dir, "empty.flac");
    await writeFile(file, "");
    expect((await failure(file)).details).toMatchObject({ file, reason: "empty" });
  });

  it("rejects a text file as not audio, with GStreamer's reason", async () => {
    const file = join(dir, "notes.mp3");
    await writeFile(file, "not audio at all\n".repeat(100));
    const err = await failure(file);
    expect(err.code).toBe("VALIDATION");
    expect(err.details).toMatchObject({ file, reason: "not-audio" });
    expect(err.message).toContain(file);
  });

  it("says how to install GStreamer when gst-launch-1.0 is missing", async () => {
    const file = join(dir, "some.mp3");
    await writeFile(file, "x");
    const err = await failure(file, "gst-launch-does-not-exist");
    expect(err.code).toBe("ENGINE_UNAVAILABLE");
    expect(err.message).toMatch(/apt-get install -y gstreamer1.0-tools/);
  });

  it("decodes every sample again after failed decodes (the named pipe is reused)", async () => {
    // 16-bit stereo WAV, 4410 frames of a ramp: left i, right −i.
    const frames = 4410;
    const pcm = Buffer.alloc(frames * 4);
    for (let i = 0; i < frames; i++) {
      pcm.writeInt16LE(i, i * 4);
      pcm.writeInt16LE(-i, i * 4 + 2);
    }
    const header = Buffer.alloc(44);
    header.write("RIFF", 0);
    header.writeUInt32LE(36 + pcm.length, 4);
    header.write("WAVEfmt ", 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(2, 22);
    header.writeUInt32LE(44100, 24);
    header.writeUInt32LE(44100 * 4, 28);
    header.writeUInt16LE(4, 32);
    header.writeUInt16LE(16, 34);
    header.write("data", 36);
    header.writeUInt32LE(pcm.length, 40);
    const wav = join(dir, "ramp.wav");
    await writeFile(wav, Buffer.concat([header, pcm]));
    const notAudio = join(dir, "again.mp3");
    await writeFile(notAudio, "not audio at all\n".repeat(100));
    const decode = async () => {
      const samples: number[] = [];
      const result = await decodeFile(wav, {
        format: () => undefined,
        data: (chunk) => samples.push(...chunk),
      });
      return { frames: result.frames, samples };
    };
    const first = await decode();
    expect((await failure(notAudio)).details).toMatchObject({ reason: "not-audio" });
    expect((await failure(wav, "gst-launch-does-not-exist")).code).toBe("ENGINE_UNAVAILABLE");
    const again = await decode();
    expect(first.frames).toBe(frames);
    expect(again).toEqual(first);
    expect(first.samples[2 * 1000]).toBeCloseTo(1000 / 32768, 9);
    expect(first.samples[2 * 1000 + 1]).toBeCloseTo(-1000 / 32768, 9);
  });
});
