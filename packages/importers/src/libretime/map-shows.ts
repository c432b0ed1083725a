import {
  reject,
  type MappedValue,
  type MappingResult,
  type NameRegistry,
} from "../mapped-entity.js";
import { compact, intervalMs, toNumber, toText, utcMs } from "../values.js";
import { RRULE_DAYS, addDays, epochToLocal, isKnownZone, localToEpoch, weekday } from "../zone.js";
import { ltId } from "./ids.js";
import type { LtRow } from "./read-libretime.js";

/** LibreTime's `cc_show_days.repeat_type` values. */
export const LT_REPEAT = {
  none: -1,
  weekly: 0,
  biweekly: 1,
  monthlyByDate: 2,
  monthlyByWeekday: 3,
  triweekly: 4,
  fourWeekly: 5,
} as const;

const WEEKLY_INTERVAL: Record<number, number> = { 0: 1, 1: 2, 4: 3, 5: 4 };

/** What the show mapper needs to know about the rest of the import. */
export interface LtShowContext {
  stationId: string;
  /** Station zone: Grimnir shows are planned in it. */
  zone: string;
  names: NameRegistry;
  /** LibreTime playlist ids that are imported (autoplaylists may refer to them). */
  playlists: ReadonlySet<string>;
  /** LibreTime user ids that are imported as users (hosts). */
  users: ReadonlySet<string>;
}

/** One recurring rule built from show-day rows that share time, length and repeat. */
interface DayGroup {
  days: LtRow[];
  startLocal: string;
  /** "HH:mm:ss" of the start in the station zone. */
  timeOfDay: string;
  durationMs: number;
  rrule?: string;
  notes: string[];
}

function hhmmss(value: unknown): string | undefined {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(String(value ?? "").trim());
  if (m === null || Number(m[1]) > 23) return undefined;
  return `${m[1]!.padStart(2, "0")}:${m[2]}:${m[3] ?? "00"}`;
}

/**
 * Turn one group of cc_show_days rows (same start time, length, repeat type,
 * zone and end) into a start and an RRULE in the station zone. Returns a
 * reason string when it cannot be mapped.
 */
export function mapShowDays(days: readonly LtRow[], zone: string): DayGroup | string {
  const first = days[0]!;
  const repeat = toNumber(first.repeat_type);
  const dayZone = toText(first.timezone) ?? zone;
  if (!isKnownZone(dayZone)) return `time zone "${dayZone}" is not an IANA zone`;
  const time = hhmmss(first.start_time);
  if (time === undefined) return `start_time "${String(first.start_time)}" is not HH:MM:SS`;
  const durationMs = intervalMs(first.duration);
  if (durationMs === undefined || durationMs <= 0)
    return `duration "${String(first.duration)}" is not a positive HH:MM length`;
  const notes: string[] = [];
  // Each row's first airing, moved from the show's zone into the station zone.
  const starts = days
    .map((d) => {
      const date = String(d.first_show ?? "").slice(0, 10);
      return epochToLocal(localToEpoch(`${date}T${time}`, dayZone), zone);
    })
    .sort();
  if (starts.some((s) => s.includes("NaN"))) return `first_show is not a date`;
  if (dayZone !== zone) notes.push(`times converted from ${dayZone} to the station zone ${zone}`);
  const startLocal = starts[0]!;
  const group: DayGroup = {
    days: [...days],
    startLocal,
    timeOfDay: startLocal.slice(11),
    durationMs,
    notes,
  };
  const lastShow = toText(first.last_show)?.slice(0, 10);
  // LibreTime's last_show is exclusive: the show ends the day before.
  const until =
    lastShow === undefined ? "" : `;UNTIL=${addDays(lastShow, -1).replaceAll("-", "")}T235959`;
  if (repeat === LT_REPEAT.none) {
    if (days.length > 1) notes.push(`${days.length} non-repeating days; only the first is kept`);
    return group;
  }
  if (repeat !== undefined && WEEKLY_INTERVAL[repeat] !== undefined) {
    const byDay = [...new Set(starts.map((s) => weekday(s.slice(0, 10))))].sort(
      (a, b) => ((a + 6) % 7) - ((b + 6) % 7),
    );
    const interval = WEEKLY_INTERVAL[repeat]!;
    group.rrule = `FREQ=WEEKLY${interval > 1 ? `;INTERVAL=${interval}` : ""};BYDAY=${byDay.map((d) => RRULE_DAYS[d]).join(",")}${until}`;
    return group;
  }
  const date = startLocal.slice(0, 10);
  const dayOfMonth = Number(date.slice(8, 10));
  if (repeat === LT_REPEAT.monthlyByDate) {
    group.rrule = `FREQ=MONTHLY;BYMONTHDAY=${dayOfMonth}${until}`;
    return group;
  }
  if (repeat === LT_REPEAT.monthlyByWeekday) {
    let nth = Math.ceil(dayOfMonth / 7);
    if (nth === 5) {
      nth = -1;
      notes.push("fifth weekday of the month mapped to the last one");
    }
    group.rrule = `FREQ=MONTHLY;BYDAY=${nth}${RRULE_DAYS[weekday(date)]}${until}`;
    return group;
  }
  return `unknown repeat_type ${String(first.repeat_type)}; expected -1 (none), 0 (weekly), 1 (biweekly), 2 (monthly by date), 3 (monthly by weekday), 4 (triweekly) or 5 (every four weeks)`;
}

