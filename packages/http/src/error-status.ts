import { isGrimnirError } from "@grimnir/core";
import type { ErrorCode, ErrorDetails } from "@grimnir/core";

/** HTTP status for each error code — the one place this mapping lives. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  CONFIG_INVALID: 400,
  VALIDATION: 400,
  UNKNOWN_NODE_TYPE: 400,
  UNKNOWN_ADAPTER: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  LEASE_LOST: 409,
  NOT_IMPLEMENTED: 501,
  ENGINE_UNAVAILABLE: 503,
  BUS_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * Codes only the HTTP layer produces (transport-level refusals with no domain
 * meaning), with their statuses.
 */
export const HTTP_ONLY_STATUS_BY_CODE = {
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
} as const;

/** An error the transport raises itself (rate limit, body too large, not audio), with a fixed HTTP-only code. */
export class TransportError extends Error {
  constructor(
    readonly code: keyof typeof HTTP_ONLY_STATUS_BY_CODE,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** A code on the wire: core's `ErrorCode` or an HTTP-only one. */
export type HttpErrorCode = ErrorCode | keyof typeof HTTP_ONLY_STATUS_BY_CODE;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: HttpErrorCode; message: string; details: ErrorDetails };
}

/**
 * Status and body for any thrown value. A `GrimnirError` keeps its code, message
 * and details; anything else becomes a 500 `INTERNAL` without leaking its message
 * or stack to the client.
 */
export function errorResponse(err: unknown): { status: number; body: ErrorBody } {
  if (isGrimnirError(err)) {
    return {
      status: HTTP_STATUS_BY_CODE[err.code],
      body: { error: { code: err.code, message: err.message, details: err.details } },
    };
  }
  return {
    status: 500,
    body: { error: { code: "INTERNAL", message: "internal error", details: {} } },
  };
}
