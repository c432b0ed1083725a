import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { MediaItem, NewEntity, StationConfig, Store } from "@grimnir/core";
import { analyzeFile, contentHash } from "@grimnir/library";
import { demoStationRules } from "@grimnir/scheduler";
import { encodeMp3, synthesizeAlertTone, synthesizeDemoTrack } from "./demo-audio.js";
import type { DemoTrackSpec } from "./demo-audio.js";
import type { PlannerSettings } from "./planner-service.js";
import { writePlannerSettings } from "./planner-service.js";

/** One generated item of the demo library. */
interface DemoItem {
  id: string;
  title: string;
  artist: string;
  album: string;
  genre: string;
  tags: string[];
  spec: DemoTrackSpec;
}

const DEMO_ITEMS: DemoItem[] = [
  music(
    "demo-track-01",
    "Harbor Lights",
    "The Paper Engines",
    "Indie",
    96,
    57,
    false,
    [0, 4, 5, 3],
    1,
    true,
    ["new"],
  ),
  music(
    "demo-track-02",
    "Quiet Signals",
    "Velvet Tides",
    "Electronic",
    118,
    50,
    true,
    [0, 5, 2, 6],
    2,
    true,
  ),
  music(
    "demo-track-03",
    "Golden Avenue",
    "Northern Static",
    "Pop",
    108,
    60,
    false,
    [0, 3, 4, 0],
    3,
    true,
    ["new"],
  ),
  music(
    "demo-track-04",
    "Blue Letters",
    "Glass Coast Trio",
    "Jazz",
    84,
    53,
    false,
    [1, 4, 0, 5],
    4,
    false,
    [],
    true,
  ),
  music(
    "demo-track-05",
    "Morning Drive",
    "Wild Satellites",
    "Rock",
    126,
    52,
    false,
    [0, 4, 3, 4],
    5,
    true,
  ),
  music(
    "demo-track-06",
    "Falling Stars",
    "Crimson Gardens",
    "Folk",
    90,
    55,
    true,
    [0, 3, 4, 4],
    6,
    false,
    ["new"],
  ),
  music(
    "demo-track-07",
    "Neon Rain",
    "Distant Machines",
    "Electronic",
    122,
    48,
    true,
    [0, 6, 5, 6],
    7,
    true,
  ),
  music(
    "demo-track-08",
    "Late Set",
    "Glass Coast Trio",
    "Jazz",
    76,
    58,
    true,
    [3, 6, 2, 5],
    8,
    false,
    [],
    true,
  ),
  jingle("jingle-001", "Station ID", 62, 11),
  jingle("jingle-002", "Stopset In", 60, 12),
  jingle("jingle-003", "Stopset Out", 65, 13),
];

function music(
  id: string,
  title: string,
  artist: string,
  genre: string,
  bpm: number,
  tonic: number,
  minor: boolean,
  progression: number[],
  seed: number,
  drums: boolean,
  extraTags: string[] = [],
  swing = false,
): DemoItem {
  return {
    id,
    title,
    artist,
    album: "Grimnir Demo Sessions",
    genre,
    tags: ["music", ...extraTags],
    spec: { seconds: 32 + (seed % 3) * 4, bpm, tonic, minor, progression, seed, drums, swing },
  };
}

function jingle(id: string, title: string, tonic: number, seed: number): DemoItem {
  return {
    id,
    title,
    artist: "Grimnir Demo Radio",
    album: "Station Imaging",
    genre: "Jingle",
    tags: ["jingle"],
    spec: { seconds: 5, bpm: 120, tonic, minor: false, progression: [0, 4], seed, drums: false },
  };
}

/** What {@link bootstrapDemoStation} created. */
export interface DemoBootstrapReport {
  /** Station id created. */
  stationId: string;
  /** Media items written (music and jingles). */
  mediaItems: number;
  /** Seconds of audio generated. */
  audioSeconds: number;
  /** Absolute path of the generated emergency alert. */
  emergencyFile: string;
  /** Wall time taken, ms. */
  elapsedMs: number;
}

/** Options of {@link bootstrapDemoStation}. */
export interface DemoBootstrapOptions {
  store: Store;
  /** Validated station configuration (id, name, zone, mounts). */
  config: StationConfig;
  /** Root of media storage; generated files go to `<mediaRoot>/<stationId>/`. */
  mediaRoot: string;
  /** Data directory; planner settings are written under it. */
  dataDir: string;
  /** Files encoded and analysed at once (default 2). */
  concurrency?: number;
  /** Progress messages. */
  log?: (message: string, context?: Record<string, unknown>) => void;
}

async function inParallel<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Path of the emergency alert the demo generates, under the media root. */
export function demoEmergencyFile(mediaRoot: string, stationId: string): string {
  return join(mediaRoot, stationId, "emergency.mp3");
}

/**
 * Create the demo station on an empty store: synthesise a few minutes of
 * royalty-free music-like audio and three jingles (deterministic, generated
 * on this machine), encode them to MP3 with GStreamer, measure each with
 * `@grimnir/library` (EBU R128 loudness, true peak, cue points) and write them
 * as analysed MediaItems; then the station, its mounts, the demo clocks,
 * smart blocks and weekly show of `@grimnir/scheduler`, the planner settings
 * (which clock plays which hour) and an emergency alert tone.
 */
