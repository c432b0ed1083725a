import type { FastifyInstance, FastifyRequest } from "fastify";
import { GrimnirError } from "@grimnir/core";
import type { NewEntity, Role, StationRepository, StationScoped, Update } from "@grimnir/core";
import { defineRoute, stationIdOf, type ApiContext } from "../route-kit.js";
import {
  createBodySchema,
  deleteQuery,
  idParams,
  patchBodySchema,
  recordSchema,
  replaceBodySchema,
  stationListQuery,
  stationQuery,
  type ResourceSchema,
} from "../schemas.js";

/** Which verbs a station resource exposes and who may use them. */
export interface StationResourceSpec<T extends StationScoped> {
  /** URL segment under /api/v1, e.g. "playlists". */
  path: string;
  tag: string;
  schema: ResourceSchema;
  repo: (ctx: ApiContext) => StationRepository<T>;
  readRole: Role;
  writeRole: Role;
  deleteRole: Role;
  /** Verbs to register (default all). */
  verbs?: ReadonlyArray<"list" | "create" | "get" | "replace" | "patch" | "delete">;
  /** Fill server-managed fields of a new record. */
  onCreate?: (input: Record<string, unknown>) => Record<string, unknown>;
  /** Extra checks of a record before it is written; throw VALIDATION. */
  check?: (record: Record<string, unknown>) => void;
}

const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id;

/** Read a record or fail with NOT_FOUND naming it. */
export async function getOr404<T>(
  read: Promise<T | undefined>,
  kind: string,
  id: string,
  stationId?: string,
): Promise<T> {
  const record = await read;
  if (record === undefined) {
    throw new GrimnirError(
      "NOT_FOUND",
      stationId === undefined
        ? `${kind} ${id} does not exist`
        : `${kind} ${id} does not exist in station ${stationId}`,
      { details: { id } },
    );
  }
  return record;
}

/** Strip the store-managed timestamps: what `update` takes. */
function asUpdate<T extends StationScoped>(record: Record<string, unknown>): Update<T> {
  const { createdAt: _c, updatedAt: _u, ...rest } = record;
  return rest as Update<T>;
}

/**
 * Register list / create / get / replace (PUT) / patch / delete routes for a
 * station-scoped resource. PUT and PATCH need the `version` the client read;
 * a stale one answers 409 CONFLICT.
 */
export function registerStationResource<T extends StationScoped>(
  app: FastifyInstance,
  ctx: ApiContext,
  spec: StationResourceSpec<T>,
): void {
  const verbs = new Set(spec.verbs ?? ["list", "create", "get", "replace", "patch", "delete"]);
  const base = `/api/v1/${spec.path}`;
  const name = spec.schema.name;
  const record = recordSchema(spec.schema);
  const repo = spec.repo(ctx);
  const tags = [spec.tag];

  if (verbs.has("list")) {
    defineRoute(app, ctx, {
      method: "GET",
      url: base,
      summary: `List ${spec.path} of a station`,
      tags,
      access: { kind: "station", role: spec.readRole },
      schema: { querystring: stationListQuery },
      ok: { status: 200, schema: { type: "array", items: record } },
      handler: async (request) => {
        const { stationId, limit, offset } = request.query as {
          stationId: string;
          limit?: number;
          offset?: number;
        };
        return repo.list(stationId, { limit: limit ?? 100, offset: offset ?? 0 });
      },
    });
  }
  if (verbs.has("create")) {
    defineRoute(app, ctx, {
      method: "POST",
      url: base,
      summary: `Create a ${name}`,
      tags,
      access: { kind: "station", role: spec.writeRole },
      schema: { querystring: stationQuery, body: createBodySchema(spec.schema) },
      ok: { status: 201, schema: record },
      handler: async (request, reply) => {
        const body = request.body as Record<string, unknown>;
        const input = { ...(spec.onCreate?.(body) ?? body), stationId: stationIdOf(request) };
        spec.check?.(input);
        const created = await repo.create(input as unknown as NewEntity<T>);
        void reply.code(201);
        return created;
      },
    });
  }
  if (verbs.has("get")) {
    defineRoute(app, ctx, {
      method: "GET",
      url: `${base}/:id`,
      summary: `Get a ${name}`,
      tags,
      access: { kind: "station", role: spec.readRole },
      schema: { querystring: stationQuery, params: idParams },
      ok: { status: 200, schema: record },
      handler: async (request) =>
        getOr404(
          repo.get(stationIdOf(request), idOf(request)),
          name,
          idOf(request),
          stationIdOf(request),
        ),
    });
  }
  if (verbs.has("replace")) {
    defineRoute(app, ctx, {
      method: "PUT",
      url: `${base}/:id`,
      summary: `Replace a ${name} (optimistic concurrency on version)`,
      tags,
      access: { kind: "station", role: spec.writeRole },
      schema: { querystring: stationQuery, params: idParams, body: replaceBodySchema(spec.schema) },
      ok: { status: 200, schema: record },
      handler: async (request) => {
        const stationId = stationIdOf(request);
        const current = await getOr404(
          repo.get(stationId, idOf(request)),
          name,
          idOf(request),
          stationId,
        );
        const next = keepReadOnly(spec.schema, current as unknown as Record<string, unknown>, {
          ...(request.body as Record<string, unknown>),
          id: current.id,
          stationId,
        });
        spec.check?.(next);
        return repo.update(asUpdate<T>(next));
      },
    });
  }
  if (verbs.has("patch")) {
    defineRoute(app, ctx, {
      method: "PATCH",
      url: `${base}/:id`,
      summary: `Change fields of a ${name} (optimistic concurrency on version)`,
      tags,
      access: { kind: "station", role: spec.writeRole },
      schema: { querystring: stationQuery, params: idParams, body: patchBodySchema(spec.schema) },
      ok: { status: 200, schema: record },
      handler: async (request) => {
        const stationId = stationIdOf(request);
        const current = await getOr404(
          repo.get(stationId, idOf(request)),
          name,
          idOf(request),
          stationId,
        );
        const next = {
          ...(current as unknown as Record<string, unknown>),
          ...(request.body as Record<string, unknown>),
        };
        spec.check?.(next);
        return repo.update(asUpdate<T>(next));
      },
    });
  }
  if (verbs.has("delete")) {
    defineRoute(app, ctx, {
      method: "DELETE",
      url: `${base}/:id`,
      summary: `Delete a ${name} (with ?version=, only if unchanged)`,
      tags,
      access: { kind: "station", role: spec.deleteRole },
      schema: { querystring: deleteQuery, params: idParams },
      ok: { status: 204, description: "deleted" },
      handler: async (request, reply) => {
        const { stationId, version } = request.query as { stationId: string; version?: number };
        await getOr404(repo.get(stationId, idOf(request)), name, idOf(request), stationId);
        await repo.delete(stationId, idOf(request), version);
        return reply.code(204).send();
      },
    });
  }
}

/** A PUT replaces the writable fields; server-managed (read-only) fields keep their stored values. */
function keepReadOnly(
  schema: ResourceSchema,
  current: Record<string, unknown>,
  next: Record<string, unknown>,
): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(schema.readOnly ?? {})) {
    if (current[key] !== undefined) kept[key] = current[key];
  }
  return { ...next, ...kept };
}
