import { EngineSupervisor } from "@grimnir/engine";
import type { ServerMetrics } from "@grimnir/http";
import type { ServerLogger } from "./logger.js";
import { engineConnectionValue } from "./metrics.js";
import type { ShutdownSequence } from "./shutdown.js";

/** The local media engine as `grimnir serve` runs it. */
export interface SupervisedEngine {
  /** Starts, health-checks and restarts the engine process. */
  readonly supervisor: EngineSupervisor;
  /** Settles when the first start finished (rejects when the engine could not start). */
  readonly started: Promise<void>;
}

/**
 * Start the local media engine on `port` under its supervisor, without
 * waiting for it (the first-start setup runs meanwhile). Every supervisor
 * event sets the `engineConnection` gauge and is logged: `fatal` and
 * `unhealthy` as errors, `restarted` as a warning with its reason, the rest
 * as info. Registers the shutdown step: wait for the start to settle, stop
 * the engine, set the gauge to 0.
 */
export function startSupervisedEngine(wiring: {
  readonly port: number;
  readonly metrics: ServerMetrics;
  readonly log: ServerLogger;
  readonly shutdown: ShutdownSequence;
}): SupervisedEngine {
  const { metrics, log } = wiring;
  const supervisor = new EngineSupervisor({
    port: wiring.port,
    onEvent: (event) => {
      metrics.engineConnection.set(engineConnectionValue(event));
      if (event.type === "fatal" || event.type === "unhealthy")
        log.error({ event }, `engine ${event.type}`);
      else if (event.type === "restarted") log.warn({ event }, `engine restarted: ${event.reason}`);
      else log.info({ event }, `engine ${event.type}`);
    },
  });
  const started = supervisor.start();
  wiring.shutdown.push(async () => {
    await started.catch(() => undefined);
    await supervisor.stop();
    metrics.engineConnection.set(0);
  });
  return { supervisor, started };
}
