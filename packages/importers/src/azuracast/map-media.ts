import { stat } from "node:fs/promises";
import { join } from "node:path";
import { keepAnalysis } from "../libretime/map-files.js";
import { reject, type MappedValue, type MappingResult } from "../mapped-entity.js";
import { compact, toNumber, toText } from "../values.js";
import type { AcObject } from "./client.js";
import { ROTATION_TAG, WEIGHT_FIELD, acId, type AcStationRef } from "./ids.js";

/** Seconds (number or numeric text) → whole milliseconds. */
function seconds(value: unknown): number | undefined {
  const n = toNumber(value);
  return n === undefined ? undefined : Math.round(n * 1000);
}

/** A file's `key`, from its `extra_metadata` when there (newer AzuraCast), else from the file. */
function meta(file: AcObject, key: string): unknown {
  const extra = file.extra_metadata;
  if (typeof extra === "object" && extra !== null && key in extra) return (extra as AcObject)[key];
  return file[key];
}

/**
 * True for an enabled standard playlist of songs with no schedule: its media
 * join the weighted rotation.
 */
export function isRotationPlaylist(p: AcObject): boolean {
  return (
    p.type === "default" &&
    p.is_enabled !== false &&
    p.source !== "remote_url" &&
    (!Array.isArray(p.schedule_items) || p.schedule_items.length === 0)
  );
}

/**
 * AzuraCast media files → Grimnir media items: custom fields, ISRC, fade and
 * amplify values as fields; cue points clamped to the file (cue-out past it
 * is noted and set to its length); AzuraCast's "start next" as the outro;
 * tag "jingle" from jingle playlists and {@link ROTATION_TAG} plus the highest
 * weight (default 3) of the rotation playlists the file is in. With
 * `mediaRoot`, a file missing there is skipped. Returns also the AzuraCast
 * ids of the files imported.
 */
export async function mapMedia(
  { sid, stationId }: AcStationRef,
  files: AcObject[],
  playlists: AcObject[],
  mediaRoot: string | undefined,
): Promise<MappingResult & { imported: Set<string> }> {
  const result: MappingResult & { imported: Set<string> } = {
    entities: [],
    rejected: [],
    imported: new Set(),
  };
  const playlistById = new Map(playlists.map((p) => [String(p.id), p]));
  for (const file of files) {
    const id = String(file.id);
    const path = toText(file.path);
    if (path === undefined) {
      result.rejected.push(reject("media", `${sid}/${id}`, "unmappable", "path is empty"));
      continue;
    }
    if (mediaRoot !== undefined) {
      const info = await stat(join(mediaRoot, path)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
        throw error;
      });
      if (info === undefined) {
        result.rejected.push(
          reject("media", `${sid}/${id}`, "skip", `audio file missing: ${join(mediaRoot, path)}`),
        );
        continue;
      }
    }
    const notes: string[] = [];
    const fields: Record<string, string | number | boolean> = { azuracast_id: Number(file.id) };
    const custom = file.custom_fields;
    if (typeof custom === "object" && custom !== null)
      for (const [k, v] of Object.entries(custom as AcObject))
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") fields[k] = v;
    const isrc = toText(file.isrc);
    if (isrc !== undefined) fields.isrc = isrc;
    const fadeIn = seconds(meta(file, "fade_in"));
    const fadeOut = seconds(meta(file, "fade_out"));
    const amplify = toNumber(meta(file, "amplify"));
    if (fadeIn !== undefined) fields.fade_in_ms = fadeIn;
    if (fadeOut !== undefined) fields.fade_out_ms = fadeOut;
    if (amplify !== undefined) fields.amplify_db = amplify;
    const tags: string[] = [];
    let weight = 0;
    for (const p of Array.isArray(file.playlists) ? (file.playlists as AcObject[]) : []) {
      const playlist = playlistById.get(String(p.id));
      if (playlist === undefined) continue;
      if (playlist.is_jingle === true && !tags.includes("jingle")) tags.push("jingle");
      if (isRotationPlaylist(playlist)) weight = Math.max(weight, toNumber(playlist.weight) ?? 3);
    }
    if (weight > 0) {
      tags.push(ROTATION_TAG);
      fields[WEIGHT_FIELD] = weight;
    }
    const durationMs = seconds(file.length) ?? 0;
    const cueInMs = Math.max(0, seconds(meta(file, "cue_in")) ?? 0);
    let cueOutMs = seconds(meta(file, "cue_out")) ?? durationMs;
    if (cueOutMs <= cueInMs || cueOutMs > durationMs) {
      if (meta(file, "cue_out") !== null && meta(file, "cue_out") !== undefined)
        notes.push(`cue out ${cueOutMs} ms outside the file; set to its length`);
      cueOutMs = durationMs;
    }
    const crossStart = seconds(meta(file, "cross_start_next"));
    const uploaded = toNumber(file.uploaded_at) ?? toNumber(file.mtime);
    const value = compact({
      id: acId.media(sid, id),
      stationId,
      title: toText(file.title) ?? path.split("/").pop()!,
      artist: toText(file.artist),
      album: toText(file.album),
      genre: toText(file.genre),
      tags,
      fields,
      durationMs,
      cueInMs,
      cueOutMs,
      outroMs:
        crossStart !== undefined && crossStart > cueInMs && crossStart <= cueOutMs
          ? crossStart
          : undefined,
      storageKey: path,
      contentHash: `azuracast:${toText(file.unique_id) ?? id}`,
      analysisStatus: "pending",
      addedAt: uploaded === undefined ? 0 : uploaded * 1000,
    }) as MappedValue;
    result.imported.add(id);
    result.entities.push({
      sourceKind: "media",
      sourceId: `${sid}/${id}`,
      records: [{ repo: "media", value, merge: keepAnalysis }],
      notes,
    });
  }
  return result;
}
