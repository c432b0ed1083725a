import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { createBodySchema } from "./schemas-common.js";
import { webstreamResource } from "./schemas-live.js";
import { smartBlockResource } from "./schemas-programming.js";
import { mountResource } from "./schemas-stations.js";
import { passwordSchema, userResource } from "./schemas-users.js";

const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true });

describe("resource group schemas", () => {
  it("grants users a known role on a station or on every station", () => {
    const valid = ajv.compile(createBodySchema(userResource));
    expect(valid({ username: "dj.anna", roles: [{ stationId: "*", role: "admin" }] })).toBe(true);
    expect(valid({ username: "dj.anna", roles: [{ stationId: "s1", role: "owner" }] })).toBe(false);
    expect(ajv.compile(passwordSchema)("short")).toBe(false);
  });

  it("checks each mount output by its type", () => {
    const valid = ajv.compile(createBodySchema(mountResource));
    const http = { type: "http", path: "live.mp3", format: "mp3", bitrateKbps: 128 };
    expect(valid({ name: "Main", outputs: [http] })).toBe(true);
    expect(valid({ name: "Main", outputs: [{ ...http, bitrateKbps: 1024 }] })).toBe(false);
    expect(
      valid({ name: "Main", outputs: [{ type: "icecast", format: "mp3", bitrateKbps: 128 }] }),
    ).toBe(false);
  });

  it("accepts a smart block with rotation rules and rejects an unknown media field", () => {
    const valid = ajv.compile(createBodySchema(smartBlockResource));
    const block = {
      name: "Daytime",
      filters: [{ field: "genre", op: "equals", value: "pop" }],
      sort: { by: "random" },
      limit: { kind: "count", count: 10 },
      quotas: [],
      rotation: { artistSeparationMinutes: 60 },
      fill: { kind: "none" },
    };
    expect(valid(block)).toBe(true);
    expect(valid({ ...block, filters: [{ field: "colour", op: "equals", value: "x" }] })).toBe(
      false,
    );
  });

  it("needs at least one webstream URL, http or https only", () => {
    const valid = ajv.compile(createBodySchema(webstreamResource));
    expect(valid({ name: "Relay", urls: ["https://example.org/live"] })).toBe(true);
    expect(valid({ name: "Relay", urls: [] })).toBe(false);
    expect(valid({ name: "Relay", urls: ["ftp://example.org/live"] })).toBe(false);
  });
});
