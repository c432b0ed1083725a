import { GrimnirError } from "@grimnir/core";

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parse a time from a query parameter: epoch milliseconds ("1767225600000") or
 * ISO-8601 with an offset ("2026-01-01T00:00:00Z"). Local times without an
 * offset are refused. Throws VALIDATION naming the parameter.
 */
export function parseTimeParam(name: string, value: string): number {
  const ms = /^\d{1,15}$/.test(value)
    ? Number(value)
    : ISO_WITH_OFFSET.test(value)
      ? Date.parse(value)
      : NaN;
  if (!Number.isFinite(ms)) {
    throw new GrimnirError(
      "VALIDATION",
      `querystring/${name} must be epoch milliseconds or ISO-8601 with an offset (e.g. 2026-01-01T00:00:00Z), got "${value}"`,
      { details: { pointer: `/${name}`, field: name, location: "querystring" } },
    );
  }
  return ms;
}

/** Parse and check a `from`/`to` window: from < to, at most `maxMs` long. */
export function parseWindow(
  from: string | undefined,
  to: string | undefined,
  defaults: { from: number; lengthMs: number },
  maxMs: number,
): { from: number; to: number } {
  const start = from === undefined ? defaults.from : parseTimeParam("from", from);
  const end = to === undefined ? start + defaults.lengthMs : parseTimeParam("to", to);
  if (end <= start) {
    throw new GrimnirError("VALIDATION", "querystring/to must be after from", {
      details: { pointer: "/to", field: "to", location: "querystring" },
    });
  }
  if (end - start > maxMs) {
    throw new GrimnirError(
      "VALIDATION",
      `querystring/to: the window may be at most ${maxMs / 3_600_000} hours long`,
      {
        details: { pointer: "/to", field: "to", location: "querystring" },
      },
    );
  }
  return { from: start, to: end };
}
