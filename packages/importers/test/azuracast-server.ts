/** A local stand-in for AzuraCast's REST API serving JSON fixtures and media files, checking the X-API-Key header. */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "azuracast.json");

/** The running server. */
export interface AzuraCastTestServer {
  baseUrl: string;
  apiKey: string;
  /** Responses by path; tests may change them between runs. */
  routes: Record<string, unknown>;
  /** Paths requested so far. */
  requests: string[];
  /** Audio served at `/api/station/{sid}/file/{id}/play`, keyed by that path; other play paths answer 404. */
  media: Record<string, Buffer>;
  close(): Promise<void>;
}

/** Start on a free loopback port. A route `{ "__status": N }` answers with that status. */
export async function startAzuraCastServer(apiKey = "test-key-123"): Promise<AzuraCastTestServer> {
  const routes = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
  const requests: string[] = [];
  const media: Record<string, Buffer> = {};
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push(path);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers["x-api-key"] !== apiKey)
      return send(401, {
        code: 401,
        type: "NotLoggedInException",
        message: "You must be logged in to access this page.",
      });
    if (/^\/api\/station\/\d+\/file\/\d+\/play$/.test(path)) {
      const audio = media[path];
      if (audio === undefined) return send(404, { code: 404, message: "File not found." });
      res.writeHead(200, { "content-type": "audio/mpeg", "content-length": audio.length });
      // Sent in two writes so the client really streams it.
      res.write(audio.subarray(0, audio.length >> 1));
      res.end(audio.subarray(audio.length >> 1));
      return;
    }
    const body = routes[path];
    if (body === undefined) return send(404, { code: 404, message: "Record not found" });
    const status = (body as { __status?: number }).__status;
    if (status !== undefined) return send(status, { code: status, message: "Permission denied" });
    return send(200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    routes,
    requests,
    media,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error === undefined ? resolve() : reject(error))),
      ),
  };
}
