import { describe, expect, it } from "vitest";
import { GrimnirError } from "@grimnir/core";
import { HTTP_STATUS_BY_CODE, errorResponse } from "./error-status.js";

describe("errorResponse", () => {
  it("maps typed errors to their status and keeps code, message and details", () => {
    const conflict = new GrimnirError("CONFLICT", "media m1 was changed (version 3, you sent 2)", {
      details: { field: "version" },
    });
    expect(errorResponse(conflict)).toEqual({
      status: 409,
      body: {
        error: {
          code: "CONFLICT",
          message: "media m1 was changed (version 3, you sent 2)",
          details: { field: "version" },
        },
      },
    });
    expect(errorResponse(new GrimnirError("FORBIDDEN", "no")).status).toBe(403);
    expect(errorResponse(new GrimnirError("ENGINE_UNAVAILABLE", "down")).status).toBe(503);
  });

  it("hides the message of unexpected errors behind a 500", () => {
    const response = errorResponse(new Error("password=hunter2 at /srv/db.ts:12"));
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain("hunter2");
  });

  it("gives every code a 4xx or 5xx status", () => {
    for (const status of Object.values(HTTP_STATUS_BY_CODE)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });
});
