import { request as httpRequest } from "node:http";
import type { FastifyInstance } from "fastify";

/** Response headers passed from the engine's stream to the listener (ICY metadata included). */
const PASSED_HEADERS = /^(content-type|icy-[a-z-]+|cache-control|pragma|expires)$/i;

/**
 * Serve `/stream/<name>` from the API port by relaying the engine's built-in
 * HTTP stream on `127.0.0.1:enginePort`: the listener's `Icy-MetaData`
 * request header is passed on, and the engine's `icy-*` response headers and
 * interleaved metadata blocks come back unchanged. Each listener is one
 * upstream connection; a listener hanging up closes it.
 */
export function registerStreamProxy(app: FastifyInstance, enginePort: number): void {
  app.get("/stream/:name", (request, reply) => {
    const { name } = request.params as { name: string };
    reply.hijack();
    const res = reply.raw;
    const headers: Record<string, string> = {};
    const icy = request.headers["icy-metadata"];
    if (typeof icy === "string") headers["icy-metadata"] = icy;
    const upstream = httpRequest(
      {
        host: "127.0.0.1",
        port: enginePort,
        path: `/stream/${encodeURIComponent(name)}`,
        method: "GET",
        headers,
      },
      (engineRes) => {
        const out: Record<string, string | string[]> = {};
        for (const [key, value] of Object.entries(engineRes.headers)) {
          if (value !== undefined && PASSED_HEADERS.test(key)) out[key] = value;
        }
        res.writeHead(engineRes.statusCode ?? 502, out);
        engineRes.pipe(res);
        engineRes.on("error", () => res.destroy());
      },
    );
    upstream.on("error", (err) => {
      request.log.warn({ err, stream: name }, "engine stream unavailable");
      if (!res.headersSent) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error: {
              code: "ENGINE_UNAVAILABLE",
              message: `the media engine's stream ${name} is not reachable: ${err.message}`,
              details: { stream: name },
            },
          }),
        );
      } else {
        res.destroy();
      }
    });
    res.on("close", () => upstream.destroy());
    upstream.end();
  });
}
