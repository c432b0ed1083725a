import type { FastifyInstance } from "fastify";
import { defineRoute, principalOf, stationIdOf, type ApiContext } from "../route-kit.js";
import { getOr404 } from "./resources.js";
import { parseWindow } from "../time-param.js";
import { objectSchema, scheduleEntrySchema, stationQuery, stringSchema } from "../schemas.js";

const HOUR = 3_600_000;
const timeParam = { ...stringSchema(40, 1), description: "epoch ms or ISO-8601 with offset" };
const windowQuery = objectSchema(
  { stationId: stringSchema(200, 1), from: timeParam, to: timeParam },
  ["stationId"],
);
const stackEntry = {
  type: "object",
  properties: {
    id: { type: "string" },
    priority: { type: "integer", minimum: 0, maximum: 4 },
    activatedAt: { type: "integer" },
    kind: { type: "string" },
    onAir: { type: "boolean" },
    label: { type: "string" },
  },
  required: ["id", "priority", "activatedAt", "kind", "onAir"],
};

/** Schedule (window, regenerate, what-if), executor state and the priority stack. */
export function registerPlayoutRoutes(app: FastifyInstance, ctx: ApiContext): void {
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/schedule",
    summary:
      "Planned timeline entries overlapping [from, to) (default: the next 24 h, at most 7 days)",
    tags: ["schedule"],
    access: { kind: "station", role: "dj" },
    schema: { querystring: windowQuery },
    ok: { status: 200, schema: { type: "array", items: scheduleEntrySchema } },
    handler: async (request) => {
      const { stationId, from, to } = request.query as {
        stationId: string;
        from?: string;
        to?: string;
      };
      return ctx.store.schedule.window(
        stationId,
        parseWindow(from, to, { from: Date.now(), lengthMs: 24 * HOUR }, 7 * 24 * HOUR),
      );
    },
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/schedule/regenerate",
    summary: "Rebuild the rolling timeline now",
    tags: ["schedule"],
    access: { kind: "station", role: "manager" },
    needsPort: "planner",
    schema: { querystring: stationQuery },
    ok: {
      status: 200,
      schema: objectSchema({
        from: { type: "integer" },
        to: { type: "integer" },
        entries: { type: "integer" },
      }),
    },
    handler: async (request) => ctx.ports.planner!.regenerate(stationIdOf(request)),
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/schedule/what-if",
    summary: "Plan a window with changes applied, writing nothing",
    tags: ["schedule"],
    access: { kind: "station", role: "manager" },
    needsPort: "planner",
    schema: {
      querystring: stationQuery,
      body: objectSchema(
        {
          from: { type: "integer", minimum: 0, description: "epoch ms" },
          to: { type: "integer", minimum: 0, description: "epoch ms (exclusive)" },
          changes: { type: "object", description: "records to add or replace, keyed by kind" },
        },
        ["from", "to"],
      ),
    },
    ok: {
      status: 200,
      schema: objectSchema({
        entries: { type: "array", items: scheduleEntrySchema },
        diagnostics: { type: "array" },
      }),
    },
    handler: async (request) => {
      const body = request.body as { from: number; to: number; changes?: Record<string, unknown> };
      const range = parseWindow(
        String(body.from),
        String(body.to),
        { from: 0, lengthMs: 0 },
        7 * 24 * HOUR,
      );
      return ctx.ports.planner!.whatIf(stationIdOf(request), range, body.changes ?? {});
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/executor",
    summary:
      "The station's executor state (persisted; plus the engine's live view with the executor port)",
    tags: ["executor"],
    access: { kind: "station", role: "dj" },
    schema: { querystring: stationQuery },
    ok: { status: 200, schema: { type: "object" } },
    handler: async (request) => {
      const stationId = stationIdOf(request);
      const state = await getOr404(
        ctx.store.executorStates.get(stationId),
        "executor state of station",
        stationId,
      );
      const live =
        ctx.ports.executor === undefined ? undefined : await ctx.ports.executor.live(stationId);
      return live === undefined ? state : { ...state, live };
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/priority",
    summary: "The station's priority stack, highest first",
    tags: ["priority"],
    access: { kind: "station", role: "dj" },
    needsPort: "priority",
    schema: { querystring: stationQuery },
    ok: { status: 200, schema: { type: "array", items: stackEntry } },
    handler: async (request) => ctx.ports.priority!.stack(stationIdOf(request)),
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/priority/emergency",
    summary: "Put emergency audio on air now",
    tags: ["priority"],
    access: { kind: "station", role: "manager" },
    needsPort: "priority",
    schema: {
      querystring: stationQuery,
      body: objectSchema({ reason: stringSchema(500, 1), mediaId: stringSchema(200, 1) }, [
        "reason",
      ]),
    },
    ok: { status: 201, schema: stackEntry },
    handler: async (request, reply) => {
      const body = request.body as { reason: string; mediaId?: string };
      const entry = await ctx.ports.priority!.insertEmergency(stationIdOf(request), {
        ...body,
        requestedBy: principalOf(request).user.id,
      });
      void reply.code(201);
      return entry;
    },
  });
  defineRoute(app, ctx, {
    method: "DELETE",
    url: "/api/v1/priority/:sourceId",
    summary: "Release a source (fail back to the next one)",
    tags: ["priority"],
    access: { kind: "station", role: "manager" },
    needsPort: "priority",
    schema: {
      querystring: stationQuery,
      params: objectSchema({ sourceId: stringSchema(200, 1) }, ["sourceId"]),
    },
    ok: { status: 204, description: "released" },
    handler: async (request, reply) => {
      const { sourceId } = request.params as { sourceId: string };
      await ctx.ports.priority!.release(
        stationIdOf(request),
        sourceId,
        principalOf(request).user.id,
      );
      return reply.code(204).send();
    },
  });
}
