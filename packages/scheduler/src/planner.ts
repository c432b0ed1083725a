import type {
  Clock,
  ClockSlot,
  Override,
  Playlist,
  PlayHistory,
  Show,
  SmartBlock,
} from "@grimnir/core";
import { byIdUnique, prepareLibrary, usableSlots } from "./inputs.js";
import { compareIds } from "./media-filter.js";
import { deriveSeed } from "./prng.js";
import { RotationTracker } from "./rotation-rules.js";
import { expandShows, type ShowOccurrence } from "./shows.js";
import { SmartBlockPicker } from "./smart-block.js";
import { TimelineBuilder, isHard, playlistOrder } from "./timeline-builder.js";
import type {
  Diagnostic,
  PlanInput,
  PlanOptions,
  PlanResult,
  PlannedHour,
  TimelineEntry,
} from "./types.js";
import { formatLocal, isValidZone, localHours, type LocalHour } from "./zone.js";

const HOUR_MS = 3_600_000;
/** Default window, hours. */
export const DEFAULT_PLAN_HOURS = 48;
/** Default frozen horizon after `from`, ms (15 minutes). */
export const DEFAULT_FROZEN_MS = 15 * 60_000;
/** Longest window one run plans, hours (two weeks). */
const MAX_PLAN_HOURS = 336;

interface HourPlan {
  hour: LocalHour;
  clock?: Clock;
  slots: ClockSlot[];
  showId?: string;
  overrideId?: string;
  live?: boolean;
}

/**
 * Plan a station's timeline for [from, from + hours).
 *
 * Pure and deterministic: the result depends only on `input` and `options`
 * (never on the clock, `Math.random` or input array order), so the same
 * arguments give byte-identical `JSON.stringify` output on any machine.
 * Never throws: bad input (unknown ids, invalid RRULE or zone, impossible
 * rotation rules, an empty library) becomes diagnostics, and every loop is
 * bounded by the window and the library size.
 *
 * Hours are local hours of the station zone (23 on a spring-forward day, 25 on
 * a fall-back day). Each hour plays, in order of precedence, the clock of an
 * override, of a show occurrence covering the top of the hour, of
 * `clockAssignment`, or `defaultClockId`.
 */
export function planTimeline(input: PlanInput, options: PlanOptions): PlanResult {
  const diagnostics: Diagnostic[] = [];
  const from = Number.isFinite(options?.from) ? Math.floor(options.from) : 0;
  let hours = options?.hours ?? DEFAULT_PLAN_HOURS;
  if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_PLAN_HOURS) {
    diagnostics.push({
      code: "invalid_window",
      severity: "error",
      message: `hours must be a number in (0, ${MAX_PLAN_HOURS}], got ${String(options?.hours)}; planning ${DEFAULT_PLAN_HOURS} h instead`,
      refs: {},
    });
    hours = DEFAULT_PLAN_HOURS;
  }
  if (!Number.isFinite(options?.from)) {
    diagnostics.push({
      code: "invalid_window",
      severity: "error",
      message: `from must be epoch ms, got ${String(options?.from)}; nothing planned`,
      refs: {},
    });
    return { from, to: from, timezone: "UTC", entries: [], hours: [], diagnostics };
  }
  const to = from + Math.round(hours * HOUR_MS);
  const requestedZone = input?.station?.timezone;
  let zone = "UTC";
  if (isValidZone(requestedZone)) zone = requestedZone;
  else {
    diagnostics.push({
      code: "invalid_zone",
      severity: "error",
      message: `station time zone ${JSON.stringify(requestedZone)} is not a known IANA zone (e.g. "America/New_York"); planning in UTC`,
      refs: { stationId: String(input?.station?.id) },
    });
  }
  try {
    return planInZone(input, { ...options, from }, to, zone, diagnostics);
  } catch (error) {
    diagnostics.push({
      code: "internal_error",
      severity: "error",
      message: `planner failed: ${error instanceof Error ? error.message : String(error)}; nothing planned`,
      refs: {},
    });
    return {
      from,
      to,
      timezone: zone,
      entries: [],
      hours: [],
      diagnostics: sortDiagnostics(diagnostics),
    };
  }
}

