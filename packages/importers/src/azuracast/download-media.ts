import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { GrimnirError, type MediaItem, type Store } from "@grimnir/core";
import { contentHash, storageKeyFor, type MediaStorage } from "@grimnir/library";
import type { MappedEntity, MappedValue, MappingResult } from "../mapped-entity.js";
import { keepAnalysis } from "../libretime/map-files.js";
import { toNumber, toText } from "../values.js";
import type { AcObject, AzuraCastClient } from "./client.js";

/** Custom field holding AzuraCast's `mtime` of the downloaded file; a changed mtime downloads it again. */
export const MTIME_FIELD = "azuracast_mtime";

/** What downloading needs besides the mapping. */
export interface AcDownloadEnv {
  client: AzuraCastClient;
  storage: MediaStorage;
  store: Store;
  signal?: AbortSignal;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** True when the stored item's file is in `storage`, unchanged in AzuraCast and its bytes still hash to the item's `contentHash`. */
async function alreadyStored(
  existing: MediaItem,
  mtime: number | undefined,
  storage: MediaStorage,
): Promise<boolean> {
  // Without an mtime from AzuraCast, only a missing or altered stored file is fetched again.
  if (existing.fields[MTIME_FIELD] !== mtime) return false;
  if (!SHA256.test(existing.contentHash)) return false;
  if ((await storage.stat(existing.storageKey)) === undefined) return false;
  const copy = await storage.localCopy(existing.storageKey);
  try {
    return (await contentHash(copy.path)) === existing.contentHash;
  } finally {
    await copy.release();
  }
}

/**
 * Stream one media file from AzuraCast (`GET /api/station/{id}/file/{media}/play`)
 * into a temporary file while hashing it (SHA-256), then store it under its
 * content-addressed key (`station/ab/<sha256>.ext`) unless an object with that
 * key, hence those bytes, is already stored. Resolves with the key and hash.
 */
export async function downloadMedia(
  env: AcDownloadEnv,
  apiPath: string,
  stationId: string,
  fileName: string,
  what: string,
): Promise<{ storageKey: string; contentHash: string; size: number }> {
  let body: ReadableStream<Uint8Array>;
  try {
    body = await env.client.stream(apiPath, env.signal);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new GrimnirError(
      typeof code === "string" ? (code as GrimnirError["code"]) : "STORE_UNAVAILABLE",
      `cannot download the audio of ${what}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, details: { path: apiPath } },
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "grimnir-azuracast-"));
  try {
    const temp = join(dir, "download");
    const hash = createHash("sha256");
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>),
      hasher,
      createWriteStream(temp),
    );
    if (size === 0)
      throw new GrimnirError(
        "VALIDATION",
        `AzuraCast sent an empty file (0 bytes) for ${what}; expected its audio`,
        { details: { path: apiPath } },
      );
    const digest = hash.digest("hex");
    const storageKey = storageKeyFor(stationId, digest, fileName);
    if ((await env.storage.stat(storageKey)) === undefined) await env.storage.put(storageKey, temp);
    return { storageKey, contentHash: digest, size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function chain(first: MappedEntity["beforeWrite"], next: () => Promise<void>): () => Promise<void> {
  return async () => {
    if (first !== undefined) await first();
    await next();
  };
}

/**
 * Make the media entities of one AzuraCast station download their audio
 * when written. An item already imported whose file is stored, hashes to its
 * `contentHash` and has the same AzuraCast `mtime` keeps its key and hash,
 * so a re-run downloads nothing. Any other item gets a placeholder hash (the
 * plan shows it as created or updated) and a `beforeWrite` that downloads,
 * stores and records the real key and hash; its earlier analysis is kept
 * only when the bytes turn out unchanged. A failed download fails that
 * item alone (a report line); playlists then leave it out.
 */
export async function attachDownloads(
  mapped: MappingResult,
  files: readonly AcObject[],
  stationSourceId: string,
  env: AcDownloadEnv,
): Promise<void> {
  const byId = new Map(files.map((f) => [String(f.id), f]));
  const failed = new Set<string>();
  for (const entity of mapped.entities) {
    if (entity.sourceKind !== "media") continue;
    const mediaId = entity.sourceId.slice(entity.sourceId.indexOf("/") + 1);
    const file = byId.get(mediaId);
    const record = entity.records[0]!;
    const value = record.value;
    if (file === undefined) continue;
    const stationId = String(value.stationId);
    const mtime = toNumber(file.mtime);
    const fields = { ...(value.fields as Record<string, unknown>) };
    if (mtime !== undefined) fields[MTIME_FIELD] = mtime;
    value.fields = fields;
    const existing = await env.store.media.get(stationId, value.id);
    if (existing !== undefined && (await alreadyStored(existing, mtime, env.storage))) {
      value.storageKey = existing.storageKey;
      value.contentHash = existing.contentHash;
      continue;
    }
    const path = toText(file.path) ?? mediaId;
    value.contentHash = `azuracast-download:${toText(file.unique_id) ?? mediaId}`;
    entity.notes.push("audio is downloaded from AzuraCast when applied");
    record.merge = (old: Record<string, unknown>, desired: MappedValue) =>
      old.contentHash === desired.contentHash ? keepAnalysis(old, desired) : desired;
    entity.beforeWrite = chain(entity.beforeWrite, async () => {
      try {
        const got = await downloadMedia(
          env,
          `/station/${stationSourceId}/file/${mediaId}/play`,
          stationId,
          path,
          `media ${entity.sourceId} ("${path}")`,
        );
        value.storageKey = got.storageKey;
        value.contentHash = got.contentHash;
      } catch (error) {
        failed.add(value.id);
        throw error;
      }
    });
  }
  // Playlists are written after the media: leave out items whose download failed.
  for (const entity of mapped.entities) {
    const lists = entity.records.filter((r) => r.repo === "playlists");
    if (lists.length === 0) continue;
    entity.beforeWrite = chain(entity.beforeWrite, async () => {
      for (const r of lists)
        if (Array.isArray(r.value.items))
          r.value.items = (r.value.items as string[]).filter((id) => !failed.has(id));
    });
  }
}