function groupKey(day: LtRow): string {
  const repeat = toNumber(day.repeat_type);
  const monthly =
    repeat === LT_REPEAT.monthlyByDate ||
    repeat === LT_REPEAT.monthlyByWeekday ||
    repeat === LT_REPEAT.none;
  return [
    day.start_time,
    day.duration,
    day.repeat_type,
    day.timezone,
    day.last_show,
    monthly ? day.id : "",
  ]
    .map(String)
    .join("|");
}

function clockFor(
  show: LtRow,
  context: LtShowContext,
  live: boolean,
  notes: string[],
): MappedValue {
  const autoplaylist =
    show.has_autoplaylist === true &&
    show.autoplaylist_id !== null &&
    show.autoplaylist_id !== undefined
      ? String(show.autoplaylist_id)
      : undefined;
  const slots: Record<string, unknown>[] = [];
  if (live) slots.push({ id: "live", kind: "live", offsetMs: 0 });
  else if (autoplaylist !== undefined && context.playlists.has(autoplaylist))
    slots.push({
      id: "autoplaylist",
      kind: "playlist",
      offsetMs: 0,
      refId: ltId.playlist(autoplaylist),
    });
  else {
    if (autoplaylist !== undefined) notes.push(`autoplaylist ${autoplaylist} was not imported`);
    notes.push(
      "the show's own clock is empty; what LibreTime scheduled in each coming instance (cc_schedule) is imported as that instance's override",
    );
  }
  return {
    id: ltId.showClock(show.id),
    stationId: context.stationId,
    name: `${String(show.name)} clock`,
    slots,
  };
}

/**
 * cc_show + cc_show_days + cc_show_instances → Shows in the station zone.
 * Show days that share a start time, length and repeat type become one Show
 * with an RRULE (`lt-show-<id>`, further groups `lt-show-<id>-<dayId>`);
 * deleted instances (modified_instance) become except dates; instances that
 * do not fall on the rule's time become one-off Shows `lt-instance-<id>`;
 * rebroadcasts are reported, not imported. Each Show gets a Clock
 * `lt-show-<id>-clock` playing its autoplaylist, or a live slot for live shows.
 */
