import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, mkdir, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import type { MediaItem } from "@grimnir/core";
import {
  reject,
  type MappedEntity,
  type MappedValue,
  type MappingResult,
} from "../mapped-entity.js";
import { compact, intervalMs, toNumber, toText, utcMs } from "../values.js";
import { ltId } from "./ids.js";
import type { LtRow } from "./read-libretime.js";

/**
 * ReplayGain 2.0 reference loudness, LUFS: a track with gain G dB measured
 * −18 − G LUFS. LibreTime's analyser stores that gain in `cc_files.replay_gain`.
 */
export const REPLAY_GAIN_REFERENCE_LUFS = -18;

/** Where LibreTime's audio files are and what to do with them. */
export interface LtMediaOptions {
  stationId: string;
  /** LibreTime's storage directory (`filepath` is relative to it); files are checked to exist when given. */
  mediaRoot?: string;
  /** Copy each file under this directory (same relative path) instead of referencing it in place. */
  copyTo?: string;
}

/** LibreTime text columns kept as custom fields (`field:<name>` in smart-block filters). */
export const LT_FIELD_COLUMNS: Record<string, string> = {
  composer: "composer",
  conductor: "conductor",
  copyright: "copyright",
  encoded_by: "encoded_by",
  isrc_number: "isrc",
  label: "label",
  language: "language",
  mood: "mood",
  mime: "mime",
  description: "description",
  info_url: "info_url",
};

/** LibreTime numeric columns kept as numeric custom fields. */
export const LT_NUMERIC_FIELD_COLUMNS: Record<string, string> = {
  track_number: "track_number",
  bit_rate: "bit_rate",
};

const CODECS: Record<string, string> = {
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/ogg": "vorbis",
  "audio/vorbis": "vorbis",
  "audio/opus": "opus",
  "audio/flac": "flac",
  "audio/x-flac": "flac",
  "audio/mp4": "aac",
  "audio/aac": "aac",
  "audio/x-wav": "pcm",
  "audio/wav": "pcm",
};

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Analysis results the media library owns once it has analysed an item; a re-import keeps them. */
const ANALYSIS_FIELDS = [
  "durationMs",
  "cueInMs",
  "cueOutMs",
  "loudnessLufs",
  "loudnessRangeLu",
  "truePeakDbtp",
  "analysisStatus",
  "analysisError",
  "codec",
  "sampleRateHz",
  "channels",
] as const;

/** Keep the library's analysis of an already analysed item instead of LibreTime's estimates. */
export function keepAnalysis(existing: Record<string, unknown>, desired: MappedValue): MappedValue {
  if (existing.analysisStatus === undefined || existing.analysisStatus === "pending")
    return desired;
  const merged: MappedValue = { ...desired };
  for (const field of ANALYSIS_FIELDS) merged[field] = existing[field];
  return merged;
}

/**
 * cc_files → MediaItems `lt-file-<id>`. Hidden (deleted), unfinished
 * (import_status ≠ 0) and missing files are skipped with a reason. Cue points
 * and lengths come from LibreTime; replay gain becomes an estimated loudness
 * and the item is left "pending" so the media library analyses it.
 */
