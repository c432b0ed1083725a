/** Severity of a {@link LiveLogger} line. */
export type LiveLogLevel = "info" | "warn" | "error";

/**
 * Where the live package reports refusals, drops and failures. Must not throw.
 * `details` carries structured context (stationId, mount, reason, remote address).
 */
export type LiveLogger = (
  level: LiveLogLevel,
  message: string,
  details?: Record<string, unknown>,
) => void;

/** Default logger: warnings and errors as JSON lines on stderr; info is dropped. */
export const defaultLiveLogger: LiveLogger = (level, message, details) => {
  if (level === "info") return;
  process.stderr.write(`${JSON.stringify({ level, message, ...details })}\n`);
};
