import { createServer, type Server, type Socket } from "node:net";
import { constantTimeEqual } from "./credentials.js";
import { HarborMounts, type HarborMountInfo, type MountState } from "./harbor-mounts.js";
import type { HarborOptions, HarborRefusal } from "./harbor-options.js";
import { readRequestHead } from "./harbor-request.js";
import { acceptSource, type HarborSourceContext } from "./harbor-source.js";
import { defaultLiveLogger, type LiveLogger } from "./logger.js";
import { basicAuth, respondAndClose, writeHead, type RequestHead } from "./raw-http.js";

/**
 * An Icecast-compatible source input ("harbor") on its own port.
 *
 * - Sources connect with `SOURCE` (legacy) or `PUT` and HTTP basic auth: any
 *   user with a live token as password, or per-DJ credentials through
 *   `authenticate`. Accepted content: audio/mpeg, audio/ogg (Vorbis, Opus),
 *   audio/aac; the first bytes must look like that (MP3 frame / ID3, OggS,
 *   ADTS) or the source is dropped before its token is used up.
 * - Refusals answer with a status and a one-line reason: 401 wrong password,
 *   403 used/expired token or wrong mount, 404 unknown mount, 409 busy mount,
 *   415 unsupported type; incomplete heads are dropped after `headerTimeoutMs`
 *   and silent sources after `idleTimeoutMs`. Every refusal is logged and
 *   reported to `onRefused`; nothing a client sends can throw out of the harbor.
 * - Each live mount is re-served at `http://<host>:<port>/live/<mount>` for the
 *   engine (`MediaEngine.routeLive({ inputUri })`); an Ogg listener first gets
 *   the stream's header pages. Listeners stay connected through a disconnect
 *   grace so a reconnecting DJ continues the same stream. A listener that
 *   asks while the mount's source is being accepted (e.g. the engine told to
 *   pull it from `onLive`) waits for it instead of getting a 404.
 * - `GET /admin/metadata?mode=updinfo&mount=/<mount>&song=…` (as Icecast) with
 *   the source's credentials or the admin password updates now playing.
 */
export class Harbor {
  readonly #options: HarborOptions;
  readonly #log: LiveLogger;
  readonly #mounts: HarborMounts;
  readonly #sockets = new Set<Socket>();
  readonly #sourceContext: HarborSourceContext;
  #server: Server | undefined;
  #port = 0;
  #unsubscribe: (() => void) | undefined;