export async function mapFiles(
  files: readonly LtRow[],
  trackTypes: ReadonlyMap<string, string>,
  options: LtMediaOptions,
): Promise<MappingResult & { imported: Set<string> }> {
  const result: MappingResult & { imported: Set<string> } = {
    entities: [],
    rejected: [],
    imported: new Set(),
  };
  for (const row of files) {
    const id = String(row.id);
    if (row.hidden === true) {
      result.rejected.push(
        reject("file", id, "skip", "hidden in LibreTime (deleted from the library)"),
      );
      continue;
    }
    const importStatus = toNumber(row.import_status);
    if (importStatus !== undefined && importStatus !== 0) {
      const state =
        importStatus === 1
          ? "still being imported"
          : importStatus === 2
            ? "failed to import"
            : `import_status ${importStatus}`;
      result.rejected.push(reject("file", id, "skip", `LibreTime marks the file as ${state}`));
      continue;
    }
    const filepath = toText(row.filepath);
    if (filepath === undefined) {
      result.rejected.push(
        reject(
          "file",
          id,
          "unmappable",
          "cc_files.filepath is empty; expected the path of the audio file",
        ),
      );
      continue;
    }
    if (row.file_exists === false) {
      result.rejected.push(
        reject("file", id, "skip", `LibreTime reports the file missing: ${filepath}`),
      );
      continue;
    }
    const storageKey = normalize(filepath).split(sep).join("/").replace(/^\/+/, "");
    if (storageKey.startsWith("../")) {
      result.rejected.push(
        reject("file", id, "unmappable", `filepath "${filepath}" leaves the media root`),
      );
      continue;
    }
    const sourcePath =
      options.mediaRoot === undefined
        ? undefined
        : isAbsolute(filepath)
          ? filepath
          : join(options.mediaRoot, storageKey);
    const notes: string[] = [];
    let contentHash = `libretime-md5:${toText(row.md5) ?? "unknown"}`;
    if (sourcePath !== undefined) {
      const info = await stat(sourcePath).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
        throw error;
      });
      if (info === undefined || !info.isFile()) {
        result.rejected.push(reject("file", id, "skip", `audio file missing: ${sourcePath}`));
        continue;
      }
      if (options.copyTo !== undefined) contentHash = await sha256(sourcePath);
    }
    const durationMs = intervalMs(row.length) ?? 0;
    const cueInMs = Math.max(0, intervalMs(row.cuein) ?? 0);
    let cueOutMs = intervalMs(row.cueout) ?? 0;
    if (cueOutMs <= cueInMs || (durationMs > 0 && cueOutMs > durationMs)) {
      if (cueOutMs !== 0) notes.push(`cue out ${cueOutMs} ms outside the file; set to its length`);
      cueOutMs = durationMs;
    }
    const fields: MediaItem["fields"] = { libretime_id: Number(row.id) };
    for (const [column, field] of Object.entries(LT_FIELD_COLUMNS)) {
      const v = toText(row[column]);
      if (v !== undefined) fields[field] = v;
    }
    for (const [column, field] of Object.entries(LT_NUMERIC_FIELD_COLUMNS)) {
      const v = toNumber(row[column]);
      if (v !== undefined) fields[field] = v;
    }
    const tags: string[] = [];
    const trackType =
      row.track_type_id === null || row.track_type_id === undefined
        ? undefined
        : trackTypes.get(String(row.track_type_id));
    if (trackType !== undefined) {
      fields.track_type = trackType;
      tags.push(trackType.toLowerCase());
    }
    const yearText = toText(row.year);
    const year = yearText === undefined ? undefined : Number(/^\d{4}/.exec(yearText)?.[0]);
    if (yearText !== undefined && (year === undefined || !Number.isFinite(year)))
      notes.push(`year "${yearText}" is not a year; left out`);
    const rating = toNumber(row.rating);
    const replayGain = toNumber(row.replay_gain);
    const mime = toText(row.mime)?.toLowerCase();
    const name = toText(row.name) ?? storageKey.split("/").pop()!;
    const value = compact({
      id: ltId.file(id),
      stationId: options.stationId,
      title: toText(row.track_title) ?? name,
      artist: toText(row.artist_name),
      album: toText(row.album_title),
      genre: toText(row.genre),
      year: year !== undefined && Number.isFinite(year) ? year : undefined,
      bpm: toNumber(row.bpm),
      rating: rating !== undefined && rating >= 0 && rating <= 5 ? rating : undefined,
      tags,
      fields,
      durationMs,
      cueInMs,
      cueOutMs,
      loudnessLufs: replayGain === undefined ? undefined : REPLAY_GAIN_REFERENCE_LUFS - replayGain,
      storageKey,
      contentHash,
      codec: mime === undefined ? undefined : CODECS[mime],
      sampleRateHz: toNumber(row.sample_rate),
      channels: toNumber(row.channels),
      analysisStatus: "pending",
      addedAt: utcMs(row.utime) ?? utcMs(row.mtime) ?? 0,
    }) as MappedValue;
    const entity: MappedEntity = {
      sourceKind: "file",
      sourceId: id,
      records: [{ repo: "media", value, merge: keepAnalysis }],
      notes,
    };
    if (options.copyTo !== undefined && sourcePath !== undefined) {
      const target = join(options.copyTo, storageKey);
      entity.beforeWrite = async () => {
        await mkdir(dirname(target), { recursive: true });
        await copyFile(sourcePath, target);
      };
    }
    result.entities.push(entity);
    result.imported.add(id);
  }
  return result;
}
