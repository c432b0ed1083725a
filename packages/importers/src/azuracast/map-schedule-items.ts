import type { MappedValue, MappingResult } from "../mapped-entity.js";
import { reject } from "../mapped-entity.js";
import { toNumber, toText } from "../values.js";
import { RRULE_DAYS } from "../zone.js";
import type { AcObject } from "./client.js";
import { acId, type AcStationRef } from "./ids.js";

/** HHMM (0–2400, minutes 0–59) → minutes after midnight; undefined when not such a time. */
function hhmm(value: unknown): number | undefined {
  const n = toNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 2400 || n % 100 > 59)
    return undefined;
  return Math.floor(n / 100) * 60 + (n % 100);
}

/** A schedule item as a Show needs it: local start, recurrence and length. */
export interface MappedScheduleItem {
  startLocal: string;
  rrule: string;
  durationMs: number;
  notes: string[];
}

/** AzuraCast schedule item → start, RRULE and length; a reason string when it cannot be mapped. */
export function mapScheduleItem(item: AcObject): MappedScheduleItem | string {
  const start = hhmm(item.start_time);
  const end = hhmm(item.end_time);
  if (start === undefined || end === undefined)
    return `start_time/end_time ${String(item.start_time)}/${String(item.end_time)} are not HHMM times`;
  let minutes = end - start;
  if (minutes <= 0) minutes += 24 * 60;
  const notes: string[] = [];
  const startDate = toText(item.start_date)?.slice(0, 10);
  if (startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(startDate))
    return `start_date "${startDate}" is not YYYY-MM-DD`;
  // Without a start date the rule starts on a fixed Monday so re-imports compare equal.
  const date = startDate ?? "2024-01-01";
  const time = `${String(Math.floor(start / 60)).padStart(2, "0")}:${String(start % 60).padStart(2, "0")}:00`;
  const days = Array.isArray(item.days) ? item.days.map((d) => Number(d)) : [];
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    return `days ${JSON.stringify(item.days)} must be 1 (Monday) … 7 (Sunday)`;
  const endDate = toText(item.end_date)?.slice(0, 10);
  const until = endDate === undefined ? "" : `;UNTIL=${endDate.replaceAll("-", "")}T235959`;
  const rrule =
    days.length === 0
      ? `FREQ=DAILY${until}`
      : `FREQ=WEEKLY;BYDAY=${[...new Set(days)]
          .sort()
          .map((d) => RRULE_DAYS[d % 7])
          .join(",")}${until}`;
  if (item.loop_once === true)
    notes.push("loop_once (play the playlist once per window) has no equivalent");
  return { startLocal: `${date}T${time}`, rrule, durationMs: minutes * 60_000, notes };
}

/** The schedule items of an AzuraCast playlist or streamer (none when absent). */
export function scheduleItemsOf(owner: AcObject): AcObject[] {
  return Array.isArray(owner.schedule_items) ? (owner.schedule_items as AcObject[]) : [];
}

/**
 * Map each of `schedule`'s items, rejecting the unmappable ones as `kind`
 * with `owner` (e.g. `playlist "Jazz"`) in the reason; `accept` gets the rest
 * with their source id (`<station>/<item>`).
 */
function eachMappedItem(
  sid: string,
  schedule: AcObject[],
  kind: "playlist_schedule" | "streamer_schedule",
  owner: string,
  result: MappingResult,
  accept: (item: AcObject, mapped: MappedScheduleItem, itemId: string) => void,
): void {
  for (const item of schedule) {
    const mapped = mapScheduleItem(item);
    const itemId = `${sid}/${String(item.id)}`;
    if (typeof mapped === "string")
      result.rejected.push(reject(kind, itemId, "unmappable", `${owner}: ${mapped}`));
    else accept(item, mapped, itemId);
  }
}

/**
 * A playlist's schedule items → Shows named "<playlist> (scheduled)", each
 * with its own copy of the playlist's `clock` starting at minute 0; an item
 * that cannot be mapped is rejected with the playlist's source `name`.
 */
export function mapPlaylistSchedule(
  { sid, stationId }: AcStationRef,
  schedule: AcObject[],
  playlist: { name: string; sourceName: string; clock: MappedValue },
): MappingResult {
  const result: MappingResult = { entities: [], rejected: [] };
  const { clock } = playlist;
  const owner = `playlist "${playlist.sourceName}"`;
  eachMappedItem(sid, schedule, "playlist_schedule", owner, result, (item, mapped, itemId) => {
    const show = {
      id: acId.schedule(sid, item.id),
      stationId,
      name: `${playlist.name} (scheduled)`,
      startLocal: mapped.startLocal,
      rrule: mapped.rrule,
      durationMs: mapped.durationMs,
      clockId: clock.id,
    };
    result.entities.push({
      sourceKind: "playlist_schedule",
      sourceId: itemId,
      records: [
        { repo: "shows", value: show },
        {
          repo: "clocks",
          value: { ...clock, slots: [{ ...(clock.slots as AcObject[])[0], offsetMs: 0 }] },
        },
      ],
      notes: mapped.notes,
    });
  });
  return result;
}

/**
 * A streamer's schedule items → live Shows "<name> (live)" for the DJ user
 * `djUserId`, on the station's one-slot "Live" clock; an item that cannot be
 * mapped is rejected with the streamer's `username`.
 */
export function mapStreamerSchedule(
  { sid, stationId }: AcStationRef,
  schedule: AcObject[],
  streamer: { username: string; displayName: string | undefined; djUserId: string },
): MappingResult {
  const result: MappingResult = { entities: [], rejected: [] };
  const owner = `streamer "${streamer.username}"`;
  eachMappedItem(sid, schedule, "streamer_schedule", owner, result, (item, mapped, itemId) => {
    const show = {
      id: acId.schedule(sid, `s${String(item.id)}`),
      stationId,
      name: `${streamer.displayName ?? streamer.username} (live)`,
      startLocal: mapped.startLocal,
      rrule: mapped.rrule,
      durationMs: mapped.durationMs,
      clockId: acId.liveClock(sid),
      live: true,
      djUserId: streamer.djUserId,
    };
    const liveClock: MappedValue = {
      id: acId.liveClock(sid),
      stationId,
      name: "Live",
      slots: [{ id: "live", kind: "live", offsetMs: 0 }],
    };
    result.entities.push({
      sourceKind: "streamer_schedule",
      sourceId: itemId,
      records: [
        { repo: "shows", value: show },
        { repo: "clocks", value: liveClock },
      ],
      notes: mapped.notes,
    });
  });
  return result;
}
