import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AudioEngine } from "../src/engine/audio-engine.js";
import {
  freePort,
  goertzel,
  listen,
  makeTone,
  readStreamTitle,
  requireBinaries,
  startIcecast,
  tempDir,
  waitFor,
  type Icecast,
} from "./helpers.js";

/** Command lines of this process's child processes. */
function childCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      lines.push(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      // exited meanwhile
    }
  }
  return lines;
}

/** Codec name of the first audio stream at `url`, as ffprobe sees it. */
async function probeCodec(url: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      "a:0",
      "-show_entries",
      "stream=codec_name",
      "-of",
      "csv=p=0",
      url,
    ],
    { timeout: 15_000 },
  );
  return stdout.trim();
}

/** Amplitude of `freq` over everything a listener decoded (mono, 44.1 kHz). */
function heardAmplitude(samples: Float32Array, freq: number): number {
  return 2 * Math.sqrt(goertzel(samples, freq, 0, samples.length));
}

describe("MP3, AAC, Opus and Vorbis outputs at several bitrates from one mix (real GStreamer, icecast2, ffmpeg)", () => {
  let icecast: Icecast;
  let tmp: ReturnType<typeof tempDir>;
  let engine: AudioEngine;
  let tone: string;

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg", "ffprobe", "icecast2");
    icecast = await startIcecast();
    tmp = tempDir("grimnir-codecs-");
    tone = makeTone(tmp.dir, "t550", 550, 30, 0.5);
    engine = new AudioEngine();
  });

  afterAll(async () => {
    await engine?.close();
    await icecast?.stop();
    tmp?.remove();
  });

  it("feeds MP3 128k, MP3 64k, Opus, Vorbis and AAC Icecast mounts and an AAC HTTP stream from one encoder process", async () => {
    const url = (mount: string): string =>
      `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/${mount}`;
    const httpPort = await freePort();
    await engine.configureOutputs("multi", [
      { name: "hi", format: "mp3", bitrateKbps: 128, icecastUrl: url("hi.mp3") },
      { name: "lo", format: "mp3", bitrateKbps: 64, icecastUrl: url("lo.mp3") },
      { name: "op", format: "opus", bitrateKbps: 96, icecastUrl: url("op.opus") },
      { name: "vb", format: "vorbis", bitrateKbps: 112, icecastUrl: url("vb.ogg") },
      { name: "aac", format: "aac", bitrateKbps: 96, httpPort },
      // Same codec and bitrate as the HTTP mount: one AAC branch feeds both, Icecast through the engine's source client.
      { name: "aacice", format: "aac", bitrateKbps: 96, icecastUrl: url("aac.aac") },
    ]);
    engine.play("multi", { itemId: "tone", uri: tone });
    await waitFor(
      async () => {
        const status = await fetch(`http://127.0.0.1:${icecast.port}/status-json.xsl`);
        const text = await status.text();
        return ["/hi.mp3", "/lo.mp3", "/op.opus", "/vb.ogg", "/aac.aac"].every((m) =>
          text.includes(m),
        );
      },
      20_000,
      "five mounts on icecast",
      200,
    );
    await waitFor(
      () => (engine.status().stations[0]?.positionMs ?? 0) > 1000,
      15_000,
      "the tone playing for 1 s",
    );
    // Listen to one output at a time: four decoders at once are a lot for a shared CI machine.
    const urls = {
      hi: `http://127.0.0.1:${icecast.port}/hi.mp3`,
      lo: `http://127.0.0.1:${icecast.port}/lo.mp3`,
      op: `http://127.0.0.1:${icecast.port}/op.opus`,
      vb: `http://127.0.0.1:${icecast.port}/vb.ogg`,
      aac: `http://127.0.0.1:${httpPort}/stream/aac.aac`,
      aacice: `http://127.0.0.1:${icecast.port}/aac.aac`,
    };
    for (const [name, u] of Object.entries(urls)) {
      const audio = await listen(u, 3).done;
      expect(audio.length, name).toBeGreaterThan(44100 * 2);
      // The 550 Hz tone is heard, and clearly (not some other frequency).
      const tone550 = heardAmplitude(audio, 550);
      expect(tone550, name).toBeGreaterThan(0.1);
      expect(heardAmplitude(audio, 880), name).toBeLessThan(tone550 / 10);
    }
    // Icecast serves the AAC mount as ADTS AAC, as a listener's ffprobe sees it.
    expect(await probeCodec(urls.aacice)).toBe("aac");
    const head = await fetch(urls.aacice, { signal: AbortSignal.timeout(5000) });
    expect(head.headers.get("content-type")).toBe("audio/aac");
    await head.body?.cancel();
    // Now-playing titles reach the AAC mount through Icecast's admin API, like the MP3 ones.
    engine.setMetadata("multi", "Tone 550", "Grimnir");
    await waitFor(
      async () => (await readStreamTitle(urls.aacice, 3000)).title === "Grimnir - Tone 550",
      10_000,
      "the title on the AAC Icecast mount",
      300,
    );
    // One encoder process for the station: one mix, a tee to one encoder per (codec, bitrate).
    const encoders = childCommandLines().filter((c) => c.includes("fdsrc fd=0 blocksize=16384"));
    expect(encoders).toHaveLength(1);
    expect(encoders[0]!.match(/lamemp3enc/g)).toHaveLength(2);
    expect(encoders[0]!.match(/opusenc/g)).toHaveLength(1);
    expect(encoders[0]!.match(/vorbisenc/g)).toHaveLength(1);
    expect(encoders[0]!.match(/avenc_aac/g)).toHaveLength(1);
    // shout2send for MP3 and Ogg only; the AAC branch leaves through one fdsink to the engine.
    expect(encoders[0]!.match(/shout2send/g)).toHaveLength(4);
    expect(encoders[0]!).not.toContain("mount=/aac.aac");
    expect(encoders[0]!.match(/fdsink/g)).toHaveLength(1);
  });

  it("shares one encoder branch between outputs of the same codec and bitrate", async () => {
    const httpPort = await freePort();
    await engine.configureOutputs("shared", [
      { name: "s1", format: "mp3", bitrateKbps: 96, httpPort },
      { name: "s2", format: "mp3", bitrateKbps: 96, httpPort },
    ]);
    const cmd = await waitFor(
      () => childCommandLines().find((c) => c.includes("lamemp3enc target=bitrate bitrate=96")),
      5000,
      "shared encoder",
    );
    // One MP3 encoder, one byte stream to the engine, fanned out to both mounts.
    expect(cmd.match(/lamemp3enc/g)).toHaveLength(1);
    expect(cmd.match(/fdsink/g)).toHaveLength(1);
    expect(cmd).not.toContain("name=raw");
  });

  it("rejects a bad format or bitrate naming the field", async () => {
    await expect(
      engine.configureOutputs("bad", [{ name: "x", format: "flac", httpPort: 8000 }]),
    ).rejects.toMatchObject({ code: "VALIDATION", details: { field: "outputs[0].format" } });
    await expect(
      engine.configureOutputs("bad", [
        { name: "x", format: "opus", bitrateKbps: 500, icecastUrl: "icecast://s:p@h:1/m" },
      ]),
    ).rejects.toMatchObject({ code: "VALIDATION", details: { field: "outputs[0].bitrate_kbps" } });
    await expect(
      engine.configureOutputs("bad", [
        { name: "x", format: "vorbis", bitrateKbps: 32, httpPort: 8000 },
      ]),
    ).rejects.toMatchObject({ code: "VALIDATION", details: { field: "outputs[0].bitrate_kbps" } });
  });
});
