import type { ScheduleEntry, Store } from "@grimnir/core";

/** What the engine needs to play a timeline entry. */
export interface ResolvedEntry {
  /** File path or URL the engine decodes. */
  uri: string;
  /** Playable start in the file (cue-in), ms. */
  startMs: number;
  /** Playable end in the file (cue-out), ms; absent for streams. */
  endMs?: number;
  /** Gain to reach the station's loudness target, dB. */
  gainDb?: number;
  title?: string;
  artist?: string;
}

/**
 * Turns a timeline entry into something playable, or undefined when the entry
 * plays nothing (live slot, planned silence). Rejects when the Store cannot
 * answer; the executor caches results ahead of time so an outage rarely matters.
 */
export type EntryResolver = (entry: ScheduleEntry) => Promise<ResolvedEntry | undefined>;

/**
 * The default resolver: media entries play the item's `storageKey` between its
 * cue points, normalised to `loudnessTargetLufs` (default −16 LUFS) when its
 * loudness is known; webstream entries play the webstream's current URL.
 */
export function storeEntryResolver(
  store: Pick<Store, "media" | "webstreams">,
  options: { loudnessTargetLufs?: number } = {},
): EntryResolver {
  const target = options.loudnessTargetLufs ?? -16;
  return async (entry) => {
    if ((entry.kind === "media" || entry.kind === "stopset") && entry.mediaId !== undefined) {
      const media = await store.media.get(entry.stationId, entry.mediaId);
      if (media === undefined) return undefined;
      return {
        uri: media.storageKey,
        startMs: media.cueInMs,
        endMs: media.cueOutMs,
        gainDb: media.loudnessLufs === undefined ? undefined : target - media.loudnessLufs,
        title: entry.title ?? media.title,
        artist: entry.artist ?? media.artist,
      };
    }
    if (entry.kind === "webstream" && entry.webstreamId !== undefined) {
      const webstream = await store.webstreams.get(entry.stationId, entry.webstreamId);
      if (webstream === undefined) return undefined;
      const index = Math.min(Math.max(0, webstream.currentIndex), webstream.urls.length - 1);
      const url = webstream.urls[index];
      return url === undefined
        ? undefined
        : { uri: url, startMs: 0, title: entry.title ?? webstream.name };
    }
    return undefined;
  };
}
