import type { RouteOptions } from "fastify";
import type { RouteMeta } from "./route-kit.js";
import { errorBodySchema, type Schema } from "./schemas.js";

/** A registered route as the generator sees it. */
interface CollectedRoute {
  method: string;
  url: string;
  schema: { body?: Schema; querystring?: Schema; params?: Schema } | undefined;
  meta: RouteMeta | undefined;
}

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "invalid input; details name the field (JSON pointer)",
  401: "missing, expired, tampered or revoked bearer token",
  403: "the caller lacks the role on this station",
  404: "no such record in this station",
  409: "stale version (optimistic concurrency) or conflicting record",
  413: "body too large",
  415: "the body's content type or content is not accepted (an upload that is not audio)",
  429: "rate limited; see Retry-After",
  501: "the service behind this route is not plugged into this server",
};

/** Collects routes as fastify registers them and renders the OpenAPI 3.1 document from their schemas. */
export class OpenApiCollector {
  readonly #routes: CollectedRoute[] = [];

  /** Pass to `app.addHook("onRoute", …)` before routes are registered. */
  readonly onRoute = (route: RouteOptions): void => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === "HEAD" || method === "OPTIONS") continue;
      this.#routes.push({
        method,
        url: route.url,
        schema: route.schema as CollectedRoute["schema"],
        meta: (route.config as { grimnir?: RouteMeta } | undefined)?.grimnir,
      });
    }
  };

  /** The document for every collected route. */
  document(info: { title: string; version: string }): OpenApiDocument {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.#routes) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, path);
    }
    return {
      openapi: "3.1.0",
      jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
      info: {
        ...info,
        description:
          "Grimnir radio automation API. Station-scoped routes take ?stationId=; roles (admin > manager > dj) are granted per station.",
      },
      servers: [{ url: "/" }],
      paths,
      components: {
        schemas: { Error: errorBodySchema },
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    };
  }
}

function parameters(schema: Schema | undefined, where: "query" | "path"): unknown[] {
  if (schema === undefined) return [];
  const props = (schema["properties"] ?? {}) as Record<string, Schema>;
  const required = new Set((schema["required"] ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: s,
    ...(typeof s["description"] === "string" ? { description: s["description"] } : {}),
  }));
}

function operation(route: CollectedRoute, path: string): Record<string, unknown> {
  const meta = route.meta;
  const access = meta?.access ?? { kind: "public" };
  const responses: Record<string, unknown> = {};
  const ok = meta?.ok ?? { status: 200 };
  responses[String(ok.status)] = {
    description: ok.description ?? "success",
    ...(ok.schema === undefined
      ? {}
      : { content: { [ok.contentType ?? "application/json"]: { schema: ok.schema } } }),
  };
  const errorStatuses = [400, 429];
  if (access.kind !== "public") errorStatuses.push(401, 403);
  if (path.includes("{")) errorStatuses.push(404);
  if (route.method === "PUT" || route.method === "PATCH" || route.method === "DELETE")
    errorStatuses.push(409);
  if (route.schema?.body !== undefined) errorStatuses.push(413);
  if (meta?.needsPort !== undefined) errorStatuses.push(501);
  for (const status of meta?.errors ?? [])
    if (!errorStatuses.includes(status)) errorStatuses.push(status);
  for (const status of errorStatuses.sort()) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status],
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  const operationId = (route.method.toLowerCase() + path)
    .replace(/[{}]/g, "")
    .replace(/[^A-Za-z0-9]+(.)/g, (_m, c: string) => c.toUpperCase());
  return {
    operationId,
    summary: meta?.summary ?? `${route.method} ${path}`,
    tags: meta?.tags ?? ["operations"],
    security: access.kind === "public" ? [] : [{ bearerAuth: [] }],
    "x-grimnir-access": access,
    ...(meta?.needsPort === undefined ? {} : { "x-grimnir-needs-port": meta.needsPort }),
    parameters: [
      ...parameters(route.schema?.params, "path"),
      ...parameters(route.schema?.querystring, "query"),
    ],
    ...(meta?.requestBody !== undefined
      ? { requestBody: { required: true, ...meta.requestBody } }
      : route.schema?.body === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { "application/json": { schema: route.schema.body } },
            },
          }),
    responses,
  };
}
