import type { StationScoped } from "./entity.js";

/** What a clock slot plays. */
export type ClockSlotKind =
  "smart_block" | "playlist" | "stopset" | "webstream" | "live" | "hard_event";

/** Hard events cut (with a short fade) what plays; soft ones wait for it to end. */
export type EventTiming = "hard" | "soft";

/** One part of an hour template. */
export interface ClockSlot {
  /** Stable id within the clock. */
  id: string;
  kind: ClockSlotKind;
  /** Offset from the top of the hour where the slot starts, ms (0..3_599_999). */
  offsetMs: number;
  /** Planned length, ms; the next slot's offset bounds it when omitted. */
  durationMs?: number;
  /** Smart block, playlist, webstream or media id the slot refers to. */
  refId?: string;
  /** For stopsets: the media ids played back to back. */
  mediaIds?: string[];
  /** For hard events and stopsets: hard cuts in, soft waits for the current item. */
  timing?: EventTiming;
  /** Fade applied when a hard event cuts in, ms. */
  fadeMs?: number;
}

/** An hour template: ordered slots from :00 to :59. */
export interface Clock extends StationScoped {
  name: string;
  slots: ClockSlot[];
  description?: string;
}
