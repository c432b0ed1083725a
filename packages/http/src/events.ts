import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { WebSocket } from "ws";
import { GrimnirError, TOPICS, hasRole } from "@grimnir/core";
import type { BusEvent, Subscription, Topic, User } from "@grimnir/core";
import { defineRoute, principalOf, type ApiContext } from "./route-kit.js";
import { objectSchema, stringSchema } from "./schemas.js";
import type { ApiMetrics } from "./metrics.js";

/** A connected event stream and what it may receive. */
interface EventClient {
  user: User;
  /** Stations asked for; undefined = every station the user may see. */
  stations: ReadonlySet<string> | undefined;
  /** Topics asked for; undefined = all. */
  topics: ReadonlySet<string> | undefined;
  /** Deliver one event: its JSON, the same as UTF-8 bytes (shared by every client), the event. */
  send(json: string, bytes: Buffer, event: BusEvent): void;
  /** End the stream (server shutdown). */
  close(): void;
}

/** A client writing more than this much unsent data is too slow and is disconnected. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const SSE_HEARTBEAT_MS = 15_000;
const WS_PING_MS = 30_000;

/**
 * One bus subscription for every event stream: each event is serialised once
 * and written to the clients allowed to see it (a role on its station).
 */
export class EventFanout {
  readonly #clients = new Set<EventClient>();
  readonly #ctx: ApiContext;
  #subscription: Promise<Subscription> | undefined;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
  }

  /** Number of connected streams. */
  get size(): number {
    return this.#clients.size;
  }

  /** Start delivering to `client`; resolves once the bus subscription is live. */
  async add(client: EventClient): Promise<void> {
    this.#clients.add(client);
    this.#subscription ??= this.#ctx.bus.subscribe("*", "*", (event) => this.#dispatch(event));
    await this.#subscription;
  }

  /** Stop delivering to `client`. */
  remove(client: EventClient): void {
    this.#clients.delete(client);
  }

  /** Drop the bus subscription (on server close). */
  async close(): Promise<void> {
    const sub = this.#subscription;
    this.#subscription = undefined;
    for (const client of [...this.#clients]) client.close();
    this.#clients.clear();
    if (sub !== undefined) await (await sub).unsubscribe();
  }

  #dispatch(event: BusEvent): void {
    let json: string | undefined;
    let bytes: Buffer | undefined;
    for (const client of this.#clients) {
      if (client.topics !== undefined && !client.topics.has(event.topic)) continue;
      if (
        client.stations !== undefined
          ? !client.stations.has(event.stationId)
          : !hasRole(client.user, event.stationId, "dj")
      ) {
        continue;
      }
      json ??= JSON.stringify(event);
      // Encoded once: thousands of WebSocket clients share one buffer instead of one conversion each.
      bytes ??= Buffer.from(json);
      client.send(json, bytes, event);
    }
  }
}

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
function filterOf(request: FastifyRequest): Pick<EventClient, "user" | "stations" | "topics"> {
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
      const client: EventClient = {
        ...filter,
        send: (_json, bytes) => {
          if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
            socket.close(1013, "too slow: events are being dropped");
            return;
          }
          socket.send(bytes, { binary: false });
        },
        close: () => socket.close(1001, "server shutting down"),
      };
      metrics.websocketConnections.inc();
      const ping = setInterval(() => socket.ping(), WS_PING_MS);
      const expiry = setTimeout(
        () => socket.close(4001, "access token expired"),
        Math.max(0, expiresAt - Date.now()),
      );
      socket.on("close", () => {
        clearInterval(ping);
        clearTimeout(expiry);
        fanout.remove(client);
        metrics.websocketConnections.dec();
      });
      // Clients only listen; anything they send is ignored.
      await fanout.add(client);
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
      let open = true;
      const end = (): void => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        clearTimeout(expiry);
        fanout.remove(client);
        res.end();
      };
      const client: EventClient = {
        ...filter,
        send: (json, _bytes, event) => {
          if (res.writableLength > MAX_BUFFERED_BYTES) return end();
          res.write(`id: ${event.id}\nevent: ${event.topic}\ndata: ${json}\n\n`);
        },
        close: () => end(),
      };
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), SSE_HEARTBEAT_MS);
      const expiry = setTimeout(
        () => {
          res.write(
            'event: error\ndata: {"code":"UNAUTHORIZED","message":"access token expired"}\n\n',
          );
          end();
        },
        Math.max(0, expiresAt - Date.now()),
      );
      request.raw.on("close", end);
      await fanout.add(client);
      res.write("retry: 3000\nevent: ready\ndata: {}\n\n");
    },
  });
}
