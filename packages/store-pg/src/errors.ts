import { GrimnirError, isGrimnirError } from "@grimnir/core";

/** Error fields the drivers (`pg`, `better-sqlite3`, Node sockets) put on what they throw. */
interface DriverErrorShape {
  code?: unknown;
  message?: unknown;
  constraint?: unknown;
  errors?: unknown;
}

const PG_UNAVAILABLE_CLASSES = ["08", "53", "57", "58"];
const NODE_UNAVAILABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EPIPE",
  "EAI_AGAIN",
]);

/**
 * Turn whatever a driver threw into a {@link GrimnirError} with a stable code and a
 * message that names the operation, never the driver's stack: unique violations
 * and serialization failures → `CONFLICT`; refused/broken connections, a closed
 * pool, busy or unopenable files → `STORE_UNAVAILABLE`; malformed values →
 * `VALIDATION`; anything else → `INTERNAL`. The original error stays as `cause`
 * for logs. GrimnirErrors pass through unchanged.
 */
export function mapDriverError(err: unknown, operation: string): GrimnirError {
  if (isGrimnirError(err)) return err;
  const shape = (typeof err === "object" && err !== null ? err : {}) as DriverErrorShape;
  let code = typeof shape.code === "string" ? shape.code : "";
  // pg reports a refused connection to every address as an AggregateError.
  if (code === "" && Array.isArray(shape.errors)) {
    const inner = shape.errors[0] as DriverErrorShape | undefined;
    if (typeof inner?.code === "string") code = inner.code;
  }
  const message = typeof shape.message === "string" ? shape.message : String(err);
  const details = { operation, driverCode: code || undefined };

  if (
    code === "23505" ||
    code.startsWith("SQLITE_CONSTRAINT_PRIMARYKEY") ||
    code.startsWith("SQLITE_CONSTRAINT_UNIQUE")
  ) {
    return new GrimnirError("CONFLICT", `${operation}: a record with this key already exists`, {
      details,
      cause: err,
    });
  }
  if (code === "40001" || code === "40P01") {
    return new GrimnirError("CONFLICT", `${operation}: concurrent update, retry`, {
      details,
      cause: err,
    });
  }
  if (
    NODE_UNAVAILABLE.has(code) ||
    PG_UNAVAILABLE_CLASSES.some((cls) => code.length === 5 && code.startsWith(cls)) ||
    code === "28P01" ||
    code === "28000" ||
    code === "3D000" ||
    code.startsWith("SQLITE_BUSY") ||
    code.startsWith("SQLITE_CANTOPEN") ||
    code.startsWith("SQLITE_IOERR") ||
    code.startsWith("SQLITE_READONLY") ||
    /Connection terminated|Cannot use a pool after calling end|connection timeout|database connection is not open/i.test(
      message,
    )
  ) {
    return new GrimnirError(
      "STORE_UNAVAILABLE",
      `${operation}: database unavailable (${code || firstLine(message)})`,
      {
        details,
        cause: err,
      },
    );
  }
  if (
    (code.length === 5 && code.startsWith("22")) ||
    code === "SQLITE_TOOBIG" ||
    code === "SQLITE_MISMATCH" ||
    code.startsWith("SQLITE_CONSTRAINT")
  ) {
    return new GrimnirError(
      "VALIDATION",
      `${operation}: value rejected by the database (${firstLine(message)})`,
      {
        details,
        cause: err,
      },
    );
  }
  return new GrimnirError(
    "INTERNAL",
    `${operation}: database error (${code || firstLine(message)})`,
    { details, cause: err },
  );
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
