import { describe, expect, it } from "vitest";
import { GrimnirError, isGrimnirError } from "./errors.js";

describe("GrimnirError", () => {
  it("carries a stable code, message, details and cause", () => {
    const cause = new Error("low level");
    const err = new GrimnirError("CONFIG_INVALID", "station.timezone must be an IANA zone", {
      details: { file: "s.yaml", line: 3, column: 13, pointer: "/station/timezone" },
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("GrimnirError");
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: "CONFIG_INVALID",
      message: "station.timezone must be an IANA zone",
      details: { file: "s.yaml", line: 3, column: 13, pointer: "/station/timezone" },
    });
    expect(isGrimnirError(err)).toBe(true);
    expect(isGrimnirError(err, "CONFIG_INVALID")).toBe(true);
    expect(isGrimnirError(err, "NOT_FOUND")).toBe(false);
    expect(isGrimnirError(new Error("x"))).toBe(false);
  });
});