function planInZone(
  input: PlanInput,
  options: PlanOptions,
  to: number,
  zone: string,
  diagnostics: Diagnostic[],
): PlanResult {
  const from = options.from;
  const seed = Number.isFinite(options.seed) ? options.seed >>> 0 : 0;
  const toleranceMs =
    options.toleranceMs !== undefined && options.toleranceMs >= 0 ? options.toleranceMs : 30_000;
  const crossfadeMs =
    Number.isFinite(input.crossfadeMs) && input.crossfadeMs! > 0 ? input.crossfadeMs! : 0;

  const library = prepareLibrary(input.library);
  diagnostics.push(...library.diagnostics.map((d) => ({ ...d, refs: { ...d.refs } })));
  if (library.items.length === 0) {
    diagnostics.push({
      code: "empty_library",
      severity: "error",
      message: "the library has no playable media; music slots stay empty",
      refs: {},
    });
  }
  const clocks = new Map(
    byIdUnique<Clock>(input.clocks, "clock", diagnostics).map((c) => [c.id, c]),
  );
  const smartBlocks = new Map(
    byIdUnique<SmartBlock>(input.smartBlocks, "smart block", diagnostics).map((b) => [b.id, b]),
  );
  const playlists = new Map(
    byIdUnique<Playlist>(input.playlists, "playlist", diagnostics).map((p) => [p.id, p]),
  );
  const slotsByClock = new Map<string, ClockSlot[]>();
  for (const clock of clocks.values()) slotsByClock.set(clock.id, usableSlots(clock, diagnostics));

  const rotation = new RotationTracker();
  const history = Array.isArray(input.history) ? input.history : [];
  for (const play of history)
    if (play && Number.isFinite(play.startedAt)) rotation.record(play, play.startedAt);

  // Frozen horizon: earlier entries starting before it are kept as they were.
  const frozenUntil = options.frozenUntil ?? from + 15 * 60_000;
  const frozen = (Array.isArray(options.previous) ? options.previous : [])
    .filter(
      (e) =>
        e &&
        Number.isFinite(e.startsAt) &&
        Number.isFinite(e.endsAt) &&
        e.startsAt < frozenUntil &&
        e.endsAt > from &&
        e.startsAt < to,
    )
    .map((e) => normaliseFrozen(e))
    .sort((a, b) => a.startsAt - b.startsAt || compareIds(a.id, b.id));
  for (const e of frozen) rotation.record(e, e.startsAt);
  const cursor = frozen.reduce((end, e) => Math.max(end, e.endsAt), from);

  const picker = new SmartBlockPicker(library, rotation, seed);
  const builder = new TimelineBuilder(
    {
      zone,
      seed,
      crossfadeMs,
      toleranceMs,
      library: library.byId,
      smartBlocks,
      playlists,
      rotation,
      picker,
      diagnostics,
    },
    frozen,
    cursor,
  );
  builder.setFloor(cursor);
  for (const playlist of playlists.values()) {
    builder.seedPlaylistPosition(playlist.id, playlistResume(playlist, seed, history));
  }

  const shows = expandShows(
    byIdUnique<Show>(input.shows, "show", diagnostics),
    zone,
    from,
    to,
    diagnostics,
  );
  const overrides = byIdUnique<Override>(input.overrides, "override", diagnostics)
    .filter(
      (o) => Number.isFinite(o.startsAt) && Number.isFinite(o.endsAt) && o.endsAt > o.startsAt,
    )
    .sort((a, b) => a.startsAt - b.startsAt || compareIds(a.id, b.id));
  const plans = localHours(zone, from, to).map((hour) =>
    resolveHour(hour, input, clocks, slotsByClock, shows, overrides, zone, diagnostics),
  );

  const planned: PlannedHour[] = [];
  plans.forEach((plan, i) => {
    const { hour } = plan;
    const nextPlan = plans[i + 1];
    const endsHard =
      nextPlan !== undefined &&
      nextPlan.slots[0] !== undefined &&
      nextPlan.slots[0].offsetMs === 0 &&
      isHard(nextPlan.slots[0]);
    let fill = { underfillMs: 0, overfillMs: 0 };
    if (plan.clock === undefined) {
      diagnostics.push({
        code: "no_clock",
        severity: "error",
        message: `no clock for the hour starting ${hour.local}: set defaultClockId or a clock assignment; the hour is silent`,
        at: hour.startsAt,
        refs: {},
      });
      if (builder.cursor < hour.endsAt && hour.endsAt > cursor) {
        builder.fillSilence(hour.endsAt, { rule: "unfilled" });
        fill = { underfillMs: hour.endsAt - Math.max(hour.startsAt, from), overfillMs: 0 };
      }
    } else {
      fill = builder.expandHour(
        hour,
        plan.clock,
        plan.slots,
        { showId: plan.showId, overrideId: plan.overrideId, live: plan.live },
        endsHard,
      );
    }
    // Past the window nothing is measured; an overrun into a hard-timed next hour is cut there (hard_event_cut).
    const measured =
      hour.endsAt > to
        ? { underfillMs: 0, overfillMs: 0 }
        : endsHard
          ? { ...fill, overfillMs: 0 }
          : fill;
    if (plan.clock !== undefined && measured.underfillMs > toleranceMs) {
      diagnostics.push({
        code: "hour_underfilled",
        severity: "warning",
        message: `the hour starting ${hour.local} (clock ${plan.clock.id}) is ${Math.round(measured.underfillMs / 1000)} s short; the next hour starts early`,
        at: hour.startsAt,
        refs: { clockId: plan.clock.id },
      });
    }
    if (plan.clock !== undefined && measured.overfillMs > toleranceMs) {
      diagnostics.push({
        code: "hour_overfilled",
        severity: "warning",
        message: `the hour starting ${hour.local} (clock ${plan.clock.id}) runs ${Math.round(measured.overfillMs / 1000)} s long; the next hour starts late`,
        at: hour.startsAt,
        refs: { clockId: plan.clock.id },
      });
    }
    planned.push({
      startsAt: hour.startsAt,
      endsAt: hour.endsAt,
      local: hour.local,
      ...(plan.clock ? { clockId: plan.clock.id } : {}),
      ...(plan.showId ? { showId: plan.showId } : {}),
      ...(plan.overrideId ? { overrideId: plan.overrideId } : {}),
      underfillMs: measured.underfillMs,
      overfillMs: measured.overfillMs,
    });
  });

  diagnostics.push(...builder.relaxationDiagnostics());
  const entries = builder.entries
    .filter((e) => e.startsAt < to && e.endsAt > e.startsAt)
    .map((e) => (e.id === "" ? { ...e, id: entryId(e) } : e))
    .sort((a, b) => a.startsAt - b.startsAt || compareIds(a.id, b.id));
  return {
    from,
    to,
    timezone: zone,
    entries,
    hours: planned,
    diagnostics: sortDiagnostics(diagnostics),
  };
}

