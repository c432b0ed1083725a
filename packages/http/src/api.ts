import Fastify from "fastify";
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import cors from "@fastify/cors";
import websocket from "@fastify/websocket";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv/dist/2020.js";
import { isGrimnirError } from "@grimnir/core";
import type { EventBus, Store } from "@grimnir/core";
import { TokenService, type AuthOptions } from "./auth.js";
import { MemoryRefreshTokenStore } from "./refresh-tokens.js";
import {
  HTTP_ONLY_STATUS_BY_CODE,
  TransportError,
  errorResponse,
  type ErrorBody,
  type HttpErrorCode,
} from "./error-status.js";
import type { ApiPorts, AuditEntry } from "./ports.js";
import {
  bearerToken,
  defineRoute,
  principalOf,
  routeMetaOf,
  type ApiContext,
} from "./route-kit.js";
import { TokenBuckets, type RateLimitOptions } from "./rate-limit.js";
import { createApiMetrics } from "./metrics.js";
import { OpenApiCollector } from "./openapi.js";
import { EventFanout } from "./event-fanout.js";
import { registerEventRoutes } from "./events.js";
import { registerAuthRoutes } from "./routes/auth.js";
import { registerUserRoutes } from "./routes/users.js";
import { registerStationRoutes } from "./routes/stations.js";
import { registerLibraryRoutes } from "./routes/library.js";
import { registerPlayoutRoutes } from "./routes/playout.js";
import { registerLiveRoutes } from "./routes/live.js";
import { NowPlayingCache, registerPublicRoutes } from "./routes/public.js";
import { registerMediaUpload, type UploadOptions } from "./routes/media-upload.js";
import { registerImportRoutes } from "./routes/imports.js";
import { ImportJobs } from "./import-jobs.js";
import { registerTracing } from "./tracing.js";

/** Options of {@link createApi}. */
export interface ApiOptions {
  store: Store;
  bus: EventBus;
  auth: AuthOptions;
  /** Services plugged in as they exist; routes needing a missing one answer 501. */
  ports?: ApiPorts;
  /** A pino-compatible logger, `true` for fastify's default, or false/absent for none. */
  logger?: FastifyBaseLogger | boolean;
  rateLimit?: RateLimitOptions;
  /** Largest accepted request body, bytes (default 1 MiB); larger ones answer 413. */
  bodyLimit?: number;
  /** Origins allowed to call the authenticated API from a browser (public routes allow any). */
  cors?: { origins: string[] };
  /** Trust X-Forwarded-For for the client IP (behind a reverse proxy; default false). */
  trustProxy?: boolean;
  /** Media upload limits and temp directory (`POST /api/v1/media`). */
  uploads?: UploadOptions;
  /** Also export Node's process metrics on /metrics (default true). */
  defaultMetrics?: boolean;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const UNLIMITED = new Set(["/healthz", "/readyz", "/metrics"]);
const READY_TIMEOUT_MS = 2_000;

/** Request log line without secrets: `?token=` (WebSocket/SSE auth) is redacted. */
function redactedRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.replace(/([?&]token=)[^&]*/g, "$1[redacted]"),
    remoteAddress: request.ip,
  };
}

/** One Ajv error as a JSON pointer into the checked part, including the missing or unknown property. */
function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  return extra === undefined ? error.instancePath : `${error.instancePath}/${extra}`;
}

function describe(error: ErrorObject, location: string): string {
  const pointer = pointerOf(error);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === "required")
    return `${location}${error.instancePath}/${String(params["missingProperty"])} is required`;
  if (error.keyword === "additionalProperties") {
    return `${location}${pointer} is not allowed (unknown field)`;
  }
  if (error.keyword === "enum") {
    return `${location}${pointer} must be one of ${JSON.stringify(params["allowedValues"])}`;
  }
  return `${location}${pointer} ${error.message ?? "is invalid"}`;
}

