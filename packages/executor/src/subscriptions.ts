import { GrimnirError } from "@grimnir/core";
import type { Subscription, TelemetrySample } from "@grimnir/core";
import { withTimeout } from "./logger.js";
import type { ExecutorContext } from "./executor-context.js";
import type { EngineLink } from "./engine-link.js";

/**
 * Subscribe a station's executor to the engine's telemetry and (when
 * `listenForSourceFailures`) to `source_failure` events other publishers send
 * for the station; failures this executor published itself are not handed
 * back. A subscription that fails is logged and left out: telemetry then only
 * misses silence detection, and source failures are still detected locally.
 */
export async function subscribeStation(
  ctx: ExecutorContext,
  engine: EngineLink,
  handlers: {
    onTelemetry: (sample: TelemetrySample) => void;
    onSourceFailure: (source: string, reason: string) => void;
  },
): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  try {
    subscriptions.push(
      await engine.call("streamTelemetry", () =>
        ctx.o.engine.streamTelemetry(ctx.stationId, handlers.onTelemetry),
      ),
    );
  } catch (error) {
    ctx.logger.warn("telemetry subscription failed", {
      stationId: ctx.stationId,
      error: String(error),
    });
  }
  if (!ctx.o.listenForSourceFailures) return subscriptions;
  try {
    subscriptions.push(
      await withTimeout(
        ctx.o.bus.subscribe("source_failure", ctx.stationId, (event) => {
          const { source, reason } = event.payload;
          if (!ctx.publish.ownFailureSources.has(source)) handlers.onSourceFailure(source, reason);
        }),
        ctx.o.busTimeoutMs,
        () =>
          new GrimnirError("BUS_UNAVAILABLE", "source_failure subscription not confirmed in time"),
      ),
    );
  } catch (error) {
    ctx.logger.warn("source_failure subscription failed; failures are still detected locally", {
      stationId: ctx.stationId,
      error: String(error),
    });
  }
  return subscriptions;
}
