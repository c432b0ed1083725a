import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EngineClient,
  startEngineServer,
  type CueEntry,
  type EngineServer,
  type EngineTelemetry,
} from "../src/index.js";
import {
  firstRun,
  listen,
  makeTone,
  requireBinaries,
  tempDir,
  toneTimeline,
  waitFor,
} from "./helpers.js";

function ffprobeSeconds(path: string): number {
  const r = spawnSync("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "format=duration",
    "-of",
    "csv=p=0",
    path,
  ]);
  if (r.status !== 0) throw new Error(`ffprobe ${path}: ${r.stderr.toString()}`);
  return Number(r.stdout.toString().trim());
}

describe("HLS and recording outputs, live DSP (real GStreamer, ffmpeg as client)", () => {
  let server: EngineServer;
  let client: EngineClient;
  let tmp: ReturnType<typeof tempDir>;
  let tone: string;
  const samples: EngineTelemetry[] = [];

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg", "ffprobe");
    tmp = tempDir("grimnir-outputs-");
    tone = makeTone(tmp.dir, "t440", 440, 12, 0.5);
    server = await startEngineServer({ port: 0, telemetryMs: 500 });
    client = new EngineClient({ address: server.address });
    await client.subscribe("*", { onSample: (s) => samples.push(s) });
  });

  afterAll(async () => {
    client?.close();
    await server?.close();
    tmp?.remove();
  });

  it("writes HLS segments and a playlist that ffmpeg plays, with gain reduction in telemetry after a live graph change", async () => {
    const dir = join(tmp.dir, "hls");
    spawnSync("mkdir", ["-p", dir]);
    await client.configureOutputs("hls", [
      { name: "live", format: "hls", directory: dir, segmentSeconds: 1 },
    ]);
    await client.play("hls", { itemId: "t", uri: tone });
    await client.loadGraph("hls", {
      nodes: [{ id: "comp", type: "compressor", params: { threshold_db: -30, ratio: 4 } }],
    });
    const playlist = join(dir, "live.m3u8");
    await waitFor(
      () => {
        const text = readdirSync(dir).includes("live.m3u8") ? readFileSync(playlist, "utf8") : "";
        return (text.match(/\.ts/g) ?? []).length >= 3 || undefined;
      },
      15000,
      "three HLS segments",
    );
    // Swap the chain while it plays; the station keeps going.
    await client.loadGraph("hls", {
      nodes: [{ id: "lim", type: "limiter", params: { threshold_db: -12 } }],
    });
    const audio = await listen(playlist, 2).done;
    const timeline = toneTimeline(audio, [440]);
    expect(firstRun(timeline, 440)).toBeGreaterThanOrEqual(0);
    expect(readFileSync(playlist, "utf8")).toMatch(/#EXT-X-TARGETDURATION:1/);
    const reduced = await waitFor(
      () =>
        samples.find(
          (s) =>
            s.stationId === "hls" &&
            s.dsp.some((d) => d.nodeId === "lim" && (d.gainReductionDb ?? 0) > 4),
        ),
      5000,
      "limiter gain reduction in telemetry",
    );
    // A 0.5 (−6 dBFS) tone through a −12 dBTP ceiling: 6 dB of reduction, plus the true-peak margin and
    // the attack overshoot the interval maximum may catch.
    const gr = reduced.dsp.find((d) => d.nodeId === "lim")!.gainReductionDb!;
    expect(gr).toBeGreaterThan(5.9);
    expect(gr).toBeLessThan(7.5);
  });

  it("records continuous FLAC files rotated on time whose durations add up to wall time, with cue logs and retention", async () => {
    const dir = join(tmp.dir, "rec");
    spawnSync("mkdir", ["-p", dir]);
    const stale = join(dir, "air-2020-01-01T00-00-00-000Z.flac");
    writeFileSync(stale, "old");
    utimesSync(stale, new Date(Date.now() - 3 * 86_400_000), new Date(Date.now() - 3 * 86_400_000));
    await client.play("rec", { itemId: "song", uri: tone, title: "Tone", artist: "Band" });
    await waitFor(
      () =>
        server.engine
          .status()
          .stations.find((s) => s.stationId === "rec" && s.currentItemId === "song"),
      5000,
      "item start",
    );
    const started = performance.now();
    await client.configureOutputs("rec", [
      { name: "air", format: "recording", directory: dir, rotateSeconds: 2, retentionDays: 1 },
    ]);
    await new Promise((r) => setTimeout(r, 5000));
    await client.configureOutputs("rec", []);
    const wallSeconds = (performance.now() - started) / 1000;
    await waitFor(
      () =>
        readdirSync(dir)
          .filter((f) => f.endsWith(".cue.jsonl"))
          .every((f) => readFileSync(join(dir, f), "utf8").includes("recording_ended")) ||
        undefined,
      5000,
      "files closed",
    );
    await new Promise((r) => setTimeout(r, 500));
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".flac"))
      .sort();
    expect(files).not.toContain("air-2020-01-01T00-00-00-000Z.flac");
    expect(files.length).toBeGreaterThanOrEqual(3);
    const total = files.reduce((sum, f) => sum + ffprobeSeconds(join(dir, f)), 0);
    // The two gRPC round trips bracket the recording; allow them plus 50 ms.
    expect(Math.abs(total - wallSeconds)).toBeLessThan(0.05 + 0.03);
    const first = readFileSync(join(dir, files[0]!.replace(/\.flac$/, ".cue.jsonl")), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as CueEntry);
    expect(first[0]).toMatchObject({
      type: "recording_started",
      itemId: "song",
      title: "Tone",
      artist: "Band",
      source: "automation",
      priority: 3,
      offsetMs: 0,
    });
    // Every file but the last is cut on a 2 s boundary of the engine clock.
    for (const f of files.slice(1)) {
      const cue = JSON.parse(
        readFileSync(join(dir, f.replace(/\.flac$/, ".cue.jsonl")), "utf8").split("\n")[0]!,
      ) as CueEntry;
      expect(cue.at % 2000 === 0 || cue.at % 2000 === 1999 || cue.at % 2000 === 1).toBe(true);
    }
  });
});
