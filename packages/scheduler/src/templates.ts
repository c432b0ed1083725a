import { GrimnirError } from "@grimnir/core";
import type { Override, Show } from "@grimnir/core";
import { DateTime } from "luxon";
import { isValidZone } from "./zone.js";

/** The shows and overrides a week template copies. */
export interface WeekTemplate {
  shows: Show[];
  overrides: Override[];
}

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

function localDay(date: string, zone: string, field: string): DateTime {
  const day = DATE.test(date) ? DateTime.fromISO(date, { zone }) : undefined;
  if (day === undefined || !day.isValid) {
    throw new GrimnirError(
      "VALIDATION",
      `${field} must be a local date YYYY-MM-DD (got ${JSON.stringify(date)})`,
      {
        details: { field },
      },
    );
  }
  return day.startOf("day");
}

/**
 * Copy one local week of programming to another ("templates"): every
 * override starting in the week of `fromWeekStart` (local date, 7 local days
 * from its midnight) and every one-off show (no RRULE) whose first start falls
 * in it is copied to the same local weekday and wall time in the week of
 * `toWeekStart`. Shifts are in whole local days, so 09:00 stays 09:00 across a
 * DST change (an occurrence's real length follows the wall clock: a 22:00–04:00
 * override is 5 h on the spring-forward night and 6 h a week later). Recurring
 * shows are not copied: their rule already repeats them. Copies get the id
 * `<id>@<toWeekStart>`; the inputs are not modified. Only the copies are
 * returned, in input order.
 *
 * @param zone - IANA zone of the station.
 * @throws GrimnirError `VALIDATION` when a date is not YYYY-MM-DD or the zone is unknown.
 */
export function copyWeek(
  source: WeekTemplate,
  fromWeekStart: string,
  toWeekStart: string,
  zone: string,
): WeekTemplate {
  if (!isValidZone(zone)) {
    throw new GrimnirError(
      "VALIDATION",
      `zone must be an IANA time zone name (got ${JSON.stringify(zone)})`,
      {
        details: { field: "zone" },
      },
    );
  }
  const from = localDay(fromWeekStart, zone, "fromWeekStart");
  const to = localDay(toWeekStart, zone, "toWeekStart");
  const days = Math.round(to.diff(from, "days").days);
  const weekEnd = from.plus({ days: 7 });
  const inWeek = (t: DateTime): boolean => t >= from && t < weekEnd;
  const suffix = `@${toWeekStart}`;

  const overrides = source.overrides
    .filter((o) => inWeek(DateTime.fromMillis(o.startsAt, { zone })))
    .map((o) => ({
      ...o,
      id: `${o.id}${suffix}`,
      startsAt: DateTime.fromMillis(o.startsAt, { zone }).plus({ days }).toMillis(),
      endsAt: DateTime.fromMillis(o.endsAt, { zone }).plus({ days }).toMillis(),
    }));
  const shows = source.shows
    .filter((s) => s.rrule === undefined || s.rrule.trim() === "")
    .flatMap((s) => {
      // startLocal is floating wall time: shift it as a calendar date-time, without the zone.
      const start = DateTime.fromISO(s.startLocal, { zone: "UTC" });
      if (!start.isValid || !inWeek(DateTime.fromISO(s.startLocal, { zone }))) return [];
      const shifted = start.plus({ days }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
      const copy: Show = { ...s, id: `${s.id}${suffix}`, startLocal: shifted };
      if (s.exceptDates !== undefined) copy.exceptDates = [...s.exceptDates];
      return [copy];
    });
  return { shows, overrides };
}
