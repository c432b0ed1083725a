/**
 * `@grimnir/http` — the HTTP API's error contract (and, as it lands, the REST,
 * WebSocket and SSE API).
 *
 * @packageDocumentation
 */
export { HTTP_STATUS_BY_CODE, errorResponse } from "./error-status.js";
export type { ErrorBody } from "./error-status.js";