export function mapShows(
  shows: readonly LtRow[],
  showDays: readonly LtRow[],
  instances: readonly LtRow[],
  hosts: readonly LtRow[],
  context: LtShowContext,
): MappingResult {
  const result: MappingResult = { entities: [], rejected: [] };
  for (const show of shows) {
    const showId = String(show.id);
    const notes: string[] = [];
    const named = context.names.claim("show", toText(show.name) ?? `Show ${showId}`);
    if (named.note !== undefined) notes.push(named.note);
    const live =
      show.live_stream_using_airtime_auth === true || show.live_stream_using_custom_auth === true;
    const host = hosts.find(
      (h) => String(h.show_id) === showId && context.users.has(String(h.subjs_id)),
    );
    const clockNotes: string[] = [];
    const clock = clockFor(show, context, live, clockNotes);
    const base = compact({
      stationId: context.stationId,
      clockId: clock.id,
      live: live ? true : undefined,
      djUserId: host === undefined ? undefined : ltId.user(host.subjs_id),
      description: toText(show.description),
    });
    const groups = new Map<string, LtRow[]>();
    for (const day of showDays.filter((d) => String(d.show_id) === showId)) {
      const key = groupKey(day);
      groups.set(key, [...(groups.get(key) ?? []), day]);
    }
    const mapped: DayGroup[] = [];
    for (const days of groups.values()) {
      const group = mapShowDays(days, context.zone);
      if (typeof group === "string")
        result.rejected.push(
          reject(
            "show_days",
            days.map((d) => String(d.id)).join(","),
            "unmappable",
            `show "${named.name}": ${group}`,
          ),
        );
      else mapped.push(group);
    }
    const own = instances.filter((i) => String(i.show_id) === showId);
    const except = new Map<DayGroup, Set<string>>();
    let covered = 0;
    for (const instance of own) {
      const starts = utcMs(instance.starts);
      const ends = utcMs(instance.ends);
      if (starts === undefined || ends === undefined || ends <= starts) {
        result.rejected.push(
          reject(
            "show_instance",
            String(instance.id),
            "unmappable",
            `starts/ends "${String(instance.starts)}".."${String(instance.ends)}" is not a valid UTC range`,
          ),
        );
        continue;
      }
      if ((toNumber(instance.rebroadcast) ?? 0) !== 0) {
        result.rejected.push(
          reject(
            "show_instance",
            String(instance.id),
            "unmappable",
            `rebroadcast of show "${named.name}": rebroadcasts are not modelled; schedule a second show if needed`,
          ),
        );
        continue;
      }
      const local = epochToLocal(starts, context.zone);
      const group = mapped.find((g) => g.timeOfDay === local.slice(11) && g.startLocal <= local);
      if (instance.modified_instance === true) {
        if (group !== undefined) {
          const dates = except.get(group) ?? new Set<string>();
          dates.add(local.slice(0, 10));
          except.set(group, dates);
        }
        continue;
      }
      if (group !== undefined) {
        covered += 1;
        continue;
      }
      result.entities.push({
        sourceKind: "show_instance",
        sourceId: String(instance.id),
        records: [
          {
            repo: "shows",
            value: compact({
              ...base,
              id: ltId.instance(instance.id),
              name: `${named.name} (${local.slice(0, 10)})`,
              startLocal: local,
              durationMs: ends - starts,
            }) as MappedValue,
          },
          { repo: "clocks", value: clock },
        ],
        notes: [`one-off airing outside the show's recurrence`, ...clockNotes],
      });
    }
    if (mapped.length === 0 && own.length === 0) {
      result.rejected.push(
        reject("show", showId, "skip", `show "${named.name}" has no show days and no instances`),
      );
      continue;
    }
    mapped.forEach((group, index) => {
      const id =
        index === 0 ? ltId.show(showId) : `${ltId.show(showId)}-${String(group.days[0]!.id)}`;
      const exceptDates = [...(except.get(group) ?? [])].sort();
      const value = compact({
        ...base,
        id,
        name: index === 0 ? named.name : `${named.name} (${group.timeOfDay.slice(0, 5)})`,
        startLocal: group.startLocal,
        rrule: group.rrule,
        durationMs: group.durationMs,
        exceptDates: exceptDates.length > 0 ? exceptDates : undefined,
      }) as MappedValue;
      const groupNotes = [...notes, ...group.notes, ...clockNotes];
      if (index === 0 && own.length > 0)
        groupNotes.push(
          `${covered} instance(s) follow the recurrence${exceptDates.length > 0 ? `, ${exceptDates.length} deleted become except dates` : ""}`,
        );
      result.entities.push({
        sourceKind: "show",
        sourceId: index === 0 ? showId : `${showId}/days-${String(group.days[0]!.id)}`,
        records: [
          { repo: "shows", value },
          { repo: "clocks", value: clock },
        ],
        notes: groupNotes,
      });
    });
  }
  return result;
}
