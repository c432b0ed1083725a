import type {
  Importer,
  LiveSession,
  MediaEngine,
  MediaItem,
  PrioritySource,
  ScheduleEntry,
  Webstream,
} from "@grimnir/core";

/**
 * What the schedule routes need from the planner (`@grimnir/scheduler`).
 * Without it, `POST /api/v1/schedule/regenerate`, `POST /api/v1/schedule/what-if`
 * and `POST /api/v1/smart-blocks/{id}/preview` answer 501 `NOT_IMPLEMENTED`.
 */
export interface PlannerPort {
  /**
   * Rebuild the station's rolling timeline from now; resolves with the window
   * that was replaced (epoch ms) and how many entries it now holds.
   */
  regenerate(stationId: string): Promise<{ from: number; to: number; entries: number }>;
  /**
   * Plan `range` (epoch ms, `to` exclusive) with `changes` applied on top of the
   * stored configuration, without writing anything. Same inputs, same result.
   */
  whatIf(
    stationId: string,
    range: { from: number; to: number },
    changes: Record<string, unknown>,
  ): Promise<{ entries: ScheduleEntry[]; diagnostics: unknown[] }>;
  /** The media a smart block would pick now (nothing is recorded). */
  previewSmartBlock(stationId: string, smartBlockId: string): Promise<MediaItem[]>;
}

/** One source in a station's priority stack, as the priority service reports it. */
export interface PriorityStackEntry extends PrioritySource {
  /** Kind of source ("emergency", "live", "automation", "fallback"…). */
  kind: string;
  /** True for the source that holds the air. */
  onAir: boolean;
  /** Human label (DJ name, alert headline…). */
  label?: string;
}

/**
 * What the priority routes need from the executor's priority service.
 * Without it, every `/api/v1/priority` route answers 501 `NOT_IMPLEMENTED`.
 */
export interface PriorityPort {
  /** Active sources, highest priority first. */
  stack(stationId: string): Promise<PriorityStackEntry[]>;
  /**
   * Put emergency audio on air now (tier 0, emergency). Resolves
   * with the new source once it holds the air.
   */
  insertEmergency(
    stationId: string,
    request: { mediaId?: string; reason: string; requestedBy: string },
  ): Promise<PriorityStackEntry>;
  /** Remove a source from the stack (fail back to the next one). Rejects with `NOT_FOUND`. */
  release(stationId: string, sourceId: string, requestedBy: string): Promise<void>;
}

/**
 * Live state the executor holds that the store does not (optional). The
 * executor-state route reads the persisted state from the store; with this
 * port it adds the engine-side view.
 */
export interface ExecutorPort {
  /** Live view of the station's player: what plays, position, buffer. */
  live(stationId: string): Promise<Record<string, unknown>>;
}

/** A freshly generated live token; `token` is shown once and never stored. */
export interface IssuedLiveToken {
  /** The stored record id. */
  id: string;
  /** The secret (hex of 32 random bytes). */
  token: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
  mountId: string;
  userId: string;
  priority: 1 | 2;
}

/**
 * What the live routes need from the live service. The two read routes
 * (`GET /api/v1/live/sessions`, `GET /api/v1/live/sessions/{id}`) read the store;
 * without this port the four others answer 501 `NOT_IMPLEMENTED`.
 */
export interface LivePort {
  /** Create a one-time token for `userId` on `mountId`, valid for `ttlMs`. */
  generateToken(
    stationId: string,
    request: { mountId: string; userId: string; priority: 1 | 2; ttlMs: number },
  ): Promise<IssuedLiveToken>;
  /**
   * Check a token without using it up; resolves with what it grants or rejects
   * with `UNAUTHORIZED` when it is unknown, used or expired.
   */
  authorize(
    stationId: string,
    token: string,
  ): Promise<{ tokenId: string; mountId: string; userId: string; priority: 1 | 2 }>;
  /** Use the token up and start a session (the DJ goes on air by priority). */
  connect(stationId: string, request: { token: string; inputUri?: string }): Promise<LiveSession>;
  /** End a session (the station fails back). Rejects with `NOT_FOUND`. */
  disconnect(stationId: string, sessionId: string, reason: string): Promise<LiveSession>;
}

/**
 * What the webstream action routes need from the webstream service (the
 * health checker owns `currentIndex`). CRUD uses the store; without this port
 * `POST /api/v1/webstreams/{id}/failover` and `/reset` answer 501.
 */
export interface WebstreamPort {
  /** Switch to the next healthy URL in the chain. */
  failover(stationId: string, webstreamId: string): Promise<Webstream>;
  /** Go back to the primary URL. */
  reset(stationId: string, webstreamId: string): Promise<Webstream>;
}