function resolveHour(
  hour: LocalHour,
  input: PlanInput,
  clocks: Map<string, Clock>,
  slotsByClock: Map<string, ClockSlot[]>,
  shows: ShowOccurrence[],
  overrides: Override[],
  zone: string,
  diagnostics: Diagnostic[],
): HourPlan {
  const t = hour.startsAt;
  const known = (
    id: string | null | undefined,
    what: string,
    refs: Record<string, string>,
  ): Clock | undefined => {
    if (id === undefined || id === null || id === "") return undefined;
    const clock = clocks.get(id);
    if (clock === undefined) {
      diagnostics.push({
        code: "unknown_clock",
        severity: "warning",
        message: `clock ${JSON.stringify(id)} named by ${what} does not exist; the hour starting ${hour.local} falls back to the next rule`,
        at: t,
        refs: { ...refs, clockId: String(id) },
      });
    }
    return clock;
  };
  const plan = (clock: Clock, extra: Partial<HourPlan>): HourPlan => ({
    hour,
    clock,
    slots: slotsByClock.get(clock.id) ?? [],
    ...extra,
  });

  const override = overrides.find((o) => o.startsAt <= t && t < o.endsAt);
  if (override !== undefined) {
    const clock = known(override.clockId, `override ${override.id}`, { overrideId: override.id });
    if (clock) return plan(clock, { overrideId: override.id });
    if (override.webstreamId) {
      const relay: Clock = { ...webstreamClock(override), stationId: override.stationId };
      return { hour, clock: relay, slots: relay.slots, overrideId: override.id };
    }
  }
  const show = shows.find((s) => s.startsAt <= t && t < s.endsAt);
  for (const s of shows) {
    if (s.startsAt > t && s.startsAt < hour.endsAt) {
      diagnostics.push({
        code: "show_not_hour_aligned",
        severity: "info",
        message: `show ${s.showId} starts at ${formatLocal(s.startsAt, zone)}, inside an hour; clocks are hour templates, so it takes over from the next top of the hour`,
        at: s.startsAt,
        refs: { showId: s.showId },
      });
    }
  }
  if (show !== undefined) {
    const clock = known(show.clockId, `show ${show.showId}`, { showId: show.showId });
    if (clock) return plan(clock, { showId: show.showId, live: show.live });
  }
  const assignment = input.clockAssignment;
  const weekIndex = (hour.weekday - 1) * 24 + hour.hourOfDay;
  const byWeek = known(
    assignment?.byHourOfWeek?.[weekIndex],
    `clockAssignment.byHourOfWeek[${weekIndex}]`,
    {},
  );
  if (byWeek) return plan(byWeek, {});
  const byDay = known(
    assignment?.byHourOfDay?.[hour.hourOfDay],
    `clockAssignment.byHourOfDay[${hour.hourOfDay}]`,
    {},
  );
  if (byDay) return plan(byDay, {});
  const fallback = known(input.defaultClockId, "defaultClockId", {});
  if (fallback) return plan(fallback, {});
  return { hour, slots: [] };
}

