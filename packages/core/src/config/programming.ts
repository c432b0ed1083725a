import type { StationScoped } from "../model/entity.js";
import type { Clock, ClockSlot, ClockSlotKind, EventTiming } from "../model/clock.js";
import type { Override, Show } from "../model/show.js";
import type { Playlist } from "../model/playlist.js";
import type {
  FillRule,
  MediaField,
  MediaFilter,
  SmartBlock,
  SmartBlockLimit,
  SmartBlockSort,
} from "../model/smart-block.js";
import { WEEKDAY_KEYS } from "./programming-schema.js";
import { instant, parseMinutesSeconds, records, ruleHours } from "./programming-values.js";
import type { Raw } from "./programming-values.js";

export { parseMinutesSeconds };

/** A stored record as a configuration file declares it: no station id, version or timestamps. */
export type Configured<T extends StationScoped> = Omit<
  T,
  "version" | "createdAt" | "updatedAt" | "stationId"
>;

/** A clock (hour template) from the station file; slot offsets and durations in ms. */
export type ClockConfig = Configured<Clock>;
/** A smart block from the station file, in the domain's {@link SmartBlock} shape. */
export type SmartBlockConfig = Configured<SmartBlock>;
/** A playlist from the station file. */
export type PlaylistConfig = Configured<Playlist>;
/** A show from the station file; `durationMs` in ms, `startLocal` "YYYY-MM-DDTHH:mm:ss". */
export type ShowConfig = Configured<Show>;
/** An override from the station file; `startsAt` / `endsAt` epoch ms. */
export type OverrideConfig = Configured<Override>;

/** A relayed stream from the station file. */
export interface WebstreamConfig {
  /** Unique among webstreams. */
  id: string;
  /** Display name (the id when the file gives none). */
  name: string;
  /** Primary URL first, then backups. */
  urls: string[];
  /** Audio buffered before play, ms. */
  bufferMs: number;
  /** Pass the stream's ICY title through as now playing. */
  metadataPassthrough: boolean;
}

/**
 * The `clock_assignment` section resolved to per-hour tables (the shape the
 * planner reads). Resolution: `byHourOfWeek`, then `byHourOfDay`, then `defaultClockId`.
 */
export interface ClockAssignmentConfig {
  /** Clock of hours no rule names. */
  defaultClockId?: string;
  /** 24 entries, index = local hour; null where no rule applies. Absent when the file has no rules. */
  byHourOfDay?: (string | null)[];
  /** 168 entries, index = local weekday (Monday 0) × 24 + local hour; null where no rule applies. */
  byHourOfWeek?: (string | null)[];
}

/** The `planner` section, camelCased, defaults filled in. */
export interface PlannerConfig {
  /** Seed of every random choice. */
  seed: number;
  /** Rolling window length, hours. */
  hours: number;
  /** Frozen horizon, minutes. */
  frozenMinutes: number;
  /** Overlap between consecutive soft items, ms (the station crossfade when the file omits it). */
  crossfadeMs: number;
  /** Under/over-fill tolerance of an hour, s. */
  toleranceSec: number;
}

/** The planning sections of a station file, camelCased, ids resolved and checked. */
export interface ProgrammingConfig {
  clocks: ClockConfig[];
  smartBlocks: SmartBlockConfig[];
  playlists: PlaylistConfig[];
  shows: ShowConfig[];
  overrides: OverrideConfig[];
  clockAssignment: ClockAssignmentConfig;
  webstreams: WebstreamConfig[];
  planner: PlannerConfig;
}

const FIELD_NAMES: Record<string, MediaField> = { duration_ms: "durationMs", added_at: "addedAt" };

function mediaField(field: unknown): MediaField {
  const name = String(field);
  return FIELD_NAMES[name] ?? (name as MediaField);
}

