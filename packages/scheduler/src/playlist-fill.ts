import type { ClockSlot, Playlist } from "@grimnir/core";
import { AUTOMATION, MAX_ITEMS_PER_FILL, type BuildState, type SourceBase } from "./build-state.js";
import { Prng, deriveSeed } from "./prng.js";
import type { PlayableItem } from "./smart-block.js";

const playlistOrders = new WeakMap<Playlist, Map<number, string[]>>();

/** Play order of a playlist: as listed, or shuffled with a seed derived from its id. */
export function playlistOrder(playlist: Playlist, seed: number): string[] {
  const items = Array.isArray(playlist.items) ? playlist.items : [];
  if (playlist.mode !== "shuffled") return items;
  let bySeed = playlistOrders.get(playlist);
  if (bySeed === undefined) playlistOrders.set(playlist, (bySeed = new Map()));
  let order = bySeed.get(seed);
  if (order === undefined)
    bySeed.set(
      seed,
      (order = new Prng(deriveSeed(seed, `playlist:${playlist.id}`)).shuffle([...items])),
    );
  return order;
}

/**
 * Fill from the cursor towards `end` (epoch ms) with the playlist `slot`
 * names, in its play order, resuming where it last stopped. Without
 * `hardEnd` it stops within the tolerance of `end` and never starts an item
 * that would overrun by more than the time left; with it the last item may
 * run past `end`. Unknown playlists and media are reported and skipped.
 */
export function fillFromPlaylist(
  state: BuildState,
  slot: ClockSlot,
  end: number,
  hardEnd: boolean,
  source: SourceBase,
  clockId: string,
): void {
  const { ctx, track, log } = state;
  const playlist = slot.refId === undefined ? undefined : ctx.playlists.get(slot.refId);
  if (playlist === undefined) {
    log.unknown(
      "unknown_playlist",
      `playlist ${JSON.stringify(slot.refId)} named by slot ${slot.id} of clock ${clockId} does not exist`,
      { clockId, slotId: slot.id, playlistId: String(slot.refId) },
    );
    return;
  }
  const items = playlistOrder(playlist, ctx.seed)
    .map((id) => {
      const playable = ctx.library.get(id);
      if (playable === undefined)
        log.unknown(
          "unknown_media",
          `playlist ${playlist.id} names media ${id}, which is not in the library (or not playable)`,
          { playlistId: playlist.id, mediaId: id },
        );
      return playable;
    })
    .filter((p): p is PlayableItem => p !== undefined);
  if (items.length === 0) return;
  let pos = (state.playlistPos.get(playlist.id) ?? 0) % items.length;
  for (let added = 0; added < MAX_ITEMS_PER_FILL; added++) {
    const remaining = end - track.softStart();
    if (remaining <= 0 || (!hardEnd && remaining <= ctx.toleranceMs)) break;
    const item = items[pos]!;
    if (!hardEnd && item.lengthMs - remaining > remaining) break;
    track.appendMedia(
      item,
      "media",
      { ...source, playlistId: playlist.id, rule: "playlist" },
      AUTOMATION,
    );
    pos = (pos + 1) % items.length;
  }
  state.playlistPos.set(playlist.id, pos);
}
