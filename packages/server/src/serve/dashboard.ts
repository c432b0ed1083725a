import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { GrimnirError } from "@grimnir/core";
import type { LoudnessHistory } from "./loudness-history.js";

const ASSETS: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

/** The `public/dashboard` folder of this package, found from `src/serve/` and from `dist/`. */
export function dashboardAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "public", "dashboard");
    if (existsSync(join(candidate, "index.html"))) return candidate;
    dir = dirname(dir);
  }
  throw new GrimnirError(
    "NOT_FOUND",
    "dashboard assets (public/dashboard/index.html) are missing from @grimnir/server",
  );
}

/**
 * The operator dashboard: static page at `/dashboard/` (plain HTML + JS, no
 * framework) that logs in through `/api/v1/auth/login` and then uses the
 * public and authenticated API and the `/api/v1/events` WebSocket; `/`
 * redirects to it. `/dashboard/loudness?station=ID` serves the 24 h loudness
 * chart data (per-minute LUFS; public like the now-playing endpoint).
 */
export function registerDashboard(
  app: FastifyInstance,
  history: LoudnessHistory,
  now: () => number,
): void {
  const dir = dashboardAssetsDir();
  app.get("/", (_request, reply) => reply.redirect("/dashboard/"));
  app.get("/dashboard/", async (_request, reply) =>
    reply.type(ASSETS["index.html"]!).send(await readFile(join(dir, "index.html"))),
  );
  app.get("/dashboard/loudness", async (request) => {
    const station = (request.query as { station?: string }).station;
    if (station === undefined || station === "") {
      throw new GrimnirError("VALIDATION", "querystring/station is required", {
        details: { field: "station" },
      });
    }
    return { station, minutes: history.series(station, now()) };
  });
  app.get("/dashboard/:asset", async (request, reply) => {
    const { asset } = request.params as { asset: string };
    const type = ASSETS[asset];
    if (type === undefined) {
      throw new GrimnirError("NOT_FOUND", `no dashboard asset ${asset}`, {
        details: { field: "asset" },
      });
    }
    return reply
      .type(type)
      .header("cache-control", "no-cache")
      .send(await readFile(join(dir, asset)));
  });
}
