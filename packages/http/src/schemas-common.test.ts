import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import {
  createBodySchema,
  deleteQuery,
  patchBodySchema,
  recordSchema,
  replaceBodySchema,
  stationListQuery,
  type ResourceSchema,
} from "./schemas-common.js";

const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true });

const scoped: ResourceSchema = {
  name: "Thing",
  stationScoped: true,
  properties: { name: { type: "string", minLength: 1 }, note: { type: "string" } },
  required: ["name"],
  readOnly: { computed: { type: "number" } },
};

describe("resource body schemas", () => {
  it("accepts a create with an optional safe client id and rejects unknown fields", () => {
    const valid = ajv.compile(createBodySchema(scoped));
    expect(valid({ name: "a" })).toBe(true);
    expect(valid({ id: "my.thing-1", name: "a" })).toBe(true);
    expect(valid({ id: "has space", name: "a" })).toBe(false);
    expect(valid({ name: "a", computed: 1 })).toBe(false);
    expect(valid({ note: "no name" })).toBe(false);
  });

  it("requires the version read and the required fields on replace", () => {
    const valid = ajv.compile(replaceBodySchema(scoped));
    expect(valid({ version: 1, name: "a" })).toBe(true);
    expect(valid({ name: "a" })).toBe(false);
    expect(valid({ version: 1 })).toBe(false);
    expect(valid({ version: 0, name: "a" })).toBe(false);
  });

  it("requires the version and at least one field on patch", () => {
    const valid = ajv.compile(patchBodySchema(scoped));
    expect(valid({ version: 2, note: "x" })).toBe(true);
    expect(valid({ version: 2 })).toBe(false);
    expect(valid({ note: "x" })).toBe(false);
  });

  it("shows server-managed fields and the station only in records of station-scoped resources", () => {
    const record = recordSchema(scoped) as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(record.properties)).toEqual([
      "id",
      "version",
      "createdAt",
      "updatedAt",
      "stationId",
      "name",
      "note",
      "computed",
    ]);
    expect(record.required).toEqual(["id", "version", "createdAt", "updatedAt", "name"]);
    const global = recordSchema({ ...scoped, stationScoped: false }) as {
      properties: Record<string, unknown>;
    };
    expect(global.properties).not.toHaveProperty("stationId");
  });
});

describe("shared query schemas", () => {
  it("bounds list paging and needs the station", () => {
    const valid = ajv.compile(stationListQuery);
    expect(valid({ stationId: "s1", limit: 1000, offset: 0 })).toBe(true);
    expect(valid({ stationId: "s1", limit: 1001 })).toBe(false);
    expect(valid({ limit: 10 })).toBe(false);
    expect(ajv.compile(deleteQuery)({ stationId: "s1", version: 0 })).toBe(false);
  });
});
