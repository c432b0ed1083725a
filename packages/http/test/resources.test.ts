import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryAuditLog } from "../src/index.js";
import { bearer, makeHarness, type Harness } from "./support.js";

describe("REST resources", () => {
  let h: Harness;
  let manager: string;
  const audit = new MemoryAuditLog();
  const q = () => `?stationId=${h.stationA.id}`;

  beforeAll(async () => {
    h = await makeHarness({ ports: { audit } });
    manager = (await h.login("manager-a", [{ stationId: h.stationA.id, role: "manager" }]))
      .accessToken;
  });
  afterAll(async () => h.close());

  it("creates, reads, replaces, patches and deletes a playlist with optimistic concurrency", async () => {
    const created = await h.api.inject({
      method: "POST",
      url: `/api/v1/playlists${q()}`,
      headers: bearer(manager),
      payload: { name: "Morning", items: ["m1", "m2"], mode: "ordered" },
    });
    expect(created.statusCode).toBe(201);
    const playlist = created.json() as { id: string; version: number; stationId: string };
    expect(playlist).toMatchObject({ version: 1, stationId: h.stationA.id });

    const url = `/api/v1/playlists/${playlist.id}${q()}`;
    const put = await h.api.inject({
      method: "PUT",
      url,
      headers: bearer(manager),
      payload: { version: 1, name: "Morning drive", items: ["m2"], mode: "shuffled" },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ version: 2, name: "Morning drive", items: ["m2"] });

    const stale = await h.api.inject({
      method: "PATCH",
      url,
      headers: bearer(manager),
      payload: { version: 1, name: "Lost update" },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe("CONFLICT");

    const patch = await h.api.inject({
      method: "PATCH",
      url,
      headers: bearer(manager),
      payload: { version: 2, name: "Breakfast" },
    });
    expect(patch.json()).toMatchObject({ version: 3, name: "Breakfast", mode: "shuffled" });

    const list = await h.api.inject({
      method: "GET",
      url: `/api/v1/playlists${q()}`,
      headers: bearer(manager),
    });
    expect((list.json() as unknown[]).length).toBe(1);
    // Another station cannot see it, even by id.
    const global = await h.login("root", [{ stationId: "*", role: "admin" }]);
    const other = await h.api.inject({
      method: "GET",
      url: `/api/v1/playlists/${playlist.id}?stationId=${h.stationB.id}`,
      headers: bearer(global.accessToken),
    });
    expect(other.statusCode).toBe(404);

    const staleDelete = await h.api.inject({
      method: "DELETE",
      url: `${url}&version=2`,
      headers: bearer(manager),
    });
    expect(staleDelete.statusCode).toBe(409);
    expect(
      (await h.api.inject({ method: "DELETE", url: `${url}&version=3`, headers: bearer(manager) }))
        .statusCode,
    ).toBe(204);
    expect((await h.api.inject({ method: "GET", url, headers: bearer(manager) })).statusCode).toBe(
      404,
    );

    const entries = audit.entries().filter((e) => e.route.startsWith("/api/v1/playlists"));
    expect(entries.map((e) => `${e.method} ${e.status}`)).toEqual([
      "POST 201",
      "PUT 200",
      "PATCH 409",
      "PATCH 200",
      "DELETE 409",
      "DELETE 204",
    ]);
    expect(entries[0]).toMatchObject({ username: "manager-a", stationId: h.stationA.id });
  });

  it("names the offending field in validation errors (missing, unknown, wrong type, out of range, nested)", async () => {
    const post = (payload: unknown) =>
      h.api.inject({
        method: "POST",
        url: `/api/v1/playlists${q()}`,
        headers: bearer(manager),
        payload: payload as object,
      });
    const missing = await post({ items: [], mode: "ordered" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({
      code: "VALIDATION",
      details: { pointer: "/name", field: "name", location: "body" },
    });
    expect(missing.json().error.message).toContain("name");

    const unknown = await post({ name: "x", items: [], mode: "ordered", colour: "red" });
    expect(unknown.json().error.details).toMatchObject({ pointer: "/colour", field: "colour" });

    const wrongType = await post({ name: 5, items: [], mode: "ordered" });
    expect(wrongType.json().error.details).toMatchObject({ pointer: "/name" });

    const badEnum = await post({ name: "x", items: [], mode: "sideways" });
    expect(badEnum.json().error.details.pointer).toBe("/mode");

    const clock = await h.api.inject({
      method: "POST",
      url: `/api/v1/clocks${q()}`,
      headers: bearer(manager),
      payload: { name: "Hour", slots: [{ id: "s1", kind: "playlist", offsetMs: 3_600_000 }] },
    });
    expect(clock.statusCode).toBe(400);
    expect(clock.json().error.details.pointer).toBe("/slots/0/offsetMs");

    const noStation = await h.api.inject({
      method: "GET",
      url: "/api/v1/playlists",
      headers: bearer(manager),
    });
    expect(noStation.statusCode).toBe(400);
    expect(noStation.json().error.details).toMatchObject({
      location: "querystring",
      field: "stationId",
    });

    const tz = await h.api.inject({
      method: "PATCH",
      url: `/api/v1/stations/${h.stationA.id}`,
      headers: bearer(
        (await h.login("admin-a", [{ stationId: h.stationA.id, role: "admin" }])).accessToken,
      ),
      payload: { version: 1, timezone: "Mars/Olympus" },
    });
    expect(tz.statusCode).toBe(400);
    expect(tz.json().error.details.field).toBe("timezone");
  });

  it("answers malformed JSON, oversized bodies and wrong content types with a clear 4xx and no stack", async () => {
    const base = { method: "POST" as const, url: `/api/v1/playlists${q()}` };
    const malformed = await h.api.inject({
      ...base,
      headers: { ...bearer(manager), "content-type": "application/json" },
      payload: '{"name": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe("VALIDATION");
    expect(malformed.json().error.message).toContain("JSON");

    const huge = await h.api.inject({
      ...base,
      headers: { ...bearer(manager), "content-type": "application/json" },
      payload: JSON.stringify({
        name: "x",
        items: Array.from({ length: 200_000 }, (_, i) => `media-${i}`),
        mode: "ordered",
      }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("PAYLOAD_TOO_LARGE");

    const text = await h.api.inject({
      ...base,
      headers: { ...bearer(manager), "content-type": "text/csv" },
      payload: "a,b",
    });
    expect(text.statusCode).toBe(415);

    const proto = await h.api.inject({
      ...base,
      headers: { ...bearer(manager), "content-type": "application/json" },
      payload: '{"name":"x","items":[],"mode":"ordered","__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);

    for (const res of [malformed, huge, text, proto]) {
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(res.body).not.toContain("stack");
    }
    const unknownRoute = await h.api.inject({ method: "GET", url: "/api/v1/nothing-here" });
    expect(unknownRoute.statusCode).toBe(404);
    expect(unknownRoute.json().error.code).toBe("NOT_FOUND");
  });

  it("lists and searches media and patches tags with cue-point checks", async () => {
    const base = {
      stationId: h.stationA.id,
      tags: [],
      fields: {},
      durationMs: 200_000,
      cueInMs: 0,
      cueOutMs: 199_000,
      storageKey: "k",
      analysisStatus: "done" as const,
      addedAt: 0,
    };
    const song = await h.store.media.create({
      ...base,
      title: "Blue Monday",
      artist: "New Order",
      contentHash: "h1",
    });
    await h.store.media.create({
      ...base,
      title: "Hey Jude",
      artist: "The Beatles",
      contentHash: "h2",
    });
    const search = await h.api.inject({
      method: "GET",
      url: `/api/v1/media${q()}&q=order`,
      headers: bearer(manager),
    });
    expect(search.json()).toMatchObject({ total: 1, items: [{ title: "Blue Monday" }] });

    const url = `/api/v1/media/${song.id}${q()}`;
    const patched = await h.api.inject({
      method: "PATCH",
      url,
      headers: bearer(manager),
      payload: { version: 1, tags: ["new"] },
    });
    expect(patched.json()).toMatchObject({ tags: ["new"], version: 2, storageKey: "k" });
    const badCue = await h.api.inject({
      method: "PATCH",
      url,
      headers: bearer(manager),
      payload: { version: 2, cueInMs: 199_500 },
    });
    expect(badCue.statusCode).toBe(400);
    expect(badCue.json().error.details.field).toBe("cueInMs");
    const storageKey = await h.api.inject({
      method: "PATCH",
      url,
      headers: bearer(manager),
      payload: { version: 2, storageKey: "x" },
    });
    expect(storageKey.json().error.details.field).toBe("storageKey");
  });

  it("answers 501 naming the missing port for routes whose service is not plugged in", async () => {
    const res = await h.api.inject({
      method: "GET",
      url: `/api/v1/priority${q()}`,
      headers: bearer(manager),
    });
    expect(res.statusCode).toBe(501);
    expect(res.json().error).toMatchObject({
      code: "NOT_IMPLEMENTED",
      details: { port: "priority" },
    });
    const live = await h.api.inject({
      method: "POST",
      url: `/api/v1/live/tokens${q()}`,
      headers: bearer(manager),
      payload: { mountId: "m1" },
    });
    expect(live.json().error.details.port).toBe("live");
  });

  it("serves the schedule window and refuses a local time without an offset", async () => {
    await h.store.schedule.replaceWindow(h.stationA.id, { from: 0, to: 10_000_000 }, [
      {
        stationId: h.stationA.id,
        startsAt: 1_000_000,
        endsAt: 1_200_000,
        kind: "media",
        timing: "soft",
        source: {},
        title: "Song",
      },
    ]);
    const ok = await h.api.inject({
      method: "GET",
      url: `/api/v1/schedule${q()}&from=0&to=1970-01-01T01:00:00Z`,
      headers: bearer(manager),
    });
    expect(ok.statusCode).toBe(200);
    expect((ok.json() as Array<{ title: string }>).map((e) => e.title)).toEqual(["Song"]);
    const local = await h.api.inject({
      method: "GET",
      url: `/api/v1/schedule${q()}&from=2026-01-01T00:00:00`,
      headers: bearer(manager),
    });
    expect(local.statusCode).toBe(400);
    expect(local.json().error.details.field).toBe("from");
  });
});
