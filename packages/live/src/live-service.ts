import {
  GrimnirError,
  SystemTimeSource,
  isGrimnirError,
  type EventBus,
  type LiveSession,
  type LiveToken,
  type Store,
  type TimeSource,
} from "@grimnir/core";
import {
  constantTimeEqual,
  generateLiveToken,
  hashLiveToken,
  type LiveTokenEncoding,
} from "./credentials.js";
import { defaultLiveLogger, type LiveLogger } from "./logger.js";

/** What an accepted credential lets a source do: go live on one station's mount. */
export interface LiveGrant {
  /** The live token record the grant came from; absent for per-DJ credentials. */
  tokenId?: string;
  stationId: string;
  mountId: string;
  /** The DJ. */
  userId: string;
  /** Tier the session plays at: 1 live override or 2 live scheduled. */
  priority: 1 | 2;
}

/** A freshly generated live token; `token` is shown once and never stored. */
export interface GeneratedLiveToken {
  /** The stored record id. */
  id: string;
  /** The secret: 32 random bytes, hex (default) or base64url. */
  token: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
  mountId: string;
  userId: string;
  priority: 1 | 2;
}

/** How a source asks to go live: with a token, or with a grant it already checked. */
export interface LiveConnectRequest {
  /** One-time live token (hex or base64url). */
  token?: string;
  /** A grant from per-DJ credentials the caller verified itself. */
  grant?: LiveGrant;
  /** When set, the token must belong to this station. */
  stationId?: string;
  /** When set, the token must be bound to this mount. */
  mountId?: string;
  /** URI the engine pulls the input from (harbor re-serve URL, `srt://…`, `rtp://…`). */
  inputUri?: string;
  /** Initial stream title (e.g. the source's `ice-name`). */
  metadata?: string;
}

/** Result of {@link LiveService.handleConnect}. */
export interface LiveConnectResult {
  session: LiveSession;
  /** True when the source came back within the grace period and kept its session. */
  resumed: boolean;
}

/** Why a session ended, as reported to {@link LiveService.onSessionEnded} listeners. */
export interface LiveSessionEnd {
  session: LiveSession;
  reason: string;
  /** True when the station was handed back to automation (`onFailback` ran). */
  failedBack: boolean;
}

/** Options of {@link LiveService}. */
export interface LiveServiceOptions {
  store: Store;
  bus: EventBus;
  /** Clock for token expiry and the disconnect grace (default system time). */
  time?: TimeSource;
  /**
   * Disconnect grace, seconds (`failover.live_timeout_sec`, default 30): how long
   * a dropped source may take to reconnect before the station fails back. A
   * function gives a per-station value.
   */
  liveTimeoutSec?: number | ((stationId: string) => number);
  /** How generated tokens are written out (default "hex", what the HTTP API expects). */
  tokenEncoding?: LiveTokenEncoding;
  /**
   * Called when a session should go on air (new, or resumed within the grace);
   * the executor routes `session.inputUri` at `session.priority`. A rejection is
   * logged and published as `source_failure`; the session stays `connected`.
   */
  onLive?: (session: LiveSession, info: { resumed: boolean }) => void | Promise<void>;
  /**
   * Called once a session has ended for good (grace expired, or disconnected
   * through the API); the executor hands the station back to automation. A
   * rejection is logged and published as `source_failure`, never thrown.
   */
  onFailback?: (stationId: string, session: LiveSession) => void | Promise<void>;
  /**
   * Whether {@link LiveService.updateMetadata} publishes `now_playing` itself
   * (default true). Turn it off when an executor publishes `now_playing` for
   * what is on air and receives the titles (`grimnir serve`), so a title
   * change is announced once.
   */
  publishNowPlaying?: boolean;
  /** Where refusals and failures are logged (default: warnings and errors to stderr). */
  log?: LiveLogger;
}

interface LiveEntry {
  stationId: string;
  mountId: string;
  sessionId: string;
  userId: string;
  tokenId?: string;
  /** Bumped on every drop and reconnect; a grace timer only acts on its own generation. */
  generation: number;
  inGrace: boolean;
  /** Last stream title taken by {@link LiveService.updateMetadata}; a repeat of it is ignored. */
  song?: string;
}

