import type { EventBus, LiveSession, Store, TimeSource } from "@grimnir/core";
import type { LiveServiceOptions, LiveSessionEnd } from "./live-service-options.js";
import { updateLiveSession } from "./live-session-records.js";
import type { LiveLogger } from "./logger.js";

/**
 * Handing a station to a live session and back to automation: `onLive`
 * puts the session on air, ending one stores it disconnected, publishes
 * `dj.disconnect` and runs `onFailback`. A failing hook never throws: it is
 * logged and published as `source_failure` (action "fallback"). Listeners
 * of {@link LiveHandover.onEnded} hear of every end.
 */
export class LiveHandover {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #time: TimeSource;
  readonly #log: LiveLogger;
  readonly #onLive: LiveServiceOptions["onLive"];
  readonly #onFailback: LiveServiceOptions["onFailback"];
  readonly #endListeners = new Set<(end: LiveSessionEnd) => void>();

  /** The handover of the live service configured by `options`, timed by `time`, logging to `log`. */
  constructor(options: LiveServiceOptions, time: TimeSource, log: LiveLogger) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#time = time;
    this.#log = log;
    this.#onLive = options.onLive;
    this.#onFailback = options.onFailback;
  }

  /**
   * Put `session` on air through `onLive`; resolves with it stored `active`,
   * or as it was (`connected`) when `onLive` failed.
   */
  async goLive(session: LiveSession, resumed: boolean): Promise<LiveSession> {
    if (this.#onLive !== undefined) {
      try {
        await this.#onLive(session, { resumed });
      } catch (err) {
        await this.#reportFailure(session, "could not route the live input", err);
        return session;
      }
    }
    return updateLiveSession(this.#store, session.stationId, session.id, { state: "active" });
  }

  /**
   * End session `sessionId` of `stationId` for good: stored `disconnected`,
   * `dj.disconnect` published, then (with `failBack`) `onFailback`, then the
   * end listeners. Resolves with the stored session.
   */
  async end(
    stationId: string,
    sessionId: string,
    reason: string,
    failBack: boolean,
  ): Promise<LiveSession> {
    const session = await updateLiveSession(this.#store, stationId, sessionId, {
      state: "disconnected",
      disconnectedAt: this.#time.now(),
    });
    await this.#bus.publish("dj.disconnect", stationId, {
      sessionId: session.id,
      userId: session.userId,
      reason,
    });
    this.#log("info", "live session ended", { stationId, sessionId: session.id, reason });
    let failedBack = false;
    if (failBack && this.#onFailback !== undefined) {
      try {
        await this.#onFailback(stationId, session);
        failedBack = true;
      } catch (err) {
        await this.#reportFailure(session, "failback to automation failed", err);
      }
    }
    for (const listener of this.#endListeners) listener({ session, reason, failedBack });
    return session;
  }

  /** Be told whenever a session ends through {@link LiveHandover.end}. Returns an unsubscribe. */
  onEnded(listener: (end: LiveSessionEnd) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
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
}
