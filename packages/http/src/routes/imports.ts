import type { FastifyInstance } from "fastify";
import { GrimnirError } from "@grimnir/core";
import type { ImportJobs } from "../import-jobs.js";
import type { ImportJobRequest } from "../ports.js";
import { defineRoute, principalOf, type ApiContext } from "../route-kit.js";
import { idParams, integerSchema, objectSchema, stringSchema, type Schema } from "../schemas.js";

const progressSchema: Schema = {
  type: ["object", "null"],
  properties: {
    phase: { type: "string" },
    done: integerSchema(0),
    total: integerSchema(0),
  },
};

/** An import job as the API returns it. */
export const importJobSchema: Schema = {
  type: "object",
  properties: {
    id: stringSchema(),
    source: { enum: ["libretime", "azuracast"] },
    url: { type: "string", description: "source address, credentials removed" },
    dryRun: { type: "boolean" },
    station: stringSchema(),
    status: { enum: ["running", "done", "failed"] },
    progress: progressSchema,
    summary: {
      type: "object",
      description: "counts per action (create, update, skip, unmappable)",
    },
    report: {
      type: "object",
      description: "the plan (dry run) or report (apply): actions with reasons, failures",
    },
    error: { type: "string" },
    startedBy: stringSchema(),
    startedAt: integerSchema(0),
    finishedAt: integerSchema(0),
  },
  required: ["id", "source", "url", "dryRun", "status", "progress", "startedBy", "startedAt"],
};

const importBody = objectSchema(
  {
    source: { enum: ["libretime", "azuracast"] },
    url: {
      ...stringSchema(2000, 1),
      description: "LibreTime: postgres:// URL of its database; AzuraCast: its base URL",
    },
    apiKey: { ...stringSchema(500, 1), description: "AzuraCast API key (required for AzuraCast)" },
    mediaRoot: {
      ...stringSchema(4096, 1),
      description: "where the source's media files are mounted on this server",
    },
    station: {
      ...stringSchema(200, 1),
      description:
        "AzuraCast: station id or short name to import (default all); LibreTime: Grimnir station id to import into",
    },
    dryRun: { type: "boolean", default: false, description: "plan only, write nothing" },
  },
  ["source", "url"],
);

function invalid(field: string, message: string): GrimnirError {
  return new GrimnirError("VALIDATION", `${field} ${message}`, {
    details: { location: "body", pointer: `/${field}`, field },
  });
}

/** The checks the schema cannot express: URL scheme per source, AzuraCast needs a key. */
function checkImport(body: ImportJobRequest): void {
  let scheme: string;
  try {
    scheme = new URL(body.url).protocol;
  } catch {
    // The URL constructor's message adds nothing; say what is expected.
    throw invalid("url", `is not a URL (got ${JSON.stringify(body.url.slice(0, 100))})`);
  }
  if (body.source === "libretime" && scheme !== "postgres:" && scheme !== "postgresql:")
    throw invalid("url", "must be postgres://… (LibreTime's database) for source libretime");
  if (body.source === "azuracast" && scheme !== "http:" && scheme !== "https:")
    throw invalid("url", "must be http(s)://… (AzuraCast's address) for source azuracast");
  if (body.source === "azuracast" && body.apiKey === undefined)
    throw invalid("apiKey", "is required for source azuracast");
}

/** `POST /api/v1/imports`, `GET /api/v1/imports`, `GET /api/v1/imports/{id}`: admins of every station only. */
export function registerImportRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  jobs: ImportJobs,
): void {
  const tags = ["imports"];
  const access = { kind: "global-admin" } as const;
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/imports",
    summary:
      "Start an import from LibreTime or AzuraCast (dry run or apply); progress as import.progress events",
    tags,
    access,
    needsPort: "imports",
    schema: { body: importBody },
    ok: { status: 202, schema: importJobSchema, description: "the job, running" },
    handler: async (request, reply) => {
      const body = request.body as ImportJobRequest;
      checkImport(body);
      const importer = ctx.ports.imports!.importer(body);
      const job = jobs.start(importer, body, principalOf(request).user.id);
      return reply.code(202).header("location", `/api/v1/imports/${job.id}`).send(job);
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/imports",
    summary: "Import jobs since the server started, newest first (without their reports)",
    tags,
    access,
    ok: {
      status: 200,
      schema: objectSchema({ items: { type: "array", items: importJobSchema } }, ["items"]),
    },
    handler: async () => ({
      items: jobs.list().map(({ report: _report, ...job }) => job),
    }),
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/imports/:id",
    summary: "One import job: status, progress and, once finished, its report",
    tags,
    access,
    schema: { params: idParams },
    ok: { status: 200, schema: importJobSchema },
    handler: async (request) => jobs.get((request.params as { id: string }).id),
  });
}