  /** A harbor that is not listening yet; call {@link Harbor.start}. */
  constructor(options: HarborOptions) {
    this.#options = options;
    this.#log = options.log ?? defaultLiveLogger;
    this.#mounts = new HarborMounts(this.#log);
    this.#sourceContext = {
      options,
      log: this.#log,
      mounts: this.#mounts,
      refuse: (...args) => this.#refuse(...args),
      inputUri: (mount) => this.inputUri(mount),
      publishMetadata: (mount, song) => this.#publishMetadata(mount, song),
    };
  }

  /** Listen; resolves with the port once sources can connect. */
  async start(): Promise<number> {
    if (this.#server !== undefined) return this.#port;
    const server = createServer((socket) => this.#onConnection(socket));
    this.#server = server;
    this.#unsubscribe = this.#options.live.onSessionEnded((end) => {
      for (const mount of this.#mounts.all()) {
        if (mount.sessionId === end.session.id) this.#mounts.close(mount, end.reason);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#options.port ?? 0, this.#options.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#port = (server.address() as { port: number }).port;
    return this.#port;
  }

  /** Stop listening and close every source and listener connection. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#mounts.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The port the harbor listens on (0 before {@link Harbor.start}). */
  get port(): number {
    return this.#port;
  }

  /** URL the engine pulls harbor mount `mount` from (what sessions store as `inputUri`). */
  inputUri(mount: string): string {
    const host =
      this.#options.advertiseHost ??
      (this.#options.host === undefined || this.#options.host === "0.0.0.0"
        ? "127.0.0.1"
        : this.#options.host);
    return `http://${host}:${this.#port}/live/${encodeURIComponent(mount)}`;
  }

  /** Live mounts: connected, or waiting out a disconnect grace. */
  mounts(): HarborMountInfo[] {
    return this.#mounts.all().map((m) => ({
      mount: m.name,
      stationId: m.stationId,
      mountId: m.mountId,
      sessionId: m.sessionId,
      container: m.container,
      sourceConnected: m.source !== undefined,
      listeners: m.listeners.size,
      bytesIn: m.bytesIn,
      inputUri: this.inputUri(m.name),
    }));
  }

  #onConnection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", (err) =>
      this.#log("info", "harbor connection error", { error: err.message }),
    );
    const limits = {
      maxHeaderBytes: this.#options.maxHeaderBytes ?? 8192,
      headerTimeoutMs: this.#options.headerTimeoutMs ?? 5000,
    };
    readRequestHead(
      socket,
      limits,
      (...args) => this.#refuse(...args),
      (head, rest) => {
        this.#route(socket, head, rest).catch((err: unknown) => {
          this.#log("error", "harbor request failed", {
            error: err instanceof Error ? err.message : String(err),
          });
          this.#refuse(socket, 500, "internal error");
        });
      },
    );
  }

  async #route(socket: Socket, head: RequestHead, rest: Buffer): Promise<void> {
    if (head.method === "SOURCE" || head.method === "PUT") {
      return acceptSource(this.#sourceContext, socket, head, rest);
    }
    if (head.method === "GET" || head.method === "HEAD") {
      if (head.path.startsWith("/live/")) return this.#listener(socket, head);
      if (head.path === "/admin/metadata" || head.path === "/admin.cgi")
        return this.#metadata(socket, head);
      return this.#refuse(socket, 404, `nothing at ${head.path}`);
    }
    this.#refuse(socket, 405, `method ${head.method} not allowed; sources use SOURCE or PUT`);
  }

  async #listener(socket: Socket, head: RequestHead): Promise<void> {
    const name = head.path.slice("/live/".length);
    // A source going live right now: the engine is told to pull the mount (onLive) before
    // the harbor registers it, so wait for it rather than answer 404.
    await this.#mounts.settle(name, performance.now() + (this.#options.headerTimeoutMs ?? 5000));
    if (socket.destroyed) return;
    const mount = this.#mounts.get(name);
    if (mount === undefined) return this.#refuse(socket, 404, `mount /${name} is not live`);
    const headers: Record<string, string> = {
      "Content-Type": mount.contentType,
      "Cache-Control": "no-cache, no-store",
      Connection: "close",
    };
    if (mount.iceName !== undefined) headers["icy-name"] = mount.iceName;
    writeHead(socket, 200, headers);
    if (head.method === "HEAD") {
      socket.end();
      return;
    }
    const headerPages = mount.ogg?.headers;
    if (headerPages !== undefined && headerPages.length > 0) socket.write(headerPages);
    mount.listeners.add(socket);
    socket.on("close", () => mount.listeners.delete(socket));
    socket.resume();
  }

  async #metadata(socket: Socket, head: RequestHead): Promise<void> {
    const mode = head.query.get("mode");
    const song = head.query.get("song");
    const mountName = (head.query.get("mount") ?? "").replace(/^\//, "");
    if (mode !== "updinfo" || song === null) {
      return this.#refuse(socket, 400, "expected mode=updinfo and song=…");
    }
    const credentials = basicAuth(head.headers.authorization);
    const password = credentials?.password ?? head.query.get("pass") ?? undefined;
    // Shoutcast-style admin.cgi has no mount: it means the only live mount.
    const live = this.#mounts.all();
    const mount =
      mountName !== "" ? this.#mounts.get(mountName) : live.length === 1 ? live[0] : undefined;
    if (mount === undefined) return this.#refuse(socket, 404, `mount /${mountName} is not live`);
    const admin = this.#options.adminPassword;
    const allowed =
      password !== undefined &&
      (constantTimeEqual(mount.password, password) ||
        (admin !== undefined &&
          credentials?.username === "admin" &&
          constantTimeEqual(admin, password)));
    if (!allowed) {
      return this.#refuse(socket, 401, "wrong password", mount.name, false, {
        "WWW-Authenticate": 'Basic realm="Grimnir harbor"',
      });
    }
    await this.#publishMetadata(mount, song);
    respondAndClose(
      socket,
      200,
      '<?xml version="1.0"?>\n<iceresponse><message>Metadata update successful</message><return>1</return></iceresponse>\n',
      { "Content-Type": "text/xml" },
    );
  }

  async #publishMetadata(mount: MountState, song: string): Promise<void> {
    // A repeated title (DJ software resends it) is no new song for the play history either.
    if (!(await this.#options.live.updateMetadata(mount.sessionId, song))) return;
    this.#options.onMetadata?.({
      mount: mount.name,
      stationId: mount.stationId,
      mountId: mount.mountId,
      sessionId: mount.sessionId,
      song,
    });
  }

  #refuse(
    socket: Socket,
    status: number,
    reason: string,
    mount?: string,
    dropped = false,
    headers: Record<string, string> = {},
  ): void {
    const refusal: HarborRefusal = { status, reason, mount, remoteAddress: socket.remoteAddress };
    this.#log("warn", dropped ? "harbor dropped a source" : "harbor refused a request", {
      ...refusal,
    });
    this.#options.onRefused?.(refusal);
    if (status === 0 || dropped) socket.destroy();
    else respondAndClose(socket, status, `${reason}\n`, headers);
  }
}
