import type { Readable } from "node:stream";

/** What a storage backend knows about one stored object. */
export interface StoredObject {
  /** The object's key. */
  key: string;
  /** Size, bytes. */
  size: number;
}

/** A local file holding an object's bytes, valid until {@link LocalCopy.release}. */
export interface LocalCopy {
  /** Absolute path of a readable file with the object's bytes. */
  path: string;
  /** Give the copy back (a backend that downloaded it deletes it). Idempotent. */
  release(): Promise<void>;
}

/**
 * Where media files live, by key. Keys are relative, `/`-separated, without
 * `.` or `..` segments; backends reject other keys with `VALIDATION`.
 *
 * Guarantees: `put` is atomic (readers see the old object or the whole new
 * one, never a partial file) and durable when it resolves; `get`, `localCopy`
 * and `delete` of a missing key reject with `NOT_FOUND`; `stat` resolves
 * undefined for it.
 */
export interface MediaStorage {
  /** Store the bytes of the local file `sourcePath` (or of a stream) under `key`, replacing any object there. */
  put(key: string, source: string | Readable): Promise<StoredObject>;
  /** Stream the object's bytes. */
  get(key: string): Promise<Readable>;
  /** A local file with the object's bytes, for tools that need a path (the GStreamer decoder). */
  localCopy(key: string): Promise<LocalCopy>;
  /** Remove the object. */
  delete(key: string): Promise<void>;
  /** Size of the object, or undefined when there is none. */
  stat(key: string): Promise<StoredObject | undefined>;
}
