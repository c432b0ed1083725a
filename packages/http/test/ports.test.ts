import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GrimnirError } from "@grimnir/core";
import type { LiveSession, Webstream } from "@grimnir/core";
import type {
  LivePort,
  PlannerPort,
  PriorityPort,
  PriorityStackEntry,
  WebstreamPort,
} from "../src/index.js";
import { bearer, makeHarness, type Harness } from "./support.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** A small store-backed live service, standing in for the real one. */
function storeLive(h: () => Harness): LivePort {
  return {
    async generateToken(stationId, request) {
      const token = randomBytes(32).toString("hex");
      const record = await h().store.liveTokens.create({
        stationId,
        mountId: request.mountId,
        userId: request.userId,
        priority: request.priority,
        tokenHash: sha256(token),
        expiresAt: Date.now() + request.ttlMs,
      });
      return {
        id: record.id,
        token,
        expiresAt: record.expiresAt,
        mountId: record.mountId,
        userId: record.userId,
        priority: record.priority,
      };
    },
    async authorize(stationId, token) {
      const record = await h().store.liveTokens.findByHash(sha256(token));
      if (record === undefined || record.stationId !== stationId || record.usedAt !== undefined) {
        throw new GrimnirError("UNAUTHORIZED", "live token is unknown or used");
      }
      return {
        tokenId: record.id,
        mountId: record.mountId,
        userId: record.userId,
        priority: record.priority,
      };
    },
    async connect(stationId, request) {
      const grant = await this.authorize(stationId, request.token);
      const token = (await h().store.liveTokens.get(stationId, grant.tokenId))!;
      const { createdAt: _c, updatedAt: _u, ...rest } = token;
      await h().store.liveTokens.update({ ...rest, usedAt: Date.now() });
      return h().store.liveSessions.create({
        stationId,
        mountId: grant.mountId,
        userId: grant.userId,
        tokenId: grant.tokenId,
        priority: grant.priority,
        state: "connected",
        connectedAt: Date.now(),
      });
    },
    async disconnect(stationId, sessionId) {
      const session = (await h().store.liveSessions.get(stationId, sessionId))!;
      const { createdAt: _c, updatedAt: _u, ...rest } = session;
      return h().store.liveSessions.update({
        ...rest,
        state: "disconnected",
        disconnectedAt: Date.now(),
      } as LiveSession);
    },
  };
}

