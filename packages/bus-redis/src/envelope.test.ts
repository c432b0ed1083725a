import { describe, expect, it } from "vitest";
import { isGrimnirError } from "@grimnir/core";
import type { BusEvent } from "@grimnir/core";
import { channelFor, decodeEvent, encodeEvent } from "./envelope.js";

const event: BusEvent<"now_playing"> = {
  v: 1,
  id: "e1",
  topic: "now_playing",
  stationId: "wgmr",
  at: 1_790_000_000_000,
  payload: { title: "Song", artist: "Band", startedAt: 1_790_000_000_000, priority: 3 },
};

function decodeError(text: string): { code: string; field: unknown; message: string } {
  try {
    decodeEvent(text);
  } catch (err) {
    if (isGrimnirError(err))
      return { code: err.code, field: err.details.field, message: err.message };
    throw err;
  }
  throw new Error("decodeEvent accepted bad input");
}

describe("event envelope", () => {
  it("round-trips an event through the wire format", () => {
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it("names the field that is wrong", () => {
    expect(decodeError("{not json").code).toBe("VALIDATION");
    expect(decodeError("[1]").message).toBe("event must be a JSON object");
    expect(decodeError(JSON.stringify({ ...event, v: 2 }))).toMatchObject({
      field: "v",
      message: "event version must be 1 (got 2)",
    });
    expect(decodeError(JSON.stringify({ ...event, topic: "nope" })).field).toBe("topic");
    expect(decodeError(JSON.stringify({ ...event, stationId: "" })).field).toBe("stationId");
    expect(decodeError(JSON.stringify({ ...event, at: "now" })).field).toBe("at");
    expect(decodeError(JSON.stringify({ ...event, payload: null })).field).toBe("payload");
    expect(decodeError(JSON.stringify({ ...event, id: 5 })).field).toBe("id");
  });

  it("builds station-scoped channel names and refuses wildcard characters in ids", () => {
    expect(channelFor("grimnir", "wgmr", "dj.connect")).toBe("grimnir.wgmr.dj.connect");
    expect(() => channelFor("grimnir", "a*", "metrics")).toThrow(
      /cannot be used in a channel name/,
    );
    expect(() => channelFor("grimnir", "", "metrics")).toThrow(/non-empty id/);
  });
});