/** The most useful error first: a specific leaf beats the oneOf/anyOf summary. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject {
  const leaves = errors.filter(
    (e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "if",
  );
  const pool = leaves.length > 0 ? leaves : errors;
  return pool.reduce(
    (best, e) => (pointerOf(e).length > pointerOf(best).length ? e : best),
    pool[0]!,
  );
}

/** Status and body for anything thrown while answering a request. */
function toErrorResponse(err: unknown): { status: number; body: ErrorBody } {
  const fe = err as Partial<FastifyError> & {
    validation?: ErrorObject[];
    validationContext?: string;
  };
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    const location = fe.validationContext ?? "body";
    const first = mostSpecific(fe.validation);
    const pointer = pointerOf(first);
    const field = pointer
      .split("/")
      .filter((s) => s.length > 0)
      .pop();
    return {
      status: 400,
      body: {
        error: {
          code: "VALIDATION",
          message: describe(first, location),
          details: {
            location,
            pointer,
            ...(field === undefined ? {} : { field }),
            errors: fe.validation
              .slice(0, 20)
              .map((e) => ({ pointer: pointerOf(e), message: describe(e, location) })),
          },
        },
      },
    };
  }
  if (err instanceof TransportError) {
    return {
      status: HTTP_ONLY_STATUS_BY_CODE[err.code],
      body: { error: { code: err.code, message: err.message, details: err.details } },
    };
  }
  if (isGrimnirError(err)) return errorResponse(err);
  const status = fe.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code: HttpErrorCode =
      status === 413
        ? "PAYLOAD_TOO_LARGE"
        : status === 415
          ? "UNSUPPORTED_MEDIA_TYPE"
          : status === 404
            ? "NOT_FOUND"
            : "VALIDATION";
    const message =
      fe.code === "FST_ERR_CTP_INVALID_JSON_BODY" || err instanceof SyntaxError
        ? `body is not valid JSON: ${fe.message ?? ""}`
        : (fe.message ?? "bad request");
    return {
      status: status === 413 || status === 415 || status === 404 ? status : 400,
      body: { error: { code, message, details: { location: "body" } } },
    };
  }
  return errorResponse(err);
}

/**
 * Build the Grimnir HTTP API: REST under /api/v1, WebSocket and SSE events,
 * JWT auth with per-station roles, OpenAPI at /api/openapi.json, Prometheus
 * /metrics, /healthz and /readyz. Returns a fastify instance: call `listen`
 * (or `inject` in tests) and `close` when done. Closing the API never closes
 * the store or the bus it was given.
 */
export function createApi(options: ApiOptions): FastifyInstance {
  const logger = options.logger ?? false;
  const app = Fastify({
    // A ready-made logger goes in as loggerInstance (fastify 5); `true` gets fastify's own, with tokens redacted from URLs.
    ...(typeof logger === "object"
      ? { loggerInstance: logger }
      : { logger: logger ? { serializers: { req: redactedRequest } } : false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    // Safe default: duplicate slashes and trailing slashes do not make new routes.
    routerOptions: { ignoreTrailingSlash: true },
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
  } as never) as unknown as FastifyInstance;

  const ports = options.ports ?? {};
  const tokens = new TokenService(
    options.store,
    options.auth.refreshTokens ?? new MemoryRefreshTokenStore(),
    options.auth,
  );
  const ctx: ApiContext = { store: options.store, bus: options.bus, ports, tokens };
  const metrics = createApiMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  const openapi = new OpenApiCollector();
  const fanout = new EventFanout(ctx.bus);
  const nowPlaying = new NowPlayingCache();
  const imports = new ImportJobs(options.bus, (err, message) => app.log.error({ err }, message));

  // Bodies are checked without coercion (a "5" is not a number); query and path strings are coerced.
  const ajvOptions = {
    allErrors: true,
    useDefaults: true,
    removeAdditional: false,
    discriminator: true,
    strict: false,
  } as const;
  const bodyAjv = new Ajv2020({ ...ajvOptions, coerceTypes: false });
  const queryAjv = new Ajv2020({ ...ajvOptions, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === "body" ? bodyAjv : queryAjv).compile(schema as object),
  );
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = toErrorResponse(err);
    if (status >= 500) request.log.error({ err }, "request failed");
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: "NOT_FOUND",
        message: `no route ${request.method} ${request.url.split("?")[0]}`,
        details: {},
      },
    } satisfies ErrorBody),
  );

  // First hook, so a request's span covers the rate limit and authentication too.
  registerTracing(app);

  // --- transport hooks: rate limit, metrics, audit ---
  const limits = options.rateLimit ?? {};
  const ipBuckets = new TokenBuckets(limits.perIp ?? { capacity: 600, refillPerSec: 300 });
  const tokenBuckets = new TokenBuckets(limits.perToken ?? { capacity: 300, refillPerSec: 100 });
  if (limits.enabled !== false) {
    app.addHook("onRequest", async (request, reply) => {
      if (UNLIMITED.has(request.url.split("?")[0]!)) return;
      let wait = ipBuckets.take(request.ip);
      const token = wait === 0 ? bearerToken(request) : undefined;
      if (token !== undefined) wait = tokenBuckets.take(token);
      if (wait > 0) {
        void reply.header("retry-after", String(wait));
        throw new TransportError("RATE_LIMITED", `too many requests; retry after ${wait} s`);
      }
    });
  }
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
    metrics.requestsTotal.inc(labels);
    if (MUTATING.has(request.method) && routeMetaOf(request) !== undefined)
      await audit(request, reply.statusCode);
  });
  app.server.on("connection", (socket) => {
    metrics.activeConnections.inc();
    socket.once("close", () => metrics.activeConnections.dec());
  });

  const audit = async (request: FastifyRequest, status: number): Promise<void> => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const params = (request.params ?? {}) as Record<string, unknown>;
    let user: { id: string; username: string } | undefined;
    if (routeMetaOf(request)?.access.kind !== "public") {
      try {
        user = principalOf(request).user;
      } catch (err) {
        // Refused before authentication (401): audited as anonymous.
        if (!isGrimnirError(err, "UNAUTHORIZED")) throw err;
      }
    }
    const route = request.routeOptions.url ?? request.url;
    const stationId =
      typeof query["stationId"] === "string"
        ? query["stationId"]
        : route.startsWith("/api/v1/stations/") && typeof params["id"] === "string"
          ? params["id"]
          : undefined;
    const entry: AuditEntry = {
      at: Date.now(),
      ...(user === undefined ? {} : { userId: user.id, username: user.username }),
      method: request.method,
      route,
      path: request.url.split("?")[0]!,
      status,
      ...(stationId === undefined ? {} : { stationId }),
      ...(typeof params["id"] === "string" ? { resourceId: params["id"] } : {}),
      ip: request.ip,
      requestId: request.id,
    };
    if (ports.audit === undefined) {
      request.log.info({ audit: entry }, "audit");
      return;
    }
    try {
      await ports.audit.record(entry);
    } catch (err) {
      request.log.error({ err, audit: entry }, "audit port failed to record an entry");
    }
  };

  app.addHook("onRoute", openapi.onRoute);
  app.addHook("onReady", async () => nowPlaying.start(ctx));
  app.addHook("preClose", async () => {
    await fanout.close();
    await nowPlaying.stop();
    await imports.close();
  });

  // No permessage-deflate: event frames are built once and written as-is to every socket.
  void app.register(websocket, { options: { maxPayload: 64 * 1024, perMessageDeflate: false } });
  // Static options (normalised once); public routes carry PUBLIC_CORS in their route config.
  void app.register(cors, {
    origin: options.cors?.origins ?? false,
    credentials: false,
    maxAge: 600,
  });
  void app.register(async (api) => {
    registerAuthRoutes(api, ctx);
    registerUserRoutes(api, ctx);
    registerStationRoutes(api, ctx);
    registerLibraryRoutes(api, ctx);
    registerMediaUpload(api, ctx, options.uploads);
    registerImportRoutes(api, ctx, imports);
    registerPlayoutRoutes(api, ctx);
    registerLiveRoutes(api, ctx);
    registerPublicRoutes(api, ctx, nowPlaying);
    registerEventRoutes(api, ctx, fanout, metrics);
    registerOperationRoutes(api, ctx, metrics.registry, () =>
      openapi.document({ title: "Grimnir API", version: "1.0.0" }),
    );
  });
  return app;
}

function registerOperationRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  registry: ReturnType<typeof createApiMetrics>["registry"],
  document: () => unknown,
): void {
  const tags = ["operations"];
  defineRoute(app, ctx, {
    method: "GET",
    url: "/healthz",
    summary: "Liveness: the process answers",
    tags,
    access: { kind: "public" },
    ok: { status: 200, schema: { type: "object" } },
    handler: async () => ({ status: "ok" }),
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/readyz",
    summary: "Readiness: store, bus and (when plugged in) the media engine answer; 503 otherwise",
    tags,
    access: { kind: "public" },
    ok: { status: 200, schema: { type: "object" } },
    handler: async (_request, reply) => {
      const checks: Record<string, { ok: boolean; error?: string }> = {};
      const probe = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            fn(),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
                READY_TIMEOUT_MS,
              );
            }),
          ]);
          checks[name] = { ok: true };
        } catch (err) {
          checks[name] = { ok: false, error: err instanceof Error ? err.message : String(err) };
        } finally {
          clearTimeout(timer);
        }
      };
      await Promise.all([
        probe("store", () => ctx.store.ping()),
        probe("bus", async () => {
          const health = ctx.bus.health();
          if (!health.connected) throw new Error(health.lastError ?? "bus is disconnected");
        }),
        ...(ctx.ports.engine === undefined
          ? []
          : [probe("engine", () => ctx.ports.engine!.status())]),
      ]);
      const ready = Object.values(checks).every((c) => c.ok);
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? "ready" : "unavailable", checks });
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/metrics",
    summary: "Prometheus metrics (grimnir_api_* and process metrics)",
    tags,
    access: { kind: "public" },
    ok: { status: 200, description: "Prometheus text format", contentType: "text/plain" },
    handler: async (_request, reply) =>
      reply.header("content-type", registry.contentType).send(await registry.metrics()),
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/openapi.json",
    summary: "This API's OpenAPI 3.1 document",
    tags,
    access: { kind: "public" },
    ok: { status: 200, schema: { type: "object" } },
    handler: async () => document(),
  });
}