function toFilter(raw: Raw): MediaFilter {
  const field = mediaField(raw.field);
  switch (raw.op) {
    case "equals":
    case "not_equals":
      return { field, op: raw.op, value: raw.value as string | number | boolean };
    case "contains":
    case "not_contains":
      return { field, op: raw.op, value: String(raw.value) };
    case "in":
    case "not_in":
      return { field, op: raw.op, values: raw.values as (string | number | boolean)[] };
    default:
      return {
        field,
        op: "range",
        ...(typeof raw.min === "number" ? { min: raw.min } : {}),
        ...(typeof raw.max === "number" ? { max: raw.max } : {}),
      };
  }
}

function toSlot(raw: Raw): ClockSlot {
  const slot: ClockSlot = {
    id: String(raw.id),
    kind: raw.kind as ClockSlotKind,
    offsetMs: (parseMinutesSeconds(raw.offset) ?? 0) * 1000,
  };
  const duration = parseMinutesSeconds(raw.duration);
  if (duration !== undefined) slot.durationMs = duration * 1000;
  if (typeof raw.ref === "string") slot.refId = raw.ref;
  if (Array.isArray(raw.media)) slot.mediaIds = raw.media.map(String);
  if (raw.timing !== undefined) slot.timing = raw.timing as EventTiming;
  if (typeof raw.fade_ms === "number") slot.fadeMs = raw.fade_ms;
  return slot;
}

function toSort(raw: Raw): SmartBlockSort {
  switch (raw.by) {
    case "weighted":
      return { by: "weighted", field: mediaField(raw.field) };
    case "field":
      return {
        by: "field",
        field: mediaField(raw.field),
        direction: raw.direction === "desc" ? "desc" : "asc",
      };
    case "least_recently_played":
      return { by: "least_recently_played" };
    default:
      return { by: "random" };
  }
}

function toLimit(raw: Raw | undefined): SmartBlockLimit {
  if (typeof raw?.count === "number") return { kind: "count", count: raw.count };
  const minutes = typeof raw?.duration_minutes === "number" ? raw.duration_minutes : 60;
  const tolerance = typeof raw?.tolerance_sec === "number" ? raw.tolerance_sec : 20;
  return {
    kind: "duration",
    durationMs: Math.round(minutes * 60_000),
    toleranceMs: Math.round(tolerance * 1000),
  };
}

function toFill(raw: Raw): FillRule {
  switch (raw.kind) {
    case "filler":
      return { kind: "filler", smartBlockId: String(raw.smart_block) };
    case "trim":
      return { kind: "trim" };
    case "fade":
      return { kind: "fade", fadeMs: typeof raw.fade_ms === "number" ? raw.fade_ms : 3000 };
    default:
      return { kind: "none" };
  }
}

function named(raw: Raw): { id: string; name: string; description?: string } {
  const id = String(raw.id);
  return {
    id,
    name: typeof raw.name === "string" ? raw.name : id,
    ...(typeof raw.description === "string" ? { description: raw.description } : {}),
  };
}

function optionalNumber<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === "number" ? ({ [key]: value } as Record<K, number>) : {};
}

/**
 * The camelCased planning sections of a validated (schema and
 * {@link programmingProblems}) station file. `stationCrossfadeMs` is used when
 * `planner.crossfade_ms` is absent.
 */
