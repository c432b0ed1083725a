import type {
  Clock,
  MediaItem,
  Override,
  PlayHistory,
  Playlist,
  ScheduleEntryKind,
  Show,
  SmartBlock,
  Station,
} from "@grimnir/core";

/**
 * Which clock plays in an hour when no show or override claims it.
 * Resolution order: `byHourOfWeek`, then `byHourOfDay`, then `defaultClockId`.
 */
export interface ClockAssignment {
  /** 168 clock ids (or null), index = local weekday × 24 + local hour, Monday 00:00 = 0. */
  byHourOfWeek?: (string | null)[];
  /** 24 clock ids (or null), index = local hour of day. */
  byHourOfDay?: (string | null)[];
}

/**
 * Everything the planner reads: a snapshot of one station's rules, library and
 * history. Plain data (JSON-serialisable); the planner never mutates it.
 */
export interface PlanInput {
  /** The station; only `id` and `timezone` (IANA) are read. */
  station: Pick<Station, "id" | "timezone"> & Partial<Station>;
  clocks: Clock[];
  smartBlocks: SmartBlock[];
  playlists: Playlist[];
  shows: Show[];
  overrides: Override[];
  /** Clock used for hours nothing else claims. */
  defaultClockId?: string;
  /** Per-hour clock choice; see {@link ClockAssignment}. */
  clockAssignment?: ClockAssignment;
  /** Media available to play. */
  library: MediaItem[];
  /** What already went on air; feeds rotation rules and playlist positions. */
  history: PlayHistory[];
  /** Crossfade between consecutive soft media items, ms (default 0 = gapless). */
  crossfadeMs?: number;
}

/** The minimum of an earlier timeline entry the planner needs to keep it frozen. */
export type PreviousEntry = Pick<TimelineEntry, "startsAt" | "endsAt" | "kind"> &
  Partial<TimelineEntry>;

/** Options of one planning run. */
export interface PlanOptions {
  /** Window start, epoch ms. */
  from: number;
  /** Window length in real (elapsed) hours; default 48. */
  hours?: number;
  /** Seed of every random choice; same seed and inputs → identical output. */
  seed: number;
  /**
   * Entries of `previous` starting before this instant (epoch ms) are kept
   * unchanged; default `from` + 15 minutes.
   */
  frozenUntil?: number;
  /** The previously published timeline, for the frozen horizon. */
  previous?: PreviousEntry[];
  /** How far an hour may end early or late before it is reported as under/over-filled, ms (default 30 000). */
  toleranceMs?: number;
}

/** Why an entry is on the timeline: which rules produced it. */
export interface EntrySource {
  showId?: string;
  overrideId?: string;
  clockId?: string;
  slotId?: string;
  smartBlockId?: string;
  playlistId?: string;
  /**
   * The rule that chose it: "random", "least_recently_played", "weighted",
   * "field", "quota:<name>", "filler", "playlist", "stopset", "hard_event",
   * "webstream", "live", "frozen", "unfilled".
   */
  rule: string;
}

/** One item of the planned timeline. Times are epoch ms; `endsAt` is exclusive. */
export interface TimelineEntry {
  /** Deterministic id: derived from start time and content, stable across identical runs. */
  id: string;
  /** Planned start, epoch ms. */
  startsAt: number;
  /** Planned end, epoch ms (exclusive); overlaps the next entry by its crossfade. */
  endsAt: number;
  kind: ScheduleEntryKind;
  mediaId?: string;
  webstreamId?: string;
  title?: string;
  artist?: string;
  album?: string;
  /** Where playback starts in the file, ms. */
  cueInMs?: number;
  /** Where playback stops in the file, ms (earlier than the item's cue-out when trimmed). */
  cueOutMs?: number;
  /** Fade in at the start, ms. */
  fadeInMs?: number;
  /** Fade out at the end, ms. */
  fadeOutMs?: number;
  /** How long this entry overlaps the next one, ms. */
  crossfadeMs?: number;
  /** Hard entries must start exactly at `startsAt`; soft ones follow the previous item. */
  timing: "hard" | "soft";
  /** Priority tier (see core `Priority`): 2 for live shows, 3 for automation. */
  priority: number;
  /** Rotation rules relaxed to choose this entry, in relaxation order. */
  relaxed?: string[];
  source: EntrySource;
}

/** One planned local hour of the window. */
export interface PlannedHour {
  /** Top of the local hour, epoch ms. */
  startsAt: number;
  /** Top of the next local hour, epoch ms. */
  endsAt: number;
  /** Local wall time of the hour start with offset, ISO-8601 ("2026-03-08T03:00:00-04:00"). */
  local: string;
  clockId?: string;
  showId?: string;
  overrideId?: string;
  /** Time the hour's content fell short of the hour, ms (0 when full). */
  underfillMs: number;
  /** Time the hour's content ran past the hour, ms. */
  overfillMs: number;
}

/** How serious a diagnostic is: errors mean something will not air as configured. */
export type DiagnosticSeverity = "info" | "warning" | "error";

/** Stable codes of planner diagnostics. */
export type DiagnosticCode =
  | "invalid_zone"
  | "invalid_window"
  | "invalid_rrule"
  | "unknown_clock"
  | "unknown_smart_block"
  | "unknown_playlist"
  | "unknown_media"
  | "no_clock"
  | "empty_library"
  | "unplayable_media"
  | "block_empty"
  | "clock_slot_out_of_range"
  | "clock_slot_overlap"
  | "show_overlap"
  | "show_not_hour_aligned"
  | "rule_relaxed"
  | "quota_unmet"
  | "hour_underfilled"
  | "hour_overfilled"
  | "hard_event_cut"
  | "soft_event_late"
  | "frozen_conflict"
  | "internal_error";

/** A finding about the plan: explains relaxations, gaps and bad references. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: DiagnosticSeverity;
  /** Human-readable explanation naming the offending object and what was expected. */
  message: string;
  /** Instant it concerns, epoch ms, when it concerns one. */
  at?: number;
  /** Ids of the objects involved (clockId, slotId, smartBlockId, showId, mediaId…). */
  refs: Record<string, string>;
}

/** The planner's output. */
export interface PlanResult {
  /** Window start, epoch ms. */
  from: number;
  /** Window end, epoch ms (exclusive). */
  to: number;
  /** Zone actually used (UTC when the station zone is invalid). */
  timezone: string;
  /** Timeline entries ordered by `startsAt` then id. */
  entries: TimelineEntry[];
  /** Local hours of the window, in order. */
  hours: PlannedHour[];
  /** Findings ordered by time, code and message. */
  diagnostics: Diagnostic[];
}
