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
import { pointerToPath } from "./json-schema.js";
import { WEEKDAY_KEYS } from "./programming-schema.js";
import { rruleSyntaxProblem } from "./rrule-syntax.js";

const HOUR_SEC = 3600;

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

type Raw = Record<string, unknown>;

/** Seconds of a "MM:SS" or whole-seconds value; undefined when it is neither. */
export function parseMinutesSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^([0-9]{1,3}):([0-5][0-9])$/.exec(value);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

/** Local hours of an hour rule: `7` → [7], `"7-18"` → 7..18, `"22-5"` → 22..23, 0..5. */
function ruleHours(value: unknown): number[] {
  if (typeof value === "number") return [value];
  const [from, to] = String(value)
    .split("-")
    .map((h) => Number(h));
  if (from === undefined) return [];
  if (to === undefined) return [from];
  const hours: number[] = [];
  for (let h = from; ; h = (h + 1) % 24) {
    hours.push(h);
    if (h === to) return hours;
  }
}

const ISO_WITH_OFFSET =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/** Epoch ms of an ISO-8601 instant with offset; undefined for local strings or impossible dates. */
function instant(value: unknown): number | undefined {
  if (typeof value !== "string" || !ISO_WITH_OFFSET.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && validDate(value.slice(0, 10)) ? ms : undefined;
}

/** True for a real calendar date "YYYY-MM-DD". */
function validDate(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function validLocalTime(text: string): boolean {
  const [date, time = ""] = text.split("T");
  const [h, m, s = 0] = time.split(":").map(Number) as [number, number, number?];
  return validDate(date ?? "") && h <= 23 && m <= 59 && (s ?? 0) <= 59;
}

function records(value: unknown): Raw[] {
  return Array.isArray(value)
    ? value.map((v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {}))
    : [];
}

/**
 * Semantic problems of the planning sections (after the schema passed for
 * their shapes): duplicate ids, references to clocks, smart blocks, playlists
 * and webstreams that do not exist, slots outside the hour, slots missing what
 * they play, inconsistent filters and limits, invalid RRULEs, start times and
 * dates, overrides that end before they start.
 */
export function programmingProblems<P extends { pointer: string }>(
  data: Raw,
  locate: (pointer: string, message: string, target: "value" | "key" | "parent") => P,
): P[] {
  const problems: P[] = [];
  const at = (pointer: string, message: string, target: "value" | "key" | "parent" = "value") =>
    problems.push(locate(pointer, message, target));

  const ids = (section: string, noun: string): Map<string, string> => {
    const seen = new Map<string, string>();
    records(data[section]).forEach((item, i) => {
      if (typeof item.id !== "string") return;
      const here = `/${section}/${i}/id`;
      const earlier = seen.get(item.id);
      if (earlier === undefined) seen.set(item.id, here);
      else
        at(
          here,
          `${pointerToPath(here)} ${JSON.stringify(item.id)} duplicates ${pointerToPath(earlier)}; ${noun} ids must be unique`,
        );
    });
    return seen;
  };
  const clocks = ids("clocks", "clock");
  const blocks = ids("smart_blocks", "smart block");
  const playlists = ids("playlists", "playlist");
  ids("shows", "show");
  ids("overrides", "override");
  const webstreams = ids("webstreams", "webstream");

  const known: Record<string, [Map<string, string>, string]> = {
    clock: [clocks, "clocks"],
    smart_block: [blocks, "smart_blocks"],
    playlist: [playlists, "playlists"],
    webstream: [webstreams, "webstreams"],
  };
  /** Report `value` at `pointer` when it names no object of `kind`. */
  const reference = (pointer: string, value: unknown, kind: keyof typeof known): void => {
    if (typeof value !== "string" || value === "") return;
    const [map, section] = known[kind]!;
    if (map.has(value)) return;
    const list = [...map.keys()];
    const noun = kind.replace("_", " ");
    at(
      pointer,
      `${pointerToPath(pointer)} ${JSON.stringify(value)} is not a ${noun} defined in ${section}${list.length === 0 ? ` (${section} is empty)` : `; known: ${list.join(", ")}`}`,
    );
  };

  records(data.clocks).forEach((clock, c) => {
    const slotIds = new Map<string, string>();
    records(clock.slots).forEach((slot, s) => {
      const base = `/clocks/${c}/slots/${s}`;
      const path = pointerToPath(base);
      if (typeof slot.id === "string") {
        const earlier = slotIds.get(slot.id);
        if (earlier === undefined) slotIds.set(slot.id, `${base}/id`);
        else
          at(
            `${base}/id`,
            `${path}.id ${JSON.stringify(slot.id)} duplicates ${pointerToPath(earlier)}; slot ids must be unique within a clock`,
          );
      }
      const offset = parseMinutesSeconds(slot.offset);
      if (offset !== undefined && offset >= HOUR_SEC) {
        at(
          `${base}/offset`,
          `${path}.offset ${JSON.stringify(slot.offset)} is past the end of the hour; expected "00:00" to "59:59" (0 to 3599 s)`,
        );
      }
      const duration = parseMinutesSeconds(slot.duration);
      if (offset !== undefined && offset < HOUR_SEC && duration !== undefined) {
        if (offset + duration > HOUR_SEC) {
          at(
            `${base}/duration`,
            `${path}.duration ${JSON.stringify(slot.duration)} runs ${offset + duration - HOUR_SEC} s past the end of the hour; a clock covers one hour`,
          );
        }
      }
      const kind = slot.kind as ClockSlotKind | undefined;
      const needsRef: Partial<Record<ClockSlotKind, keyof typeof known>> = {
        smart_block: "smart_block",
        playlist: "playlist",
        webstream: "webstream",
      };
      const refKind =
        kind === undefined
          ? undefined
          : (needsRef[kind] ??
            (kind === "stopset" || kind === "hard_event" ? "smart_block" : undefined));
      if (kind !== undefined && needsRef[kind] !== undefined && slot.ref === undefined) {
        at(base, `${path} (${kind}) needs ref: the id of a ${kind.replace("_", " ")}`, "parent");
      } else if (
        (kind === "stopset" || kind === "hard_event") &&
        slot.ref === undefined &&
        slot.media === undefined
      ) {
        at(
          base,
          `${path} (${kind}) needs media (a list of media ids) or ref (a smart block id)`,
          "parent",
        );
      }
      if (refKind !== undefined && slot.ref !== undefined)
        reference(`${base}/ref`, slot.ref, refKind);
    });
  });

  records(data.smart_blocks).forEach((block, b) => {
    const base = `/smart_blocks/${b}`;
    const path = pointerToPath(base);
    const limit = block.limit as Raw | undefined;
    if (limit !== undefined && typeof limit === "object") {
      if (limit.count !== undefined && limit.duration_minutes !== undefined) {
        at(`${base}/limit`, `${path}.limit has both count and duration_minutes; give one`, "key");
      } else if (limit.count === undefined && limit.duration_minutes === undefined) {
        at(`${base}/limit`, `${path}.limit needs count or duration_minutes`, "key");
      }
    }
    const sort = block.sort as Raw | undefined;
    if (
      sort !== undefined &&
      (sort.by === "weighted" || sort.by === "field") &&
      sort.field === undefined
    ) {
      at(`${base}/sort`, `${path}.sort by ${String(sort.by)} needs field`, "key");
    }
    const fill = block.fill as Raw | undefined;
    if (fill?.kind === "filler") {
      if (fill.smart_block === undefined)
        at(
          `${base}/fill`,
          `${path}.fill of kind filler needs smart_block: the filler block's id`,
          "key",
        );
      else reference(`${base}/fill/smart_block`, fill.smart_block, "smart_block");
    }
    const checkFilters = (pointer: string, list: unknown): void => {
      records(list).forEach((filter, f) => {
        const here = `${pointer}/${f}`;
        const problem = filterProblem(filter);
        if (problem !== undefined) at(here, `${pointerToPath(here)} ${problem}`, "parent");
      });
    };
    checkFilters(`${base}/filters`, block.filters);
    records(block.quotas).forEach((quota, q) =>
      checkFilters(`${base}/quotas/${q}/filters`, quota.filters),
    );
  });

  records(data.shows).forEach((show, i) => {
    const base = `/shows/${i}`;
    const path = pointerToPath(base);
    reference(`${base}/clock`, show.clock, "clock");
    if (typeof show.rrule === "string") {
      const why = rruleSyntaxProblem(show.rrule);
      if (why !== undefined)
        at(
          `${base}/rrule`,
          `${path}.rrule is not a valid RFC 5545 RRULE (${why}); expected e.g. "FREQ=WEEKLY;BYDAY=FR"`,
        );
    }
    if (
      typeof show.start_local === "string" &&
      /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$/.test(show.start_local) &&
      !validLocalTime(show.start_local)
    ) {
      at(
        `${base}/start_local`,
        `${path}.start_local ${JSON.stringify(show.start_local)} is not a real date and time`,
      );
    }
    (Array.isArray(show.except_dates) ? show.except_dates : []).forEach((date, d) => {
      if (typeof date === "string" && /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date) && !validDate(date))
        at(
          `${base}/except_dates/${d}`,
          `${path}.except_dates[${d}] ${JSON.stringify(date)} is not a real date`,
        );
    });
  });

  records(data.overrides).forEach((override, i) => {
    const base = `/overrides/${i}`;
    const path = pointerToPath(base);
    const bounds = (["starts_at", "ends_at"] as const).map((key) => {
      const value = override[key];
      const ms = instant(value);
      if (ms === undefined && typeof value === "string" && value !== "") {
        at(
          `${base}/${key}`,
          `${path}.${key} must be ISO-8601 with offset, e.g. "2026-12-25T00:00:00-05:00" (got ${JSON.stringify(value)})`,
        );
      }
      return ms;
    });
    const [start, end] = bounds;
    if (start !== undefined && end !== undefined && end <= start) {
      at(`${base}/ends_at`, `${path}.ends_at must be after starts_at`);
    }
    if (override.clock !== undefined && override.webstream !== undefined) {
      at(base, `${path} names both clock and webstream; give one`, "parent");
    }
    reference(`${base}/clock`, override.clock, "clock");
    reference(`${base}/webstream`, override.webstream, "webstream");
  });

  const assignment = data.clock_assignment as Raw | undefined;
  if (assignment !== undefined && typeof assignment === "object") {
    reference("/clock_assignment/default", assignment.default, "clock");
    for (const table of ["by_hour_of_day", "by_hour_of_week"]) {
      records(assignment[table]).forEach((rule, r) =>
        reference(`/clock_assignment/${table}/${r}/clock`, rule.clock, "clock"),
      );
    }
  }
  return problems;
}

const FIELD_NAMES: Record<string, MediaField> = { duration_ms: "durationMs", added_at: "addedAt" };

function mediaField(field: unknown): MediaField {
  const name = String(field);
  return FIELD_NAMES[name] ?? (name as MediaField);
}

function filterProblem(filter: Raw): string | undefined {
  switch (filter.op) {
    case "equals":
    case "not_equals":
      return filter.value === undefined ? `(${filter.op}) needs value` : undefined;
    case "contains":
    case "not_contains":
      return typeof filter.value !== "string" ? `(${filter.op}) needs a text value` : undefined;
    case "in":
    case "not_in":
      return filter.values === undefined ? `(${filter.op}) needs values` : undefined;
    case "range":
      if (filter.min === undefined && filter.max === undefined) return "(range) needs min or max";
      return typeof filter.min === "number" &&
        typeof filter.max === "number" &&
        filter.min > filter.max
        ? `(range) has min ${filter.min} above max ${filter.max}`
        : undefined;
    default:
      return undefined;
  }
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
