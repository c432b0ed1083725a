import type { ClockSlot } from "@grimnir/core";
import { lookupBlock } from "./block-fill.js";
import { AUTOMATION, type BuildState, type SourceBase } from "./build-state.js";
import type { PlayableItem } from "./smart-block.js";

/**
 * Play a stopset or hard-event slot: its listed media in order, else the one
 * media item or smart block its `refId` names (a block gives as many picks as
 * its count limit, 1–50, else one). The first item starts at `at` (epoch ms)
 * when `timing` is hard, the rest follow; unknown media are reported.
 */
export function playEventSlot(
  state: BuildState,
  slot: ClockSlot,
  source: SourceBase,
  clockId: string,
  timing: "hard" | "soft",
  at: number,
): void {
  const { ctx, track, log } = state;
  const kind = slot.kind === "stopset" ? "stopset" : "media";
  const rule = slot.kind === "stopset" ? "stopset" : "hard_event";
  const ids = slot.mediaIds && slot.mediaIds.length > 0 ? slot.mediaIds : [];
  const items: Array<{ playable: PlayableItem; smartBlockId?: string }> = [];
  for (const id of ids) {
    const playable = ctx.library.get(id);
    if (playable) items.push({ playable });
    else
      log.unknown(
        "unknown_media",
        `slot ${slot.id} of clock ${clockId} names media ${id}, which is not in the library (or not playable)`,
        { clockId, slotId: slot.id, mediaId: id },
      );
  }
  if (ids.length === 0 && slot.refId !== undefined) {
    const direct = ctx.library.get(slot.refId);
    const block = direct ? undefined : lookupBlock(state, slot.refId, clockId, slot.id);
    if (direct) items.push({ playable: direct });
    else if (block) {
      const count =
        block.limit?.kind === "count" ? Math.max(1, Math.min(block.limit.count, 50)) : 1;
      for (let i = 0; i < count; i++) {
        const pick = ctx.picker.pick(block, track.cursor, state.prng);
        if (pick === undefined) break;
        items.push({ playable: pick.playable, smartBlockId: block.id });
        // record now so the next pick of this stopset sees it
        ctx.rotation.recordKeys(pick.playable.keys, track.cursor);
      }
    }
  }
  items.forEach(({ playable, smartBlockId }, index) => {
    const entry = track.appendMedia(
      playable,
      kind,
      { ...source, ...(smartBlockId ? { smartBlockId } : {}), rule },
      AUTOMATION,
      index === 0 && timing === "hard" ? at : undefined,
    );
    if (index === 0) entry.timing = timing;
  });
}
