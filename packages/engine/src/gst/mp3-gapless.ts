import { closeSync, openSync, readSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Samples an MP3 decoder puts in front of the audio (the synthesis filterbank,
 * 528 + 1) on top of the encoder delay the LAME tag states; gapless players
 * (and `@grimnir/library`'s analysis) skip both.
 */
export const MP3_DECODER_DELAY = 529;

/** What to cut from a decoded MP3 so it starts and ends where the encoder's input did, frames. */
export interface GaplessTrim {
  /** Frames to drop at the start (encoder delay + decoder delay). */
  startFrames: number;
  /** Frames of audio to keep after those (the encoder's input length). */
  lengthFrames: number;
  /** Rate of those frame counts (the file's), Hz. */
  sampleRateHz: number;
}

const RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/**
 * Gapless trim of an MP3 whose first frame starts at `bytes[0]`, from its
 * Xing/Info tag (frame count) and LAME extension (12-bit encoder delay and
 * padding; http://gabriel.mp3-tech.org/mp3infotag.html). Undefined without
 * both — then nobody knows the delay, and the file plays untrimmed.
 */
export function parseGaplessTrim(bytes: Uint8Array): GaplessTrim | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || (bytes[1]! & 0xe0) !== 0xe0) return undefined;
  const version = (bytes[1]! >> 3) & 3;
  const layer = (bytes[1]! >> 1) & 3;
  const rate = RATES[version]?.[(bytes[2]! >> 2) & 3];
  if (layer !== 1 || rate === undefined) return undefined;
  const mono = bytes[3]! >> 6 === 3;
  const mpeg1 = version === 3;
  const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  let at = 4 + ((bytes[1]! & 1) === 0 ? 2 : 0) + sideInfo;
  if (bytes.length < at + 12) return undefined;
  const tag = String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag !== "Xing" && tag !== "Info") return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint32(at + 4);
  if ((flags & 1) === 0) return undefined;
  const frames = view.getUint32(at + 8);
  at += 12;
  if ((flags & 2) !== 0) at += 4;
  if ((flags & 4) !== 0) at += 100;
  if ((flags & 8) !== 0) at += 4;
  // LAME extension: 9-byte encoder version, 12 bytes of levels and flags, then delay/padding.
  if (bytes.length < at + 24) return undefined;
  const encoder = String.fromCharCode(...bytes.subarray(at, at + 4));
  if (encoder !== "LAME" && encoder !== "Lavf" && encoder !== "Lavc") return undefined;
  const d = at + 21;
  const delay = (bytes[d]! << 4) | (bytes[d + 1]! >> 4);
  const padding = ((bytes[d + 1]! & 0x0f) << 8) | bytes[d + 2]!;
  const total = frames * (mpeg1 ? 1152 : 576);
  if (delay + padding >= total) return undefined;
  return {
    startFrames: delay + MP3_DECODER_DELAY,
    lengthFrames: total - delay - padding,
    sampleRateHz: rate,
  };
}

/**
 * The gapless trim of the MP3 file at `path` (an ID3v2 tag skipped), or
 * undefined for a file without a LAME tag, another kind of file or one that
 * cannot be read (its decoder reports that). Reads at most the tag plus 4 KiB.
 */
export function readGaplessTrim(path: string): GaplessTrim | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    // Unreadable here: the decoder reports it with GStreamer's message.
    return undefined;
  }
  try {
    const head = new Uint8Array(10);
    const got = readSync(fd, head, 0, 10, 0);
    let skip = 0;
    if (got === 10 && head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) {
      // ID3v2: syncsafe size, plus the header and an optional footer.
      const size =
        ((head[6]! & 0x7f) << 21) |
        ((head[7]! & 0x7f) << 14) |
        ((head[8]! & 0x7f) << 7) |
        (head[9]! & 0x7f);
      skip = 10 + size + ((head[5]! & 0x10) !== 0 ? 10 : 0);
    }
    const frame = new Uint8Array(4096);
    const n = readSync(fd, frame, 0, frame.length, skip);
    return parseGaplessTrim(frame.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/**
 * The gapless trim of a decoder's source `uri` in frames at the mixer's
 * `sampleRate` (scaled from the file's rate): for local MP3 files with a LAME
 * tag, undefined for everything else.
 */
export function gaplessTrimOf(
  uri: string,
  sampleRate: number,
): { startFrames: number; lengthFrames: number } | undefined {
  if (!uri.startsWith("file://")) return undefined;
  const trim = readGaplessTrim(fileURLToPath(uri));
  if (!trim) return undefined;
  const ratio = sampleRate / trim.sampleRateHz;
  return { startFrames: trim.startFrames * ratio, lengthFrames: trim.lengthFrames * ratio };
}
