import { afterEach, describe, expect, it } from "vitest";
import { bearer, makeHarness, type Harness } from "./support.js";

describe("public endpoints, OpenAPI, metrics, health and rate limits", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("serves now-playing and the schedule without auth, with CORS and Cache-Control", async () => {
    h = await makeHarness();
    await h.api.ready();
    const empty = await h.api.inject({
      method: "GET",
      url: "/api/v1/public/now-playing?station=alpha",
      headers: { origin: "https://listener.example" },
    });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({
      station: { id: h.stationA.id, slug: "alpha" },
      nowPlaying: null,
    });
    expect(empty.headers["access-control-allow-origin"]).toBe("*");
    expect(empty.headers["cache-control"]).toBe("public, max-age=5");

    await h.bus.publish("now_playing", h.stationA.id, {
      title: "Blue Monday",
      artist: "New Order",
      startedAt: 0,
      priority: 3,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const playing = await h.api.inject({
      method: "GET",
      url: `/api/v1/public/now-playing?station=${h.stationA.id}`,
    });
    expect(playing.json().nowPlaying).toMatchObject({
      title: "Blue Monday",
      artist: "New Order",
      source: "automation",
      startedAt: "1970-01-01T00:00:00.000Z",
    });
    // Rendered once: a strong ETag answers 304 until the next now_playing event changes it.
    const etag = playing.headers["etag"] as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(etag).not.toBe(empty.headers["etag"]);
    const unchanged = await h.api.inject({
      method: "GET",
      url: `/api/v1/public/now-playing?station=${h.stationA.id}`,
      headers: { "if-none-match": etag },
    });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe("");
    await h.bus.publish("now_playing", h.stationA.id, {
      title: "Temptation",
      startedAt: 1000,
      priority: 3,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await h.api.inject({
      method: "GET",
      url: `/api/v1/public/now-playing?station=${h.stationA.id}`,
      headers: { "if-none-match": etag },
    });
    expect(next.statusCode).toBe(200);
    expect(next.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(next.json().nowPlaying.title).toBe("Temptation");

    const schedule = await h.api.inject({
      method: "GET",
      url: "/api/v1/public/schedule?station=beta",
    });
    expect(schedule.statusCode).toBe(200);
    expect(schedule.headers["cache-control"]).toBe("public, max-age=60");
    expect(schedule.json()).toMatchObject({ station: { slug: "beta" }, entries: [] });
    expect(
      (await h.api.inject({ method: "GET", url: "/api/v1/public/now-playing?station=nope" }))
        .statusCode,
    ).toBe(404);
    // The authenticated API does not allow foreign origins by default.
    const privateCors = await h.api.inject({
      method: "GET",
      url: "/api/v1/stations",
      headers: { origin: "https://evil.example" },
    });
    expect(privateCors.headers["access-control-allow-origin"]).toBeUndefined();
    // A browser's preflight: allowed for the public routes, not for the authenticated API.
    const api = h.api;
    const preflight = (url: string) =>
      api.inject({
        method: "OPTIONS",
        url,
        headers: { origin: "https://listener.example", "access-control-request-method": "GET" },
      });
    const publicPreflight = await preflight("/api/v1/public/now-playing?station=beta");
    expect(publicPreflight.statusCode).toBe(204);
    expect(publicPreflight.headers["access-control-allow-origin"]).toBe("*");
    expect(publicPreflight.headers["access-control-allow-methods"]).toBe("GET");
    expect(publicPreflight.headers["access-control-max-age"]).toBe("600");
    const privatePreflight = await preflight("/api/v1/stations");
    expect(privatePreflight.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("publishes an OpenAPI 3.1 document listing every route with its parameters and error responses", async () => {
    h = await makeHarness();
    const doc = (await h.api.inject({ method: "GET", url: "/api/openapi.json" })).json() as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            responses: Record<string, unknown>;
            parameters: Array<{ name: string }>;
          }
        >
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const brief = [
      "POST /api/v1/auth/login",
      "POST /api/v1/auth/refresh",
      "POST /api/v1/auth/logout",
      "POST /api/v1/live/tokens",
      "POST /api/v1/live/authorize",
      "POST /api/v1/live/connect",
      "DELETE /api/v1/live/sessions/{id}",
      "GET /api/v1/live/sessions",
      "GET /api/v1/live/sessions/{id}",
      "GET /api/v1/webstreams",
      "POST /api/v1/webstreams",
      "GET /api/v1/webstreams/{id}",
      "PUT /api/v1/webstreams/{id}",
      "DELETE /api/v1/webstreams/{id}",
      "POST /api/v1/webstreams/{id}/failover",
      "POST /api/v1/webstreams/{id}/reset",
      "GET /api/v1/public/now-playing",
      "GET /api/v1/public/schedule",
      "GET /api/v1/events",
      "GET /api/v1/events/sse",
      "GET /api/v1/schedule",
      "GET /api/v1/priority",
      "POST /api/v1/priority/emergency",
      "GET /api/v1/executor",
      "GET /metrics",
      "GET /healthz",
      "GET /readyz",
    ];
    for (const route of brief) expect(routes).toContain(route);
    for (const family of [
      "users",
      "stations",
      "mounts",
      "media",
      "playlists",
      "smart-blocks",
      "clocks",
      "shows",
    ]) {
      expect(routes).toContain(`GET /api/v1/${family}`);
    }
    const ids = new Set<string>();
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(Object.keys(op.responses).length).toBeGreaterThan(1);
      }
    }
    expect(doc.paths["/api/v1/playlists/{id}"]!["put"]!.parameters.map((p) => p.name)).toEqual([
      "id",
      "stationId",
    ]);
  });

  it("exposes the brief's API metric names and health endpoints", async () => {
    h = await makeHarness();
    await h.api.inject({ method: "GET", url: "/healthz" });
    const ready = await h.api.inject({ method: "GET", url: "/readyz" });
    expect(ready.json()).toEqual({
      status: "ready",
      checks: { store: { ok: true }, bus: { ok: true } },
    });
    const text = (await h.api.inject({ method: "GET", url: "/metrics" })).body;
    for (const name of [
      "grimnir_api_request_duration_seconds",
      "grimnir_api_requests_total",
      "grimnir_api_active_connections",
      "grimnir_api_websocket_connections",
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toContain(
      'grimnir_api_requests_total{method="GET",route="/readyz",status="200"} 1',
    );
    await h.bus.close();
    const down = await h.api.inject({ method: "GET", url: "/readyz" });
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.bus.ok).toBe(false);
  });

  it("rate-limits per IP and per token with 429 and Retry-After", async () => {
    h = await makeHarness({
      rateLimit: {
        perIp: { capacity: 3, refillPerSec: 0.5 },
        perToken: { capacity: 100, refillPerSec: 1 },
      },
    });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await h.api.inject({ method: "GET", url: "/api/v1/public/schedule?station=alpha" }))
          .statusCode,
      );
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await h.api.inject({
      method: "GET",
      url: "/api/v1/public/schedule?station=alpha",
    });
    expect(limited.headers["retry-after"]).toBe("2");
    expect(limited.json().error.code).toBe("RATE_LIMITED");
    // Health and metrics stay reachable for probes.
    expect((await h.api.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);

    const perToken = await makeHarness({
      rateLimit: {
        perIp: { capacity: 1000, refillPerSec: 100 },
        perToken: { capacity: 2, refillPerSec: 0.1 },
      },
    });
    const { accessToken } = await perToken.login("ann", [
      { stationId: perToken.stationA.id, role: "dj" },
    ]);
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push(
        (
          await perToken.api.inject({
            method: "GET",
            url: "/api/v1/auth/me",
            headers: bearer(accessToken),
          })
        ).statusCode,
      );
    }
    expect(seen).toEqual([200, 200, 429]);
    expect(
      (await perToken.api.inject({ method: "GET", url: "/api/v1/public/schedule?station=alpha" }))
        .statusCode,
    ).toBe(200);
    await perToken.close();
  });
});
