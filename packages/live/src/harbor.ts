import { createServer, type Server, type Socket } from "node:net";
import { isGrimnirError } from "@grimnir/core";
import { constantTimeEqual, decodeLiveToken } from "./credentials.js";
import type { LiveGrant, LiveService } from "./live-service.js";
import { defaultLiveLogger, type LiveLogger } from "./logger.js";
import { OggHeaderCapture } from "./ogg-headers.js";
import {
  basicAuth,
  headEnd,
  parseHead,
  respondAndClose,
  writeHead,
  type RequestHead,
} from "./raw-http.js";
import {
  CONTAINER_CONTENT_TYPE,
  containerOfContentType,
  sniffAudio,
  type LiveContainer,
} from "./sniff.js";

/** A stream title a live source sent (admin `updinfo`), as the harbor reports it. */
export interface HarborMetadataUpdate {
  /** Harbor mount name (the source's path without the slash). */
  mount: string;
  stationId: string;
  mountId: string;
  sessionId: string;
  /** The song, usually "Artist - Title". */
  song: string;
}

/** Why the harbor refused or dropped a source, as reported to `onRefused`. */
export interface HarborRefusal {
  /** HTTP status sent (0 when the connection was dropped after being accepted). */
  status: number;
  reason: string;
  /** Harbor mount name, when the request got that far. */
  mount?: string;
  remoteAddress?: string;
}

/** Options of {@link Harbor}. */
export interface HarborOptions {
  /** The live service that checks credentials and owns sessions. */
  live: LiveService;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a free one; see {@link Harbor.port}). */
  port?: number;
  /** Host put in re-serve URLs the engine pulls (default `host`, or 127.0.0.1 for 0.0.0.0). */
  advertiseHost?: string;
  /** A request head must be complete within this many ms (default 5000): slowloris guard. */
  headerTimeoutMs?: number;
  /** An accepted source that sends no bytes for this long is dropped, ms (default 10000). */
  idleTimeoutMs?: number;
  /** Largest request head accepted, bytes (default 8192). */
  maxHeaderBytes?: number;
  /** A listener whose unsent backlog exceeds this is dropped, bytes (default 1 MiB). */
  maxListenerBacklogBytes?: number;
  /**
   * Bind harbor mount names to station mounts. When given, an unknown name is
   * refused (404) and credentials must be for the bound station mount.
   */
  resolveMount?: (
    mount: string,
  ) =>
    | { stationId: string; mountId: string }
    | undefined
    | Promise<{ stationId: string; mountId: string } | undefined>;
  /**
   * Per-DJ credentials: called when the password is not a live token. Resolve
   * with a grant to accept; compare secrets with `constantTimeEqual`.
   */
  authenticate?: (credentials: {
    username: string;
    password: string;
    mount: string;
  }) => LiveGrant | undefined | Promise<LiveGrant | undefined>;
  /** Password (user "admin") that may update any mount's metadata. */
  adminPassword?: string;
  /** Called for every accepted metadata update with a new title (after `now_playing` was published). */
  onMetadata?: (update: HarborMetadataUpdate) => void;
  /** Called for every refused or dropped source, with the reason. */
  onRefused?: (refusal: HarborRefusal) => void;
  /** Where refusals are logged (default: warnings to stderr). */
  log?: LiveLogger;
}

/** A live mount as {@link Harbor.mounts} reports it. */
export interface HarborMountInfo {
  mount: string;
  stationId: string;
  mountId: string;
  sessionId: string;
  container: LiveContainer;
  /** True while a source is connected (false during the disconnect grace). */
  sourceConnected: boolean;
  listeners: number;
  /** Bytes received from sources on this mount. */
  bytesIn: number;
  /** URL the engine pulls the mount from. */
  inputUri: string;
}

