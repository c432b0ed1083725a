import { GrimnirError } from "@grimnir/core";

/** Longest id or station id accepted, characters. */
export const MAX_ID_LENGTH = 200;
/** Longest indexed text value (title, artist, tag, username, hashes…), characters; keeps index entries within PostgreSQL's btree limit. */
export const MAX_INDEXED_TEXT_LENGTH = 400;

/**
 * The case-folded form stored in `*_lc` columns and compared with: JavaScript's
 * `toLowerCase` (core's reference semantics), with NUL — which PostgreSQL text
 * cannot hold — mapped to U+FFFD identically on both sides of every comparison.
 */
export function foldText(text: string): string {
  return text.toLowerCase().replace(/\0/g, "\uFFFD");
}

/** Reject a missing, empty, over-long or NUL-containing id with `VALIDATION`. */
export function requireId(value: unknown, field: string, kind: string): string {
  if (typeof value !== "string" || value === "") {
    throw new GrimnirError("VALIDATION", `${kind} needs a non-empty string ${field}`, {
      details: { kind, field },
    });
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new GrimnirError(
      "VALIDATION",
      `${kind} ${field} is ${value.length} characters; at most ${MAX_ID_LENGTH} allowed`,
      {
        details: { kind, field, maxLength: MAX_ID_LENGTH },
      },
    );
  }
  if (value.includes("\0")) {
    throw new GrimnirError("VALIDATION", `${kind} ${field} must not contain NUL characters`, {
      details: { kind, field },
    });
  }
  return value;
}

/** An indexed text value: a string of at most {@link MAX_INDEXED_TEXT_LENGTH} characters (or absent when `optional`). */
export function indexedText(
  value: unknown,
  field: string,
  kind: string,
  optional: true,
): string | undefined;
export function indexedText(value: unknown, field: string, kind: string, optional?: false): string;
export function indexedText(
  value: unknown,
  field: string,
  kind: string,
  optional = false,
): string | undefined {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new GrimnirError("VALIDATION", `${kind} needs a string ${field}`, {
      details: { kind, field },
    });
  }
  if (typeof value !== "string") {
    throw new GrimnirError("VALIDATION", `${kind} ${field} must be a string, got ${typeof value}`, {
      details: { kind, field },
    });
  }
  if (value.length > MAX_INDEXED_TEXT_LENGTH) {
    throw new GrimnirError(
      "VALIDATION",
      `${kind} ${field} is ${value.length} characters; at most ${MAX_INDEXED_TEXT_LENGTH} allowed`,
      { details: { kind, field, maxLength: MAX_INDEXED_TEXT_LENGTH } },
    );
  }
  return value;
}

/** A finite number (or absent when `optional`). */
export function finiteNumber(
  value: unknown,
  field: string,
  kind: string,
  optional: true,
): number | undefined;
export function finiteNumber(value: unknown, field: string, kind: string, optional?: false): number;
export function finiteNumber(
  value: unknown,
  field: string,
  kind: string,
  optional = false,
): number | undefined {
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new GrimnirError("VALIDATION", `${kind} needs a number ${field}`, {
      details: { kind, field },
    });
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new GrimnirError(
      "VALIDATION",
      `${kind} ${field} must be a finite number, got ${JSON.stringify(value) ?? typeof value}`,
      {
        details: { kind, field },
      },
    );
  }
  return value;
}

/** Reject a record that is not a plain object. */
export function requireObject(value: unknown, kind: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GrimnirError("VALIDATION", `${kind} must be an object`, { details: { kind } });
  }
  return value as Record<string, unknown>;
}
