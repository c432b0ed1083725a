import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryBus, MemoryBusHub, MemoryStore } from "@grimnir/core";
import { createApi } from "@grimnir/http";
import { startTracing } from "./tracing.js";

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string };
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: Array<{
      scope: { name: string };
      spans: Array<{ name: string; kind: number; attributes: OtlpAttribute[] }>;
    }>;
  }>;
}

/** A tiny OTLP/HTTP collector: keeps every JSON body POSTed to /v1/traces. */
async function startCollector(): Promise<{
  url: string;
  exports: OtlpExport[];
  close(): Promise<void>;
}> {
  const exports: OtlpExport[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces") {
        expect(req.headers["content-type"]).toContain("application/json");
        exports.push(JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const value = (attrs: OtlpAttribute[], key: string): string | number | undefined => {
  const v = attrs.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

describe("OpenTelemetry tracing of API requests", () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let store: MemoryStore;
  let bus: MemoryBus;
  beforeEach(async () => {
    collector = await startCollector();
    store = new MemoryStore();
    bus = new MemoryBus({ hub: new MemoryBusHub() });
  });
  afterEach(async () => {
    await collector.close();
    await bus.close();
    await store.close();
  });

  async function callApi(): Promise<string> {
    const station = await store.stations.create({
      name: "Traced FM",
      timezone: "UTC",
      slug: "traced",
      active: true,
    });
    const api = createApi({
      store,
      bus,
      auth: { jwtSecret: "test-secret-test-secret-test-secret-0123" },
      defaultMetrics: false,
    });
    await api.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/api/v1/public/now-playing?station=${station.id}`)).status).toBe(
      200,
    );
    expect((await fetch(`${base}/api/v1/media?stationId=${station.id}`)).status).toBe(401);
    await api.close();
    return station.id;
  }

  it("exports a server span per request to the OTLP/HTTP collector when enabled", async () => {
    const tracing = startTracing({ endpoint: collector.url, serviceName: "grimnir-test", env: {} });
    expect(tracing?.url).toBe(`${collector.url}/v1/traces`);
    const stationId = await callApi();
    await tracing!.shutdown();

    expect(collector.exports.length).toBeGreaterThan(0);
    const resourceSpans = collector.exports.flatMap((e) => e.resourceSpans);
    expect(value(resourceSpans[0]!.resource.attributes, "service.name")).toBe("grimnir-test");
    const spans = resourceSpans
      .flatMap((r) => r.scopeSpans)
      .filter((s) => s.scope.name === "@grimnir/http")
      .flatMap((s) => s.spans);
    const nowPlaying = spans.find((s) => s.name === "GET /api/v1/public/now-playing");
    expect(nowPlaying).toBeDefined();
    expect(nowPlaying!.kind).toBe(2); // SPAN_KIND_SERVER
    expect(value(nowPlaying!.attributes, "http.route")).toBe("/api/v1/public/now-playing");
    expect(value(nowPlaying!.attributes, "http.response.status_code")).toBe(200);
    expect(value(nowPlaying!.attributes, "grimnir.station_id")).toBe(stationId);
    const media = spans.find((s) => s.name === "GET /api/v1/media");
    expect(value(media!.attributes, "http.response.status_code")).toBe(401);
  });

  it("is off by default: no endpoint, no SDK, nothing sent", async () => {
    expect(startTracing({ env: {} })).toBeUndefined();
    expect(
      startTracing({
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SDK_DISABLED: "true" },
      }),
    ).toBeUndefined();
    await callApi();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(collector.exports).toEqual([]);
  });

  it("reads the collector from OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` } });
    expect(tracing?.url).toBe(`${collector.url}/v1/traces`);
    await callApi();
    await tracing!.shutdown();
    const names = collector.exports
      .flatMap((e) => e.resourceSpans)
      .map((r) => value(r.resource.attributes, "service.name"));
    expect(names[0]).toBe("grimnir");
  });
});
