import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import { GrimnirError, TOPICS, hasRole } from "@grimnir/core";
import type { Topic } from "@grimnir/core";
import type { EventFanout, EventStreamFilter } from "./event-fanout.js";
import { SseSink, WebSocketSink } from "./event-sinks.js";
import { defineRoute, principalOf, type ApiContext } from "./route-kit.js";
import { objectSchema, stringSchema } from "./schemas.js";
import type { ApiMetrics } from "./metrics.js";

const SSE_HEARTBEAT_MS = 15_000;
const WS_PING_MS = 30_000;

const eventsQuery = objectSchema({
  token: stringSchema(4096, 1),
  stations: {
    ...stringSchema(10_000, 1),
    description: "comma-separated station ids (default: every station the caller may see)",
  },
  topics: {
    ...stringSchema(2000, 1),
    description: `comma-separated topics (default all): ${TOPICS.join(", ")}`,
  },
});

/** Parse and authorise the stream filter; FORBIDDEN for a station the caller has no role on. */
function filterOf(request: FastifyRequest): EventStreamFilter {
  const { user } = principalOf(request);
  const query = request.query as { stations?: string; topics?: string };
  const list = (value: string | undefined) =>
    value === undefined
      ? undefined
      : new Set(
          value
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
        );
  const stations = list(query.stations);
  const topics = list(query.topics);
  for (const stationId of stations ?? []) {
    if (!hasRole(user, stationId, "dj")) {
      throw new GrimnirError(
        "FORBIDDEN",
        `no role on station ${stationId}; its events are not visible to you`,
        {
          details: { stationId },
        },
      );
    }
  }
  for (const topic of topics ?? []) {
    if (!(TOPICS as readonly string[]).includes(topic)) {
      throw new GrimnirError(
        "VALIDATION",
        `querystring/topics: unknown topic "${topic}"; expected one of ${TOPICS.join(", ")}`,
        {
          details: { pointer: "/topics", field: "topics", location: "querystring" },
        },
      );
    }
  }
  return { user, stations, topics: topics as ReadonlySet<Topic> | undefined };
}

/** WebSocket /api/v1/events and SSE /api/v1/events/sse. */
export function registerEventRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  fanout: EventFanout,
  metrics: ApiMetrics,
): void {
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/events",
    summary:
      "WebSocket event stream (JSON event envelopes), filtered to stations the caller may see; token via Authorization or ?token=",
    tags: ["events"],
    access: { kind: "user" },
    websocket: true,
    schema: { querystring: eventsQuery },
    check: (request) => void filterOf(request),
    ok: { status: 101, description: "switching to WebSocket" },
    // @fastify/websocket calls websocket handlers with (socket, request).
    handler: (async (socket: WebSocket, request: FastifyRequest) => {
      const filter = filterOf(request);
      const expiresAt = principalOf(request).expiresAt;
      const sink = new WebSocketSink(socket);
      metrics.websocketConnections.inc();
      const ping = setInterval(() => socket.ping(), WS_PING_MS);
      const expiry = setTimeout(
        () => socket.close(4001, "access token expired"),
        Math.max(0, expiresAt - Date.now()),
      );
      socket.on("close", () => {
        clearInterval(ping);
        clearTimeout(expiry);
        fanout.remove(sink);
        metrics.websocketConnections.dec();
      });
      // Clients only listen; anything they send is ignored.
      await fanout.add(sink, filter);
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: "ready" }));
    }) as never,
  });

  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/events/sse",
    summary:
      "Server-sent events stream (event: <topic>, data: envelope), filtered like the WebSocket",
    tags: ["events"],
    access: { kind: "user" },
    schema: { querystring: eventsQuery },
    check: (request) => void filterOf(request),
    ok: { status: 200, description: "text/event-stream", contentType: "text/event-stream" },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const filter = filterOf(request);
      const expiresAt = principalOf(request).expiresAt;
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      const sink = new SseSink(res, () => {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        fanout.remove(sink);
      });
      const heartbeat = setInterval(() => sink.writeText(": keep-alive\n\n"), SSE_HEARTBEAT_MS);
      const expiry = setTimeout(
        () => {
          sink.writeText(
            'event: error\ndata: {"code":"UNAUTHORIZED","message":"access token expired"}\n\n',
          );
          sink.end();
        },
        Math.max(0, expiresAt - Date.now()),
      );
      request.raw.on("close", () => sink.end());
      await fanout.add(sink, filter);
      sink.writeText("retry: 3000\nevent: ready\ndata: {}\n\n");
    },
  });
}