const MAX_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The live service (the brief's GenerateToken, AuthorizeSource, HandleConnect,
 * HandleDisconnect, GetActiveSessions). It satisfies the HTTP package's
 * `LivePort` (`generateToken`, `authorize`, `connect`, `disconnect`).
 *
 * Guarantees:
 * - tokens are 32 bytes from the CSPRNG; only their SHA-256 is stored, and the
 *   stored hash is compared with `crypto.timingSafeEqual`;
 * - a token starts one session: it is marked used (optimistic version, so two
 *   racing connects cannot both win); the same token may only resume its own
 *   session while that session waits out its disconnect grace;
 * - one live session per station mount; a second source is refused with `CONFLICT`;
 * - `dj.connect` is published when a session starts, `dj.disconnect` when it
 *   ends for good; a drop publishes `source_failure` (action "retrying"),
 *   except the drop of an input that stays routed;
 * - a repeated stream title is no update (`now_playing` once per title);
 * - `onFailback` runs exactly once per ended session that had gone live.
 */
export class LiveService {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #time: TimeSource;
  readonly #timeoutSec: (stationId: string) => number;
  readonly #encoding: LiveTokenEncoding;
  readonly #onLive: LiveServiceOptions["onLive"];
  readonly #onFailback: LiveServiceOptions["onFailback"];
  readonly #publishNowPlaying: boolean;
  readonly #log: LiveLogger;
  /** Live entries by `${stationId}/${mountId}`. */
  readonly #byMount = new Map<string, LiveEntry>();
  readonly #endListeners = new Set<(end: LiveSessionEnd) => void>();
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  /** A live service over `options.store` and `options.bus`. */
  constructor(options: LiveServiceOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#time = options.time ?? new SystemTimeSource();
    const timeout = options.liveTimeoutSec ?? 30;
    this.#timeoutSec = typeof timeout === "function" ? timeout : () => timeout;
    this.#encoding = options.tokenEncoding ?? "hex";
    this.#onLive = options.onLive;
    this.#onFailback = options.onFailback;
    this.#publishNowPlaying = options.publishNowPlaying ?? true;
    this.#log = options.log ?? defaultLiveLogger;
  }

