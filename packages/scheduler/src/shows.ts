import type { Show } from "@grimnir/core";
import * as rruleModule from "rrule";
import type { Diagnostic } from "./types.js";
import { formatLocal, floatingDate, fromFloating, parseLocal } from "./zone.js";

// rrule is CommonJS under Node (named exports on `default`) but ESM to bundlers.
type RRuleModule = typeof import("rrule");
const RRule: RRuleModule["RRule"] =
  (rruleModule as Partial<RRuleModule>).RRule ??
  (rruleModule as unknown as { default: RRuleModule }).default.RRule;

/** One airing of a show: [startsAt, endsAt) epoch ms. */
export interface ShowOccurrence {
  showId: string;
  clockId: string;
  startsAt: number;
  endsAt: number;
  live: boolean;
}

/** Most occurrences evaluated per show per window; bounds work for dense rules. */
const MAX_OCCURRENCES = 2_000;

/** Numeric RRULE parts and the values RFC 5545 allows for them. */
const RANGES: Array<[string, number, number]> = [
  ["byhour", 0, 23],
  ["byminute", 0, 59],
  ["bysecond", 0, 60],
  ["bymonth", 1, 12],
  ["bymonthday", -31, 31],
  ["byyearday", -366, 366],
  ["byweekno", -53, 53],
  ["bysetpos", -366, 366],
];

function invalid(show: Show, why: string): Diagnostic {
  return {
    code: "invalid_rrule",
    severity: "error",
    message: `show "${show.name ?? show.id}" has an invalid recurrence (${why}); expected an RFC 5545 RRULE body such as "FREQ=WEEKLY;BYDAY=MO"; the show is not planned`,
    refs: { showId: String(show.id) },
  };
}

/**
 * Occurrences of `show` that intersect [fromMs, toMs), evaluated on local wall
 * time in `zone` so a 09:00 show stays at 09:00 across DST changes. Invalid
 * start times or rules produce a diagnostic and no occurrences; never throws.
 */
export function showOccurrences(
  show: Show,
  zone: string,
  fromMs: number,
  toMs: number,
  diagnostics: Diagnostic[],
): ShowOccurrence[] {
  const duration = show.durationMs;
  if (typeof duration !== "number" || !Number.isFinite(duration) || duration <= 0) {
    diagnostics.push(
      invalid(show, `durationMs must be a positive number of ms, got ${String(duration)}`),
    );
    return [];
  }
  const dtstart = parseLocal(show.startLocal);
  if (dtstart === undefined) {
    diagnostics.push(
      invalid(
        show,
        `startLocal must be local "YYYY-MM-DDTHH:mm:ss" without offset, got ${JSON.stringify(show.startLocal)}`,
      ),
    );
    return [];
  }
  const except = new Set(show.exceptDates ?? []);
  // Pad the floating window by a day each side: local and UTC differ by < 1 day.
  const lo = new Date(floatingDate(fromMs - duration, zone).getTime() - 86_400_000);
  const hi = new Date(floatingDate(toMs, zone).getTime() + 86_400_000);
  let starts: Date[];
  if (show.rrule === undefined || show.rrule.trim() === "") {
    starts = [dtstart];
  } else {
    let body = show.rrule.trim();
    if (body.toUpperCase().startsWith("RRULE:")) body = body.slice(6);
    try {
      const options = RRule.parseString(body);
      if (options.freq === undefined || options.freq === null) {
        diagnostics.push(invalid(show, "FREQ is missing or unknown"));
        return [];
      }
      if (options.freq === RRule.MINUTELY || options.freq === RRule.SECONDLY) {
        diagnostics.push(
          invalid(show, "FREQ=MINUTELY and FREQ=SECONDLY are not supported for shows"),
        );
        return [];
      }
      for (const [name, min, max] of RANGES) {
        const raw = (options as Record<string, unknown>)[name];
        const values = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
        if (
          values.some((v) => typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
        ) {
          diagnostics.push(invalid(show, `${name.toUpperCase()} must be within ${min}..${max}`));
          return [];
        }
      }
      const weekdays = options.byweekday;
      if (Array.isArray(weekdays) && weekdays.some((w) => w === null || w === undefined)) {
        diagnostics.push(invalid(show, "BYDAY has an unknown weekday"));
        return [];
      }
      const rule = new RRule({ ...options, dtstart, tzid: null });
      starts = rule.between(lo, hi, true, (_date, index) => index < MAX_OCCURRENCES);
    } catch (error) {
      diagnostics.push(invalid(show, error instanceof Error ? error.message : String(error)));
      return [];
    }
  }
  const occurrences: ShowOccurrence[] = [];
  for (const start of starts) {
    const localDate = start.toISOString().slice(0, 10);
    if (except.has(localDate)) continue;
    const startsAt = fromFloating(start, zone);
    const endsAt = startsAt + duration;
    if (endsAt <= fromMs || startsAt >= toMs) continue;
    occurrences.push({
      showId: show.id,
      clockId: show.clockId,
      startsAt,
      endsAt,
      live: show.live === true,
    });
  }
  return occurrences;
}

/**
 * Every occurrence of every show in the window, ordered by start then show id,
 * with a "show_overlap" warning for each pair that overlaps (the earlier start
 * keeps the overlapping hours; on equal starts the smaller show id does).
 */
export function expandShows(
  shows: Show[],
  zone: string,
  fromMs: number,
  toMs: number,
  diagnostics: Diagnostic[],
): ShowOccurrence[] {
  const all = shows.flatMap((show) => showOccurrences(show, zone, fromMs, toMs, diagnostics));
  all.sort(
    (a, b) => a.startsAt - b.startsAt || (a.showId < b.showId ? -1 : a.showId > b.showId ? 1 : 0),
  );
  for (let i = 0; i < all.length; i++) {
    const a = all[i]!;
    for (let j = i + 1; j < all.length && all[j]!.startsAt < a.endsAt; j++) {
      const b = all[j]!;
      diagnostics.push({
        code: "show_overlap",
        severity: "warning",
        message: `show ${b.showId} at ${formatLocal(b.startsAt, zone)} overlaps show ${a.showId} (${formatLocal(a.startsAt, zone)} – ${formatLocal(a.endsAt, zone)}); ${a.showId} keeps the overlapping hours`,
        at: b.startsAt,
        refs: { showId: b.showId, otherShowId: a.showId },
      });
    }
  }
  return all;
}
