import type { Socket } from "node:net";
import { decodeLiveToken } from "./credentials.js";
import type { HarborOptions } from "./harbor-options.js";
import type { HarborMounts, MountState } from "./harbor-mounts.js";
import { refusalOf, type RefuseRequest } from "./harbor-request.js";
import type { LiveGrant } from "./live-tokens.js";
import type { LiveLogger } from "./logger.js";
import { OggHeaderCapture } from "./ogg-headers.js";
import { basicAuth, writeHead, type RequestHead } from "./raw-http.js";
import {
  CONTAINER_CONTENT_TYPE,
  containerOfContentType,
  sniffAudio,
  type LiveContainer,
} from "./sniff.js";

/** What the source handling needs of its harbor. */
export interface HarborSourceContext {
  options: HarborOptions;
  log: LiveLogger;
  mounts: HarborMounts;
  refuse: RefuseRequest;
  /** URL the engine pulls harbor mount `mount` from. */
  inputUri: (mount: string) => string;
  /** Take a stream title for `mount` (publishes it when it is new). */
  publishMetadata: (mount: MountState, song: string) => Promise<void>;
}

const MOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Bytes a source must send before its stream is sniffed. */
const SNIFF_AT = 64;

/**
 * A source connection (`SOURCE` or `PUT` with basic auth): check the mount
 * name, content type and credentials (a live token, or per-DJ credentials
 * through `authenticate`) before answering, then sniff the first bytes (they
 * must be the declared audio) before the live service starts or resumes the
 * session; only then is the token used up. Once live, the source's bytes
 * feed the mount, and its drop (idle, end, close) is handed to the live
 * service's disconnect grace.
 */
export async function acceptSource(
  ctx: HarborSourceContext,
  socket: Socket,
  head: RequestHead,
  rest: Buffer,
): Promise<void> {
  const name = head.path.slice(1);
  const remoteAddress = socket.remoteAddress;
  const refuse = (status: number, reason: string, dropped = false): void =>
    ctx.refuse(socket, status, reason, name, dropped);
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
    return ctx.refuse(socket, 401, "credentials required", name, false, {
      "WWW-Authenticate": 'Basic realm="Grimnir harbor"',
    });
  }
  let binding: { stationId: string; mountId: string } | undefined;
  if (ctx.options.resolveMount !== undefined) {
    binding = await ctx.options.resolveMount(name);
    if (binding === undefined) return refuse(404, `no live mount named ${name}`);
  }
  if (ctx.mounts.taken(name)) return refuse(409, `mount /${name} already has a live source`);
  let request: { token?: string; grant?: LiveGrant };
  if (decodeLiveToken(credentials.password) !== undefined) {
    request = { token: credentials.password };
  } else {
    const grant = await ctx.options.authenticate?.({ ...credentials, mount: name });
    if (grant === undefined) return refuse(401, "wrong password");
    request = { grant };
  }
  let checked: LiveGrant & { resumeSessionId?: string };
  try {
    checked = await ctx.options.live.checkSource({ ...request, ...binding });
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal === undefined) throw err;
    return refuse(refusal.status, refusal.reason);
  }
  const existing = ctx.mounts.get(name);
  if (existing !== undefined && existing.sessionId !== checked.resumeSessionId) {
    return refuse(409, `mount /${name} is held for a reconnecting source`);
  }
  if (ctx.mounts.taken(name)) return refuse(409, `mount /${name} already has a live source`);

  ctx.mounts.reserve(name);
  // Icecast's answers: 100 Continue for PUT with Expect, otherwise a bare HTTP/1.0 200.
  if (/100-continue/i.test(head.headers.expect ?? "")) writeHead(socket, 100, {}, "HTTP/1.1");
  else writeHead(socket, 200);

  const idleMs = ctx.options.idleTimeoutMs ?? 10_000;
  socket.setTimeout(idleMs);
  const sniffed = await firstBytes(socket, rest, idleMs);
  if (typeof sniffed === "string") {
    ctx.mounts.release(name);
    return refuse(0, sniffed, true);
  }
  const audio = audioContainer(sniffed, container, declared);
  if ("reason" in audio) {
    ctx.mounts.release(name);
    return refuse(0, audio.reason, true);
  }
  const actual = audio.container;

  let session;
  try {
    const result = await ctx.options.live.handleConnect({
      ...request,
      ...binding,
      inputUri: ctx.inputUri(name),
      metadata: head.headers["ice-name"],
    });
    session = result.session;
  } catch (err) {
    ctx.mounts.release(name);
    const refusal = refusalOf(err);
    if (refusal === undefined) throw err;
    return refuse(0, refusal.reason, true);
  }
  ctx.mounts.release(name);
  if (socket.destroyed) {
    await ctx.options.live.handleDisconnect(session.id, "source closed while connecting");
    return;
  }
  let mount = ctx.mounts.get(name);
  if (mount === undefined || mount.sessionId !== session.id) {
    if (mount !== undefined) ctx.mounts.close(mount, "replaced by a new source");
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
    ctx.mounts.set(mount);
  }
  mount.password = credentials.password;
  mount.iceName = head.headers["ice-name"];
  // A reconnect starts a new Ogg stream: keep its headers for listeners that join later.
  mount.ogg = actual === "ogg" ? new OggHeaderCapture() : undefined;
  mount.source = socket;
  ctx.log("info", "live source connected", {
    mount: name,
    sessionId: session.id,
    container: actual,
    remoteAddress,
  });
  feedFrom(ctx, mount, socket, sniffed, idleMs);
  if (head.headers["ice-name"] !== undefined && head.headers["ice-name"] !== "") {
    await ctx.publishMetadata(mount, head.headers["ice-name"]);
  }
}

