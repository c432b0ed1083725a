import type { Clock, ClockSlot } from "@grimnir/core";
import { fillFromBlock, lookupBlock } from "./block-fill.js";
import {
  AUTOMATION,
  LIVE_SCHEDULED,
  type BuildState,
  type BuilderContext,
  type SourceBase,
} from "./build-state.js";
import { BuilderDiagnostics, formatSeconds } from "./builder-diagnostics.js";
import { playEventSlot } from "./event-slots.js";
import { alignHard } from "./hard-alignment.js";
import { fillFromPlaylist } from "./playlist-fill.js";
import { Prng, deriveSeed } from "./prng.js";
import { TimelineTrack } from "./timeline-track.js";
import type { Diagnostic, EntrySource, TimelineEntry } from "./types.js";
import { formatLocal, type LocalHour } from "./zone.js";

export type { BuilderContext } from "./build-state.js";
export { playlistOrder } from "./playlist-fill.js";

/** Fade applied when a hard event cuts what plays and the slot names none, ms. */
const DEFAULT_CUT_FADE_MS = 500;

/**
 * Appends timeline entries hour by hour, expanding each hour's clock slots,
 * tracking the cursor (end of the last entry), hard alignments and rotation
 * state. Every loop is bounded.
 */
export class TimelineBuilder {
  readonly #state: BuildState;
  /** The earliest instant new entries may start: the end of the frozen part. */
  #floor = -Infinity;

  /** A builder continuing after `frozen`, with the cursor at `cursor` (epoch ms). */
  constructor(ctx: BuilderContext, frozen: TimelineEntry[], cursor: number) {
    this.#state = {
      ctx,
      track: new TimelineTrack(frozen, cursor, ctx.crossfadeMs, (p, startsAt) => {
        ctx.rotation.recordKeys(p.keys, startsAt);
        ctx.picker.notePlanned(p.item.id, startsAt);
      }),
      log: new BuilderDiagnostics(ctx.zone, ctx.diagnostics),
      prng: new Prng(ctx.seed),
      lastBlock: undefined,
      playlistPos: new Map(),
    };
  }

  /** The frozen entries, then everything planned, in order. */
  get entries(): TimelineEntry[] {
    return this.#state.track.entries;
  }

  /** End of the last entry, epoch ms: where the next soft item starts (less any crossfade). */
  get cursor(): number {
    return this.#state.track.cursor;
  }

  /** Diagnostics for relaxed rules, one per hour, block and rule set, with counts. */
  relaxationDiagnostics(): Diagnostic[] {
    return this.#state.log.relaxationDiagnostics();
  }

  /** Start position for a playlist, continuing after its last item in `history`. */
  seedPlaylistPosition(playlistId: string, position: number): void {
    this.#state.playlistPos.set(playlistId, position);
  }

  /** Set the earliest instant new entries may start, epoch ms. */
  setFloor(at: number): void {
    this.#floor = at;
  }

  /** Add a silence entry up to `until` (epoch ms): nothing could be planned there. */
  fillSilence(until: number, source: EntrySource): void {
    this.#state.track.appendSilence(until, source, AUTOMATION);
  }

  /**
   * Plan one local hour from `clock`. `endsHard` says the next hour opens
   * with a hard event, so the last slot fills up to the hour exactly.
   * Returns the hour's under- and over-fill, ms.
   */
  expandHour(
    hour: LocalHour,
    clock: Clock,
    slots: ClockSlot[],
    meta: { showId?: string; overrideId?: string; live?: boolean },
    endsHard: boolean,
  ): { underfillMs: number; overfillMs: number } {
    const state = this.#state;
    const { track, ctx, log } = state;
    state.prng = new Prng(deriveSeed(ctx.seed, `hour:${hour.startsAt}`));
    const base: SourceBase = {
      ...(meta.showId ? { showId: meta.showId } : {}),
      ...(meta.overrideId ? { overrideId: meta.overrideId } : {}),
      clockId: clock.id,
    };
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const at = hour.startsAt + slot.offsetMs;
      if (at >= hour.endsAt) continue;
      const next = slots[i + 1];
      const nextAt =
        next === undefined ? hour.endsAt : Math.min(hour.endsAt, hour.startsAt + next.offsetMs);
      const slotEnd =
        slot.durationMs !== undefined && slot.durationMs > 0
          ? Math.min(nextAt, at + slot.durationMs)
          : nextAt;
      const endHard = next === undefined ? endsHard : isHard(next) && slotEnd === nextAt;
      const hard = isHard(slot);
      const source: SourceBase = { ...base, slotId: slot.id };
      if (at < this.#floor) {
        // Already past (window start or frozen horizon): only fills still have time left.
        if (!isFill(slot) || slotEnd <= track.cursor) continue;
      } else if (hard) {
        alignHard(state, at, slot.fadeMs ?? DEFAULT_CUT_FADE_MS, source);
      } else if (!isFill(slot) && track.cursor - at > ctx.toleranceMs) {
        log.report(`late:${at}:${slot.id}`, {
          code: "soft_event_late",
          severity: "info",
          message: `soft ${slot.kind} ${slot.id} of clock ${clock.id} starts ${formatSeconds(track.cursor - at)} s after ${formatLocal(at, ctx.zone)} because the item before it runs long`,
          at,
          refs: { clockId: clock.id, slotId: slot.id },
        });
      }
      const timing = hard ? "hard" : "soft";
      switch (slot.kind) {
        case "smart_block": {
          const block = lookupBlock(state, slot.refId, clock.id, slot.id);
          if (block)
            fillFromBlock(
              state,
              block,
              slotEnd,
              endHard,
              { ...source, smartBlockId: block.id },
              { live: meta.live === true },
            );
          break;
        }
        case "playlist":
          fillFromPlaylist(state, slot, slotEnd, endHard, source, clock.id);
          break;
        case "stopset":
        case "hard_event":
          playEventSlot(state, slot, source, clock.id, timing, at);
          break;
        case "webstream":
        case "live": {
          const startsAt = hard ? at : track.cursor;
          if (startsAt < slotEnd) {
            track.push({
              id: "",
              startsAt,
              endsAt: slotEnd,
              kind: slot.kind,
              ...(slot.kind === "webstream" && slot.refId ? { webstreamId: slot.refId } : {}),
              timing,
              priority: slot.kind === "live" ? LIVE_SCHEDULED : AUTOMATION,
              source: { ...source, rule: slot.kind },
            });
          }
          break;
        }
        default:
          log.report(`kind:${clock.id}:${slot.id}`, {
            code: "clock_slot_out_of_range",
            severity: "warning",
            message: `slot ${slot.id} of clock ${clock.id} has unknown kind ${JSON.stringify(slot.kind)}; expected smart_block, playlist, stopset, webstream, live or hard_event`,
            refs: { clockId: clock.id, slotId: String(slot.id) },
          });
      }
    }
    return {
      underfillMs: Math.max(0, hour.endsAt - track.cursor),
      overfillMs: Math.max(0, track.cursor - hour.endsAt),
    };
  }
}

/** Hard events default to hard timing; other slots are hard only when marked so. */
export function isHard(slot: ClockSlot): boolean {
  return slot.timing === "hard" || (slot.kind === "hard_event" && slot.timing !== "soft");
}

/** Slots that fill time up to their end, as opposed to events of fixed items. */
function isFill(slot: ClockSlot): boolean {
  return (
    slot.kind === "smart_block" ||
    slot.kind === "playlist" ||
    slot.kind === "webstream" ||
    slot.kind === "live"
  );
}
