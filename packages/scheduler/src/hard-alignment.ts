import { fillFromBlock } from "./block-fill.js";
import { AUTOMATION, type BuildState, type SourceBase } from "./build-state.js";
import { formatSeconds } from "./builder-diagnostics.js";
import { formatLocal } from "./zone.js";

/**
 * Bring the cursor exactly to `at` (epoch ms) for a hard event: cut what
 * overruns (fading by `fadeMs`); top up a gap longer than the tolerance from
 * the last smart block, and mark what still remains as silence.
 */
export function alignHard(state: BuildState, at: number, fadeMs: number, source: SourceBase): void {
  const { track, ctx } = state;
  if (track.cursor > at) {
    cutAt(state, at, fadeMs, source);
  } else if (at - track.cursor > ctx.toleranceMs && state.lastBlock !== undefined) {
    const { block, source: blockSource } = state.lastBlock;
    fillFromBlock(state, block, at, true, blockSource, { ignoreLimit: true, depth: 1 });
    if (track.cursor > at) cutAt(state, at, fadeMs, source);
  }
  // Gaps within tolerance stay open (the previous item's tail covers them); longer ones are marked silent.
  if (at - track.cursor > ctx.toleranceMs)
    track.appendSilence(at, { ...source, rule: "unfilled" }, AUTOMATION);
  track.cursor = at;
}

/** Cut the track back to `at` and report a cut longer than the tolerance or dropped items. */
function cutAt(state: BuildState, at: number, fadeMs: number, source: SourceBase): void {
  const { removed, last, cutMs } = state.track.cutBack(at, fadeMs);
  if (last === undefined || cutMs === undefined) return;
  if (cutMs > state.ctx.toleranceMs || removed > 0) {
    state.log.report(`cut:${at}`, {
      code: "hard_event_cut",
      severity: "info",
      message: `hard event at ${formatLocal(at, state.ctx.zone)} cuts ${formatSeconds(cutMs)} s of ${last.mediaId ?? last.kind}${removed > 0 ? ` and drops ${removed} later item(s)` : ""}`,
      at,
      refs: {
        ...(source.clockId ? { clockId: source.clockId } : {}),
        ...(source.slotId ? { slotId: source.slotId } : {}),
        ...(last.mediaId ? { mediaId: last.mediaId } : {}),
      },
    });
  }
}
