import type { Clock, ClockSlot, MediaItem } from "@grimnir/core";
import { compareIds } from "./media-filter.js";
import { rotationKeys } from "./rotation-rules.js";
import type { PlayableItem, PreparedLibrary } from "./smart-block.js";
import type { Diagnostic } from "./types.js";

const HOUR_MS = 3_600_000;

/** Items sorted by id with duplicates (same id) dropped; order of the input never matters. */
export function byIdUnique<T extends { id: string }>(
  items: unknown,
  kind: string,
  diagnostics: Diagnostic[],
): T[] {
  if (!Array.isArray(items)) return [];
  const valid = items.filter(
    (x): x is T => typeof x === "object" && x !== null && typeof (x as T).id === "string",
  );
  if (valid.length < items.length) {
    diagnostics.push({
      code: "unknown_media",
      severity: "warning",
      message: `${items.length - valid.length} ${kind} entr${items.length - valid.length === 1 ? "y has" : "ies have"} no string id and are ignored`,
      refs: { kind },
    });
  }
  const sorted = [...valid].sort((a, b) => compareIds(a.id, b.id));
  const unique: T[] = [];
  for (const item of sorted) {
    if (unique.length > 0 && unique[unique.length - 1]!.id === item.id) continue;
    unique.push(item);
  }
  return unique;
}

/**
 * Playable items of the library keyed by id, with effective cue points: a
 * missing or inverted cue-out falls back to the file duration. Items with no
 * audible length are left out and reported once.
 */
export function playableLibrary(library: MediaItem[], diagnostics: Diagnostic[]): PlayableItem[] {
  const playable: PlayableItem[] = [];
  const rejected: string[] = [];
  for (const item of library) {
    const cueInMs = Number.isFinite(item.cueInMs) && item.cueInMs >= 0 ? item.cueInMs : 0;
    let cueOutMs =
      Number.isFinite(item.cueOutMs) && item.cueOutMs > cueInMs ? item.cueOutMs : item.durationMs;
    if (!Number.isFinite(cueOutMs)) cueOutMs = 0;
    const lengthMs = cueOutMs - cueInMs;
    if (lengthMs > 0) {
      const normalised = {
        ...item,
        tags: Array.isArray(item.tags) ? item.tags : [],
        fields: item.fields ?? {},
      };
      playable.push({
        item: normalised,
        cueInMs,
        cueOutMs,
        lengthMs,
        keys: rotationKeys({ ...item, mediaId: item.id }),
      });
    } else rejected.push(item.id);
  }
  if (rejected.length > 0) {
    diagnostics.push({
      code: "unplayable_media",
      severity: "warning",
      message: `${rejected.length} media item(s) have no audible length (cueOutMs ≤ cueInMs and no durationMs) and are never planned, e.g. ${rejected.slice(0, 5).join(", ")}`,
      refs: { mediaId: rejected[0]! },
    });
  }
  return playable;
}

/**
 * The usable slots of a clock, ordered by offset (configured order within an offset). Slots outside
 * 0 ≤ offset < 1 h are dropped; durations past the hour or into the next slot
 * are reported (the next slot or the hour end bounds them when planning).
 */
export function usableSlots(clock: Clock, diagnostics: Diagnostic[]): ClockSlot[] {
  const slots = (Array.isArray(clock.slots) ? clock.slots : []).filter((slot) => {
    const ok =
      typeof slot === "object" &&
      slot !== null &&
      Number.isInteger(slot.offsetMs) &&
      slot.offsetMs >= 0 &&
      slot.offsetMs < HOUR_MS;
    if (!ok) {
      diagnostics.push({
        code: "clock_slot_out_of_range",
        severity: "warning",
        message: `slot ${JSON.stringify(slot?.id)} of clock ${clock.id} has offsetMs ${JSON.stringify(slot?.offsetMs)}; expected an integer in 0..3599999 (within the hour); the slot is ignored`,
        refs: { clockId: clock.id, slotId: String(slot?.id) },
      });
    }
    return ok;
  });
  // stable: slots at the same offset keep their configured order
  slots.sort((a, b) => a.offsetMs - b.offsetMs);
  slots.forEach((slot, i) => {
    const end = slot.durationMs !== undefined ? slot.offsetMs + slot.durationMs : undefined;
    const next = slots[i + 1];
    if (end !== undefined && end > HOUR_MS) {
      diagnostics.push({
        code: "clock_slot_out_of_range",
        severity: "warning",
        message: `slot ${slot.id} of clock ${clock.id} runs ${Math.round((end - HOUR_MS) / 1000)} s past the end of the hour; it is cut at the hour`,
        refs: { clockId: clock.id, slotId: slot.id },
      });
    } else if (end !== undefined && next !== undefined && end > next.offsetMs) {
      diagnostics.push({
        code: "clock_slot_overlap",
        severity: "warning",
        message: `slot ${slot.id} of clock ${clock.id} runs ${Math.round((end - next.offsetMs) / 1000)} s into slot ${next.id}; it is cut where ${next.id} starts`,
        refs: { clockId: clock.id, slotId: slot.id, otherSlotId: next.id },
      });
    }
  });
  return slots;
}

const prepared = new WeakMap<object, PreparedLibrary>();

/**
 * Prepare a library array for planning, once: the result (playable items,
 * cached candidate pools) is remembered for that array object, so re-planning
 * the same snapshot skips the O(library) work. Treat a library array as
 * immutable once planned; pass a new array for a changed library.
 */
export function prepareLibrary(library: unknown): PreparedLibrary {
  const key = Array.isArray(library) ? library : undefined;
  const cached = key === undefined ? undefined : prepared.get(key);
  if (cached !== undefined) return cached;
  const diagnostics: Diagnostic[] = [];
  const items = playableLibrary(
    byIdUnique<MediaItem>(library, "library", diagnostics),
    diagnostics,
  );
  const result: PreparedLibrary = {
    items,
    byId: new Map(items.map((p) => [p.item.id, p])),
    diagnostics,
    pools: new Map(),
  };
  if (key !== undefined) prepared.set(key, result);
  return result;
}
