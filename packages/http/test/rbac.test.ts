import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, makeHarness, type Harness } from "./support.js";

interface Operation {
  "x-grimnir-access": { kind: string; role?: string };
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Every operation of the OpenAPI document, so the matrix follows the route table. */
function operations(
  doc: Doc,
): Array<{ method: string; path: string; access: Operation["x-grimnir-access"] }> {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      access: op["x-grimnir-access"],
    })),
  );
}

const concrete = (path: string): string => path.replace(/\{[^}]+\}/g, "x1");
const withStation = (path: string, stationId: string): string =>
  `${concrete(path)}?stationId=${stationId}`;

describe("RBAC matrix over the route table", () => {
  let h: Harness;
  let doc: Doc;
  let managerA: string;
  let djA: string;
  let adminA: string;
  let globalAdmin: string;

  beforeAll(async () => {
    h = await makeHarness();
    managerA = (await h.login("manager-a", [{ stationId: h.stationA.id, role: "manager" }]))
      .accessToken;
    djA = (await h.login("dj-a", [{ stationId: h.stationA.id, role: "dj" }])).accessToken;
    adminA = (await h.login("admin-a", [{ stationId: h.stationA.id, role: "admin" }])).accessToken;
    globalAdmin = (await h.login("root", [{ stationId: "*", role: "admin" }])).accessToken;
    doc = (await h.api.inject({ method: "GET", url: "/api/openapi.json" })).json() as Doc;
  });
  afterAll(async () => h.close());

  it("answers 401 without a token on every non-public route", async () => {
    const guarded = operations(doc).filter((op) => op.access.kind !== "public");
    expect(guarded.length).toBeGreaterThan(50);
    for (const op of guarded) {
      const res = await h.api.inject({
        method: op.method as "GET",
        url: withStation(op.path, h.stationA.id),
      });
      expect({ route: `${op.method} ${op.path}`, status: res.statusCode }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 401,
      });
    }
  });

  it("answers 403 to a manager of station A on every station-scoped route of station B", async () => {
    const scoped = operations(doc).filter((op) => op.access.kind === "station");
    for (const op of scoped) {
      const res = await h.api.inject({
        method: op.method as "GET",
        url: withStation(op.path, h.stationB.id),
        headers: bearer(managerA),
        ...(["POST", "PUT", "PATCH"].includes(op.method) ? { payload: {} } : {}),
      });
      expect({ route: `${op.method} ${op.path}`, status: res.statusCode }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 403,
      });
      expect(res.json().error.code).toBe("FORBIDDEN");
    }
  });

  it("answers 403 to a DJ on manager and admin routes of their own station", async () => {
    const above = operations(doc).filter(
      (op) => op.access.kind === "station" && op.access.role !== "dj",
    );
    expect(above.length).toBeGreaterThan(20);
    for (const op of above) {
      const res = await h.api.inject({
        method: op.method as "GET",
        url: withStation(op.path, h.stationA.id),
        headers: bearer(djA),
        ...(["POST", "PUT", "PATCH"].includes(op.method) ? { payload: {} } : {}),
      });
      expect({ route: `${op.method} ${op.path}`, status: res.statusCode }).toEqual({
        route: `${op.method} ${op.path}`,
        status: 403,
      });
    }
  });

  it("lets a manager read every station-scoped family of their own station", async () => {
    const reads = operations(doc).filter(
      (op) => op.access.kind === "station" && op.method === "GET" && !op.path.includes("{"),
    );
    for (const op of reads) {
      const res = await h.api.inject({
        method: "GET",
        url: withStation(op.path, h.stationA.id),
        headers: bearer(managerA),
      });
      // executor state is 404 until an executor wrote one; priority is 501 until the priority port is plugged in.
      expect([200, 404, 501], `${op.path}: ${res.body}`).toContain(res.statusCode);
    }
  });

  it("keeps users and station creation to admins of every station", async () => {
    for (const token of [managerA, adminA]) {
      expect(
        (await h.api.inject({ method: "GET", url: "/api/v1/users", headers: bearer(token) }))
          .statusCode,
      ).toBe(403);
      const create = await h.api.inject({
        method: "POST",
        url: "/api/v1/stations",
        headers: bearer(token),
        payload: { name: "Gamma", timezone: "UTC" },
      });
      expect(create.statusCode).toBe(403);
    }
    expect(
      (await h.api.inject({ method: "GET", url: "/api/v1/users", headers: bearer(globalAdmin) }))
        .statusCode,
    ).toBe(200);
  });

  it("shows a user only the stations they hold a role on, and 403 for another station", async () => {
    const list = await h.api.inject({
      method: "GET",
      url: "/api/v1/stations",
      headers: bearer(managerA),
    });
    expect((list.json() as Array<{ id: string }>).map((s) => s.id)).toEqual([h.stationA.id]);
    expect(
      (
        await h.api.inject({
          method: "GET",
          url: `/api/v1/stations/${h.stationB.id}`,
          headers: bearer(managerA),
        })
      ).statusCode,
    ).toBe(403);
    const patch = await h.api.inject({
      method: "PATCH",
      url: `/api/v1/stations/${h.stationB.id}`,
      headers: bearer(adminA),
      payload: { version: 1, name: "Taken over" },
    });
    expect(patch.statusCode).toBe(403);
    const own = await h.api.inject({
      method: "PATCH",
      url: `/api/v1/stations/${h.stationA.id}`,
      headers: bearer(adminA),
      payload: { version: 1, name: "Alpha Radio" },
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ name: "Alpha Radio", version: 2 });
  });
});