describe("routes backed by ports", () => {
  let h: Harness;
  let manager: string;
  let dj: string;
  let djId: string;
  const stack: PriorityStackEntry[] = [
    { id: "automation", priority: 3, activatedAt: 0, kind: "automation", onAir: true },
  ];
  const priority: PriorityPort = {
    stack: async () => stack,
    insertEmergency: async (_stationId, request) => {
      const entry = {
        id: "eas-1",
        priority: 0 as const,
        activatedAt: 1,
        kind: "emergency",
        onAir: true,
        label: request.reason,
      };
      stack.forEach((s) => (s.onAir = false));
      stack.unshift(entry);
      return entry;
    },
    release: async (_stationId, sourceId) => {
      const index = stack.findIndex((s) => s.id === sourceId);
      if (index < 0) throw new GrimnirError("NOT_FOUND", `no source ${sourceId}`);
      stack.splice(index, 1);
    },
  };
  const planner: PlannerPort = {
    regenerate: async () => ({ from: 0, to: 172_800_000, entries: 42 }),
    whatIf: async () => ({ entries: [], diagnostics: [{ kind: "underfill" }] }),
    previewSmartBlock: async () => [],
  };
  const webstreams: WebstreamPort = {
    failover: async (stationId, id) => {
      const ws = (await h.store.webstreams.get(stationId, id))!;
      const { createdAt: _c, updatedAt: _u, ...rest } = ws;
      return h.store.webstreams.update({
        ...rest,
        currentIndex: (ws.currentIndex + 1) % ws.urls.length,
      } as Webstream);
    },
    reset: async (stationId, id) => (await h.store.webstreams.get(stationId, id))!,
  };

  beforeAll(async () => {
    h = await makeHarness({ ports: { priority, planner, webstreams, live: storeLive(() => h) } });
    manager = (await h.login("manager-a", [{ stationId: h.stationA.id, role: "manager" }]))
      .accessToken;
    const djLogin = await h.login("dj-a", [{ stationId: h.stationA.id, role: "dj" }]);
    dj = djLogin.accessToken;
    djId = djLogin.userId;
  });
  afterAll(async () => h.close());

  const q = () => `?stationId=${h.stationA.id}`;

  it("runs the live token → authorize → connect → disconnect lifecycle", async () => {
    const mount = await h.store.mounts.create({
      stationId: h.stationA.id,
      name: "main",
      outputs: [],
    });
    const issued = await h.api.inject({
      method: "POST",
      url: `/api/v1/live/tokens${q()}`,
      headers: bearer(dj),
      payload: { mountId: mount.id },
    });
    expect(issued.statusCode).toBe(201);
    const { token } = issued.json() as { token: string };
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    // A DJ may not mint tokens for someone else.
    const forOther = await h.api.inject({
      method: "POST",
      url: `/api/v1/live/tokens${q()}`,
      headers: bearer(dj),
      payload: { mountId: mount.id, userId: "someone" },
    });
    expect(forOther.statusCode).toBe(403);

    const auth = await h.api.inject({
      method: "POST",
      url: `/api/v1/live/authorize${q()}`,
      headers: bearer(manager),
      payload: { token },
    });
    expect(auth.json()).toMatchObject({ mountId: mount.id, userId: djId, priority: 2 });
    const connect = await h.api.inject({
      method: "POST",
      url: `/api/v1/live/connect${q()}`,
      headers: bearer(manager),
      payload: { token },
    });
    expect(connect.statusCode).toBe(201);
    const session = connect.json() as { id: string };
    const again = await h.api.inject({
      method: "POST",
      url: `/api/v1/live/connect${q()}`,
      headers: bearer(manager),
      payload: { token },
    });
    expect(again.statusCode).toBe(401);

    const active = await h.api.inject({
      method: "GET",
      url: `/api/v1/live/sessions${q()}`,
      headers: bearer(dj),
    });
    expect((active.json() as unknown[]).length).toBe(1);
    const end = await h.api.inject({
      method: "DELETE",
      url: `/api/v1/live/sessions/${session.id}${q()}`,
      headers: bearer(dj),
    });
    expect(end.json()).toMatchObject({ state: "disconnected" });
    expect(
      (
        await h.api.inject({
          method: "GET",
          url: `/api/v1/live/sessions${q()}`,
          headers: bearer(dj),
        })
      ).json(),
    ).toEqual([]);
  });

  it("shows the priority stack and inserts and releases an emergency", async () => {
    const insert = await h.api.inject({
      method: "POST",
      url: `/api/v1/priority/emergency${q()}`,
      headers: bearer(manager),
      payload: { reason: "Tornado warning" },
    });
    expect(insert.statusCode).toBe(201);
    const list = await h.api.inject({
      method: "GET",
      url: `/api/v1/priority${q()}`,
      headers: bearer(dj),
    });
    expect((list.json() as PriorityStackEntry[]).map((s) => s.id)).toEqual(["eas-1", "automation"]);
    expect(
      (
        await h.api.inject({
          method: "DELETE",
          url: `/api/v1/priority/eas-1${q()}`,
          headers: bearer(manager),
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await h.api.inject({
          method: "DELETE",
          url: `/api/v1/priority/eas-1${q()}`,
          headers: bearer(manager),
        })
      ).statusCode,
    ).toBe(404);
  });

  it("regenerates the schedule and runs a what-if through the planner", async () => {
    const regen = await h.api.inject({
      method: "POST",
      url: `/api/v1/schedule/regenerate${q()}`,
      headers: bearer(manager),
    });
    expect(regen.json()).toEqual({ from: 0, to: 172_800_000, entries: 42 });
    const whatIf = await h.api.inject({
      method: "POST",
      url: `/api/v1/schedule/what-if${q()}`,
      headers: bearer(manager),
      payload: { from: 0, to: 3_600_000 },
    });
    expect(whatIf.json()).toEqual({ entries: [], diagnostics: [{ kind: "underfill" }] });
  });

  it("creates a webstream with defaults and fails it over through the port; only admins delete it", async () => {
    const created = await h.api.inject({
      method: "POST",
      url: `/api/v1/webstreams${q()}`,
      headers: bearer(manager),
      payload: { name: "Relay", urls: ["https://a.example/live", "https://b.example/live"] },
    });
    expect(created.statusCode).toBe(201);
    const ws = created.json() as Webstream;
    expect(ws).toMatchObject({
      currentIndex: 0,
      status: "healthy",
      health: { failoverAfter: 3 },
      failover: { enabled: true },
    });
    const failover = await h.api.inject({
      method: "POST",
      url: `/api/v1/webstreams/${ws.id}/failover${q()}`,
      headers: bearer(manager),
    });
    expect(failover.json()).toMatchObject({ currentIndex: 1 });
    // PUT keeps the server-managed currentIndex.
    const put = await h.api.inject({
      method: "PUT",
      url: `/api/v1/webstreams/${ws.id}${q()}`,
      headers: bearer(manager),
      payload: { version: 2, name: "Relay 2", urls: ws.urls },
    });
    expect(put.json()).toMatchObject({ name: "Relay 2", currentIndex: 1, version: 3 });
    expect(
      (
        await h.api.inject({
          method: "DELETE",
          url: `/api/v1/webstreams/${ws.id}${q()}`,
          headers: bearer(manager),
        })
      ).statusCode,
    ).toBe(403);
  });

  it("lets an admin of every station manage users without ever exposing password hashes", async () => {
    const root = (await h.login("root", [{ stationId: "*", role: "admin" }])).accessToken;
    const created = await h.api.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: bearer(root),
      payload: {
        username: "carol",
        password: "long enough pw",
        roles: [{ stationId: h.stationA.id, role: "dj" }],
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain("scrypt");
    const dup = await h.api.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: bearer(root),
      payload: { username: "carol", password: "long enough pw", roles: [] },
    });
    expect(dup.statusCode).toBe(409);
    const short = await h.api.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: bearer(root),
      payload: { username: "dan", password: "short", roles: [] },
    });
    expect(short.json().error.details.field).toBe("password");
    const login = await h.api.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "carol", password: "long enough pw" },
    });
    expect(login.statusCode).toBe(200);
    const list = await h.api.inject({ method: "GET", url: "/api/v1/users", headers: bearer(root) });
    expect(list.body).not.toContain("passwordHash");
  });
});
