import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomUUID } from "node:crypto";
import { GrimnirError } from "@grimnir/core";
import type { LocalCopy, MediaStorage, StoredObject } from "./media-storage.js";

/** Check `key` is a relative `/`-separated path without `.`/`..` segments; return it. */
export function validateStorageKey(key: string): string {
  const segments = key.split("/");
  if (
    key.length === 0 ||
    key.includes("\\") ||
    key.includes("\0") ||
    segments.some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new GrimnirError(
      "VALIDATION",
      `invalid storage key "${key}"; expected a relative path like "station/ab/abcd.mp3"`,
      {
        details: { field: "key", key },
      },
    );
  }
  return key;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === "ENOENT";
}

/**
 * {@link MediaStorage} in a directory of the local disk (the media root).
 * Objects are plain files at `root/key`; `put` writes a temporary file in
 * the root and renames it into place, so it is atomic on one file system.
 */
export class LocalStorage implements MediaStorage {
  /** Absolute media root. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Absolute path of `key` under the media root. */
  pathOf(key: string): string {
    return join(this.root, validateStorageKey(key));
  }

  private notFound(key: string, cause: unknown): GrimnirError {
    return new GrimnirError("NOT_FOUND", `no media object "${key}" in ${this.root}`, {
      details: { key },
      cause,
    });
  }

  /** See {@link MediaStorage.put}. */
  async put(key: string, source: string | Readable): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(this.root, `.tmp-${randomUUID()}`);
    try {
      const input = typeof source === "string" ? createReadStream(source) : source;
      await pipeline(input, createWriteStream(tmp, { flush: true }));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { key, size: (await stat(target)).size };
  }

  /** See {@link MediaStorage.get}. */
  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    await stat(path).catch((err: unknown) => {
      throw isMissing(err) ? this.notFound(key, err) : err;
    });
    return createReadStream(path);
  }

  /** The object's own file; nothing is copied and `release` does nothing. */
  async localCopy(key: string): Promise<LocalCopy> {
    const path = this.pathOf(key);
    await stat(path).catch((err: unknown) => {
      throw isMissing(err) ? this.notFound(key, err) : err;
    });
    return { path, release: async () => undefined };
  }

  /** See {@link MediaStorage.delete}. */
  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key)).catch((err: unknown) => {
      throw isMissing(err) ? this.notFound(key, err) : err;
    });
  }

  /** See {@link MediaStorage.stat}. */
  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { key, size: s.size } : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
}
