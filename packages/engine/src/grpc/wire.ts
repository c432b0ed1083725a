import type { FadeCurve, PlayRequest } from "@grimnir/core";
import { GrimnirError } from "@grimnir/core";

/** PlayRequest as proto-loader decodes it (camelCase, optional fields absent when unset). */
export interface WirePlayRequest {
  stationId?: string;
  itemId?: string;
  uri?: string;
  startMs?: number;
  endMs?: number;
  gainDb?: number;
  fadeInMs?: number;
  crossfadeMs?: number;
  curve?: string;
  atMs?: number;
  title?: string;
  artist?: string;
}

const CURVES: FadeCurve[] = ["linear", "log", "exp", "scurve"];

function invalid(field: string, expected: string, got: unknown): GrimnirError {
  return new GrimnirError(
    "VALIDATION",
    `${field} must be ${expected}, got ${JSON.stringify(got)}`,
    { details: { field } },
  );
}

/** Check a wire station id. */
export function requireStationId(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "")
    throw invalid("station_id", "a non-empty string", value);
  return value;
}

/** Check an optional number field against a range. */
export function optionalNumber(
  value: unknown,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, `a number from ${min} to ${max}`, value);
  }
  return value;
}

/** Check an optional fade curve name. */
export function optionalCurve(value: unknown, field = "curve"): FadeCurve | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (!CURVES.includes(value as FadeCurve))
    throw invalid(field, `one of ${CURVES.join(", ")}`, value);
  return value as FadeCurve;
}

/** Validate a wire PlayRequest into core's {@link PlayRequest}; errors name the field. */
export function toPlayRequest(wire: WirePlayRequest): { stationId: string; request: PlayRequest } {
  const stationId = requireStationId(wire.stationId);
  if (typeof wire.itemId !== "string" || wire.itemId === "")
    throw invalid("item_id", "a non-empty string", wire.itemId);
  if (typeof wire.uri !== "string" || wire.uri === "")
    throw invalid("uri", "a file path or URI", wire.uri);
  const day = 86_400_000;
  const request: PlayRequest = {
    itemId: wire.itemId,
    uri: wire.uri,
    startMs: optionalNumber(wire.startMs, "start_ms", 0, day),
    endMs: optionalNumber(wire.endMs, "end_ms", 0, day),
    gainDb: optionalNumber(wire.gainDb, "gain_db", -96, 24),
    fadeInMs: optionalNumber(wire.fadeInMs, "fade_in_ms", 0, 600_000),
    crossfadeMs: optionalNumber(wire.crossfadeMs, "crossfade_ms", 0, 600_000),
    curve: optionalCurve(wire.curve),
    atMs: optionalNumber(wire.atMs, "at_ms", 0, Number.MAX_SAFE_INTEGER),
    title: wire.title,
    artist: wire.artist,
  };
  if (request.endMs !== undefined && request.endMs <= (request.startMs ?? 0)) {
    throw invalid("end_ms", `greater than start_ms (${request.startMs ?? 0})`, request.endMs);
  }
  return { stationId, request };
}

/** Core PlayRequest → wire form (client side). */
export function fromPlayRequest(stationId: string, r: PlayRequest): WirePlayRequest {
  return {
    stationId,
    itemId: r.itemId,
    uri: r.uri,
    startMs: r.startMs,
    endMs: r.endMs,
    gainDb: r.gainDb,
    fadeInMs: r.fadeInMs,
    crossfadeMs: r.crossfadeMs,
    curve: r.curve,
    atMs: r.atMs,
    title: r.title,
    artist: r.artist,
  };
}
