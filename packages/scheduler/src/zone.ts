import { DateTime, IANAZone } from "luxon";

/** True when `zone` is an IANA zone name this runtime knows. */
export function isValidZone(zone: unknown): zone is string {
  return typeof zone === "string" && zone.length > 0 && IANAZone.isValidZone(zone);
}

/** One local hour: [startsAt, endsAt) in epoch ms with its local labels. */
export interface LocalHour {
  /** Top of the local hour, epoch ms. */
  startsAt: number;
  /** Top of the next local hour, epoch ms. */
  endsAt: number;
  /** Local ISO-8601 with offset, e.g. "2026-11-01T01:00:00-05:00". */
  local: string;
  /** Local date "YYYY-MM-DD". */
  localDate: string;
  /** Local hour of day 0..23. */
  hourOfDay: number;
  /** Local ISO weekday 1 (Monday) .. 7 (Sunday). */
  weekday: number;
}

/**
 * The local hours of `zone` that intersect [fromMs, toMs), in order. Hours
 * are real (elapsed) hours between local tops of the hour, so a spring-forward
 * day has 23 and a fall-back day 25 (its repeated 01:00 appears twice).
 * Bounded: at most (toMs − fromMs) / 30 min + 2 hours are returned.
 */
export function localHours(zone: string, fromMs: number, toMs: number): LocalHour[] {
  const hours: LocalHour[] = [];
  let top = DateTime.fromMillis(fromMs, { zone }).startOf("hour");
  const limit = Math.ceil((toMs - fromMs) / 1_800_000) + 2;
  while (top.toMillis() < toMs && hours.length < limit) {
    let next = top.plus({ hours: 1 }).startOf("hour");
    if (next.toMillis() <= top.toMillis())
      next = DateTime.fromMillis(top.toMillis() + 3_600_000, { zone });
    hours.push({
      startsAt: top.toMillis(),
      endsAt: next.toMillis(),
      local: top.toISO({ suppressMilliseconds: true }) ?? "",
      localDate: top.toISODate() ?? "",
      hourOfDay: top.hour,
      weekday: top.weekday,
    });
    top = next;
  }
  return hours;
}

/** Local wall time as a "floating" UTC Date (components copied), for RRULE evaluation. */
export function floatingDate(epochMs: number, zone: string): Date {
  const t = DateTime.fromMillis(epochMs, { zone });
  return new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
}

/**
 * Epoch ms of a floating Date's wall time in `zone`. A wall time skipped by a
 * spring-forward jump moves forward by the gap; an ambiguous fall-back time
 * takes the earlier (daylight) instant.
 */
export function fromFloating(date: Date, zone: string): number {
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    },
    { zone },
  ).toMillis();
}

/** Parse "YYYY-MM-DDTHH:mm[:ss]" local wall time as a floating Date; undefined when invalid. */
export function parseLocal(text: unknown): Date | undefined {
  if (typeof text !== "string") return undefined;
  const t = DateTime.fromISO(text, { zone: "UTC", setZone: false });
  if (!t.isValid || /[zZ]|[+-]\d\d:?\d\d$/.test(text)) return undefined;
  return new Date(t.toMillis());
}

/** Format epoch ms as local ISO-8601 with offset in `zone`. */
export function formatLocal(epochMs: number, zone: string): string {
  return (
    DateTime.fromMillis(epochMs, { zone }).toISO({ suppressMilliseconds: true }) ?? String(epochMs)
  );
}
