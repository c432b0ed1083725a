import { EVENT_ENVELOPE_VERSION, GrimnirError, TOPICS } from "@grimnir/core";
import type { BusEvent, Topic } from "@grimnir/core";

/**
 * Channel (Redis) or subject (NATS) an event travels on: `<prefix>.<stationId>.<topic>`.
 * The station id is one token: "%" and "." in it are written as "%25" and "%2E", so
 * `<prefix>.*.<topic>` matches every station and topics may keep their dots (`dj.connect`).
 */
export function channelFor(prefix: string, stationId: string, topic: Topic): string {
  return `${prefix}.${stationToken(stationId)}.${topic}`;
}

/**
 * The station id as a single channel token (see {@link channelFor}). Rejects with
 * `VALIDATION` an empty id or one with whitespace, "*" or ">".
 */
export function stationToken(stationId: string): string {
  if (stationId.length === 0 || /[\s*>]/.test(stationId)) {
    throw new GrimnirError(
      "VALIDATION",
      `stationId ${JSON.stringify(stationId)} cannot be used in a channel name; expected a non-empty id without spaces, "*" or ">"`,
      { details: { field: "stationId" } },
    );
  }
  return stationId.replaceAll("%", "%25").replaceAll(".", "%2E");
}

/** Default largest encoded event a bus accepts at publish, bytes (256 KiB). */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;

/**
 * Encode `event` and refuse it with `VALIDATION` (field `payload`) when its UTF-8
 * size exceeds `maxBytes`, so one oversized event never reaches the wire.
 */
export function encodeBounded(event: BusEvent, maxBytes: number): string {
  const text = encodeEvent(event);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw new GrimnirError(
      "VALIDATION",
      `${event.topic} event for station ${event.stationId} is ${bytes} bytes encoded; expected at most ${maxBytes}`,
      { details: { field: "payload", pointer: "/payload", bytes, maxBytes } },
    );
  }
  return text;
}

/** Encode an event as the JSON text sent on the wire. */
export function encodeEvent(event: BusEvent): string {
  return JSON.stringify(event);
}

/**
 * Decode and check an event received from the wire. Anything that is not a
 * version-{@link EVENT_ENVELOPE_VERSION} envelope with a known topic rejects with
 * `VALIDATION` naming the field, so a foreign or newer publisher cannot crash a subscriber.
 */
export function decodeEvent(text: string): BusEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new GrimnirError("VALIDATION", `event is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("", "event must be a JSON object");
  }
  const record = value as Record<string, unknown>;
  if (record.v !== EVENT_ENVELOPE_VERSION) {
    throw invalid(
      "v",
      `event version must be ${EVENT_ENVELOPE_VERSION} (got ${JSON.stringify(record.v)})`,
    );
  }
  if (typeof record.id !== "string" || record.id.length === 0)
    throw invalid("id", "event id must be a non-empty string");
  if (typeof record.topic !== "string" || !(TOPICS as readonly string[]).includes(record.topic)) {
    throw invalid(
      "topic",
      `event topic must be one of ${TOPICS.join(", ")} (got ${JSON.stringify(record.topic)})`,
    );
  }
  if (typeof record.stationId !== "string" || record.stationId.length === 0) {
    throw invalid("stationId", "event stationId must be a non-empty string");
  }
  if (typeof record.at !== "number" || !Number.isFinite(record.at))
    throw invalid("at", "event at must be epoch milliseconds");
  if (typeof record.payload !== "object" || record.payload === null)
    throw invalid("payload", "event payload must be an object");
  return record as unknown as BusEvent;
}

function invalid(field: string, message: string): GrimnirError {
  return new GrimnirError("VALIDATION", message, {
    details: { field, pointer: field ? `/${field}` : "" },
  });
}
