import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BusEvent } from "@grimnir/core";
import { AzuraCastImporter, LibreTimeImporter } from "@grimnir/importers";
import { waitFor } from "@grimnir/testkit";
import {
  startAzuraCastServer,
  type AzuraCastTestServer,
} from "../../importers/test/azuracast-server.js";
import { IMPORT_EVENTS_STATION_ID, type ImportJob, type ImportPort } from "../src/index.js";
import { bearer, makeHarness, type Harness } from "./support.js";

describe("import jobs against the AzuraCast fixture API", () => {
  let h: Harness;
  let azuracast: AzuraCastTestServer;
  let admin: string;
  let base: string;
  const events: BusEvent<"import.progress">[] = [];

  beforeAll(async () => {
    azuracast = await startAzuraCastServer();
    // The server's composition: one importer per request, writing into the API's store.
    const imports: ImportPort = {
      importer: (r) =>
        r.source === "azuracast"
          ? new AzuraCastImporter({
              store: h.store,
              baseUrl: r.url,
              apiKey: r.apiKey!,
              ...(r.station === undefined ? {} : { station: r.station }),
            })
          : new LibreTimeImporter({ store: h.store, url: r.url }),
    };
    h = await makeHarness({ ports: { imports } });
    await h.api.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(h.api.server.address() as { port: number }).port}`;
    admin = (await h.login("root", [{ stationId: "*", role: "admin" }])).accessToken;
    await h.bus.subscribe("import.progress", IMPORT_EVENTS_STATION_ID, (e) => {
      events.push(e);
    });
  });
  afterAll(async () => {
    await h.close();
    await azuracast.close();
  });

  const start = async (body: Record<string, unknown>, token = admin) =>
    fetch(`${base}/api/v1/imports`, {
      method: "POST",
      headers: { ...bearer(token), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const finished = (id: string): Promise<ImportJob> =>
    waitFor(
      async () => {
        const res = await fetch(`${base}/api/v1/imports/${id}`, { headers: bearer(admin) });
        const job = (await res.json()) as ImportJob;
        return job.status === "running" ? undefined : job;
      },
      30_000,
      `import job ${id} to finish`,
      100,
    );

  it("runs a dry run that reports the plan and writes nothing", async () => {
    const res = await start({
      source: "azuracast",
      url: azuracast.baseUrl,
      apiKey: azuracast.apiKey,
      dryRun: true,
    });
    expect(res.status).toBe(202);
    const job = (await res.json()) as ImportJob;
    expect(res.headers.get("location")).toBe(`/api/v1/imports/${job.id}`);
    expect(job).toMatchObject({ source: "azuracast", dryRun: true, status: "running" });
    const done = await finished(job.id);
    expect(done.status).toBe("done");
    expect(done.summary!.create).toBeGreaterThan(5);
    expect(done.report!.actions.some((a) => a.sourceKind === "station" && a.sourceId === "1")).toBe(
      true,
    );
    expect(await h.store.stations.get("ac-station-1")).toBeUndefined();
  });

  it("applies an import, publishes progress on the bus and lists the job", async () => {
    events.length = 0;
    const res = await start({
      source: "azuracast",
      url: azuracast.baseUrl,
      apiKey: azuracast.apiKey,
    });
    const job = (await res.json()) as ImportJob;
    const done = await finished(job.id);
    expect(done.status, done.error).toBe("done");
    expect(done.dryRun).toBe(false);
    expect(await h.store.stations.get("ac-station-1")).toMatchObject({ name: "Indie Wave" });
    expect((await h.store.media.count("ac-station-1", {})) > 0).toBe(true);

    const mine = await waitFor(
      () => {
        const list = events.filter((e) => e.payload.jobId === job.id);
        return list.some((e) => e.payload.status === "done") ? list : undefined;
      },
      5_000,
      "the final import.progress event",
    );
    expect(mine.length).toBeGreaterThan(1);
    expect(mine.every((e) => e.stationId === IMPORT_EVENTS_STATION_ID)).toBe(true);
    expect(mine.some((e) => e.payload.status === "running" && e.payload.total > 0)).toBe(true);

    const list = await fetch(`${base}/api/v1/imports`, { headers: bearer(admin) });
    const { items } = (await list.json()) as { items: ImportJob[] };
    expect(items[0]).toMatchObject({ id: job.id, status: "done" });
    expect(items[0]!.report).toBeUndefined();
  });

  it("marks a job failed when the source refuses the key, without secrets in the job", async () => {
    const res = await start({
      source: "azuracast",
      url: azuracast.baseUrl.replace("http://", "http://user:secret@"),
      apiKey: "wrong-key",
    });
    const job = (await res.json()) as ImportJob;
    expect(job.url).not.toContain("secret");
    const done = await finished(job.id);
    expect(done.status).toBe("failed");
    expect(done.error).toMatch(/source could not be read/);
  });

  it("answers 400 naming the field for bad requests", async () => {
    const noKey = await start({ source: "azuracast", url: azuracast.baseUrl });
    expect(noKey.status).toBe(400);
    expect(
      ((await noKey.json()) as { error: { details: { field: string } } }).error.details.field,
    ).toBe("apiKey");
    const wrongScheme = await start({ source: "libretime", url: "http://example.org" });
    expect(wrongScheme.status).toBe(400);
    expect(((await wrongScheme.json()) as { error: { message: string } }).error.message).toContain(
      "postgres://",
    );
    const unknown = await start({ source: "icecast", url: "http://x" });
    expect(unknown.status).toBe(400);
    const extra = await start({ source: "azuracast", url: azuracast.baseUrl, apiKey: "k", x: 1 });
    expect(extra.status).toBe(400);
  });

  it("keeps imports to admins of every station and 404s an unknown job", async () => {
    const stationAdmin = (await h.login("admin-a", [{ stationId: h.stationA.id, role: "admin" }]))
      .accessToken;
    const res = await start(
      { source: "azuracast", url: azuracast.baseUrl, apiKey: azuracast.apiKey },
      stationAdmin,
    );
    expect(res.status).toBe(403);
    const list = await fetch(`${base}/api/v1/imports`, { headers: bearer(stationAdmin) });
    expect(list.status).toBe(403);
    const missing = await fetch(`${base}/api/v1/imports/nope`, { headers: bearer(admin) });
    expect(missing.status).toBe(404);
  });
});
