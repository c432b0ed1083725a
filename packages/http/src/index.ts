/**
 * `@grimnir/http` — the Grimnir HTTP API: REST under `/api/v1`, WebSocket and
 * SSE events, JWT auth with per-station roles, OpenAPI 3.1, Prometheus metrics.
 *
 * @packageDocumentation
 */
export { HTTP_STATUS_BY_CODE, HTTP_ONLY_STATUS_BY_CODE, errorResponse } from "./error-status.js";
export type { ErrorBody, HttpErrorCode } from "./error-status.js";
export { createApi } from "./api.js";
export { TRACER_NAME } from "./tracing.js";
export {
  API_METRIC_NAMES,
  SERVER_METRIC_NAMES,
  createApiMetrics,
  createServerMetrics,
  createGrimnirMetrics,
} from "./metrics.js";
export type { ApiMetrics, ServerMetrics, GrimnirMetrics, WebstreamHealth } from "./metrics.js";
export type { ApiOptions } from "./api.js";
export { DEFAULT_MAX_UPLOAD_BYTES } from "./routes/media-upload.js";
export type { UploadOptions } from "./routes/media-upload.js";
export type { AuthOptions, TokenPair, Principal } from "./auth.js";
export { hashPassword, verifyPassword } from "./passwords.js";
export { MemoryRefreshTokenStore } from "./refresh-tokens.js";
export type { RefreshTokenStore, RefreshTokenRecord } from "./refresh-tokens.js";
export type { RateLimitOptions, BucketLimit } from "./rate-limit.js";
export { MemoryAuditLog } from "./audit.js";
export type {
  ApiPorts,
  PlannerPort,
  PriorityPort,
  PriorityStackEntry,
  ExecutorPort,
  LivePort,
  IssuedLiveToken,
  WebstreamPort,
  AuditPort,
  AuditEntry,
  EngineHealthPort,
  MediaIngestPort,
  MediaIngestResult,
  UploadedFile,
  ImportPort,
  ImportJobRequest,
} from "./ports.js";
export { IMPORT_EVENTS_STATION_ID } from "./import-jobs.js";
export type { ImportJob } from "./import-jobs.js";
