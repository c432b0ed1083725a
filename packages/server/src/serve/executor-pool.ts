import { isAbsolute, resolve } from "node:path";
import type { Coordinator, EventBus, StationConfig, Store, TimeSource } from "@grimnir/core";
import type { EngineSupervisor } from "@grimnir/engine";
import type { ServerMetrics } from "@grimnir/http";
import { demoEmergencyFile } from "./demo-station.js";
import type { ServerLogger } from "./logger.js";
import { ClusterMembership } from "./membership.js";
import type { ServeOptions } from "./options.js";
import { Playout } from "./playout.js";
import type { ShutdownSequence } from "./shutdown.js";

/** Interval of the station-list refresh that picks up stations added or deactivated, ms. */
const STATION_REFRESH_MS = 30_000;

/** What the executor pool is built from. */
export interface ExecutorPoolWiring {
  readonly options: Pick<
    ServeOptions,
    "instanceId" | "dataDir" | "mediaDir" | "streamPort" | "leaseTtlMs" | "peers"
  >;
  readonly store: Store;
  readonly bus: EventBus;
  readonly coordinator: Coordinator;
  readonly supervisor: EngineSupervisor;
  readonly logger: ServerLogger;
  readonly time: TimeSource;
  /** Station configurations by station id. */
  readonly configs: Map<string, StationConfig>;
  readonly metrics: ServerMetrics;
  readonly shutdown: ShutdownSequence;
}

/**
 * The station's emergency audio as an absolute path: its configured
 * `failover.emergencyAudioPath` (relative paths resolve against `dataDir`),
 * otherwise the demo library's emergency file under `mediaRoot`.
 */
export function emergencyAudioFile(
  config: StationConfig | undefined,
  stationId: string,
  dirs: { readonly dataDir: string; readonly mediaRoot: string },
): string | undefined {
  const emergencyPath = config?.failover.emergencyAudioPath;
  if (emergencyPath !== undefined && emergencyPath !== "") {
    return isAbsolute(emergencyPath) ? emergencyPath : resolve(dirs.dataDir, emergencyPath);
  }
  return demoEmergencyFile(dirs.mediaRoot, stationId);
}

/**
 * Build the executor pool (not yet taking stations) and make every executor
 * of this instance re-read its timeline when the planner leader stores a new
 * one (`schedule.updated`). In a cluster (`peers` given) a station this
 * instance gives up falls silent in its engine. Registers the shutdown step
 * that ends the `schedule.updated` subscription.
 */
export async function createExecutorPool(wiring: ExecutorPoolWiring): Promise<Playout> {
  const { options, configs, bus } = wiring;
  const mediaRoot = options.mediaDir;
  const playout = new Playout({
    instanceId: options.instanceId,
    store: wiring.store,
    bus,
    coordinator: wiring.coordinator,
    supervisor: wiring.supervisor,
    logger: wiring.logger,
    timeSource: wiring.time,
    mediaRoot,
    streamPort: options.streamPort,
    configs,
    metrics: wiring.metrics,
    leaseTtlMs: options.leaseTtlMs,
    // In a cluster every instance has its own engine: a station given up must fall silent here.
    stopAudioOnRelease: options.peers.length > 0,
    emergencyFile: (id) =>
      emergencyAudioFile(configs.get(id), id, { dataDir: options.dataDir, mediaRoot }),
  });
  // Every instance's executors re-read the timeline when the planner leader stored a new one.
  const scheduleWatch = await bus.subscribe("schedule.updated", "*", (event) => {
    void playout.pool.executor(event.stationId)?.executor.refreshTimeline();
  });
  wiring.shutdown.push(() => scheduleWatch.unsubscribe());
  return playout;
}

/**
 * Let the pool take stations. In a cluster, first join the membership (and,
 * when peers are still starting, give them one lease time to join so the
 * first instance up does not take every station only to hand most back);
 * membership changes re-balance the pool. Then read the active stations,
 * start the lease loop and re-read the station list every 30 s. Registers the
 * shutdown steps: leave the membership, stop the pool, stop the refresh.
 */
export async function startExecutorPool(
  playout: Playout,
  wiring: Pick<ExecutorPoolWiring, "options" | "coordinator" | "logger" | "shutdown">,
  log: ServerLogger,
): Promise<void> {
  const { options, shutdown } = wiring;
  if (options.peers.length > 0) {
    const membership = new ClusterMembership({
      coordinator: wiring.coordinator,
      instanceId: options.instanceId,
      peers: options.peers,
      ttlMs: options.leaseTtlMs,
      logger: wiring.logger.child({ component: "membership" }),
      onChange: (members) => {
        playout
          .setMembers(members)
          .catch((err: unknown) => log.warn({ err }, "reconcile after a membership change failed"));
      },
    });
    await membership.start();
    if (membership.members.length <= options.peers.length) {
      // Peers starting with us: give them one lease time to join before taking stations,
      // so the first instance up does not take every station only to hand most back.
      await new Promise((r) => setTimeout(r, options.leaseTtlMs));
      await membership.refresh();
    }
    playout.pool.setMembers(membership.members);
    shutdown.push(() => membership.stop());
  }
  await playout.refreshStations();
  playout.start();
  shutdown.push(() => playout.stop());
  const stationsTimer = setInterval(() => {
    playout
      .refreshStations()
      .catch((err: unknown) => log.warn({ err }, "station list refresh failed"));
  }, STATION_REFRESH_MS);
  shutdown.push(async () => clearInterval(stationsTimer));
}