  /**
   * GenerateToken: a one-time token for `userId` on `mountId`, valid `ttlMs`
   * (1 ms … 7 days). Only the hash is stored; the secret is in the result only.
   */
  async generateToken(
    stationId: string,
    request: { mountId: string; userId: string; priority: 1 | 2; ttlMs: number },
  ): Promise<GeneratedLiveToken> {
    if (!(request.ttlMs > 0 && request.ttlMs <= MAX_TTL_MS)) {
      throw new GrimnirError("VALIDATION", `ttlMs must be between 1 and ${MAX_TTL_MS} ms`, {
        details: { field: "ttlMs" },
      });
    }
    if (request.priority !== 1 && request.priority !== 2) {
      throw new GrimnirError(
        "VALIDATION",
        "priority must be 1 (live override) or 2 (live scheduled)",
        {
          details: { field: "priority" },
        },
      );
    }
    const token = generateLiveToken(this.#encoding);
    const expiresAt = this.#time.now() + request.ttlMs;
    const record = await this.#store.liveTokens.create({
      stationId,
      mountId: request.mountId,
      userId: request.userId,
      tokenHash: hashLiveToken(token),
      expiresAt,
      priority: request.priority,
    });
    return {
      id: record.id,
      token,
      expiresAt,
      mountId: record.mountId,
      userId: record.userId,
      priority: record.priority,
    };
  }

  /**
   * Check a token of `stationId` without using it up (the HTTP `authorize`).
   * Rejects with `UNAUTHORIZED` (details.reason: malformed, unknown, used,
   * expired) when it grants nothing.
   */
  async authorize(
    stationId: string,
    token: string,
  ): Promise<{ tokenId: string; mountId: string; userId: string; priority: 1 | 2 }> {
    const grant = await this.authorizeSource(token, { stationId });
    return {
      tokenId: grant.tokenId!,
      mountId: grant.mountId,
      userId: grant.userId,
      priority: grant.priority,
    };
  }

  /**
   * AuthorizeSource: what `token` grants, without using it up. With `expect`,
   * the token must belong to that station (else "unknown") and mount (else
   * `FORBIDDEN`, reason "wrong-mount"). Rejects with `UNAUTHORIZED` otherwise.
   */
  async authorizeSource(
    token: string,
    expect: { stationId?: string; mountId?: string } = {},
  ): Promise<LiveGrant> {
    const record = await this.#findToken(token, expect.stationId);
    if (record.usedAt !== undefined) throw unauthorized("used", "live token was already used");
    if (record.expiresAt <= this.#time.now())
      throw unauthorized("expired", "live token has expired");
    if (expect.mountId !== undefined && expect.mountId !== record.mountId) {
      throw new GrimnirError("FORBIDDEN", "live token is for another mount", {
        details: { reason: "wrong-mount", field: "mountId" },
      });
    }
    return grantOf(record);
  }

  /**
   * Everything {@link LiveService.handleConnect} would check, without changing
   * anything: the credentials, and that the mount is free (or that these
   * credentials may resume the session waiting out its grace there). Resolves
   * with the grant and, for a resume, the session id; rejects like `handleConnect`.
   */
  async checkSource(
    request: LiveConnectRequest,
  ): Promise<LiveGrant & { resumeSessionId?: string }> {
    const checked = await this.#check(request);
    if (checked.resume !== undefined) {
      return { ...checked.grant, resumeSessionId: checked.resume.sessionId };
    }
    const busy = this.#byMount.get(mountKey(checked.grant));
    if (busy !== undefined && !busy.inGrace) throw mountBusy(checked.grant.mountId, busy.sessionId);
    return checked.grant;
  }

  /** Use a token and start a session (the HTTP `connect`); see {@link LiveService.handleConnect}. */
  async connect(
    stationId: string,
    request: { token: string; inputUri?: string },
  ): Promise<LiveSession> {
    const result = await this.handleConnect({
      token: request.token,
      stationId,
      inputUri: request.inputUri,
    });
    return result.session;
  }

  /**
   * HandleConnect: start a live session from a token (marking it used) or from
   * a grant, publish `dj.connect` and call `onLive`. A token whose session is
   * waiting out its disconnect grace resumes that session instead (no second
   * `dj.connect`). Rejects with `UNAUTHORIZED` / `FORBIDDEN` for bad
   * credentials and `CONFLICT` (reason "mount-busy") when the mount already has
   * a live source.
   */
  async handleConnect(request: LiveConnectRequest): Promise<LiveConnectResult> {
    if (this.#closed) throw new GrimnirError("CONFLICT", "live service is closed");
    const checked = await this.#check(request);
    if (checked.resume !== undefined) {
      return { session: await this.#resume(checked.resume, request), resumed: true };
    }
    const { grant, token } = checked;
    const key = mountKey(grant);
    // Checked again without an await in between: a racing connect may have taken the mount.
    const busy = this.#byMount.get(key);
    if (busy !== undefined && !busy.inGrace) throw mountBusy(grant.mountId, busy.sessionId);
    // Reserve the mount before any await, so a racing connect sees it busy.
    const entry: LiveEntry = {
      stationId: grant.stationId,
      mountId: grant.mountId,
      sessionId: "",
      userId: grant.userId,
      tokenId: grant.tokenId,
      generation: 0,
      inGrace: false,
    };
    this.#byMount.set(key, entry);
    let session: LiveSession;
    try {
      if (token !== undefined) await this.#useToken(token);
      // A new DJ during someone else's grace takes the mount; the old session ends without failback.
      if (busy !== undefined) await this.#finish(busy, "replaced by a new live source", false);
      session = await this.#store.liveSessions.create({
        stationId: grant.stationId,
        mountId: grant.mountId,
        userId: grant.userId,
        tokenId: grant.tokenId,
        state: "connected",
        priority: grant.priority,
        inputUri: request.inputUri,
        connectedAt: this.#time.now(),
        metadata: request.metadata,
      });
    } catch (err) {
      if (this.#byMount.get(key) === entry) this.#byMount.delete(key);
      throw err;
    }
    entry.sessionId = session.id;
    await this.#bus.publish("dj.connect", grant.stationId, {
      sessionId: session.id,
      userId: grant.userId,
      mountId: grant.mountId,
      priority: grant.priority,
    });
    this.#log("info", "live session started", {
      stationId: grant.stationId,
      mountId: grant.mountId,
      sessionId: session.id,
      userId: grant.userId,
    });
    return { session: await this.#goLive(session, false), resumed: false };
  }

  /**
   * HandleDisconnect: the source of `sessionId` dropped. The session waits
   * `liveTimeoutSec` for the same credentials to reconnect (or, with
   * `stillRouted`, for {@link LiveService.sourceReturned}); then it ends
   * (`dj.disconnect`, `onFailback`). The drop is published as
   * `source_failure` ("retrying"), on which an executor takes the source off
   * the air, unless `stillRouted`: an input the engine pulls itself (`srt://`,
   * `rtp://`) stays routed through the grace, so the engine hears it come
   * back. Resolves once the grace has started; the returned `ended` promise
   * settles when the grace is over either way.
   */
  async handleDisconnect(
    sessionId: string,
    reason: string,
    options: { stillRouted?: boolean } = {},
  ): Promise<{ ended: Promise<boolean> }> {
    const entry = this.#entryOf(sessionId);
    if (entry === undefined || entry.inGrace) return { ended: Promise.resolve(false) };
    const graceMs = Math.max(0, this.#timeoutSec(entry.stationId) * 1000);
    if (graceMs === 0 || this.#closed) {
      await this.#finish(entry, reason, true);
      return { ended: Promise.resolve(true) };
    }
    entry.inGrace = true;
    const generation = ++entry.generation;
    this.#log("warn", "live source dropped; waiting for reconnect", {
      stationId: entry.stationId,
      sessionId,
      reason,
      graceMs,
    });
    await this.#updateSession(entry.stationId, sessionId, { state: "connected" });
    if (options.stillRouted !== true) {
      await this.#bus.publish("source_failure", entry.stationId, {
        source: `live:${sessionId}`,
        reason,
        action: "retrying",
      });
    }
    const ended = this.#track(
      this.#time.sleep(graceMs).then(async () => {
        if (entry.generation !== generation || !entry.inGrace) return false;
        if (this.#byMount.get(mountKey(entry)) !== entry) return false;
        await this.#finish(entry, `${reason}; no reconnect within ${graceMs / 1000} s`, true);
        return true;
      }),
    );
    return { ended };
  }

  /**
   * The source of `sessionId` delivers again without connecting anew: an
   * input the engine pulls itself (`srt://`, `rtp://`, an external URL) came
   * back while the session waited out its grace after
   * {@link LiveService.handleDisconnect}. The grace is called off and the
   * session is active again; the input is still routed, so `onLive` is not
   * called. Resolves false when the session was not in its grace.
   */
  async sourceReturned(sessionId: string): Promise<boolean> {
    const entry = this.#entryOf(sessionId);
    if (entry === undefined || !entry.inGrace) return false;
    entry.inGrace = false;
    entry.generation++;
    await this.#updateSession(entry.stationId, sessionId, { state: "active" });
    this.#log("info", "live source delivers again within grace", {
      stationId: entry.stationId,
      sessionId,
    });
    return true;
  }

  /**
   * End a session now (the HTTP `disconnect`): no grace, `dj.disconnect`, then
   * `onFailback`. Rejects with `NOT_FOUND` when the station has no such
   * session; an already ended session is returned as it is.
   */
  async disconnect(stationId: string, sessionId: string, reason: string): Promise<LiveSession> {
    const stored = await this.#store.liveSessions.get(stationId, sessionId);
    if (stored === undefined) {
      throw new GrimnirError("NOT_FOUND", `live session ${sessionId} does not exist`, {
        details: { field: "sessionId" },
      });
    }
    const entry = this.#entryOf(sessionId);
    if (entry === undefined || entry.stationId !== stationId) {
      if (stored.state === "disconnected") return stored;
      // A session this process does not hold (e.g. left over from a restart): close the record.
      const closed = await this.#updateSession(stationId, sessionId, {
        state: "disconnected",
        disconnectedAt: this.#time.now(),
      });
      await this.#bus.publish("dj.disconnect", stationId, {
        sessionId,
        userId: stored.userId,
        reason,
      });
      return closed;
    }
    return this.#finish(entry, reason, true);
  }

  /** GetActiveSessions: the station's sessions that have not ended, ordered by id. */
  async getActiveSessions(stationId: string): Promise<LiveSession[]> {
    const all = await this.#store.liveSessions.list(stationId, { limit: 1000 });
    return all.filter((s) => s.state !== "disconnected");
  }

  /**
   * The source of `sessionId` sent a stream title: persist it as the
   * session's metadata and publish `now_playing` ("Artist - Title" is split;
   * unless `publishNowPlaying` is off). DJ software repeats its title (on
   * every reconnect, every few seconds): the same title as the session's last
   * one changes nothing and resolves false; a new title resolves true.
   * Rejects with `NOT_FOUND` when the session is not live.
   */
  async updateMetadata(sessionId: string, song: string): Promise<boolean> {
    const entry = this.#entryOf(sessionId);
    if (entry === undefined) {
      throw new GrimnirError("NOT_FOUND", `live session ${sessionId} is not live`, {
        details: { field: "sessionId" },
      });
    }
    if (entry.song === song) return false;
    entry.song = song;
    const session = await this.#updateSession(entry.stationId, sessionId, { metadata: song });
    if (this.#publishNowPlaying) {
      await this.#bus.publish("now_playing", entry.stationId, {
        ...splitSong(song),
        startedAt: this.#time.now(),
        priority: session.priority,
      });
    }
    return true;
  }

  /** Be told whenever a session ends for good (the harbor drops the source). Returns an unsubscribe. */
  onSessionEnded(listener: (end: LiveSessionEnd) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /** Id of the live session on a station mount, if one is live or in grace. */
  sessionOnMount(stationId: string, mountId: string): string | undefined {
    const entry = this.#byMount.get(`${stationId}/${mountId}`);
    return entry === undefined || entry.sessionId === "" ? undefined : entry.sessionId;
  }

  /** Stop: pending graces no longer fail back; waits for running callbacks. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const entry of this.#byMount.values()) entry.generation++;
    await Promise.allSettled([...this.#pending]);
  }

  async #check(request: LiveConnectRequest): Promise<{
    grant: LiveGrant;
    token?: LiveToken;
    busy?: LiveEntry;
    resume?: LiveEntry;
  }> {
    let grant: LiveGrant;
    let token: LiveToken | undefined;
    if (request.token !== undefined) {
      token = await this.#findToken(request.token, request.stationId);
      grant = grantOf(token);
    } else if (request.grant !== undefined) {
      grant = request.grant;
    } else {
      throw new GrimnirError("VALIDATION", "a live connect needs a token or a grant", {
        details: { field: "token" },
      });
    }
    if (request.mountId !== undefined && request.mountId !== grant.mountId) {
      throw new GrimnirError("FORBIDDEN", "live credentials are for another mount", {
        details: { reason: "wrong-mount", field: "mountId" },
      });
    }
    if (request.stationId !== undefined && request.stationId !== grant.stationId) {
      throw new GrimnirError("FORBIDDEN", "live credentials are for another station", {
        details: { reason: "wrong-station", field: "stationId" },
      });
    }
    const busy = this.#byMount.get(mountKey(grant));
    const sameSource =
      token !== undefined
        ? busy?.tokenId === token.id
        : busy?.tokenId === undefined && busy?.userId === grant.userId;
    if (busy?.inGrace === true && sameSource) return { grant, token, resume: busy };
    if (token !== undefined) {
      if (token.usedAt !== undefined) throw unauthorized("used", "live token was already used");
      if (token.expiresAt <= this.#time.now())
        throw unauthorized("expired", "live token has expired");
    }
    if (busy !== undefined && !busy.inGrace) throw mountBusy(grant.mountId, busy.sessionId);
    return { grant, token, busy };
  }

  async #findToken(token: string, stationId: string | undefined): Promise<LiveToken> {
    const hash = hashLiveToken(token);
    const record = await this.#store.liveTokens.findByHash(hash);
    if (
      record === undefined ||
      !constantTimeEqual(record.tokenHash, hash) ||
      (stationId !== undefined && record.stationId !== stationId)
    ) {
      throw unauthorized("unknown", "live token is not valid");
    }
    return record;
  }

  async #useToken(token: LiveToken): Promise<void> {
    try {
      await this.#store.liveTokens.update({ ...token, usedAt: this.#time.now() });
    } catch (err) {
      if (isGrimnirError(err, "CONFLICT"))
        throw unauthorized("used", "live token was already used");
      throw err;
    }
  }

  async #resume(entry: LiveEntry, request: LiveConnectRequest): Promise<LiveSession> {
    entry.inGrace = false;
    entry.generation++;
    const session = await this.#updateSession(entry.stationId, entry.sessionId, {
      inputUri: request.inputUri,
      ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    });
    this.#log("info", "live source reconnected within grace", {
      stationId: entry.stationId,
      sessionId: entry.sessionId,
    });
    return this.#goLive(session, true);
  }

  async #goLive(session: LiveSession, resumed: boolean): Promise<LiveSession> {
    if (this.#onLive !== undefined) {
      try {
        await this.#onLive(session, { resumed });
      } catch (err) {
        await this.#reportFailure(session, "could not route the live input", err);
        return session;
      }
    }
    return this.#updateSession(session.stationId, session.id, { state: "active" });
  }

  async #finish(entry: LiveEntry, reason: string, failBack: boolean): Promise<LiveSession> {
    const key = mountKey(entry);
    if (this.#byMount.get(key) === entry) this.#byMount.delete(key);
    entry.generation++;
    entry.inGrace = false;
    const session = await this.#updateSession(entry.stationId, entry.sessionId, {
      state: "disconnected",
      disconnectedAt: this.#time.now(),
    });
    await this.#bus.publish("dj.disconnect", entry.stationId, {
      sessionId: session.id,
      userId: session.userId,
      reason,
    });
    this.#log("info", "live session ended", {
      stationId: entry.stationId,
      sessionId: session.id,
      reason,
    });
    let failedBack = false;
    if (failBack && this.#onFailback !== undefined) {
      try {
        await this.#onFailback(entry.stationId, session);
        failedBack = true;
      } catch (err) {
        await this.#reportFailure(session, "failback to automation failed", err);
      }
    }
    for (const listener of this.#endListeners) listener({ session, reason, failedBack });
    return session;
  }

  async #reportFailure(session: LiveSession, what: string, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    this.#log("error", what, {
      stationId: session.stationId,
      sessionId: session.id,
      error: message,
    });
    await this.#bus.publish("source_failure", session.stationId, {
      source: `live:${session.id}`,
      reason: `${what}: ${message}`,
      action: "fallback",
    });
  }

  /** Read-modify-write with one retry when a concurrent writer bumped the version. */
  async #updateSession(
    stationId: string,
    sessionId: string,
    patch: Partial<Pick<LiveSession, "state" | "disconnectedAt" | "inputUri" | "metadata">>,
  ): Promise<LiveSession> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.#store.liveSessions.get(stationId, sessionId);
      if (current === undefined) {
        throw new GrimnirError("NOT_FOUND", `live session ${sessionId} does not exist`, {
          details: { field: "sessionId" },
        });
      }
      try {
        return await this.#store.liveSessions.update({ ...current, ...patch });
      } catch (err) {
        if (!isGrimnirError(err, "CONFLICT") || attempt >= 2) throw err;
      }
    }
  }

  #entryOf(sessionId: string): LiveEntry | undefined {
    for (const entry of this.#byMount.values()) if (entry.sessionId === sessionId) return entry;
    return undefined;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.catch((err: unknown) => {
      this.#log("error", "live grace handling failed", {
        error: err instanceof Error ? err.message : String(err),
      });
      return false as T;
    });
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
    return tracked;
  }
}

/** Split an Icecast "Artist - Title" song into its parts (title only when there is no " - "). */
export function splitSong(song: string): { title: string; artist?: string } {
  const at = song.indexOf(" - ");
  if (at <= 0) return { title: song.trim() };
  return { artist: song.slice(0, at).trim(), title: song.slice(at + 3).trim() };
}

function grantOf(record: LiveToken): LiveGrant {
  return {
    tokenId: record.id,
    stationId: record.stationId,
    mountId: record.mountId,
    userId: record.userId,
    priority: record.priority,
  };
}

function mountKey(x: { stationId: string; mountId: string }): string {
  return `${x.stationId}/${x.mountId}`;
}

function mountBusy(mountId: string, sessionId: string): GrimnirError {
  return new GrimnirError("CONFLICT", `mount ${mountId} already has a live source`, {
    details: { reason: "mount-busy", sessionId, field: "mountId" },
  });
}

function unauthorized(reason: string, message: string): GrimnirError {
  return new GrimnirError("UNAUTHORIZED", message, { details: { reason } });
}
