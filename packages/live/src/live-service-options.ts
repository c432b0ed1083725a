import type { EventBus, LiveSession, Store, TimeSource } from "@grimnir/core";
import type { LiveTokenEncoding } from "./credentials.js";
import type { LiveGrant } from "./live-tokens.js";
import type { LiveLogger } from "./logger.js";

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
