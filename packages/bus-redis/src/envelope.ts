import { EVENT_ENVELOPE_VERSION, GrimnirError, TOPICS } from "@grimnir/core";
import type { BusEvent, Topic } from "@grimnir/core";

/** Channel (Redis) or subject (NATS) an event travels on: `<prefix>.<stationId>.<topic>`. */
export function channelFor(prefix: string, stationId: string, topic: Topic): string {
  if (stationId.length === 0 || /[\s*>]/.test(stationId)) {
    throw new GrimnirError(
      "VALIDATION",
      `stationId ${JSON.stringify(stationId)} cannot be used in a channel name; expected a non-empty id without spaces, "*" or ">"`,
      { details: { field: "stationId" } },
    );
  }
  return `${prefix}.${stationId}.${topic}`;
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
