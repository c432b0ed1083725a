import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { GrimnirError, PRIORITY_NAMES } from "@grimnir/core";
import type { BusEvent, EventMap, Station, Subscription } from "@grimnir/core";
import { defineRoute, PUBLIC_CORS, PUBLIC_PREFIX, type ApiContext } from "../route-kit.js";
import { parseWindow } from "../time-param.js";
import { objectSchema, stringSchema } from "../schemas.js";

const HOUR = 3_600_000;
/** How long public responses may be cached, seconds. */
const NOW_PLAYING_MAX_AGE = 5;
const SCHEDULE_MAX_AGE = 60;
const STATION_CACHE_MS = 5_000;

const stationParam = { ...stringSchema(200, 1), description: "station id or slug" };

/** A rendered public answer: the JSON text and its strong ETag, valid until `until` (epoch ms). */
interface RenderedAnswer {
  body: string;
  etag: string;
  until: number;
}

/** The latest now_playing event per station, fed by one bus subscription. */
export class NowPlayingCache {
  readonly #latest = new Map<string, BusEvent<"now_playing">>();
  /** Rendered `GET /public/now-playing` answers by station id; a new event drops the station's. */
  readonly rendered = new Map<string, RenderedAnswer>();
  #subscription: Subscription | undefined;

  /** Start listening (idempotent). */
  async start(ctx: ApiContext): Promise<void> {
    this.#subscription ??= await ctx.bus.subscribe("now_playing", "*", (event) => {
      this.#latest.set(event.stationId, event);
      this.rendered.delete(event.stationId);
    });
  }

  /** Stop listening. */
  async stop(): Promise<void> {
    await this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  /** The latest payload seen for a station. */
  get(stationId: string): EventMap["now_playing"] | undefined {
    return this.#latest.get(stationId)?.payload;
  }
}

/** Public, unauthenticated, cacheable: now playing and the schedule. CORS allows any origin. */
export function registerPublicRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  nowPlaying: NowPlayingCache,
): void {
  // Browsers' preflight for the public routes: @fastify/cors answers it from this
  // route's config (any origin, GET); its own catch-all preflight uses the API's origins.
  app.options(`${PUBLIC_PREFIX}*`, { config: { cors: PUBLIC_CORS } }, async (_request, reply) =>
    reply.code(204).send(),
  );
  const stations = new Map<string, { station: Station; until: number }>();
  const resolveStation = async (key: string): Promise<Station> => {
    const cached = stations.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.station;
    const station =
      (await ctx.store.stations.get(key)) ??
      (await ctx.store.stations.list({ limit: 1000 })).find((s) => s.slug === key);
    if (station === undefined)
      throw new GrimnirError("NOT_FOUND", `station ${key} does not exist`, {
        details: { field: "station" },
      });
    if (stations.size > 10_000) stations.clear();
    stations.set(key, { station, until: Date.now() + STATION_CACHE_MS });
    return station;
  };
  const publicStation = (s: Station) => ({
    id: s.id,
    name: s.name,
    timezone: s.timezone,
    ...(s.slug === undefined ? {} : { slug: s.slug }),
  });
  const stationSchema = objectSchema({
    id: stringSchema(),
    name: stringSchema(),
    timezone: stringSchema(),
    slug: stringSchema(),
  });

  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/public/now-playing",
    summary: "What a station plays now (no auth, CORS, cached 5 s)",
    tags: ["public"],
    access: { kind: "public" },
    schema: { querystring: objectSchema({ station: stationParam }, ["station"]) },
    ok: {
      status: 200,
      schema: {
        type: "object",
        properties: { station: stationSchema, nowPlaying: { type: ["object", "null"] } },
        required: ["station", "nowPlaying"],
      },
    },
    handler: async (request, reply) => {
      const station = await resolveStation((request.query as { station: string }).station);
      // Hot path: the answer is rendered once per event (or per cache period) and sent as text.
      let answer = nowPlaying.rendered.get(station.id);
      if (answer === undefined || answer.until <= Date.now()) {
        const body = JSON.stringify(await renderNowPlaying(station));
        answer = {
          body,
          etag: `"${createHash("sha1").update(body).digest("base64url")}"`,
          until: Date.now() + STATION_CACHE_MS,
        };
        if (nowPlaying.rendered.size > 10_000) nowPlaying.rendered.clear();
        nowPlaying.rendered.set(station.id, answer);
      }
      void reply
        .header("cache-control", `public, max-age=${NOW_PLAYING_MAX_AGE}`)
        .header("etag", answer.etag);
      if (request.headers["if-none-match"] === answer.etag) return reply.code(304).send();
      return reply.header("content-type", "application/json; charset=utf-8").send(answer.body);
    },
  });
  const renderNowPlaying = async (
    station: Station,
  ): Promise<{ station: Record<string, unknown>; nowPlaying: Record<string, unknown> | null }> => {
    let current: Record<string, unknown> | null = null;
    const event = nowPlaying.get(station.id);
    if (event !== undefined) {
      current = {
        ...(event.title === undefined ? {} : { title: event.title }),
        ...(event.artist === undefined ? {} : { artist: event.artist }),
        ...(event.album === undefined ? {} : { album: event.album }),
        startedAt: new Date(event.startedAt).toISOString(),
        ...(event.durationMs === undefined ? {} : { durationMs: event.durationMs }),
        source: PRIORITY_NAMES[event.priority],
      };
    } else {
      // No event since start: fall back to what the executor persisted.
      const state = await ctx.store.executorStates.get(station.id);
      const entry =
        state?.currentEntryId === undefined
          ? undefined
          : await ctx.store.schedule.get(station.id, state.currentEntryId);
      if (state !== undefined && entry !== undefined) {
        current = {
          ...(entry.title === undefined ? {} : { title: entry.title }),
          ...(entry.artist === undefined ? {} : { artist: entry.artist }),
          startedAt: new Date(state.currentStartedAt ?? entry.startsAt).toISOString(),
          durationMs: entry.endsAt - entry.startsAt,
          source: PRIORITY_NAMES[state.priority],
        };
      }
    }
    return { station: publicStation(station), nowPlaying: current };
  };
  defineRoute(app, ctx, {
    method: "GET",
    url: "/api/v1/public/schedule",
    summary:
      "A station's planned programme (no auth, CORS, cached 60 s; default next 24 h, at most 7 days)",
    tags: ["public"],
    access: { kind: "public" },
    schema: {
      querystring: objectSchema(
        { station: stationParam, from: stringSchema(40, 1), to: stringSchema(40, 1) },
        ["station"],
      ),
    },
    ok: { status: 200, schema: { type: "object" } },
    handler: async (request, reply) => {
      const {
        station: key,
        from,
        to,
      } = request.query as { station: string; from?: string; to?: string };
      const station = await resolveStation(key);
      const range = parseWindow(from, to, { from: Date.now(), lengthMs: 24 * HOUR }, 7 * 24 * HOUR);
      const entries = await ctx.store.schedule.window(station.id, range);
      void reply.header("cache-control", `public, max-age=${SCHEDULE_MAX_AGE}`);
      return {
        station: publicStation(station),
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        entries: entries.map((e) => ({
          startsAt: new Date(e.startsAt).toISOString(),
          endsAt: new Date(e.endsAt).toISOString(),
          kind: e.kind,
          ...(e.title === undefined ? {} : { title: e.title }),
          ...(e.artist === undefined ? {} : { artist: e.artist }),
        })),
      };
    },
  });
}