interface MountState {
  name: string;
  stationId: string;
  mountId: string;
  sessionId: string;
  container: LiveContainer;
  contentType: string;
  source?: Socket;
  /** SHA-256-compared secret the source authenticated with, for metadata updates. */
  password: string;
  iceName?: string;
  listeners: Set<Socket>;
  ogg?: OggHeaderCapture;
  bytesIn: number;
}

const MOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

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
  readonly #mounts = new Map<string, MountState>();
  /** Names with a source between accept and go-live, so a second source is refused. */
  readonly #reserved = new Set<string>();
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  #unsubscribe: (() => void) | undefined;

  /** A harbor that is not listening yet; call {@link Harbor.start}. */
  constructor(options: HarborOptions) {
    this.#options = options;
    this.#log = options.log ?? defaultLiveLogger;
  }

  /** Listen; resolves with the port once sources can connect. */
  async start(): Promise<number> {
    if (this.#server !== undefined) return this.#port;
    const server = createServer((socket) => this.#onConnection(socket));
    this.#server = server;
    this.#unsubscribe = this.#options.live.onSessionEnded((end) => {
      for (const mount of this.#mounts.values()) {
        if (mount.sessionId === end.session.id) this.#closeMount(mount, end.reason);
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
    return [...this.#mounts.values()].map((m) => ({
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
    const maxHead = this.#options.maxHeaderBytes ?? 8192;
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      this.#refuse(socket, 408, "request head not complete in time", undefined, true);
    }, this.#options.headerTimeoutMs ?? 5000);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = headEnd(buffered);
      if (end < 0) {
        if (buffered.length > maxHead) {
          clearTimeout(timer);
          socket.off("data", onData);
          this.#refuse(socket, 431, `request head larger than ${maxHead} bytes`);
        }
        return;
      }
      clearTimeout(timer);
      socket.off("data", onData);
      socket.pause();
      const head = parseHead(buffered.subarray(0, end).toString("latin1"));
      const rest = buffered.subarray(end);
      if (head === undefined) {
        this.#refuse(socket, 400, "not an HTTP request");
        return;
      }
      this.#route(socket, head, rest).catch((err: unknown) => {
        this.#log("error", "harbor request failed", {
          error: err instanceof Error ? err.message : String(err),
        });
        this.#refuse(socket, 500, "internal error");
      });
    };
    socket.on("data", onData);
    socket.on("close", () => clearTimeout(timer));
  }

  async #route(socket: Socket, head: RequestHead, rest: Buffer): Promise<void> {
    if (head.method === "SOURCE" || head.method === "PUT") return this.#source(socket, head, rest);
    if (head.method === "GET" || head.method === "HEAD") {
      if (head.path.startsWith("/live/")) return this.#listener(socket, head);
      if (head.path === "/admin/metadata" || head.path === "/admin.cgi")
        return this.#metadata(socket, head);
      return this.#refuse(socket, 404, `nothing at ${head.path}`);
    }
    this.#refuse(socket, 405, `method ${head.method} not allowed; sources use SOURCE or PUT`);
  }

  async #source(socket: Socket, head: RequestHead, rest: Buffer): Promise<void> {
    const name = head.path.slice(1);
    const remoteAddress = socket.remoteAddress;
    const refuse = (status: number, reason: string, dropped = false): void =>
      this.#refuse(socket, status, reason, name, dropped);
    if (!MOUNT_NAME.test(name)) return refuse(400, `mount name "${name}" is not valid`);
    const declared = head.headers["content-type"];
    const container = containerOfContentType(declared);
    if (declared !== undefined && container === undefined) {
      return refuse(
        415,
        `content type ${declared} is not accepted; expected audio/mpeg, audio/ogg or audio/aac`,
      );
    }
    const credentials = basicAuth(head.headers.authorization);
    if (credentials === undefined) {
      return this.#refuse(socket, 401, "credentials required", name, false, {
        "WWW-Authenticate": 'Basic realm="Grimnir harbor"',
      });
    }
    let binding: { stationId: string; mountId: string } | undefined;
    if (this.#options.resolveMount !== undefined) {
      binding = await this.#options.resolveMount(name);
      if (binding === undefined) return refuse(404, `no live mount named ${name}`);
    }
    if (this.#mounts.get(name)?.source !== undefined || this.#reserved.has(name)) {
      return refuse(409, `mount /${name} already has a live source`);
    }
    let request: { token?: string; grant?: LiveGrant };
    if (decodeLiveToken(credentials.password) !== undefined) {
      request = { token: credentials.password };
    } else {
      const grant = await this.#options.authenticate?.({ ...credentials, mount: name });
      if (grant === undefined) return refuse(401, "wrong password");
      request = { grant };
    }
    let checked: LiveGrant & { resumeSessionId?: string };
    try {
      checked = await this.#options.live.checkSource({ ...request, ...binding });
    } catch (err) {
      const refusal = statusOf(err);
      if (refusal === undefined) throw err;
      return refuse(refusal.status, refusal.reason);
    }
    const existing = this.#mounts.get(name);
    if (existing !== undefined && existing.sessionId !== checked.resumeSessionId) {
      return refuse(409, `mount /${name} is held for a reconnecting source`);
    }
    if (this.#mounts.get(name)?.source !== undefined || this.#reserved.has(name)) {
      return refuse(409, `mount /${name} already has a live source`);
    }

    this.#reserved.add(name);
    const release = (): void => {
      this.#reserved.delete(name);
    };
    // Icecast's answers: 100 Continue for PUT with Expect, otherwise a bare HTTP/1.0 200.
    if (/100-continue/i.test(head.headers.expect ?? "")) writeHead(socket, 100, {}, "HTTP/1.1");
    else writeHead(socket, 200);

    const idleMs = this.#options.idleTimeoutMs ?? 10_000;
    socket.setTimeout(idleMs);
    let first = rest;
    const sniffed = await new Promise<Buffer | string>((resolve) => {
      const done = (result: Buffer | string): void => {
        socket.off("data", onData);
        socket.off("timeout", onTimeout);
        socket.off("close", onClose);
        socket.pause();
        resolve(result);
      };
      const onData = (chunk: Buffer): void => {
        first = Buffer.concat([first, chunk]);
        if (first.length >= 64) done(first);
      };
      const onTimeout = (): void => done(first.length > 0 ? first : `no audio within ${idleMs} ms`);
      const onClose = (): void => done("source closed before sending audio");
      socket.on("data", onData);
      socket.on("timeout", onTimeout);
      socket.on("close", onClose);
      if (first.length >= 64) done(first);
      else socket.resume();
    });
    if (typeof sniffed === "string") {
      release();
      return refuse(0, sniffed, true);
    }
    const found = sniffAudio(sniffed);
    if (found === undefined) {
      release();
      return refuse(
        0,
        `not audio: stream starts with ${sniffed.subarray(0, 8).toString("hex")}`,
        true,
      );
    }
    if (
      container !== undefined &&
      found.container !== container &&
      !(found.id3 && container === "aac")
    ) {
      release();
      return refuse(0, `content is ${found.container} but Content-Type says ${declared}`, true);
    }
    const actual = container ?? found.container;

    let session;
    try {
      const result = await this.#options.live.handleConnect({
        ...request,
        ...binding,
        inputUri: this.inputUri(name),
        metadata: head.headers["ice-name"],
      });
      session = result.session;
    } catch (err) {
      release();
      const refusal = statusOf(err);
      if (refusal === undefined) throw err;
      return refuse(0, refusal.reason, true);
    }
    release();
    if (socket.destroyed) {
      await this.#options.live.handleDisconnect(session.id, "source closed while connecting");
      return;
    }
    let mount = this.#mounts.get(name);
    if (mount === undefined || mount.sessionId !== session.id) {
      if (mount !== undefined) this.#closeMount(mount, "replaced by a new source");
      mount = {
        name,
        stationId: session.stationId,
        mountId: session.mountId,
        sessionId: session.id,
        container: actual,
        contentType: CONTAINER_CONTENT_TYPE[actual],
        password: credentials.password,
        listeners: new Set(),
        bytesIn: 0,
      };
      this.#mounts.set(name, mount);
    }
    mount.password = credentials.password;
    mount.iceName = head.headers["ice-name"];
    // A reconnect starts a new Ogg stream: keep its headers for listeners that join later.
    mount.ogg = actual === "ogg" ? new OggHeaderCapture() : undefined;
    mount.source = socket;
    this.#log("info", "live source connected", {
      mount: name,
      sessionId: session.id,
      container: actual,
      remoteAddress,
    });
    const live = mount;
    this.#feed(live, sniffed);
    socket.on("data", (chunk: Buffer) => this.#feed(live, chunk));
    const lost = (reason: string): void => {
      if (live.source !== socket) return;
      live.source = undefined;
      socket.destroy();
      this.#log("warn", "live source dropped", { mount: name, sessionId: live.sessionId, reason });
      this.#options.live.handleDisconnect(live.sessionId, reason).catch((err: unknown) => {
        this.#log("error", "live disconnect handling failed", {
          error: err instanceof Error ? err.message : String(err),
        });
      });
    };
    socket.on("timeout", () => lost(`no audio for ${idleMs} ms`));
    socket.on("end", () => lost("source ended the stream"));
    socket.on("close", () => lost("source connection closed"));
    socket.resume();
    if (head.headers["ice-name"] !== undefined && head.headers["ice-name"] !== "") {
      await this.#publishMetadata(live, head.headers["ice-name"]);
    }
  }

  #feed(mount: MountState, chunk: Buffer): void {
    mount.bytesIn += chunk.length;
    mount.ogg?.push(chunk);
    const limit = this.#options.maxListenerBacklogBytes ?? 1 << 20;
    for (const listener of mount.listeners) {
      if (listener.writableLength > limit) {
        this.#log("warn", "harbor listener too slow; dropped", { mount: mount.name });
        listener.destroy();
        mount.listeners.delete(listener);
        continue;
      }
      listener.write(chunk);
    }
  }

  async #listener(socket: Socket, head: RequestHead): Promise<void> {
    const name = head.path.slice("/live/".length);
    // A source going live right now: the engine is told to pull the mount (onLive) before
    // the harbor registers it, so wait for it rather than answer 404.
    const deadline = performance.now() + (this.#options.headerTimeoutMs ?? 5000);
    while (!this.#mounts.has(name) && this.#reserved.has(name) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
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
    const mount =
      mountName !== ""
        ? this.#mounts.get(mountName)
        : this.#mounts.size === 1
          ? [...this.#mounts.values()][0]
          : undefined;
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

  #closeMount(mount: MountState, reason: string): void {
    if (this.#mounts.get(mount.name) === mount) this.#mounts.delete(mount.name);
    const source = mount.source;
    mount.source = undefined;
    if (source !== undefined) {
      this.#log("info", "live source closed", { mount: mount.name, reason });
      source.destroy();
    }
    for (const listener of mount.listeners) listener.end();
    mount.listeners.clear();
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

/** HTTP status and reason for a credential or conflict error; undefined for anything else. */
function statusOf(err: unknown): { status: number; reason: string } | undefined {
  if (!isGrimnirError(err)) return undefined;
  const reason =
    typeof err.details.reason === "string" ? `${err.message} (${err.details.reason})` : err.message;
  switch (err.code) {
    case "UNAUTHORIZED":
      return err.details.reason === "used" || err.details.reason === "expired"
        ? { status: 403, reason }
        : { status: 401, reason: `wrong password: ${err.message}` };
    case "FORBIDDEN":
      return { status: 403, reason };
    case "CONFLICT":
      return { status: 409, reason };
    case "VALIDATION":
      return { status: 400, reason };
    default:
      return undefined;
  }
}
