import { readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import {
  SystemTimeSource,
  type MediaItem,
  type NewEntity,
  type Store,
  type TimeSource,
} from "@grimnir/core";
import type { MediaStorage } from "../storage/media-storage.js";
import { contentHash } from "./content-hash.js";
import { readTags } from "./read-tags.js";

/** File extensions {@link ingestDirectory} treats as audio (lower case, with the dot). */
export const AUDIO_EXTENSIONS: readonly string[] = [
  ".mp3",
  ".flac",
  ".ogg",
  ".oga",
  ".opus",
  ".m4a",
  ".mp4",
  ".aac",
  ".wav",
  ".aif",
  ".aiff",
  ".wma",
  ".mka",
  ".webm",
  ".wv",
  ".ape",
  ".mpc",
];

/** Options of {@link ingestFiles} and {@link ingestDirectory}. */
export interface IngestOptions {
  /** Station the media belongs to. */
  stationId: string;
  /** Where MediaItem rows are written. */
  store: Store;
  /** Where the files' bytes are copied. */
  storage: MediaStorage;
  /** Clock for `addedAt`. Default the system clock. */
  timeSource?: TimeSource;
  /** Called after every file with the running totals. */
  onProgress?: (progress: IngestProgress) => void;
}

/** Running totals of an ingest, after each file. */
export interface IngestProgress {
  /** Files handled so far. */
  done: number;
  /** Files to handle in all. */
  total: number;
  /** The file just handled. */
  file: string;
  /** What happened to it. */
  outcome: "added" | "duplicate" | "failed";
}

/** One file that could not be ingested as playable media, and why. */
export interface IngestFailure {
  file: string;
  reason: string;
  /** Id of the MediaItem recorded with status "failed", when one was written. */
  mediaId?: string;
}

/** What an ingest did, file by file. */
export interface IngestReport {
  /** New items, analysis pending. */
  added: MediaItem[];
  /** Files whose bytes are already in the station's library. */
  duplicates: { file: string; existingId: string }[];
  /** Files recorded as failed (a MediaItem with status "failed" and the reason) or not recordable at all. */
  failed: IngestFailure[];
  /** Files not looked at (not an audio extension), with the reason. */
  skipped: { file: string; reason: string }[];
  /** Files ingested with a remark (extension does not match content…). */
  warnings: { file: string; warning: string }[];
}

/** Storage key of a file: `station/ab/abcdef….ext`, content-addressed. */
export function storageKeyFor(stationId: string, hash: string, file: string): string {
  const ext = extname(file)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, "");
  return `${stationId}/${hash.slice(0, 2)}/${hash}${ext}`;
}

/** Every regular file under `dir`, recursively, in sorted (deterministic) order. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

function emptyReport(): IngestReport {
  return { added: [], duplicates: [], failed: [], skipped: [], warnings: [] };
}

/**
 * Ingest every audio file (by extension, see {@link AUDIO_EXTENSIONS}) under
 * `dir`; other files are listed in `skipped`. See {@link ingestFiles}.
 */
export async function ingestDirectory(dir: string, options: IngestOptions): Promise<IngestReport> {
  const all = await listFiles(dir);
  const audio = all.filter((f) => AUDIO_EXTENSIONS.includes(extname(f).toLowerCase()));
  const report = await ingestFiles(audio, options);
  for (const f of all) {
    if (!AUDIO_EXTENSIONS.includes(extname(f).toLowerCase())) {
      report.skipped.push({
        file: f,
        reason: `not an audio file extension (${extname(f) || "none"})`,
      });
    }
  }
  return report;
}

/**
 * Ingest `files` into the station's library, one at a time, in order.
 *
 * For each file: hash its bytes (SHA-256, streamed); if the station already
 * has an item with that hash, list it in `duplicates` and change nothing.
 * Otherwise copy the file into `storage` and read its tags; write a MediaItem
 * with analysis status "pending", or, for a file that is empty, unreadable or
 * not audio, with status "failed" and the reason, so nothing is silently
 * dropped. A failure on one file never stops the others; only a failing
 * `store` or `storage` (the library itself) rejects.
 */
export async function ingestFiles(
  files: readonly string[],
  options: IngestOptions,
): Promise<IngestReport> {
  const { stationId, store, storage } = options;
  const clock = options.timeSource ?? new SystemTimeSource();
  const report = emptyReport();
  let done = 0;
  for (const file of files) {
    const outcome = await ingestOne(file);
    done++;
    options.onProgress?.({ done, total: files.length, file, outcome });
  }
  return report;

  async function ingestOne(file: string): Promise<IngestProgress["outcome"]> {
    let size: number;
    let hash: string;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error("not a regular file");
      size = info.size;
      hash = await contentHash(file);
    } catch (err) {
      report.failed.push({ file, reason: `cannot read file: ${(err as Error).message}` });
      return "failed";
    }
    const existing = await store.media.findByHash(stationId, hash);
    if (existing) {
      report.duplicates.push({ file, existingId: existing.id });
      return "duplicate";
    }
    const storageKey = storageKeyFor(stationId, hash, file);
    await storage.put(storageKey, file);
    const base: NewEntity<MediaItem> = {
      stationId,
      title: basename(file, extname(file)),
      tags: [],
      fields: {},
      durationMs: 0,
      cueInMs: 0,
      cueOutMs: 0,
      storageKey,
      contentHash: hash,
      analysisStatus: "pending",
      addedAt: clock.now(),
    };
    let failure: string | undefined;
    if (size === 0) {
      failure = "empty file (0 bytes)";
    } else {
      const read = await readTags(file);
      if (!read.ok) {
        failure = read.reason;
      } else {
        const t = read.tags;
        for (const warning of read.warnings) report.warnings.push({ file, warning });
        Object.assign(base, {
          ...(t.title !== undefined && { title: t.title }),
          ...(t.artist !== undefined && { artist: t.artist }),
          ...(t.album !== undefined && { album: t.album }),
          ...(t.genre !== undefined && { genre: t.genre }),
          ...(t.year !== undefined && { year: t.year }),
          ...(t.bpm !== undefined && { bpm: t.bpm }),
          ...(t.codec !== undefined && { codec: t.codec }),
          ...(t.sampleRateHz !== undefined && { sampleRateHz: t.sampleRateHz }),
          ...(t.channels !== undefined && { channels: t.channels }),
        });
        if (t.durationMs !== undefined) {
          base.durationMs = t.durationMs;
          base.cueOutMs = t.durationMs;
        }
      }
    }
    if (failure !== undefined) {
      base.analysisStatus = "failed";
      base.analysisError = failure;
    }
    const item = await store.media.create(base);
    if (failure !== undefined) {
      report.failed.push({ file, reason: failure, mediaId: item.id });
      return "failed";
    }
    report.added.push(item);
    return "added";
  }
}
