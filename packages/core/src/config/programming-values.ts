/** Raw values of the planning sections of a station file, shared by their checks and their mapping. */

/** Seconds in the hour a clock covers. */
export const HOUR_SEC = 3600;

/** A YAML mapping as parsed. */
export type Raw = Record<string, unknown>;

/** Seconds of a "MM:SS" or whole-seconds value; undefined when it is neither. */
export function parseMinutesSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^([0-9]{1,3}):([0-5][0-9])$/.exec(value);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
}

/** Local hours of an hour rule: `7` → [7], `"7-18"` → 7..18, `"22-5"` → 22..23, 0..5. */
export function ruleHours(value: unknown): number[] {
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
export function instant(value: unknown): number | undefined {
  if (typeof value !== "string" || !ISO_WITH_OFFSET.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && validDate(value.slice(0, 10)) ? ms : undefined;
}

/** True for a real calendar date "YYYY-MM-DD". */
export function validDate(text: string): boolean {
  const [y, m, d] = text.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** True for a real local date-time "YYYY-MM-DDTHH:MM[:SS]". */
export function validLocalTime(text: string): boolean {
  const [date, time = ""] = text.split("T");
  const [h, m, s = 0] = time.split(":").map(Number) as [number, number, number?];
  return validDate(date ?? "") && h <= 23 && m <= 59 && (s ?? 0) <= 59;
}

/** The mappings of a YAML sequence (a non-mapping item becomes `{}`; a non-sequence, none). */
export function records(value: unknown): Raw[] {
  return Array.isArray(value)
    ? value.map((v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : {}))
    : [];
}
