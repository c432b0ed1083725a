import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The brief's API metrics on their own registry (so several APIs can live in one process). */
export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<"method" | "route" | "status">;
  requestsTotal: Counter<"method" | "route" | "status">;
  activeConnections: Gauge;
  websocketConnections: Gauge;
}

/** Create the registry with `grimnir_api_*` metrics and, optionally, Node's default process metrics. */
export function createApiMetrics(options: { defaultMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requestDuration: new Histogram({
      name: "grimnir_api_request_duration_seconds",
      help: "HTTP request latency, seconds",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    requestsTotal: new Counter({
      name: "grimnir_api_requests_total",
      help: "HTTP requests answered",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    activeConnections: new Gauge({
      name: "grimnir_api_active_connections",
      help: "Open TCP connections to the API",
      registers: [registry],
    }),
    websocketConnections: new Gauge({
      name: "grimnir_api_websocket_connections",
      help: "Open WebSocket event streams",
      registers: [registry],
    }),
  };
}