/** One audited mutating call. */
export interface AuditEntry {
  /** When the response was sent, epoch ms. */
  at: number;
  /** Who: the authenticated user id, absent for anonymous calls (login). */
  userId?: string;
  username?: string;
  /** What: method, route pattern, concrete URL path (no query), status. */
  method: string;
  route: string;
  path: string;
  status: number;
  /** Station the call addressed, when it was station-scoped. */
  stationId?: string;
  /** Id of the record the call addressed, when the route has one. */
  resourceId?: string;
  ip: string;
  requestId: string;
}

/**
 * Where the audit log goes. `record` must not throw for ordinary failures it
 * can report itself; a rejection is logged and never changes the response.
 */
export interface AuditPort {
  /** Keep one entry (called after the response was sent). */
  record(entry: AuditEntry): Promise<void> | void;
}

/** Health of the media engine for `/readyz` (a `MediaEngine` fits). */
export type EngineHealthPort = Pick<MediaEngine, "status">;

/** An uploaded file the route has streamed to local disk, checked and hashed. */
export interface UploadedFile {
  /**
   * Absolute path of a temporary file with the uploaded bytes, named after the
   * client's file name (directories stripped; the sniffed extension added when
   * it had none). The route deletes it once {@link MediaIngestPort.ingest} settles.
   */
  path: string;
  /** The client's file name, without directories. */
  filename: string;
  /** Size, bytes. */
  sizeBytes: number;
  /** SHA-256 of the bytes, lower-case hex (the library's content hash). */
  contentHash: string;
  /** MIME type found by content sniffing (`audio/mpeg`, `audio/wav`…). */
  mime: string;
}

/** What {@link MediaIngestPort.ingest} did with one uploaded file. */
export type MediaIngestResult =
  | { outcome: "added"; item: MediaItem }
  | { outcome: "duplicate"; existingId: string }
  | { outcome: "failed"; reason: string; mediaId?: string };

/**
 * What `POST /api/v1/media` needs from the media library (`@grimnir/library`:
 * storage, tag reading, content-hash dedupe, analysis queue). Without it the
 * upload route answers 501 `NOT_IMPLEMENTED`. The server composes it, so the
 * HTTP package never touches GStreamer or the storage backend itself.
 */
export interface MediaIngestPort {
  /**
   * Copy `file` into media storage, read its tags and write the `MediaItem`
   * (analysis "pending") through the Store. A file whose bytes the station
   * already has is a `duplicate` (nothing written); a file whose tags cannot be
   * read is `failed` (the library may record a failed item, `mediaId`).
   */
  ingest(stationId: string, file: UploadedFile): Promise<MediaIngestResult>;
  /**
   * Queue loudness/cue analysis of an added item. Progress is written to the
   * item (`analysisStatus`: pending → analysing → done | failed), which
   * `GET /api/v1/media/{id}/analysis` reads.
   */
  queueAnalysis(stationId: string, mediaId: string): void;
}

/** What `POST /api/v1/imports` asks for (validated by the route's schema). */
export interface ImportJobRequest {
  /** The system to import from. */
  source: "libretime" | "azuracast";
  /** LibreTime: `postgres://…` of its database; AzuraCast: its base URL (`https://radio.example.org`). */
  url: string;
  /** AzuraCast API key (required for AzuraCast). */
  apiKey?: string;
  /** Where the source's media files are mounted on this server (checked to exist). */
  mediaRoot?: string;
  /** AzuraCast: the station (id or short name) to import, default all; LibreTime: the Grimnir station id to import into. */
  station?: string;
  /** Plan only: report what would change and write nothing. */
  dryRun: boolean;
}

/**
 * What the import-job routes need from `@grimnir/importers`: an importer
 * (core's `Importer`) for a request. The job runner in this package calls
 * its `plan` (dry run) or `apply`, records progress and the report, and
 * publishes `import.progress` events. Without this port `POST /api/v1/imports`
 * answers 501 `NOT_IMPLEMENTED`.
 */
export interface ImportPort {
  /** A ready importer; throws `VALIDATION` naming the field when the request cannot be served. */
  importer(request: ImportJobRequest): Importer;
}

/**
 * Services the server plugs in as they exist. Every port is optional; routes
 * that need a missing port answer 501 `NOT_IMPLEMENTED` naming it.
 */
export interface ApiPorts {
  planner?: PlannerPort;
  priority?: PriorityPort;
  executor?: ExecutorPort;
  live?: LivePort;
  webstreams?: WebstreamPort;
  audit?: AuditPort;
  engine?: EngineHealthPort;
  media?: MediaIngestPort;
  imports?: ImportPort;
}
