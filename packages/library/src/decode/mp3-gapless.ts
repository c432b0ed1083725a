import { open } from "node:fs/promises";
import { id3v2TagSize, parseMp3Gapless } from "@grimnir/core";
import type { Mp3Gapless } from "@grimnir/core";

/**
 * Read the gapless facts of an MP3 file (see `parseMp3Gapless` of `@grimnir/core`),
 * skipping an ID3v2 tag; undefined for any other file. Reads at most the
 * tag's size plus 4 kB.
 */
export async function readMp3Gapless(file: string): Promise<Mp3Gapless | undefined> {
  const handle = await open(file, "r");
  try {
    const head = new Uint8Array(10);
    const { bytesRead } = await handle.read(head, 0, 10, 0);
    const skip = id3v2TagSize(head.subarray(0, bytesRead));
    const frame = new Uint8Array(4096);
    const got = (await handle.read(frame, 0, frame.length, skip)).bytesRead;
    return parseMp3Gapless(frame.subarray(0, got));
  } finally {
    await handle.close();
  }
}