/** Feed `live` from `socket` (starting with `first`) until the source drops. */
function feedFrom(
  ctx: HarborSourceContext,
  live: MountState,
  socket: Socket,
  first: Buffer,
  idleMs: number,
): void {
  const backlogLimit = ctx.options.maxListenerBacklogBytes ?? 1 << 20;
  ctx.mounts.feed(live, first, backlogLimit);
  socket.on("data", (chunk: Buffer) => ctx.mounts.feed(live, chunk, backlogLimit));
  const lost = (reason: string): void => {
    if (live.source !== socket) return;
    live.source = undefined;
    socket.destroy();
    ctx.log("warn", "live source dropped", { mount: live.name, sessionId: live.sessionId, reason });
    ctx.options.live.handleDisconnect(live.sessionId, reason).catch((err: unknown) => {
      ctx.log("error", "live disconnect handling failed", {
        error: err instanceof Error ? err.message : String(err),
      });
    });
  };
  socket.on("timeout", () => lost(`no audio for ${idleMs} ms`));
  socket.on("end", () => lost("source ended the stream"));
  socket.on("close", () => lost("source connection closed"));
  socket.resume();
}

/**
 * The first bytes of an accepted source (at least {@link SNIFF_AT}, or what
 * came before `idleMs` of silence), the socket paused; or why there are none.
 */
function firstBytes(socket: Socket, rest: Buffer, idleMs: number): Promise<Buffer | string> {
  let first = rest;
  return new Promise<Buffer | string>((resolve) => {
    const done = (result: Buffer | string): void => {
      socket.off("data", onData);
      socket.off("timeout", onTimeout);
      socket.off("close", onClose);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      first = Buffer.concat([first, chunk]);
      if (first.length >= SNIFF_AT) done(first);
    };
    const onTimeout = (): void => done(first.length > 0 ? first : `no audio within ${idleMs} ms`);
    const onClose = (): void => done("source closed before sending audio");
    socket.on("data", onData);
    socket.on("timeout", onTimeout);
    socket.on("close", onClose);
    if (first.length >= SNIFF_AT) done(first);
    else socket.resume();
  });
}

/**
 * The container of a source's first bytes, checked against the declared
 * one (ID3-tagged AAC passes); a reason to drop it when they are no audio
 * or another container.
 */
function audioContainer(
  sniffed: Buffer,
  container: LiveContainer | undefined,
  declared: string | undefined,
): { container: LiveContainer } | { reason: string } {
  const found = sniffAudio(sniffed);
  if (found === undefined) {
    return { reason: `not audio: stream starts with ${sniffed.subarray(0, 8).toString("hex")}` };
  }
  if (
    container !== undefined &&
    found.container !== container &&
    !(found.id3 && container === "aac")
  ) {
    return { reason: `content is ${found.container} but Content-Type says ${declared}` };
  }
  return { container: container ?? found.container };
}
