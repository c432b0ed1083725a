import type { FastifyInstance } from "fastify";
import { GrimnirError, hasRole } from "@grimnir/core";
import type { Station } from "@grimnir/core";
import {
  assertRole,
  defineRoute,
  isGlobalAdmin,
  principalOf,
  type ApiContext,
} from "../route-kit.js";
import { getOr404 } from "./resources.js";
import {
  createBodySchema,
  idParams,
  integerSchema,
  objectSchema,
  patchBodySchema,
  recordSchema,
  replaceBodySchema,
  stationResource,
} from "../schemas.js";

/** Reject a time zone the runtime does not know (VALIDATION on `timezone`). */
export function checkTimezone(timezone: unknown): void {
  if (typeof timezone !== "string") return;
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch (err) {
    throw new GrimnirError(
      "VALIDATION",
      `timezone must be an IANA time zone name, got "${timezone}"`,
      {
        details: { pointer: "/timezone", field: "timezone", location: "body" },
        cause: err,
      },
    );
  }
}

/**
 * Stations. Anyone logged in lists the stations they hold a role on; reading
 * one needs a role on it, changing it needs admin on it, creating and
 * deleting needs admin on every station.
 */
export function registerStationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const tags = ["stations"];
  const record = recordSchema(stationResource);
  const idOf = (params: unknown): string => (params as { id: string }).id;
  const repo = ctx.store.stations;

  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/stations",
    summary: "List the stations the caller holds a role on",
    tags,
    access: { kind: "user" },
    schema: {
      querystring: objectSchema({ limit: integerSchema(1, 1000), offset: integerSchema(0) }),
    },
    ok: { status: 200, schema: { type: "array", items: record } },
    handler: async (request) => {
      const { user } = principalOf(request);
      const { limit, offset } = request.query as { limit?: number; offset?: number };
      if (isGlobalAdmin(user)) return repo.list({ limit: limit ?? 100, offset: offset ?? 0 });
      const all = await repo.list({ limit: 1000 });
      return all
        .filter((s) => hasRole(user, s.id, "dj"))
        .slice(offset ?? 0, (offset ?? 0) + (limit ?? 100));
    },
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/stations",
    summary: "Create a station",
    tags,
    access: { kind: "global-admin" },
    schema: { body: createBodySchema(stationResource) },
    ok: { status: 201, schema: record },
    handler: async (request, reply) => {
      const body = request.body as Omit<Station, "id" | "version" | "createdAt" | "updatedAt">;
      checkTimezone(body.timezone);
      const created = await repo.create(body);
      void reply.code(201);
      return created;
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/stations/:id",
    summary: "Get a station",
    tags,
    access: { kind: "user" },
    schema: { params: idParams },
    ok: { status: 200, schema: record },
    handler: async (request) => {
      const id = idOf(request.params);
      assertRole(principalOf(request).user, id, "dj");
      return getOr404(repo.get(id), "station", id);
    },
  });
  const write = async (
    id: string,
    body: Record<string, unknown>,
    user: Parameters<typeof assertRole>[0],
    merge: boolean,
  ) => {
    assertRole(user, id, "admin");
    checkTimezone(body["timezone"]);
    const current = await getOr404(repo.get(id), "station", id);
    const {
      createdAt: _c,
      updatedAt: _u,
      ...rest
    } = { ...(merge ? current : {}), ...body, id } as Station;
    return repo.update(rest);
  };
  defineRoute(app, ctx, {
    method: "PUT",
    url: "/api/v1/stations/:id",
    summary: "Replace a station (optimistic concurrency on version)",
    tags,
    access: { kind: "user" },
    schema: { params: idParams, body: replaceBodySchema(stationResource) },
    ok: { status: 200, schema: record },
    handler: async (request) =>
      write(
        idOf(request.params),
        request.body as Record<string, unknown>,
        principalOf(request).user,
        false,
      ),
  });
  defineRoute(app, ctx, {
    method: "PATCH",
    url: "/api/v1/stations/:id",
    summary: "Change fields of a station (optimistic concurrency on version)",
    tags,
    access: { kind: "user" },
    schema: { params: idParams, body: patchBodySchema(stationResource) },
    ok: { status: 200, schema: record },
    handler: async (request) =>
      write(
        idOf(request.params),
        request.body as Record<string, unknown>,
        principalOf(request).user,
        true,
      ),
  });
  defineRoute(app, ctx, {
    method: "DELETE",
    url: "/api/v1/stations/:id",
    summary: "Delete a station",
    tags,
    access: { kind: "global-admin" },
    schema: { params: idParams, querystring: objectSchema({ version: integerSchema(1) }) },
    ok: { status: 204, description: "deleted" },
    handler: async (request, reply) => {
      const id = idOf(request.params);
      await getOr404(repo.get(id), "station", id);
      await repo.delete(id, (request.query as { version?: number }).version);
      return reply.code(204).send();
    },
  });
}
