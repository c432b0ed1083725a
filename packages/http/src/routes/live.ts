import type { FastifyInstance } from "fastify";
import {
  assertRole,
  defineRoute,
  principalOf,
  stationIdOf,
  type ApiContext,
} from "../route-kit.js";
import { getOr404 } from "./resources.js";
import {
  idParams,
  integerSchema,
  liveSessionSchema,
  objectSchema,
  recordSchema,
  stationQuery,
  stringSchema,
  webstreamResource,
} from "../schemas.js";

const tokenBody = objectSchema({ token: { type: "string", pattern: "^[0-9a-fA-F]{64}$" } }, [
  "token",
]);

/** The brief's six live endpoints and the two webstream actions. */
export function registerLiveRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ["live"];
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/live/tokens",
    summary: "Generate a one-time live token (DJs for themselves, managers for anyone)",
    tags,
    access: { kind: "station", role: "dj" },
    needsPort: "live",
    schema: {
      querystring: stationQuery,
      body: objectSchema(
        {
          mountId: stringSchema(200, 1),
          userId: stringSchema(200, 1),
          priority: { enum: [1, 2], default: 2, description: "1 live override, 2 live scheduled" },
          ttlSec: { ...integerSchema(10, 86_400), default: 3600 },
        },
        ["mountId"],
      ),
    },
    ok: {
      status: 201,
      schema: objectSchema({
        id: stringSchema(),
        token: stringSchema(),
        expiresAt: integerSchema(),
        mountId: stringSchema(),
        userId: stringSchema(),
        priority: { enum: [1, 2] },
      }),
    },
    handler: async (request, reply) => {
      const stationId = stationIdOf(request);
      const { user } = principalOf(request);
      const body = request.body as {
        mountId: string;
        userId?: string;
        priority: 1 | 2;
        ttlSec: number;
      };
      const userId = body.userId ?? user.id;
      if (userId !== user.id) assertRole(user, stationId, "manager");
      await getOr404(
        ctx.store.mounts.get(stationId, body.mountId),
        "mount",
        body.mountId,
        stationId,
      );
      const issued = await ctx.ports.live!.generateToken(stationId, {
        mountId: body.mountId,
        userId,
        priority: body.priority,
        ttlMs: body.ttlSec * 1000,
      });
      void reply.code(201);
      return issued;
    },
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/live/authorize",
    summary: "Check a live token without using it up",
    tags,
    access: { kind: "station", role: "manager" },
    needsPort: "live",
    schema: { querystring: stationQuery, body: tokenBody },
    ok: {
      status: 200,
      schema: objectSchema({
        tokenId: stringSchema(),
        mountId: stringSchema(),
        userId: stringSchema(),
        priority: { enum: [1, 2] },
      }),
    },
    handler: async (request) =>
      ctx.ports.live!.authorize(stationIdOf(request), (request.body as { token: string }).token),
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/live/connect",
    summary: "Use a live token and start a session",
    tags,
    access: { kind: "station", role: "manager" },
    needsPort: "live",
    schema: {
      querystring: stationQuery,
      body: objectSchema(
        {
          token: { type: "string", pattern: "^[0-9a-fA-F]{64}$" },
          inputUri: { type: "string", pattern: "^(icecast|srt|rtp)://", maxLength: 2000 },
        },
        ["token"],
      ),
    },
    ok: { status: 201, schema: liveSessionSchema },
    handler: async (request, reply) => {
      const session = await ctx.ports.live!.connect(
        stationIdOf(request),
        request.body as { token: string; inputUri?: string },
      );
      void reply.code(201);
      return session;
    },
  });
  defineRoute(app, ctx, {
    method: "DELETE",
    url: "/api/v1/live/sessions/:id",
    summary: "Disconnect a live session (the DJ's own, or any for managers)",
    tags,
    access: { kind: "station", role: "dj" },
    needsPort: "live",
    schema: { querystring: stationQuery, params: idParams },
    ok: { status: 200, schema: liveSessionSchema },
    handler: async (request) => {
      const stationId = stationIdOf(request);
      const { id } = request.params as { id: string };
      const { user } = principalOf(request);
      const session = await getOr404(
        ctx.store.liveSessions.get(stationId, id),
        "live session",
        id,
        stationId,
      );
      if (session.userId !== user.id) assertRole(user, stationId, "manager");
      return ctx.ports.live!.disconnect(stationId, id, `disconnected by ${user.username}`);
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/live/sessions",
    summary: "Live sessions of a station (connected and active; all with ?all=true)",
    tags,
    access: { kind: "station", role: "dj" },
    schema: {
      querystring: objectSchema({ stationId: stringSchema(200, 1), all: { type: "boolean" } }, [
        "stationId",
      ]),
    },
    ok: { status: 200, schema: { type: "array", items: liveSessionSchema } },
    handler: async (request) => {
      const { stationId, all } = request.query as { stationId: string; all?: boolean };
      const sessions = await ctx.store.liveSessions.list(stationId, { limit: 1000 });
      return all === true ? sessions : sessions.filter((s) => s.state !== "disconnected");
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/live/sessions/:id",
    summary: "A live session",
    tags,
    access: { kind: "station", role: "dj" },
    schema: { querystring: stationQuery, params: idParams },
    ok: { status: 200, schema: liveSessionSchema },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      return getOr404(
        ctx.store.liveSessions.get(stationIdOf(request), id),
        "live session",
        id,
        stationIdOf(request),
      );
    },
  });

  const webstream = recordSchema(webstreamResource);
  for (const action of ["failover", "reset"] as const) {
    defineRoute(app, ctx, {
      method: "POST",
      url: `/api/v1/webstreams/:id/${action}`,
      summary:
        action === "failover" ? "Switch to the next healthy URL" : "Go back to the primary URL",
      tags: ["webstreams"],
      access: { kind: "station", role: "manager" },
      needsPort: "webstreams",
      schema: { querystring: stationQuery, params: idParams },
      ok: { status: 200, schema: webstream },
      handler: async (request) => {
        const stationId = stationIdOf(request);
        const { id } = request.params as { id: string };
        await getOr404(ctx.store.webstreams.get(stationId, id), "webstream", id, stationId);
        return ctx.ports.webstreams![action](stationId, id);
      },
    });
  }
}
