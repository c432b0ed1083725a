/** Parsing of source values (intervals, numbers, text) into Grimnir units. */

/**
 * Milliseconds of a PostgreSQL interval or time text ("00:03:25.5",
 * "1 day 02:00:00", "01:30"), or of a number of seconds. Undefined when empty
 * or malformed.
 */
export function intervalMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "number")
    return Number.isFinite(value) ? Math.round(value * 1000) : undefined;
  const text = String(value).trim();
  if (text === "") return undefined;
  const m = /^(?:(-?\d+) days? ?)?(-)?(\d+):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?$/.exec(text);
  if (m === null) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : undefined;
  }
  const days = m[1] === undefined ? 0 : Number(m[1]);
  const sign = m[2] === "-" ? -1 : 1;
  const ms = (Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5] ?? 0)) * 1000;
  return Math.round(days * 86_400_000 + sign * ms);
}

/** A finite number from a number or numeric text, else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(String(value).trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Trimmed non-empty text, else undefined. */
export function toText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  return text === "" ? undefined : text;
}

/** Epoch ms of a UTC timestamp text ("2024-03-01 10:00:00"), a Date, or undefined. */
export function utcMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  const text = String(value).trim().replace(" ", "T");
  const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Copy of `record` without keys whose value is undefined (stores drop them). */
export function compact<T extends Record<string, unknown>>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** `url` with any password replaced by "***", for report lines. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch (error) {
    if (error instanceof TypeError) return url.replace(/:[^:@/]*@/, ":***@");
    throw error;
  }
}
