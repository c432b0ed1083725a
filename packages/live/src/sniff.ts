/** Stream containers the harbor accepts. */
export type LiveContainer = "mp3" | "ogg" | "aac";

/** What the first bytes of a source's body look like. */
export interface SniffResult {
  container: LiveContainer;
  /** Codec inside an Ogg stream when the first page tells it. */
  codec?: "vorbis" | "opus" | "flac";
  /** True when an ID3v2 tag preceded the audio. */
  id3: boolean;
}

const CONTENT_TYPES: Record<string, LiveContainer> = {
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/mpeg3": "mp3",
  "audio/x-mpeg": "mp3",
  "audio/ogg": "ogg",
  "application/ogg": "ogg",
  "audio/opus": "ogg",
  "audio/vorbis": "ogg",
  "audio/aac": "aac",
  "audio/aacp": "aac",
  "audio/x-aac": "aac",
};

/** Content type the harbor re-serves each container as. */
export const CONTAINER_CONTENT_TYPE: Record<LiveContainer, string> = {
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  aac: "audio/aac",
};

/**
 * The container a `Content-Type` header names (parameters ignored, case
 * insensitive), or undefined when the harbor does not take it.
 */
export function containerOfContentType(contentType: string | undefined): LiveContainer | undefined {
  if (contentType === undefined) return undefined;
  const base = contentType.split(";")[0]!.trim().toLowerCase();
  return CONTENT_TYPES[base];
}

/** Bytes {@link sniffAudio} wants before it can decide (less is fine at end of stream). */
export const SNIFF_BYTES = 16;

/**
 * Recognise the start of an audio stream: an ID3v2 tag, an MPEG audio frame
 * header (sync, valid version/layer/bitrate/rate), an ADTS header (AAC) or an
 * Ogg page ("OggS", version 0). Undefined when the bytes are none of these.
 */
export function sniffAudio(bytes: Uint8Array): SniffResult | undefined {
  let offset = 0;
  let id3 = false;
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    const size = [6, 7, 8, 9].reduce((n, i) => (n << 7) | (bytes[i]! & 0x7f), 0);
    if ([6, 7, 8, 9].some((i) => bytes[i]! >= 0x80) || bytes[3]! > 4) return undefined;
    id3 = true;
    offset = 10 + size + ((bytes[5]! & 0x10) !== 0 ? 10 : 0);
    // The audio after a long tag may not have arrived yet: the tag alone says MPEG/AAC.
    if (bytes.length < offset + 4) return { container: "mp3", id3 };
  }
  if (bytes.length < offset + 4) return undefined;
  const b0 = bytes[offset]!;
  const b1 = bytes[offset + 1]!;
  const b2 = bytes[offset + 2]!;
  if (!id3 && b0 === 0x4f && b1 === 0x67 && b2 === 0x67 && bytes[offset + 3] === 0x53) {
    if (bytes.length > 4 && bytes[4] !== 0) return undefined;
    return { container: "ogg", codec: oggCodec(bytes), id3 };
  }
  if (b0 !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const layer = (b1 >> 1) & 3;
  if (layer === 0) {
    // ADTS: 12-bit sync, layer 00; sampling index 13..15 is reserved.
    if ((b1 & 0xf0) !== 0xf0 || ((b2 >> 2) & 0x0f) > 12) return undefined;
    return { container: "aac", id3 };
  }
  const version = (b1 >> 3) & 3;
  const bitrate = b2 >> 4;
  const rate = (b2 >> 2) & 3;
  if (version === 1 || bitrate === 15 || rate === 3) return undefined;
  return { container: "mp3", id3 };
}

function oggCodec(bytes: Uint8Array): SniffResult["codec"] {
  if (bytes.length < 27) return undefined;
  const segments = bytes[26]!;
  const start = 27 + segments;
  const head = Buffer.from(bytes.subarray(start, start + 8)).toString("latin1");
  if (head.startsWith("OpusHead")) return "opus";
  if (head.startsWith("\x01vorbis")) return "vorbis";
  if (head.startsWith("\x7fFLAC")) return "flac";
  return undefined;
}
