import type { SmartBlock } from "@grimnir/core";
import {
  AUTOMATION,
  LIVE_SCHEDULED,
  MAX_ITEMS_PER_FILL,
  type BuildState,
  type SourceBase,
} from "./build-state.js";
import { matchesMediaFilters } from "./media-filter.js";

/** How {@link fillFromBlock} treats its block. */
export interface BlockFillOptions {
  /** Entries get the live-scheduled priority (a live show's clock). */
  live?: boolean;
  /** Fill to the end regardless of the block's own duration or count limit. */
  ignoreLimit?: boolean;
  /** 0 for the slot's own block; 1 for a filler or top-up (rule "filler", no further filler). */
  depth?: number;
}

/**
 * The smart block `id` names, or undefined after reporting that the slot
 * `slotId` of clock `clockId` names no such block.
 */
export function lookupBlock(
  state: BuildState,
  id: string | undefined,
  clockId: string,
  slotId: string,
): SmartBlock | undefined {
  const block = id === undefined ? undefined : state.ctx.smartBlocks.get(id);
  if (block === undefined) {
    state.log.unknown(
      "unknown_smart_block",
      `smart block ${JSON.stringify(id)} named by slot ${slotId} of clock ${clockId} does not exist; the slot stays empty`,
      { clockId, slotId, smartBlockId: String(id) },
    );
  }
  return block;
}

/**
 * Fill from the cursor towards `end` (epoch ms) with `block`, honouring its
 * limit, quotas, rotation rules (relaxed in order when needed) and fill rule
 * (trim or fade the last item at the limit, or top up from a filler block).
 * With `hardEnd` the last item may run past `end` (a hard event cuts it).
 * Adds at most {@link MAX_ITEMS_PER_FILL} items.
 */
export function fillFromBlock(
  state: BuildState,
  block: SmartBlock,
  end: number,
  hardEnd: boolean,
  source: SourceBase,
  options: BlockFillOptions = {},
): void {
  const { ctx, track, log } = state;
  const depth = options.depth ?? 0;
  const limit = block.limit;
  const tolerance =
    limit?.kind === "duration" && limit.toleranceMs >= 0 ? limit.toleranceMs : ctx.toleranceMs;
  const startCursor = track.cursor;
  let target = end;
  let maxCount = Infinity;
  if (!options.ignoreLimit && limit?.kind === "duration" && limit.durationMs > 0)
    target = Math.min(end, startCursor + limit.durationMs);
  if (!options.ignoreLimit && limit?.kind === "count")
    maxCount = Math.max(0, Math.floor(limit.count));
  const quotas = (block.quotas ?? []).filter((q) => q.percent > 0);
  const matched = quotas.map(() => 0);
  let quotaMissed = false;
  let count = 0;
  state.lastBlock = { block, source };
  const fill = block.fill ?? { kind: "none" };
  while (count < maxCount && count < MAX_ITEMS_PER_FILL) {
    const remaining = target - track.softStart();
    if (remaining <= 0) break;
    const stopHard = hardEnd && target === end;
    // A gap within tolerance is closer to right than cutting a fresh item; a filler block may close it.
    if (remaining <= tolerance) break;
    const at = track.softStart();
    let pick;
    let rule: string = block.sort?.by ?? "random";
    const quotaIndex = quotas.findIndex((q, i) => matched[i]! < (q.percent / 100) * (count + 1));
    if (quotaIndex >= 0) {
      pick = ctx.picker.pick(block, at, state.prng, {
        remainingMs: remaining,
        toleranceMs: tolerance,
        extraFilters: quotas[quotaIndex]!.filters,
        strict: true,
      });
      if (pick && pick.level === 0 && pick.fits) rule = `quota:${quotas[quotaIndex]!.name}`;
      else {
        pick = undefined;
        quotaMissed = true;
      }
    }
    pick ??= ctx.picker.pick(block, at, state.prng, {
      remainingMs: remaining,
      toleranceMs: tolerance,
    });
    if (pick === undefined) {
      log.report(`empty:${block.id}`, {
        code: "block_empty",
        severity: "error",
        message: `smart block ${block.id} matches no playable media; its slots stay empty (check its filters and the library)`,
        at,
        refs: { smartBlockId: block.id },
      });
      break;
    }
    const overrun = pick.playable.lengthMs - remaining;
    const cuts = fill.kind === "trim" || fill.kind === "fade";
    if (!stopHard && pick.overlong && !cuts && overrun > remaining) break;
    if (depth > 0) rule = "filler";
    // judge the relaxation before the pick itself is recorded
    const broken =
      pick.level > 0 ? ctx.rotation.brokenRules(pick.playable.keys, at, block.rotation ?? {}) : [];
    const entry = track.appendMedia(
      pick.playable,
      "media",
      { ...source, rule },
      options.live ? LIVE_SCHEDULED : AUTOMATION,
    );
    if (broken.length > 0) {
      entry.relaxed = broken;
      log.noteRelaxation(block, broken, entry.startsAt);
    }
    quotas.forEach((q, i) => {
      if (matchesMediaFilters(pick.playable.item, q.filters)) matched[i]!++;
    });
    count++;
    if (!stopHard && cuts && entry.endsAt > target) {
      track.truncate(entry, target, fill.kind === "fade" ? fill.fadeMs : undefined);
    }
  }
  if (quotaMissed && count > 0) {
    quotas.forEach((q, i) => {
      if (matched[i]! < Math.floor((q.percent / 100) * count + 1e-9)) {
        log.report(`quota:${block.id}:${q.name}:${Math.floor(startCursor / 3_600_000)}`, {
          code: "quota_unmet",
          severity: "warning",
          message: `smart block ${block.id} quota "${q.name}" wants ${q.percent} % but got ${Math.round((100 * matched[i]!) / count)} % (${matched[i]} of ${count}): not enough matching media free of rotation rules`,
          at: startCursor,
          refs: { smartBlockId: block.id, quota: q.name },
        });
      }
    });
  }
  if (fill.kind === "filler" && depth === 0 && end - track.cursor > (hardEnd ? 0 : tolerance)) {
    const filler = lookupBlock(state, fill.smartBlockId, source.clockId ?? "", source.slotId ?? "");
    if (filler && filler.id !== block.id) {
      fillFromBlock(
        state,
        filler,
        end,
        hardEnd,
        { ...source, smartBlockId: filler.id },
        { ...options, depth: 1 },
      );
      state.lastBlock = { block, source };
    }
  }
}
