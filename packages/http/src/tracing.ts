import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  propagation,
  trace,
  type Span,
} from "@opentelemetry/api";
import type { FastifyInstance, FastifyRequest } from "fastify";

/** Name of the tracer the API's request spans come from. */
export const TRACER_NAME = "@grimnir/http";

/** The station a request addresses: `?stationId=`, `/stations/{id}`, or the public `?station=`. */
function stationOf(request: FastifyRequest): string | undefined {
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (typeof query["stationId"] === "string") return query["stationId"];
  if (typeof query["station"] === "string") return query["station"];
  const params = (request.params ?? {}) as Record<string, unknown>;
  const route = request.routeOptions.url ?? "";
  return route.startsWith("/api/v1/stations/") && typeof params["id"] === "string"
    ? params["id"]
    : undefined;
}

/**
 * One OpenTelemetry server span per request, named `METHOD /route/{pattern}`,
 * with `http.request.method`, `http.route`, `url.path`,
 * `http.response.status_code`, `client.address` and `grimnir.station_id`; 5xx
 * answers set the span status to error. A `traceparent` header continues the
 * caller's trace. Uses only `@opentelemetry/api`: without an SDK registered
 * (tracing is off by default) spans are non-recording and nothing is kept.
 */
export function registerTracing(app: FastifyInstance): void {
  const tracer = trace.getTracer(TRACER_NAME);
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook("onRequest", async (request) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": request.method,
          "url.path": request.url.split("?")[0]!,
          "client.address": request.ip,
        },
      },
      parent,
    );
    if (span.isRecording()) spans.set(request, span);
  });
  app.addHook("onError", async (request, _reply, error) => {
    spans.get(request)?.recordException(error);
  });
  const finish = (request: FastifyRequest, status: number | undefined): void => {
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    const route = request.routeOptions.url;
    const station = stationOf(request);
    span.updateName(`${request.method} ${route ?? "unmatched"}`);
    span.setAttributes({
      ...(route === undefined ? {} : { "http.route": route }),
      ...(status === undefined ? {} : { "http.response.status_code": status }),
      ...(station === undefined ? {} : { "grimnir.station_id": station }),
    });
    if (status === undefined || status >= 500)
      span.setStatus({
        code: SpanStatusCode.ERROR,
        ...(status === undefined ? { message: "client aborted the request" } : {}),
      });
    span.end();
  };
  app.addHook("onResponse", async (request, reply) => finish(request, reply.statusCode));
  app.addHook("onRequestAbort", async (request) => finish(request, undefined));
}