function webstreamClock(override: Override): Clock {
  return {
    id: `override:${override.id}`,
    version: 1,
    createdAt: 0,
    updatedAt: 0,
    stationId: override.stationId,
    name: override.name ?? override.id,
    slots: [
      {
        id: "webstream",
        kind: "webstream",
        offsetMs: 0,
        refId: override.webstreamId,
        timing: "hard",
      },
    ],
  };
}

/** Where a playlist resumes: after the latest of its items found in history. */
function playlistResume(playlist: Playlist, seed: number, history: PlayHistory[]): number {
  const order = playlistOrder(playlist, seed);
  const index = new Map(order.map((id, i) => [id, i]));
  let latest = -Infinity;
  let position = 0;
  for (const play of history) {
    const i = play?.mediaId === undefined ? undefined : index.get(play.mediaId);
    if (i !== undefined && play.startedAt > latest) {
      latest = play.startedAt;
      position = i + 1;
    }
  }
  return order.length === 0 ? 0 : position % order.length;
}

function normaliseFrozen(
  e: PlanOptions["previous"] extends (infer T)[] | undefined ? T : never,
): TimelineEntry {
  const entry: TimelineEntry = {
    ...e,
    id: typeof e.id === "string" && e.id !== "" ? e.id : "",
    timing: e.timing ?? "soft",
    priority: e.priority ?? 3,
    source: e.source ?? { rule: "frozen" },
  } as TimelineEntry;
  if (entry.id === "") entry.id = entryId(entry);
  return entry;
}

/** Deterministic entry id from its start, kind, content and slot. */
function entryId(e: TimelineEntry): string {
  const hash = deriveSeed(
    0,
    `${e.startsAt}|${e.kind}|${e.mediaId ?? e.webstreamId ?? ""}|${e.source?.slotId ?? ""}`,
  );
  return `${e.startsAt.toString(36)}-${hash.toString(36)}`;
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = JSON.stringify(d);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort(
    (a, b) =>
      (a.at ?? -Infinity) - (b.at ?? -Infinity) ||
      compareIds(a.code, b.code) ||
      compareIds(a.message, b.message),
  );
}
