/**
 * Samples every MP3 decoder adds in front of the audio (the synthesis
 * filterbank delay, 528 + 1), on top of the encoder delay the LAME tag states.
 * ffmpeg and other gapless players skip both.
 */
export const MP3_DECODER_DELAY = 529;

/** Gapless facts of an MP3 file from its Xing/Info + LAME tag (first frame). */
export interface Mp3Gapless {
  /** Encoder delay (priming samples) the LAME tag states, per channel. */
  encoderDelay: number;
  /** Padding samples the encoder appended at the end, per channel. */
  padding: number;
  /** MPEG frames of audio the Xing/Info tag counts (the tag frame excluded). */
  frames: number;
  /** Samples per channel in one frame (1152 for MPEG-1, 576 for MPEG-2/2.5 layer III). */
  samplesPerFrame: number;
  /** Sample rate, Hz. */
  sampleRateHz: number;
}

const RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** Size of an ID3v2 tag at `bytes[0]`, header and footer included; 0 when there is none. */
export function id3v2TagSize(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14);
  const rest = ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
  const footer = (bytes[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + rest + footer;
}

/**
 * Read the LAME tag of an MPEG layer III frame starting at `bytes[0]`
 * (http://gabriel.mp3-tech.org/mp3infotag.html): the Xing/Info header after
 * the side information, its frame count, then the LAME extension's 12-bit
 * encoder delay and padding. Undefined when the frame carries no Xing/Info
 * tag with a frame count, or no LAME extension (then no decoder trims
 * anything, ffmpeg included).
 */
export function parseMp3Gapless(bytes: Uint8Array): Mp3Gapless | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || (bytes[1]! & 0xe0) !== 0xe0) return undefined;
  const version = (bytes[1]! >> 3) & 3;
  const layer = (bytes[1]! >> 1) & 3;
  const rate = RATES[version]?.[(bytes[2]! >> 2) & 3];
  if (layer !== 1 || rate === undefined) return undefined;
  const mono = bytes[3]! >> 6 === 3;
  const mpeg1 = version === 3;
  const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const crc = (bytes[1]! & 1) === 0 ? 2 : 0;
  let at = 4 + crc + sideInfo;
  if (bytes.length < at + 12) return undefined;
  const tag = String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag !== "Xing" && tag !== "Info") return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < at + 8) return undefined;
  const flags = view.getUint32(at + 4);
  at += 8;
  if ((flags & 1) === 0) return undefined;
  const frames = view.getUint32(at);
  at += 4;
  if ((flags & 2) !== 0) at += 4;
  if ((flags & 4) !== 0) at += 100;
  if ((flags & 8) !== 0) at += 4;
  // The LAME extension: a 9-byte encoder string, 12 bytes of levels and flags, then delay/padding.
  if (bytes.length < at + 24) return undefined;
  const encoder = String.fromCharCode(...bytes.subarray(at, at + 4));
  if (encoder !== "LAME" && encoder !== "Lavf" && encoder !== "Lavc") return undefined;
  const d = at + 21;
  const encoderDelay = (bytes[d]! << 4) | (bytes[d + 1]! >> 4);
  const padding = ((bytes[d + 1]! & 0x0f) << 8) | bytes[d + 2]!;
  return { encoderDelay, padding, frames, samplesPerFrame: mpeg1 ? 1152 : 576, sampleRateHz: rate };
}
