import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MemoryBus,
  MemoryStore,
  type BusEvent,
  type NewEntity,
  type Webstream,
} from "@grimnir/core";
import { probeStream, type StreamProbeResult } from "./stream-probe.js";
import { WebstreamHealthChecker } from "./webstream-health-checker.js";

describe("probeStream", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const hop = /^\/hop\/(\d+)$/.exec(req.url ?? "");
      if (hop) {
        const n = Number(hop[1]);
        res.writeHead(302, { location: n === 0 ? "/stream" : `/hop/${n - 1}` }).end();
      } else if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "audio/mpeg" });
        res.write(Buffer.from([0xff, 0xfb, 0x90, 0x64]));
      } else if (req.url === "/hang") {
        // Headers never come.
      } else if (req.url === "/empty") {
        res.writeHead(200).end();
      } else {
        res.writeHead(404).end("not found");
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("follows up to 3 redirects and no more", async () => {
    const ok = await probeStream(`${base}/hop/2`, { method: "GET", timeoutMs: 2000 });
    expect(ok).toMatchObject({ ok: true, status: 200, redirects: 3, finalUrl: `${base}/stream` });
    const tooMany = await probeStream(`${base}/hop/3`, { method: "GET", timeoutMs: 2000 });
    expect(tooMany).toMatchObject({ ok: false, reason: "more than 3 redirects" });
  });

  it("fails on a timeout, an error status, an empty body and a refused connection", async () => {
    const hang = await probeStream(`${base}/hang`, { method: "HEAD", timeoutMs: 200 });
    expect(hang).toMatchObject({ ok: false, reason: "no answer within 200 ms" });
    expect(hang.elapsedMs).toBeLessThan(1000);
    expect(await probeStream(`${base}/nope`, { method: "HEAD", timeoutMs: 1000 })).toMatchObject({
      ok: false,
      status: 404,
      reason: "HTTP 404",
    });
    expect(await probeStream(`${base}/empty`, { method: "GET", timeoutMs: 1000 })).toMatchObject({
      ok: false,
      reason: "stream ended before sending audio",
    });
    expect((await probeStream("http://127.0.0.1:1/", { method: "GET", timeoutMs: 1000 })).ok).toBe(
      false,
    );
  });
});

describe("WebstreamHealthChecker failover chain", () => {
  async function setup(up: Set<string>, overrides: Partial<NewEntity<Webstream>> = {}) {
    const store = new MemoryStore();
    const bus = new MemoryBus();
    const events: BusEvent[] = [];
    await bus.subscribe("*", "*", (e) => {
      events.push(e);
    });
    const probed: string[] = [];
    const probe = async (url: string): Promise<StreamProbeResult> => {
      probed.push(url);
      const ok = up.has(url);
      return {
        ok,
        url,
        finalUrl: url,
        redirects: 0,
        elapsedMs: 1,
        ...(ok ? { status: 200 } : { reason: "HTTP 404", status: 404 }),
      };
    };
    const ws = await store.webstreams.create({
      stationId: "st",
      name: "Relay",
      urls: ["http://a/", "http://b/", "http://c/"],
      currentIndex: 0,
      health: { intervalMs: 1000, timeoutMs: 500, method: "HEAD", failoverAfter: 3 },
      failover: { enabled: true, graceMs: 0, autoRecover: true },
      bufferMs: 1000,
      metadata: { passthrough: true },
      status: "healthy",
      ...overrides,
    });
    const checker = new WebstreamHealthChecker({ store, bus, probe, log: () => undefined });
    const flush = () => new Promise((r) => setTimeout(r, 0));
    return { store, events, probed, checker, ws, flush };
  }

  it("degrades after one failure, skips an unhealthy backup and fails over after three", async () => {
    const up = new Set(["http://c/"]);
    const { checker, ws, events, probed, flush } = await setup(up);
    expect((await checker.check("st", ws.id)).webstream.status).toBe("degraded");
    expect((await checker.check("st", ws.id)).consecutiveFailures).toBe(2);
    const third = await checker.check("st", ws.id);
    expect(third.switched).toMatchObject({ kind: "failover", fromIndex: 0, toIndex: 2 });
    expect(third.webstream).toMatchObject({ currentIndex: 2, status: "healthy" });
    // The backup b was probed and skipped before c was chosen.
    expect(probed.slice(-3)).toEqual(["http://a/", "http://b/", "http://c/"]);
    await flush();
    expect(events.filter((e) => e.topic === "webstream.failover").map((e) => e.payload)).toEqual([
      {
        webstreamId: ws.id,
        fromUrl: "http://a/",
        toUrl: "http://c/",
        reason: "3 consecutive failed probes: HTTP 404",
      },
    ]);
    up.add("http://a/");
    const back = await checker.check("st", ws.id);
    expect(back.switched).toMatchObject({ kind: "recovered", toIndex: 0 });
    await flush();
    expect(events.at(-1)).toMatchObject({
      topic: "webstream.recovered",
      payload: { url: "http://a/" },
    });
  });

  it("stays put as unhealthy when no backup answers, and publishes source_failure once", async () => {
    const { checker, ws, events, flush } = await setup(new Set());
    for (let i = 0; i < 5; i++) await checker.check("st", ws.id);
    await flush();
    expect((await checker.check("st", ws.id)).webstream).toMatchObject({
      currentIndex: 0,
      status: "unhealthy",
    });
    expect(events.filter((e) => e.topic === "source_failure")).toHaveLength(1);
    await expect(checker.failover("st", ws.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("fails over and resets by hand on the latest stored version", async () => {
    const { checker, ws, store } = await setup(new Set(["http://a/", "http://b/"]), {
      failover: { enabled: true, graceMs: 0, autoRecover: false },
    });
    const edited = await store.webstreams.update({ ...ws, name: "Relay (renamed)" });
    const after = await checker.failover("st", ws.id);
    expect(after).toMatchObject({
      currentIndex: 1,
      name: "Relay (renamed)",
      version: edited.version + 1,
    });
    // No auto-recovery: a healthy round keeps the backup.
    expect((await checker.check("st", ws.id)).webstream.currentIndex).toBe(1);
    expect(await checker.reset("st", ws.id)).toMatchObject({ currentIndex: 0, status: "healthy" });
    await expect(checker.reset("st", "missing")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
