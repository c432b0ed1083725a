/** Wall-clock conversions between epoch ms and local time in an IANA zone (Intl only, no tz database of our own). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA zone name this runtime knows. */
export function isKnownZone(zone: string): boolean {
  if (zone.trim() === "") return false;
  try {
    formatter(zone);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** Local "YYYY-MM-DDTHH:mm:ss" of `epochMs` in `zone`. */
export function epochToLocal(epochMs: number, zone: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

function localAsUtc(local: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(local);
  if (m === null) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/**
 * Epoch ms of local wall time `local` ("YYYY-MM-DDTHH:mm:ss") in `zone`. A time
 * skipped by a DST jump resolves to the instant after the jump; a repeated
 * time resolves to its first occurrence. NaN when `local` is malformed.
 */
export function localToEpoch(local: string, zone: string): number {
  const wanted = localAsUtc(local);
  if (Number.isNaN(wanted)) return Number.NaN;
  // Two fixed-point steps find the offset in force at that wall time.
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const offset = localAsUtc(epochToLocal(guess, zone)) - guess;
    const next = wanted - offset;
    if (next === guess) break;
    guess = next;
  }
  const earlier = guess - 3_600_000;
  if (localAsUtc(epochToLocal(earlier, zone)) === wanted) return earlier;
  return guess;
}

/** Shift a local "YYYY-MM-DD" by `days`. */
export function addDays(date: string, days: number): string {
  const t =
    Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Day of week of a "YYYY-MM-DD" date, 0 = Sunday … 6 = Saturday. */
export function weekday(date: string): number {
  return new Date(
    Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)),
  ).getUTCDay();
}

/** RFC 5545 two-letter weekday codes indexed by {@link weekday}. */
export const RRULE_DAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"] as const;
