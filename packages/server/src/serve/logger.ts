import pino from "pino";
import type { Logger, LevelWithSilent } from "pino";
import type { ExecutorLogger } from "@grimnir/executor";

/** The server's structured logger (pino, JSON lines on stdout). */
export type ServerLogger = Logger;

/** A pino logger at `level` writing JSON lines to `destination` (default stdout). */
export function createServerLogger(
  level: LevelWithSilent = "info",
  destination?: NodeJS.WritableStream,
): ServerLogger {
  const options = { level, base: { service: "grimnir" } };
  return destination === undefined
    ? pino(options)
    : pino(options, destination as unknown as pino.DestinationStream);
}

/** Adapt a pino logger to the executor's two-method logger (context first, as pino expects). */
export function executorLogger(logger: ServerLogger): ExecutorLogger {
  return {
    warn: (message, context) => logger.warn(context ?? {}, message),
    error: (message, context) => logger.error(context ?? {}, message),
  };
}
