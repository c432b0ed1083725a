import { GrimnirError } from "@grimnir/core";

/** What the live service holds for a station mount with a live (or reconnecting) source. */
export interface LiveEntry {
  stationId: string;
  mountId: string;
  /** Empty while the session is being created. */
  sessionId: string;
  userId: string;
  tokenId?: string;
  /** Bumped on every drop and reconnect; a grace timer only acts on its own generation. */
  generation: number;
  inGrace: boolean;
  /** Last stream title taken; a repeat of it is ignored. */
  song?: string;
}

/**
 * The live sources by station mount: at most one {@link LiveEntry} per
 * `stationId/mountId`. Synchronous, so a caller that checks and reserves
 * without an await in between cannot race another connect.
 */
export class LiveMounts {
  readonly #byMount = new Map<string, LiveEntry>();

  /** The entry on the mount of `at`, if any. */
  get(at: { stationId: string; mountId: string }): LiveEntry | undefined {
    return this.#byMount.get(mountKey(at));
  }

  /** Put `entry` on its mount, replacing what was there. */
  set(entry: LiveEntry): void {
    this.#byMount.set(mountKey(entry), entry);
  }

  /** Take `entry` off its mount, unless another entry has replaced it there. */
  release(entry: LiveEntry): void {
    const key = mountKey(entry);
    if (this.#byMount.get(key) === entry) this.#byMount.delete(key);
  }

  /** Whether `entry` is still the one on its mount. */
  holds(entry: LiveEntry): boolean {
    return this.#byMount.get(mountKey(entry)) === entry;
  }

  /** The entry of session `sessionId`, if it is live or in grace. */
  bySession(sessionId: string): LiveEntry | undefined {
    for (const entry of this.#byMount.values()) if (entry.sessionId === sessionId) return entry;
    return undefined;
  }

  /** Every entry. */
  entries(): IterableIterator<LiveEntry> {
    return this.#byMount.values();
  }
}

/** `CONFLICT` (reason "mount-busy") for a second source on a mount held by `sessionId`. */
export function mountBusy(mountId: string, sessionId: string): GrimnirError {
  return new GrimnirError("CONFLICT", `mount ${mountId} already has a live source`, {
    details: { reason: "mount-busy", sessionId, field: "mountId" },
  });
}

function mountKey(x: { stationId: string; mountId: string }): string {
  return `${x.stationId}/${x.mountId}`;
}
