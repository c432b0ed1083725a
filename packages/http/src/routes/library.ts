import type { FastifyInstance } from "fastify";
import { GrimnirError } from "@grimnir/core";
import type { Clock, Mount, Playlist, Show, SmartBlock, Webstream } from "@grimnir/core";
import { defineRoute, stationIdOf, type ApiContext } from "../route-kit.js";
import { getOr404, registerStationResource } from "./resources.js";
import {
  clockResource,
  idParams,
  integerSchema,
  mediaResource,
  mountResource,
  objectSchema,
  playlistResource,
  recordSchema,
  showResource,
  smartBlockResource,
  stationQuery,
  stringSchema,
  webstreamResource,
} from "../schemas.js";

/** A clock's slots must start inside the hour, in order, with unique ids. */
function checkClock(record: Record<string, unknown>): void {
  const slots = (record["slots"] ?? []) as Array<{ id: string; offsetMs: number }>;
  const seen = new Set<string>();
  slots.forEach((slot, index) => {
    if (seen.has(slot.id)) {
      throw new GrimnirError(
        "VALIDATION",
        `slots/${index}/id "${slot.id}" is used by an earlier slot; slot ids must be unique`,
        {
          details: { pointer: `/slots/${index}/id`, field: "id", location: "body" },
        },
      );
    }
    seen.add(slot.id);
    const previous = slots[index - 1];
    if (previous !== undefined && slot.offsetMs < previous.offsetMs) {
      throw new GrimnirError(
        "VALIDATION",
        `slots/${index}/offsetMs must not be before the previous slot's (${previous.offsetMs} ms)`,
        {
          details: { pointer: `/slots/${index}/offsetMs`, field: "offsetMs", location: "body" },
        },
      );
    }
  });
}

/** Cue points must be ordered: cueIn ≤ cueOut. */
function checkMedia(record: Record<string, unknown>): void {
  const cueIn = record["cueInMs"] as number | undefined;
  const cueOut = record["cueOutMs"] as number | undefined;
  if (cueIn !== undefined && cueOut !== undefined && cueIn > cueOut) {
    throw new GrimnirError(
      "VALIDATION",
      `cueInMs (${cueIn}) must not be after cueOutMs (${cueOut})`,
      {
        details: { pointer: "/cueInMs", field: "cueInMs", location: "body" },
      },
    );
  }
}

/** Mounts, media, playlists, smart blocks, clocks, shows and webstream CRUD. */
export function registerLibraryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  registerStationResource<Mount>(app, ctx, {
    path: "mounts",
    tag: "mounts",
    schema: mountResource,
    repo: (c) => c.store.mounts,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "manager",
  });
  registerStationResource<Playlist>(app, ctx, {
    path: "playlists",
    tag: "playlists",
    schema: playlistResource,
    repo: (c) => c.store.playlists,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "manager",
  });
  registerStationResource<SmartBlock>(app, ctx, {
    path: "smart-blocks",
    tag: "smart-blocks",
    schema: smartBlockResource,
    repo: (c) => c.store.smartBlocks,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "manager",
  });
  registerStationResource<Clock>(app, ctx, {
    path: "clocks",
    tag: "clocks",
    schema: clockResource,
    repo: (c) => c.store.clocks,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "manager",
    check: checkClock,
  });
  registerStationResource<Show>(app, ctx, {
    path: "shows",
    tag: "shows",
    schema: showResource,
    repo: (c) => c.store.shows,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "manager",
  });
  // The brief's webstream endpoints: list, create, get, PUT, DELETE (admin only); failover/reset live in webstreams.ts.
  registerStationResource<Webstream>(app, ctx, {
    path: "webstreams",
    tag: "webstreams",
    schema: webstreamResource,
    repo: (c) => c.store.webstreams,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "admin",
    verbs: ["list", "create", "get", "replace", "delete"],
    onCreate: (input) => ({ ...input, currentIndex: 0, status: "healthy" }),
  });

  const mediaRecord = recordSchema(mediaResource);
  registerStationResource(app, ctx, {
    path: "media",
    tag: "media",
    schema: mediaResource,
    repo: (c) => c.store.media,
    readRole: "dj",
    writeRole: "manager",
    deleteRole: "manager",
    verbs: ["get", "patch", "delete"],
    check: checkMedia,
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/media",
    summary: "List or search a station's media (text over title/artist/album, analysis status)",
    tags: ["media"],
    access: { kind: "station", role: "dj" },
    schema: {
      querystring: objectSchema(
        {
          stationId: stringSchema(200, 1),
          q: stringSchema(200),
          analysisStatus: { enum: ["pending", "analysing", "done", "failed"] },
          orderBy: { enum: ["id", "title", "artist", "album", "addedAt", "durationMs", "year"] },
          direction: { enum: ["asc", "desc"] },
          limit: integerSchema(1, 1000),
          offset: integerSchema(0),
        },
        ["stationId"],
      ),
    },
    ok: {
      status: 200,
      schema: objectSchema(
        { total: integerSchema(0), items: { type: "array", items: mediaRecord } },
        ["total", "items"],
      ),
    },
    handler: async (request) => {
      const q = request.query as {
        stationId: string;
        q?: string;
        analysisStatus?: "pending" | "analysing" | "done" | "failed";
        orderBy?: "id" | "title" | "artist" | "album" | "addedAt" | "durationMs" | "year";
        direction?: "asc" | "desc";
        limit?: number;
        offset?: number;
      };
      const query = {
        ...(q.q === undefined || q.q === "" ? {} : { text: q.q }),
        ...(q.analysisStatus === undefined ? {} : { analysisStatus: q.analysisStatus }),
        orderBy: q.orderBy ?? "id",
        direction: q.direction ?? "asc",
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      } as const;
      const [items, total] = await Promise.all([
        ctx.store.media.query(q.stationId, query),
        ctx.store.media.count(q.stationId, query),
      ]);
      return { total, items };
    },
  });
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/media/:id/analysis",
    summary: "Analysis status of a media item",
    tags: ["media"],
    access: { kind: "station", role: "dj" },
    schema: { querystring: stationQuery, params: idParams },
    ok: {
      status: 200,
      schema: objectSchema({
        id: stringSchema(),
        analysisStatus: { type: "string" },
        analysisError: stringSchema(5000),
      }),
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const item = await getOr404(
        ctx.store.media.get(stationIdOf(request), id),
        "media item",
        id,
        stationIdOf(request),
      );
      return {
        id: item.id,
        analysisStatus: item.analysisStatus,
        ...(item.analysisError === undefined ? {} : { analysisError: item.analysisError }),
      };
    },
  });
  defineRoute(app, ctx, {
    method: "POST",
    url: "/api/v1/smart-blocks/:id/preview",
    summary: "What a smart block would pick now (nothing is recorded)",
    tags: ["smart-blocks"],
    access: { kind: "station", role: "dj" },
    needsPort: "planner",
    schema: { querystring: stationQuery, params: idParams },
    ok: { status: 200, schema: { type: "array", items: mediaRecord } },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const stationId = stationIdOf(request);
      await getOr404(ctx.store.smartBlocks.get(stationId, id), "smart block", id, stationId);
      return ctx.ports.planner!.previewSmartBlock(stationId, id);
    },
  });
}
