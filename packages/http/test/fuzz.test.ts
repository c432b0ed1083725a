import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { bearer, makeHarness, type Harness } from "./support.js";

type Doc = { paths: Record<string, Record<string, { requestBody?: unknown }>> };

describe("payload fuzzing of every write route", () => {
  let h: Harness;
  let admin: string;
  let writes: Array<{ method: "POST" | "PUT" | "PATCH"; path: string }>;

  beforeAll(async () => {
    h = await makeHarness();
    admin = (await h.login("root", [{ stationId: "*", role: "admin" }])).accessToken;
    const doc = (await h.api.inject({ method: "GET", url: "/api/openapi.json" })).json() as Doc;
    writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(
          ([method, op]) =>
            ["post", "put", "patch"].includes(method) && op.requestBody !== undefined,
        )
        .map(([method]) => ({ method: method.toUpperCase() as "POST", path })),
    );
  });
  afterAll(async () => h.close());

  it("never answers 5xx (other than 501 for missing ports) to arbitrary JSON bodies", async () => {
    expect(writes.length).toBeGreaterThan(20);
    const playlist = await h.store.playlists.create({
      stationId: h.stationA.id,
      name: "p",
      items: [],
      mode: "ordered",
    });
    const body = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(
        fc.constantFrom(
          "name",
          "version",
          "items",
          "mode",
          "timezone",
          "urls",
          "slots",
          "filters",
          "token",
          "username",
          "password",
          "roles",
          "id",
        ),
        fc.jsonValue(),
      ),
    );
    for (const route of writes) {
      const url = `${route.path.replace(/\{[^}]+\}/g, route.path.startsWith("/api/v1/stations") ? h.stationA.id : playlist.id)}?stationId=${h.stationA.id}`;
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const res = await h.api.inject({
            method: route.method,
            url,
            headers: { ...bearer(admin), "content-type": "application/json" },
            payload: JSON.stringify(payload),
          });
          const ok = res.statusCode < 500 || res.statusCode === 501;
          if (!ok)
            throw new Error(
              `${route.method} ${route.path} answered ${res.statusCode}: ${res.body}`,
            );
          expect(res.body).not.toMatch(/\n\s+at /);
        }),
        { numRuns: 15 },
      );
    }
  });
});
