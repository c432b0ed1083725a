import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { PassThrough } from "node:stream";
import { parseFile, parseStream, type IAudioMetadata } from "music-metadata";

/** Tags and stream facts read from a file's container, without decoding audio. */
export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  genre?: string;
  year?: number;
  /** Beats per minute. */
  bpm?: number;
  /** Container-declared duration, ms, when the container states or implies one. */
  durationMs?: number;
  /** Codec name as music-metadata reports it ("MPEG 1 Layer 3", "FLAC"…). */
  codec?: string;
  /** Container name ("MPEG", "FLAC", "Ogg"…). */
  container?: string;
  /** Hz. */
  sampleRateHz?: number;
  channels?: number;
}

/** Outcome of {@link readTags}: tags, or why the file is not usable audio. */
export type TagReadResult =
  { ok: true; tags: AudioTags; warnings: string[] } | { ok: false; reason: string };

const EXTENSION_CONTAINERS: Record<string, string[]> = {
  ".mp3": ["mpeg"],
  ".flac": ["flac"],
  ".ogg": ["ogg"],
  ".oga": ["ogg"],
  ".opus": ["ogg"],
  ".m4a": ["m4a", "mp4", "isom", "mp42", "m4a "],
  ".mp4": ["m4a", "mp4", "isom", "mp42"],
  ".aac": ["adts"],
  ".wav": ["wave"],
  ".aif": ["aiff"],
  ".aiff": ["aiff"],
};

/**
 * Read tags (ID3v1/v2, Vorbis comments, MP4, FLAC, RIFF…) and stream facts
 * with music-metadata. Embedded pictures are skipped, so huge tags cost no
 * memory. The format is sniffed from the content; a file whose extension
 * names another format is accepted with a warning. Never throws: a file
 * music-metadata cannot parse, or one without an audio stream, is
 * `{ ok: false, reason }`.
 */
export async function readTags(file: string): Promise<TagReadResult> {
  let meta: IAudioMetadata | undefined;
  let firstError: unknown;
  try {
    meta = await parseFile(file, { skipCovers: true, duration: false });
  } catch (err) {
    firstError = err;
  }
  if (!meta?.format.container) {
    // parseFile trusts the extension; a mis-named file parses to nothing, so sniff the content instead.
    try {
      meta = await sniffContent(file);
    } catch (err) {
      return {
        ok: false,
        reason: `not a readable audio file: ${((firstError ?? err) as Error).message}`,
      };
    }
  }
  const f = meta.format;
  if (f.hasAudio === false || (!f.codec && !f.sampleRate && !f.duration)) {
    return { ok: false, reason: "no audio stream found" };
  }
  const warnings: string[] = [];
  const ext = extname(file).toLowerCase();
  const expected = EXTENSION_CONTAINERS[ext];
  const container = (f.container ?? "").toLowerCase();
  if (expected && container && !expected.some((c) => container.startsWith(c.trim()))) {
    warnings.push(
      `extension ${ext} does not match its content (${f.container}); ingested by content`,
    );
  }
  const c = meta.common;
  const tags: AudioTags = {};
  if (c.title) tags.title = c.title;
  if (c.artist) tags.artist = c.artist;
  if (c.album) tags.album = c.album;
  if (c.genre && c.genre.length > 0) tags.genre = c.genre.join(", ");
  if (c.year) tags.year = c.year;
  if (c.bpm) tags.bpm = c.bpm;
  if (f.duration !== undefined && Number.isFinite(f.duration))
    tags.durationMs = Math.round(f.duration * 1000);
  if (f.codec) tags.codec = f.codec;
  if (f.container) tags.container = f.container;
  if (f.sampleRate) tags.sampleRateHz = f.sampleRate;
  if (f.numberOfChannels) tags.channels = f.numberOfChannels;
  return { ok: true, tags, warnings };
}

/** Parse from a stream without a path or MIME type, so music-metadata detects the format from the bytes. */
async function sniffContent(file: string): Promise<IAudioMetadata> {
  const { size } = await stat(file);
  const source = createReadStream(file);
  const stream = source.pipe(new PassThrough());
  try {
    return await parseStream(stream, { size }, { skipCovers: true, duration: false });
  } finally {
    source.destroy();
    stream.destroy();
  }
}