export function toProgrammingConfig(data: Raw, stationCrossfadeMs: number): ProgrammingConfig {
  const clocks = records(data.clocks).map((raw) => ({
    ...named(raw),
    slots: records(raw.slots).map(toSlot),
  }));
  const smartBlocks = records(data.smart_blocks).map((raw): SmartBlockConfig => {
    const rotation = (raw.rotation ?? {}) as Raw;
    return {
      ...named(raw),
      filters: records(raw.filters).map(toFilter),
      sort: toSort((raw.sort ?? {}) as Raw),
      limit: toLimit(raw.limit as Raw | undefined),
      quotas: records(raw.quotas).map((quota) => ({
        name: String(quota.name),
        filters: records(quota.filters).map(toFilter),
        percent: Number(quota.percent),
      })),
      rotation: {
        ...optionalNumber("trackRepeatHours", rotation.track_repeat_hours),
        ...optionalNumber("artistSeparationMinutes", rotation.artist_separation_minutes),
        ...optionalNumber("titleSeparationMinutes", rotation.title_separation_minutes),
        ...optionalNumber("albumSeparationMinutes", rotation.album_separation_minutes),
      },
      fill: toFill((raw.fill ?? {}) as Raw),
    };
  });
  const playlists = records(data.playlists).map((raw): PlaylistConfig => ({
    ...named(raw),
    items: (raw.items as unknown[]).map(String),
    mode: raw.mode === "shuffled" ? "shuffled" : "ordered",
  }));
  const shows = records(data.shows).map((raw): ShowConfig => {
    const start = String(raw.start_local);
    const show: ShowConfig = {
      ...named(raw),
      startLocal: start.length === 16 ? `${start}:00` : start,
      durationMs: Math.round(Number(raw.duration_minutes) * 60_000),
      clockId: String(raw.clock),
      live: raw.live === true,
    };
    if (typeof raw.rrule === "string") show.rrule = raw.rrule;
    if (Array.isArray(raw.except_dates) && raw.except_dates.length > 0)
      show.exceptDates = raw.except_dates.map(String);
    return show;
  });
  const overrides = records(data.overrides).map((raw): OverrideConfig => {
    const override: OverrideConfig = {
      id: String(raw.id),
      name: typeof raw.name === "string" ? raw.name : String(raw.id),
      startsAt: instant(raw.starts_at) ?? 0,
      endsAt: instant(raw.ends_at) ?? 0,
    };
    if (typeof raw.clock === "string") override.clockId = raw.clock;
    if (typeof raw.webstream === "string") override.webstreamId = raw.webstream;
    if (typeof raw.reason === "string") override.reason = raw.reason;
    return override;
  });
  const webstreams = records(data.webstreams).map((raw): WebstreamConfig => ({
    id: String(raw.id),
    name: typeof raw.name === "string" ? raw.name : String(raw.id),
    urls: (raw.urls as unknown[]).map(String),
    bufferMs: typeof raw.buffer_ms === "number" ? raw.buffer_ms : 2000,
    metadataPassthrough: raw.metadata_passthrough !== false,
  }));
  const planner = (data.planner ?? {}) as Raw;
  return {
    clocks,
    smartBlocks,
    playlists,
    shows,
    overrides,
    clockAssignment: toClockAssignment((data.clock_assignment ?? {}) as Raw),
    webstreams,
    planner: {
      seed: typeof planner.seed === "number" ? planner.seed : 1,
      hours: typeof planner.hours === "number" ? planner.hours : 48,
      frozenMinutes: typeof planner.frozen_minutes === "number" ? planner.frozen_minutes : 15,
      crossfadeMs:
        typeof planner.crossfade_ms === "number" ? planner.crossfade_ms : stationCrossfadeMs,
      toleranceSec: typeof planner.tolerance_sec === "number" ? planner.tolerance_sec : 30,
    },
  };
}

function toClockAssignment(raw: Raw): ClockAssignmentConfig {
  const assignment: ClockAssignmentConfig = {};
  if (typeof raw.default === "string") assignment.defaultClockId = raw.default;
  const byDay = records(raw.by_hour_of_day);
  if (byDay.length > 0) {
    const table: (string | null)[] = Array.from({ length: 24 }, () => null);
    for (const rule of byDay) for (const h of ruleHours(rule.hours)) table[h] = String(rule.clock);
    assignment.byHourOfDay = table;
  }
  const byWeek = records(raw.by_hour_of_week);
  if (byWeek.length > 0) {
    const table: (string | null)[] = Array.from({ length: 168 }, () => null);
    for (const rule of byWeek) {
      for (const day of Array.isArray(rule.days) ? rule.days : []) {
        const d = WEEKDAY_KEYS.indexOf(String(day));
        for (const h of ruleHours(rule.hours)) table[d * 24 + h] = String(rule.clock);
      }
    }
    assignment.byHourOfWeek = table;
  }
  return assignment;
}
