import { formatProblem, isGrimnirError } from "@grimnir/core";
import type { ConfigProblem } from "@grimnir/core";
import { resolveServeOptions } from "../serve/options.js";
import type { ServeFlags } from "../serve/options.js";
import { startServer } from "../serve/server.js";
import type { RunningServer } from "../serve/server.js";
import { createServerLogger } from "../serve/logger.js";
import type { CommandIo } from "./io.js";

/**
 * `grimnir serve`: start the reference server and run until SIGINT or
 * SIGTERM, then shut down gracefully (executors, API, engine, bus, store).
 * Configuration problems are printed as `file:line:col: message` on stderr.
 *
 * @returns the exit code: 0 after a clean shutdown, 1 when the configuration
 * is invalid or startup failed, 2 when shutdown failed.
 */
export async function runServe(flags: ServeFlags, io: CommandIo): Promise<number> {
  let server: RunningServer;
  try {
    const options = resolveServeOptions(flags);
    server = await startServer(options, createServerLogger(options.logLevel));
  } catch (error) {
    if (isGrimnirError(error, "CONFIG_INVALID") && Array.isArray(error.details["problems"])) {
      for (const problem of error.details["problems"] as ConfigProblem[]) {
        io.stderr.write(`${formatProblem(problem)}\n`);
      }
    } else if (isGrimnirError(error)) {
      io.stderr.write(`grimnir serve: ${error.code}: ${error.message}\n`);
    } else {
      io.stderr.write(
        `grimnir serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  io.stderr.write(`grimnir serve: ${signal} received, shutting down\n`);
  try {
    await server.close();
  } catch (error) {
    io.stderr.write(`grimnir serve: shutdown failed: ${String(error)}\n`);
    return 2;
  }
  return 0;
}
