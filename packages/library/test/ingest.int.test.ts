import { copyFile, mkdir, mkdtemp, rm, truncate, writeFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "@grimnir/core";
import { AnalysisQueue, LocalStorage, ingestDirectory, type IngestReport } from "../src/index.js";
import { ffmpeg, requireTools } from "./tools.js";

const STATION = "st-ingest";
const tone = (seconds: number, amp = 0.2): string =>
  `aevalsrc=exprs='${amp}*sin(2*PI*440*t)|${amp}*sin(2*PI*440*t)':s=44100:d=${seconds}:c=stereo,adelay=300:all=1,apad=pad_dur=0.3`;

describe("ingest + analysis queue on generated files", () => {
  let dir = "";
  let src = "";
  const store = new MemoryStore();
  let storage: LocalStorage;
  let report: IngestReport;

  beforeAll(async () => {
    requireTools();
    dir = await mkdtemp(join(tmpdir(), "grimnir-ingest-"));
    src = join(dir, "incoming");
    await mkdir(join(src, "album"), { recursive: true });
    const gen = (graph: string, out: string, extra: string[] = []) =>
      ffmpeg(["-loglevel", "error", "-y", "-f", "lavfi", "-i", graph, ...extra, join(src, out)]);
    await gen(tone(1.5), "album/01 tagged.mp3", [
      "-metadata",
      "title=Northern Lights",
      "-metadata",
      "artist=Aurora Band",
      "-metadata",
      "album=Skies",
      "-c:a",
      "libmp3lame",
    ]);
    await gen(tone(1.2, 0.05), "album/02 quiet.flac", [
      "-metadata",
      "title=Quiet One",
      "-metadata",
      "ARTIST=Hush",
    ]);
    await copyFile(join(src, "album/02 quiet.flac"), join(src, "album/02 quiet copy.flac"));
    await gen(tone(1.2), "misnamed.ogg", ["-c:a", "libmp3lame", "-f", "mp3"]);
    await gen(tone(8), "truncated.flac");
    await truncate(
      join(src, "truncated.flac"),
      Math.floor((await stat(join(src, "truncated.flac"))).size * 0.3),
    );
    await gen("anullsrc=r=44100:cl=stereo:d=1", "silent.wav");
    await writeFile(join(src, "empty.mp3"), "");
    await writeFile(join(src, "notes.mp3"), "this is not audio\n".repeat(200));
    await writeFile(join(src, "cover.jpg"), "not looked at");
    storage = new LocalStorage(join(dir, "media"));
    report = await ingestDirectory(src, { stationId: STATION, store, storage });
    const queue = new AnalysisQueue({
      stationId: STATION,
      store,
      storage,
      concurrency: 2,
      backoffMs: 1,
    });
    await queue.resume();
    await queue.idle();
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("reads tags into the item and falls back to the file name for a title", async () => {
    const items = await store.media.list(STATION);
    expect(items.find((m) => m.title === "Northern Lights")).toMatchObject({
      artist: "Aurora Band",
      album: "Skies",
    });
    expect(items.find((m) => m.title === "Quiet One")).toMatchObject({
      artist: "Hush",
      codec: "FLAC",
    });
    expect(items.map((m) => m.title)).toContain("misnamed");
  });

  it("copies files into the media root under content-addressed keys", async () => {
    for (const item of report.added) {
      expect(item.storageKey).toBe(
        `${STATION}/${item.contentHash.slice(0, 2)}/${item.contentHash}${item.storageKey.slice(item.storageKey.lastIndexOf("."))}`,
      );
      expect((await storage.stat(item.storageKey))!.size).toBeGreaterThan(0);
    }
  });

  it("skips a second copy of the same bytes as a duplicate", () => {
    // "02 quiet copy.flac" sorts first, so the original is the one found to be a duplicate.
    expect(report.duplicates).toEqual([
      { file: join(src, "album/02 quiet.flac"), existingId: expect.any(String) },
    ]);
  });

  it("ingests a mis-named file by its content and says so", () => {
    expect(report.warnings).toEqual([
      {
        file: join(src, "misnamed.ogg"),
        warning: expect.stringMatching(/does not match its content/),
      },
    ]);
  });

  it("records empty and non-audio files as failed with a reason and carries on", async () => {
    const byFile = new Map(report.failed.map((f) => [f.file.slice(src.length + 1), f]));
    expect(byFile.get("empty.mp3")!.reason).toBe("empty file (0 bytes)");
    expect(byFile.get("notes.mp3")!.reason).toMatch(/not a readable audio file|no audio stream/);
    const failed = await store.media.query(STATION, { analysisStatus: "failed" });
    expect(failed.map((m) => m.analysisError)).toEqual(
      expect.arrayContaining(["empty file (0 bytes)"]),
    );
    expect(report.skipped).toEqual([
      { file: join(src, "cover.jpg"), reason: "not an audio file extension (.jpg)" },
    ]);
  });

  it("analyses good files to done with loudness and cue points, and fails truncated and silent ones", async () => {
    const items = await store.media.list(STATION);
    const byTitle = new Map(items.map((m) => [m.title, m]));
    const quiet = byTitle.get("Quiet One")!;
    expect(quiet.analysisStatus).toBe("done");
    // 0.05-peak stereo 440 Hz sine: ≈ −26.7 LUFS steady (K-weighting is ≈ −0.6 dB below its 1 kHz gain
    // there); the 400 ms blocks straddling the padding pull the gated mean of a 1.2 s tone down further.
    expect(quiet.loudnessLufs).toBeGreaterThan(-29);
    expect(quiet.loudnessLufs).toBeLessThan(-26);
    expect(Math.abs(quiet.cueInMs - 300)).toBeLessThanOrEqual(20);
    expect(Math.abs(quiet.cueOutMs - 1500)).toBeLessThanOrEqual(20);
    expect(quiet.durationMs).toBe(1800);
    expect(byTitle.get("Northern Lights")!.analysisStatus).toBe("done");
    expect(byTitle.get("misnamed")!.analysisStatus).toBe("done");
    expect(byTitle.get("silent")).toMatchObject({
      analysisStatus: "failed",
      analysisError: expect.stringMatching(/^silent/),
    });
    const truncated = byTitle.get("truncated")!;
    expect(truncated.analysisStatus).toBe("failed");
    expect(truncated.analysisError).toMatch(/truncated|cannot decode/);
  });
});
