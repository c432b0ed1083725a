import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Hex SHA-256 of the file's bytes, read as a stream (constant memory). */
export async function contentHash(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}
