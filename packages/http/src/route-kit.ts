import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import { GrimnirError, hasRole } from "@grimnir/core";
import type { EventBus, Role, Store, User } from "@grimnir/core";
import type { Principal, TokenService } from "./auth.js";
import type { ApiPorts } from "./ports.js";
import { errorBodySchema, type Schema } from "./schemas.js";

/** Who may call a route. */
export type Access =
  | { kind: "public" }
  | { kind: "user" }
  | { kind: "station"; role: Role }
  | { kind: "global-admin" };

/** Route metadata kept in fastify's route `config` for hooks and the OpenAPI generator. */
export interface RouteMeta {
  summary: string;
  tags: string[];
  access: Access;
  /** Port whose absence makes the route answer 501. */
  needsPort?: keyof ApiPorts;
  /** Response description and schema for the 2xx status. */
  ok?: { status: number; schema?: Schema; description?: string; contentType?: string };
  /** Request body by media type, for routes that take something other than JSON (uploads). */
  requestBody?: { description: string; content: Record<string, { schema: Schema }> };
  /** Error statuses the route answers beyond the ones derived from its shape (409, 413, 415…). */
  errors?: number[];
}

/** Everything route modules share. */
export interface ApiContext {
  store: Store;
  bus: EventBus;
  ports: ApiPorts;
  tokens: TokenService;
}

/** Input of {@link defineRoute}. */
export interface RouteSpec extends RouteMeta {
  method: HTTPMethods;
  url: string;
  schema?: { body?: Schema; querystring?: Schema; params?: Schema };
  websocket?: boolean;
  /** Extra authorisation after validation and the role check; throw to refuse (before a WebSocket upgrade). */
  check?: (request: FastifyRequest) => void | Promise<void>;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** The bearer token of a request: `Authorization: Bearer …` or `?token=…` (for WebSocket and EventSource). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === "string" && header.startsWith("Bearer ")) return header.slice(7).trim();
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.["token"];
  return typeof token === "string" && token.length > 0 ? token : undefined;
}

/** The authenticated caller; only valid on routes that are not public. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined)
    throw new GrimnirError("UNAUTHORIZED", "this route needs a bearer token");
  return principal;
}

/** The `stationId` query parameter of a station-scoped route (validated by its schema). */
export function stationIdOf(request: FastifyRequest): string {
  return (request.query as { stationId: string }).stationId;
}

/** True when `user` holds admin on every station. */
export function isGlobalAdmin(user: User): boolean {
  return !user.disabled && user.roles.some((g) => g.stationId === "*" && g.role === "admin");
}

/** Reject with FORBIDDEN unless the caller holds `role` on `stationId`. */
export function assertRole(user: User, stationId: string, role: Role): void {
  if (!hasRole(user, stationId, role)) {
    throw new GrimnirError("FORBIDDEN", `this needs the ${role} role on station ${stationId}`, {
      details: { stationId, role },
    });
  }
}

/** The 501 a route answers while the port it needs is missing. */
export function notImplemented(port: keyof ApiPorts, what: string): GrimnirError {
  return new GrimnirError(
    "NOT_IMPLEMENTED",
    `${what} needs the ${port} port, which this server was started without (createApi({ ports: { ${port} } }))`,
    { details: { port } },
  );
}

/**
 * CORS of the routes under {@link PUBLIC_PREFIX} (any origin, GET only), given to
 * `@fastify/cors` as route config; the rest of the API uses the server's
 * configured origins.
 */
export const PUBLIC_CORS = { origin: "*", methods: ["GET"], maxAge: 600 } as const;

/** Where the public routes live (the ones {@link PUBLIC_CORS} applies to). */
export const PUBLIC_PREFIX = "/api/v1/public/";

/**
 * Register a route with its access rule: authentication runs on `onRequest`
 * (401 before anything else), the station role check after validation (so a
 * missing `stationId` is a 400), and a missing port answers 501. A public
 * route gets only the hooks it needs (none unless it has a check or a port),
 * so the cheap public answers pay for no authentication machinery.
 */
export function defineRoute(app: FastifyInstance, ctx: ApiContext, spec: RouteSpec): void {
  const meta: RouteMeta = {
    summary: spec.summary,
    tags: spec.tags,
    access: spec.access,
    ...(spec.needsPort === undefined ? {} : { needsPort: spec.needsPort }),
    ...(spec.ok === undefined ? {} : { ok: spec.ok }),
    ...(spec.requestBody === undefined ? {} : { requestBody: spec.requestBody }),
    ...(spec.errors === undefined ? {} : { errors: spec.errors }),
  };
  const { access } = spec;
  const isPublic = access.kind === "public";
  const hasPreHandler = !isPublic || spec.check !== undefined || spec.needsPort !== undefined;
  app.route({
    method: spec.method,
    url: spec.url,
    config: { grimnir: meta, ...(spec.url.startsWith(PUBLIC_PREFIX) ? { cors: PUBLIC_CORS } : {}) },
    schema: {
      ...spec.schema,
      response: { "4xx": errorBodySchema, "5xx": errorBodySchema },
    },
    ...(spec.websocket === true ? { websocket: true } : {}),
    ...(isPublic
      ? {}
      : {
          onRequest: async (request: FastifyRequest) => {
            const token = bearerToken(request);
            if (token === undefined)
              throw new GrimnirError("UNAUTHORIZED", "this route needs a bearer token");
            principals.set(request, await ctx.tokens.authenticate(token));
          },
        }),
    // The role check runs before body validation too, so a caller without a role learns nothing from a 400.
    ...(access.kind === "station"
      ? {
          preValidation: async (request: FastifyRequest) => {
            const stationId = (request.query as Record<string, unknown> | undefined)?.["stationId"];
            if (typeof stationId === "string") {
              assertRole(principalOf(request).user, stationId, access.role);
            }
          },
        }
      : {}),
    ...(hasPreHandler
      ? {
          preHandler: async (request: FastifyRequest) => {
            if (access.kind === "station")
              assertRole(principalOf(request).user, stationIdOf(request), access.role);
            if (access.kind === "global-admin" && !isGlobalAdmin(principalOf(request).user)) {
              throw new GrimnirError("FORBIDDEN", "this needs the admin role on every station");
            }
            await spec.check?.(request);
            if (spec.needsPort !== undefined && ctx.ports[spec.needsPort] === undefined) {
              throw notImplemented(spec.needsPort, `${spec.method} ${spec.url}`);
            }
          },
        }
      : {}),
    handler: spec.handler as never,
  } as never);
}

/** Route metadata of a request, when it matched a route made by {@link defineRoute}. */
export function routeMetaOf(request: FastifyRequest): RouteMeta | undefined {
  return (request.routeOptions.config as { grimnir?: RouteMeta } | undefined)?.grimnir;
}
