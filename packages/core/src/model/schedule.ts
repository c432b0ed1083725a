import type { StationScoped } from "./entity.js";

/** What a timeline item plays. */
export type ScheduleEntryKind = "media" | "webstream" | "live" | "stopset" | "silence";

/** One item of the planned timeline. */
export interface ScheduleEntry extends StationScoped {
  /** Planned start, epoch ms. */
  startsAt: number;
  /** Planned end, epoch ms (exclusive). */
  endsAt: number;
  kind: ScheduleEntryKind;
  /** Media id for "media" entries, webstream id for "webstream". */
  mediaId?: string;
  webstreamId?: string;
  /** Hard entries start exactly at `startsAt`; soft ones after the previous item ends. */
  timing: "hard" | "soft";
  /** Fade in / out applied at the transition, ms. */
  fadeInMs?: number;
  fadeOutMs?: number;
  /** Where it came from: show, clock, slot, smart block — for explaining the plan. */
  source: {
    showId?: string;
    overrideId?: string;
    clockId?: string;
    slotId?: string;
    smartBlockId?: string;
    playlistId?: string;
  };
  /** Metadata shown as now playing. */
  title?: string;
  artist?: string;
}

/** A record of something that actually went on air. */
export interface PlayHistory extends StationScoped {
  mediaId?: string;
  title?: string;
  artist?: string;
  album?: string;
  /** When it started on air, epoch ms. */
  startedAt: number;
  /** When it left the air, epoch ms; absent while playing. */
  endedAt?: number;
  /** Priority tier it played at. */
  priority: number;
  /** Schedule entry it realised, if any. */
  scheduleEntryId?: string;
}