export async function bootstrapDemoStation(
  options: DemoBootstrapOptions,
): Promise<DemoBootstrapReport> {
  const started = Date.now();
  const { store, config } = options;
  const stationId = config.station.id;
  const log = options.log ?? (() => undefined);
  const dir = join(options.mediaRoot, stationId);
  await mkdir(dir, { recursive: true });

  log("generating demo library", { items: DEMO_ITEMS.length, dir });
  const media = await inParallel(DEMO_ITEMS, options.concurrency ?? 2, async (item) => {
    const file = join(dir, `${item.id}.mp3`);
    await encodeMp3(synthesizeDemoTrack(item.spec), file, item);
    const durationMs = Math.round(item.spec.seconds * 1000);
    const row: NewEntity<MediaItem> & { id: string } = {
      id: item.id,
      stationId,
      title: item.title,
      artist: item.artist,
      album: item.album,
      genre: item.genre,
      bpm: item.spec.bpm,
      tags: item.tags,
      fields: { generated: true },
      // Known from synthesis; the analysis below replaces them with measured values.
      durationMs,
      cueInMs: 0,
      cueOutMs: durationMs,
      storageKey: `${stationId}/${item.id}.mp3`,
      contentHash: await contentHash(file),
      codec: "mp3",
      analysisStatus: "pending",
      addedAt: Date.now(),
    };
    return row;
  });
  const emergencyFile = demoEmergencyFile(options.mediaRoot, stationId);
  await encodeMp3(synthesizeAlertTone(8), emergencyFile, {
    title: "Emergency alert test",
    artist: "Grimnir",
  });

  const rules = demoStationRules();
  const scoped = <T extends { stationId: string }>(item: T): T => ({ ...item, stationId });
  await store.transaction(async (tx) => {
    await tx.stations.create({
      id: stationId,
      name: config.station.name,
      timezone: config.station.timezone,
      ...(config.station.slug === undefined ? {} : { slug: config.station.slug }),
      ...(config.station.description === undefined
        ? {}
        : { description: config.station.description }),
      active: true,
    });
    for (const mount of config.mounts) {
      await tx.mounts.create({ id: mount.id, stationId, name: mount.name, outputs: mount.outputs });
    }
    for (const row of media) await tx.media.create(row);
    for (const block of rules.smartBlocks) await tx.smartBlocks.create(scoped(block));
    for (const clock of rules.clocks) await tx.clocks.create(scoped(clock));
    for (const show of rules.shows) await tx.shows.create(scoped(show));
  });
  const settings: PlannerSettings = {
    defaultClockId: rules.defaultClockId ?? "standard",
    ...(rules.clockAssignment === undefined ? {} : { clockAssignment: rules.clockAssignment }),
    seed: 1,
  };
  await writePlannerSettings(options.dataDir, stationId, settings);
  await writeFile(
    join(dir, "README.txt"),
    "Generated by grimnir serve (demo library). Royalty-free: synthesised on this machine.\n",
  );
  const audioSeconds = DEMO_ITEMS.reduce((sum, item) => sum + item.spec.seconds, 0) + 8;
  return {
    stationId,
    mediaItems: media.length,
    audioSeconds,
    emergencyFile,
    elapsedMs: Date.now() - started,
  };
}

/**
 * Measure every pending item of a station with `@grimnir/library`'s
 * `analyzeFile` (EBU R128 integrated loudness, loudness range, true peak,
 * cue points by silence) one at a time, and store the results with status
 * "done" (or "failed" and the reason). Resolves with how many were analysed.
 * Runs after the station is on air so the first start is not delayed; stops
 * between items once `shouldStop` returns true.
 */
export async function analyzePendingMedia(
  store: Store,
  stationId: string,
  mediaRoot: string,
  shouldStop: () => boolean = () => false,
): Promise<{ analysed: number; failed: number }> {
  const pending = await store.media.query(stationId, { analysisStatus: "pending", limit: 1000 });
  let analysed = 0;
  let failed = 0;
  for (const item of pending) {
    if (shouldStop()) break;
    const file = isAbsolute(item.storageKey) ? item.storageKey : join(mediaRoot, item.storageKey);
    const current = await store.media.get(stationId, item.id);
    if (current === undefined) continue;
    try {
      const analysis = await analyzeFile(file);
      const { createdAt: _c, updatedAt: _u, ...rest } = current;
      await store.media.update({
        ...rest,
        durationMs: Math.round(analysis.durationMs),
        cueInMs: Math.round(analysis.cueInMs),
        cueOutMs: Math.round(analysis.cueOutMs > 0 ? analysis.cueOutMs : analysis.durationMs),
        ...(analysis.integratedLufs === null ? {} : { loudnessLufs: analysis.integratedLufs }),
        loudnessRangeLu: analysis.loudnessRangeLu,
        ...(Number.isFinite(analysis.truePeakDbtp) ? { truePeakDbtp: analysis.truePeakDbtp } : {}),
        sampleRateHz: analysis.sampleRateHz,
        channels: analysis.channels,
        analysisStatus: "done",
      });
      analysed++;
    } catch (err) {
      const { createdAt: _c, updatedAt: _u, ...rest } = current;
      await store.media.update({
        ...rest,
        analysisStatus: "failed",
        analysisError: err instanceof Error ? err.message : String(err),
      });
      failed++;
    }
  }
  return { analysed, failed };
}
