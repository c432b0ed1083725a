import { GrimnirError, isGrimnirError } from "@grimnir/core";
import type { EngineStationStatus } from "@grimnir/core";
import { withTimeout } from "./logger.js";
import type { ExecutorContext } from "./executor-context.js";

/**
 * The executor's calls to the media engine: every call has a deadline, and an
 * engine that does not answer is a failover cause ("engine").
 */
export class EngineLink {
  readonly #ctx: ExecutorContext;

  /** Calls for the station of `ctx`. */
  constructor(ctx: ExecutorContext) {
    this.#ctx = ctx;
  }

  /** Call the engine with a deadline (default `engineTimeoutMs`); an unreachable engine fails over. */
  async call<T>(
    what: string,
    call: () => Promise<T>,
    timeoutMs: number = this.#ctx.o.engineTimeoutMs,
  ): Promise<T> {
    const ctx = this.#ctx;
    try {
      return await withTimeout(
        call(),
        timeoutMs,
        () =>
          new GrimnirError(
            "ENGINE_UNAVAILABLE",
            `engine did not answer ${what} within ${timeoutMs} ms`,
          ),
      );
    } catch (error) {
      ctx.stats.engineFailures++;
      if (isGrimnirError(error, "ENGINE_UNAVAILABLE") && !ctx.causes.has("engine")) {
        ctx.failover("engine", "engine", error.message);
      }
      throw error;
    }
  }

  /** The engine's view of this station (idle when it has none), or undefined when it does not answer. */
  async station(): Promise<EngineStationStatus | undefined> {
    const ctx = this.#ctx;
    try {
      const status = await this.call(
        "status",
        () => ctx.o.engine.status(),
        ctx.o.engineStatusTimeoutMs,
      );
      return (
        status.stations.find((s) => s.stationId === ctx.stationId) ?? {
          stationId: ctx.stationId,
          state: "idle",
          bufferDepthMs: 0,
          underruns: 0,
        }
      );
    } catch (error) {
      ctx.logger.warn("engine status failed", { stationId: ctx.stationId, error: String(error) });
      return undefined;
    }
  }
}
