import {
  GrimnirError,
  SystemTimeSource,
  type EventBus,
  type LiveSession,
  type Store,
  type TimeSource,
} from "@grimnir/core";
import { DisconnectGrace } from "./disconnect-grace.js";
import { checkLiveConnect } from "./live-connect-check.js";
import { LiveHandover } from "./live-handover.js";
import type {
  LiveConnectRequest,
  LiveConnectResult,
  LiveServiceOptions,
  LiveSessionEnd,
} from "./live-service-options.js";
import { updateLiveSession, type LiveSessionPatch } from "./live-session-records.js";
import { LiveMounts, mountBusy, type LiveEntry } from "./live-mounts.js";
import { LiveTokens, grantOf, type GeneratedLiveToken, type LiveGrant } from "./live-tokens.js";
import { defaultLiveLogger, type LiveLogger } from "./logger.js";
import { splitSong } from "./song-title.js";

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
  readonly #tokens: LiveTokens;
  readonly #publishNowPlaying: boolean;
  readonly #log: LiveLogger;
  readonly #mounts = new LiveMounts();
  readonly #grace: DisconnectGrace;
  readonly #handover: LiveHandover;
  #closed = false;

  /** A live service over `options.store` and `options.bus`. */
  constructor(options: LiveServiceOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#time = options.time ?? new SystemTimeSource();
    const timeout = options.liveTimeoutSec ?? 30;
    this.#timeoutSec = typeof timeout === "function" ? timeout : () => timeout;
    this.#tokens = new LiveTokens(this.#store, this.#time, options.tokenEncoding ?? "hex");
    this.#publishNowPlaying = options.publishNowPlaying ?? true;
    this.#log = options.log ?? defaultLiveLogger;
    this.#grace = new DisconnectGrace(this.#time, this.#log);
    this.#handover = new LiveHandover(options, this.#time, this.#log);
  }

  /**
   * GenerateToken: a one-time token for `userId` on `mountId`, valid `ttlMs`
   * (1 ms … 7 days). Only the hash is stored; the secret is in the result only.
   */
  generateToken(
    stationId: string,
    request: { mountId: string; userId: string; priority: 1 | 2; ttlMs: number },
  ): Promise<GeneratedLiveToken> {
    return this.#tokens.issue(stationId, request);
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
    const record = await this.#tokens.find(token, expect.stationId);
    this.#tokens.assertUnused(record);
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
    const checked = await checkLiveConnect(request, this.#tokens, this.#mounts);
    if (checked.resume !== undefined) {
      return { ...checked.grant, resumeSessionId: checked.resume.sessionId };
    }
    const busy = this.#mounts.get(checked.grant);
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
    const checked = await checkLiveConnect(request, this.#tokens, this.#mounts);
    if (checked.resume !== undefined) {
      return { session: await this.#resume(checked.resume, request), resumed: true };
    }
    const { grant, token } = checked;
    // Checked again without an await in between: a racing connect may have taken the mount.
    const busy = this.#mounts.get(grant);
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
    this.#mounts.set(entry);
    let session: LiveSession;
    try {
      if (token !== undefined) await this.#tokens.use(token);
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
      this.#mounts.release(entry);
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
    return { session: await this.#handover.goLive(session, false), resumed: false };
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
    const entry = this.#mounts.bySession(sessionId);
    if (entry === undefined || entry.inGrace) return { ended: Promise.resolve(false) };
    const graceMs = Math.max(0, this.#timeoutSec(entry.stationId) * 1000);
    if (graceMs === 0 || this.#closed) {
      await this.#finish(entry, reason, true);
      return { ended: Promise.resolve(true) };
    }
    const generation = this.#grace.begin(entry);
    this.#log("warn", "live source dropped; waiting for reconnect", {
      stationId: entry.stationId,
      sessionId,
      reason,
      graceMs,
    });
    await this.#update(entry.stationId, sessionId, { state: "connected" });
    if (options.stillRouted !== true) {
      await this.#bus.publish("source_failure", entry.stationId, {
        source: `live:${sessionId}`,
        reason,
        action: "retrying",
      });
    }
    const ended = this.#grace.expireAfter(entry, generation, graceMs, async () => {
      if (!this.#mounts.holds(entry)) return false;
      await this.#finish(entry, `${reason}; no reconnect within ${graceMs / 1000} s`, true);
      return true;
    });
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
    const entry = this.#mounts.bySession(sessionId);
    if (entry === undefined || !entry.inGrace) return false;
    this.#grace.end(entry);
    await this.#update(entry.stationId, sessionId, { state: "active" });
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
    const entry = this.#mounts.bySession(sessionId);
    if (entry === undefined || entry.stationId !== stationId) {
      if (stored.state === "disconnected") return stored;
      // A session this process does not hold (e.g. left over from a restart): close the record.
      const closed = await this.#update(stationId, sessionId, {
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
    const entry = this.#mounts.bySession(sessionId);
    if (entry === undefined) {
      throw new GrimnirError("NOT_FOUND", `live session ${sessionId} is not live`, {
        details: { field: "sessionId" },
      });
    }
    if (entry.song === song) return false;
    entry.song = song;
    const session = await this.#update(entry.stationId, sessionId, { metadata: song });
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
    return this.#handover.onEnded(listener);
  }

  /** Id of the live session on a station mount, if one is live or in grace. */
  sessionOnMount(stationId: string, mountId: string): string | undefined {
    const entry = this.#mounts.get({ stationId, mountId });
    return entry === undefined || entry.sessionId === "" ? undefined : entry.sessionId;
  }

  /** Stop: pending graces no longer fail back; waits for running callbacks. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#grace.close(this.#mounts.entries());
  }

  async #resume(entry: LiveEntry, request: LiveConnectRequest): Promise<LiveSession> {
    this.#grace.end(entry);
    const session = await this.#update(entry.stationId, entry.sessionId, {
      inputUri: request.inputUri,
      ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    });
    this.#log("info", "live source reconnected within grace", {
      stationId: entry.stationId,
      sessionId: entry.sessionId,
    });
    return this.#handover.goLive(session, true);
  }

  async #finish(entry: LiveEntry, reason: string, failBack: boolean): Promise<LiveSession> {
    this.#mounts.release(entry);
    this.#grace.end(entry);
    return this.#handover.end(entry.stationId, entry.sessionId, reason, failBack);
  }

  #update(stationId: string, sessionId: string, patch: LiveSessionPatch): Promise<LiveSession> {
    return updateLiveSession(this.#store, stationId, sessionId, patch);
  }
}
