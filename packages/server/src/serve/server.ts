import { mkdir } from "node:fs/promises";
import { SystemTimeSource, adapters } from "@grimnir/core";
import type { Coordinator, EventBus, Store } from "@grimnir/core";
import { registerSqlStores } from "@grimnir/store-pg";
import { registerBusAdapters } from "@grimnir/bus-redis";
import { createServerMetrics } from "@grimnir/http";
import type { ServerMetrics } from "@grimnir/http";
import type { FastifyInstance } from "fastify";
import { startSupervisedEngine } from "./engine-supervision.js";
import { createExecutorPool, startExecutorPool } from "./executor-pool.js";
import { jwtSecretOf, setUpFirstStart } from "./first-start.js";
import { startHttpApi } from "./http-api.js";
import { ServeLive } from "./live.js";
import { createServerLogger } from "./logger.js";
import type { ServerLogger } from "./logger.js";
import { databaseConnectionCount, watchServerMetrics } from "./metrics.js";
import type { ServeOptions } from "./options.js";
import { startPlannerLeadership } from "./planner-leadership.js";
import type { PlannerService } from "./planner-service.js";
import type { Playout } from "./playout.js";
import { ShutdownSequence } from "./shutdown.js";
import { loadStationConfigs } from "./station-configs.js";
import { startTracing } from "./tracing.js";

export { PLANNER_LEADER_KEY } from "./planner-leadership.js";

/** A running `grimnir serve`. */
export interface RunningServer {
  /** Base URL of the API, dashboard and streams (`http://host:port`). */
  readonly url: string;
  /** Bound API port. */
  readonly port: number;
  /** The (first) station from the configuration. */
  readonly stationId: string;
  /** Every station of the configuration (a file: one; a directory: one per file), in file order. */
  readonly stationIds: string[];
  /** True while this instance holds the planner leadership (only the leader re-plans). */
  isPlannerLeader(): boolean;
  readonly store: Store;
  readonly bus: EventBus;
  readonly playout: Playout;
  readonly planner: PlannerService;
  /** Live DJs (harbor, tokens, sessions) and webstream health checks. */
  readonly live: ServeLive;
  readonly api: FastifyInstance;
  /** The brief's server metrics (also on the API's `/metrics`). */
  readonly metrics: ServerMetrics;
  /** Stop everything in order: planner, executors, API, engine, bus, coordinator, store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Compose and start the reference server: Store, EventBus and Coordinator
 * from their URLs; on an empty store the demo station and its generated
 * library; the planner (re-plans the 48 h window now and every
 * `plannerIntervalMs`); the local media engine under its supervisor; the
 * executor pool (stations by hash ring and lease); the HTTP API with
 * `/stream/*` relayed from the engine and the dashboard at `/dashboard/`.
 * Rejects with `CONFIG_INVALID` (with `details.problems`) for a bad station
 * file; anything started before a failure is stopped again.
 */
export async function startServer(
  options: ServeOptions,
  logger: ServerLogger = createServerLogger(options.logLevel),
): Promise<RunningServer> {
  const log = logger.child({ component: "server", instanceId: options.instanceId });
  const time = new SystemTimeSource();
  const shutdown = new ShutdownSequence(log);
  const metrics = createServerMetrics();
  try {
    // OpenTelemetry: off unless OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set.
    const tracing = startTracing({ instanceId: options.instanceId });
    if (tracing !== undefined) {
      shutdown.push(() => tracing.shutdown());
      log.info({ url: tracing.url }, "OpenTelemetry tracing on");
    }
    const stationConfigs = await loadStationConfigs(options);
    const config = stationConfigs[0]!;
    await mkdir(options.dataDir, { recursive: true });
    registerSqlStores(adapters);
    registerBusAdapters(adapters);

    const store = await adapters.createStore(options.storeUrl);
    // PostgresStore reports its pool (`stats()`); other stores count as one open connection.
    const sampleConnections = (): void =>
      metrics.databaseConnections.set(databaseConnectionCount(store));
    sampleConnections();
    shutdown.push(async () => {
      await store.close();
      metrics.databaseConnections.set(0);
    });
    const bus = await adapters.createBus(options.busUrl);
    shutdown.push(() => bus.close());
    const coordinator: Coordinator = await adapters.createCoordinator(options.coordinatorUrl);
    shutdown.push(() => coordinator.close());
    log.info(
      {
        store: options.storeUrl.replace(/\/\/[^@/]*@/, "//***@"),
        bus: options.busUrl,
        coordinator: options.coordinatorUrl,
      },
      "store, bus and coordinator ready",
    );

    const engine = startSupervisedEngine({ port: options.enginePort, metrics, log, shutdown });
    const supervisor = engine.supervisor;
    const jwtSecret = await jwtSecretOf(options);
    // First start: the configured stations, on an empty store with the demo library
    // (concurrently with the engine start) and the admin user; one instance of a cluster at a time.
    await setUpFirstStart({ store, coordinator, stationConfigs, options, log });
    await engine.started;
    log.info({ enginePort: options.enginePort, pid: supervisor.pid }, "media engine started");

    const configs = new Map(stationConfigs.map((c) => [c.station.id, c]));
    const wiring = { options, store, bus, coordinator, time, configs, metrics, shutdown };
    const playout = await createExecutorPool({ ...wiring, supervisor, logger });
    const { planner, elector } = await startPlannerLeadership({ ...wiring, config, log });
    shutdown.push(await watchServerMetrics(metrics, bus, playout));
    await startExecutorPool(playout, { options, coordinator, logger, shutdown }, log);

    const live = new ServeLive({
      ...{ store, bus, time, logger, configs, harborOptional: options.harborOptional },
      executorOf: (id) => playout.pool.executor(id)?.executor,
      ownedStations: () => playout.ownedStations,
      harbor: { host: options.harborHost, port: options.harborPort },
      engine: supervisor.engine,
    });
    await live.start();
    shutdown.push(() => live.close());

    const { api, port, url } = await startHttpApi({
      ...{ options, store, bus, time, jwtSecret, planner, playout, supervisor, live },
      ...{ metrics, sampleMetrics: sampleConnections, logger, shutdown },
    });
    log.info(
      {
        url,
        stream: `${url}/stream/${config.mounts[0]?.outputs.find((o) => o.type === "http")?.path ?? "<none>"}`,
        dashboard: `${url}/dashboard/`,
        stations: playout.ownedStations,
        plannerLeader: elector.isLeader,
      },
      "grimnir serve is on air",
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      stationId: config.station.id,
      stationIds: stationConfigs.map((c) => c.station.id),
      isPlannerLeader: () => elector.isLeader,
      store,
      bus,
      playout,
      planner,
      live,
      api,
      metrics,
      close: () => (closing ??= shutdown.run().then(() => log.info("grimnir serve stopped"))),
    };
  } catch (err) {
    await shutdown.run();
    throw err;
  }
}
