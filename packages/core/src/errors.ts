/**
 * Stable machine-readable error codes. Codes never change meaning once released;
 * HTTP and CLI layers map them to statuses and exit codes in one place each.
 */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "VALIDATION"
  | "NOT_FOUND"
  | "CONFLICT"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "INVALID_TRANSITION"
  | "ENGINE_UNAVAILABLE"
  | "BUS_UNAVAILABLE"
  | "STORE_UNAVAILABLE"
  | "LEASE_LOST"
  | "UNKNOWN_ADAPTER"
  | "UNKNOWN_NODE_TYPE"
  | "NOT_IMPLEMENTED"
  | "INTERNAL";

/** Structured context attached to an error: where the problem is and what was expected. */
export interface ErrorDetails {
  /** File the problem was found in, when it came from a file. */
  file?: string;
  /** 1-based line number in `file`. */
  line?: number;
  /** 1-based column number in `file`. */
  column?: number;
  /** RFC 6901 JSON pointer to the offending value. */
  pointer?: string;
  /** Name of the offending field. */
  field?: string;
  /** Anything else a caller may need to act on the error. */
  [key: string]: unknown;
}

/** Options accepted by {@link GrimnirError}. */
export interface GrimnirErrorOptions {
  details?: ErrorDetails;
  cause?: unknown;
}

/**
 * Base class of every error Grimnir throws on purpose. `code` is stable and
 * safe to branch on; `message` is for humans and says what was expected.
 */
export class GrimnirError extends Error {
  /** Stable code, see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** Structured context (file/line/column, JSON pointer, field…). */
  readonly details: ErrorDetails;

  /**
   * An error with a stable code.
   * @param code stable error code
   * @param message what went wrong and what was expected
   * @param options structured details and the underlying cause
   */
  constructor(code: ErrorCode, message: string, options: GrimnirErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GrimnirError";
    this.code = code;
    this.details = options.details ?? {};
  }

  /** JSON form used on the wire: `{ code, message, details }`. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a {@link GrimnirError}, optionally with the given code. */
export function isGrimnirError(err: unknown, code?: ErrorCode): err is GrimnirError {
  return err instanceof GrimnirError && (code === undefined || err.code === code);
}
