import type { LiveService } from "./live-service.js";
import type { LiveGrant } from "./live-tokens.js";
import type { LiveLogger } from "./logger.js";

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
