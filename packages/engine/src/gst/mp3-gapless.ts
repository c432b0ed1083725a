import { closeSync, openSync, readSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { id3v2TagSize, MP3_DECODER_DELAY, parseMp3Gapless } from "@grimnir/core";

/** What to cut from a decoded MP3 so it starts and ends where the encoder's input did, frames. */
export interface GaplessTrim {
  /** Frames to drop at the start (encoder delay + decoder delay). */
  startFrames: number;
  /** Frames of audio to keep after those (the encoder's input length). */
  lengthFrames: number;
  /** Rate of those frame counts (the file's), Hz. */
  sampleRateHz: number;
}

/**
 * Gapless trim of an MP3 whose first frame starts at `bytes[0]`, from its
 * Xing/Info tag (frame count) and LAME extension (12-bit encoder delay and
 * padding; http://gabriel.mp3-tech.org/mp3infotag.html). Undefined without
 * both — then nobody knows the delay, and the file plays untrimmed.
 */
export function parseGaplessTrim(bytes: Uint8Array): GaplessTrim | undefined {
  const tag = parseMp3Gapless(bytes);
  if (tag === undefined) return undefined;
  const total = tag.frames * tag.samplesPerFrame;
  if (tag.encoderDelay + tag.padding >= total) return undefined;
  return {
    startFrames: tag.encoderDelay + MP3_DECODER_DELAY,
    lengthFrames: total - tag.encoderDelay - tag.padding,
    sampleRateHz: tag.sampleRateHz,
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
    const skip = id3v2TagSize(head.subarray(0, readSync(fd, head, 0, 10, 0)));
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
