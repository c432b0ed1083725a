import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { SystemTimeSource, adapters, loadStationConfig, parseStationConfig } from "@grimnir/core";
import type { Coordinator, EventBus, StationConfig, Store } from "@grimnir/core";
import { registerSqlStores } from "@grimnir/store-pg";
import { registerBusAdapters } from "@grimnir/bus-redis";
import { EngineSupervisor } from "@grimnir/engine";
import { createApi, createServerMetrics, hashPassword } from "@grimnir/http";
import type { ServerMetrics } from "@grimnir/http";
import type { FastifyInstance } from "fastify";
import { analyzePendingMedia, bootstrapDemoStation, demoEmergencyFile } from "./demo-station.js";
import { createServerLogger } from "./logger.js";
import type { ServerLogger } from "./logger.js";
import { LoudnessHistory } from "./loudness-history.js";
import { EMBEDDED_STATION_YAML } from "./options.js";
import type { ServeOptions } from "./options.js";
import { PlannerService } from "./planner-service.js";
import { Playout } from "./playout.js";
import { registerStreamProxy } from "./stream-proxy.js";
import { registerDashboard } from "./dashboard.js";
import { engineConnectionValue, exposeServerMetrics, watchServerMetrics } from "./metrics.js";

/** A running `grimnir serve`. */
export interface RunningServer {
  /** Base URL of the API, dashboard and streams (`http://host:port`). */
  readonly url: string;
  /** Bound API port. */
  readonly port: number;
  /** The station from the configuration. */
  readonly stationId: string;
  readonly store: Store;
  readonly bus: EventBus;
  readonly playout: Playout;
  readonly planner: PlannerService;
  readonly api: FastifyInstance;
  /** The brief's server metrics (also on the API's `/metrics`). */
  readonly metrics: ServerMetrics;
  /** Stop everything in order: planner, executors, API, engine, bus, coordinator, store. Idempotent. */
  close(): Promise<void>;
}

async function secretFile(
  file: string,
  make: () => string,
): Promise<{ value: string; created: boolean }> {
  try {
    return { value: (await readFile(file, "utf8")).trim(), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const value = make();
  await writeFile(file, value + "\n", { mode: 0o600 });
  return { value, created: true };
}

async function loadConfig(options: ServeOptions): Promise<StationConfig> {
  const result =
    options.configFile === undefined
      ? parseStationConfig(EMBEDDED_STATION_YAML, "<embedded demo station>")
      : await loadStationConfig(options.configFile);
  return result.config;
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
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    while (cleanups.length > 0) {
      const step = cleanups.pop()!;
      try {
        await step();
      } catch (err) {
        log.error({ err }, "shutdown step failed");
      }
    }
  };
  const metrics = createServerMetrics();
  try {
    const config = await loadConfig(options);
    const stationId = config.station.id;
    await mkdir(options.dataDir, { recursive: true });
    const mediaRoot = join(options.dataDir, "media");
    registerSqlStores(adapters);
    registerBusAdapters(adapters);

    const store = await adapters.createStore(options.storeUrl);
    // The Store contract does not expose its pool; an open store holds at least one connection.
    metrics.databaseConnections.set(1);
    cleanups.push(async () => {
      await store.close();
      metrics.databaseConnections.set(0);
    });
    const bus = await adapters.createBus(options.busUrl);
    cleanups.push(() => bus.close());
    const coordinator: Coordinator = await adapters.createCoordinator(options.coordinatorUrl);
    cleanups.push(() => coordinator.close());
    log.info(
      {
        store: options.storeUrl.replace(/\/\/[^@/]*@/, "//***@"),
        bus: options.busUrl,
        coordinator: options.coordinatorUrl,
      },
      "store, bus and coordinator ready",
    );

    const supervisor = new EngineSupervisor({
      port: options.enginePort,
      onEvent: (event) => {
        metrics.engineConnection.set(engineConnectionValue(event));
        if (event.type === "fatal" || event.type === "unhealthy")
          log.error({ event }, `engine ${event.type}`);
        else log.info({ event }, `engine ${event.type}`);
      },
    });
    const engineStarted = supervisor.start();
    cleanups.push(async () => {
      await engineStarted.catch(() => undefined);
      await supervisor.stop();
      metrics.engineConnection.set(0);
    });

    // First start: the demo station and its generated library (concurrently with the engine start).
    const existing = await store.stations.list({ limit: 1000 });
    if (existing.length === 0 && options.demo) {
      const report = await bootstrapDemoStation({
        store,
        config,
        mediaRoot,
        dataDir: options.dataDir,
        log: (message, context) => log.info(context ?? {}, message),
      });
      log.info(report, "demo station created");
    } else if (!existing.some((s) => s.id === stationId)) {
      await store.stations.create({
        id: stationId,
        name: config.station.name,
        timezone: config.station.timezone,
        ...(config.station.slug === undefined ? {} : { slug: config.station.slug }),
        active: true,
      });
      for (const mount of config.mounts) {
        await store.mounts.create({
          id: mount.id,
          stationId,
          name: mount.name,
          outputs: mount.outputs,
        });
      }
      log.info({ stationId }, "station created from the configuration (empty library)");
    }

    const jwtSecret =
      options.jwtSecret ??
      (await secretFile(join(options.dataDir, "jwt-secret"), () => randomBytes(32).toString("hex")))
        .value;
    if ((await store.users.list({ limit: 1 })).length === 0) {
      const password =
        options.adminPassword ??
        (
          await secretFile(join(options.dataDir, "admin-password"), () =>
            randomBytes(9).toString("base64url"),
          )
        ).value;
      await store.users.create({
        username: "admin",
        displayName: "Administrator",
        passwordHash: await hashPassword(password),
        roles: [{ stationId: "*", role: "admin" }],
        disabled: false,
      });
      log.info(
        {
          username: "admin",
          passwordFile:
            options.adminPassword === undefined
              ? join(options.dataDir, "admin-password")
              : "GRIMNIR_ADMIN_PASSWORD",
        },
        "admin user created",
      );
    }

    await engineStarted;
    log.info({ enginePort: options.enginePort, pid: supervisor.pid }, "media engine started");

    const configs = new Map([[stationId, config]]);
    const emergencyPath = config.failover.emergencyAudioPath;
    const playout = new Playout({
      instanceId: options.instanceId,
      store,
      bus,
      coordinator,
      supervisor,
      logger,
      timeSource: time,
      mediaRoot,
      streamPort: options.streamPort,
      configs,
      metrics,
      emergencyFile: (id) => {
        if (id === stationId && emergencyPath !== undefined && emergencyPath !== "") {
          return isAbsolute(emergencyPath)
            ? emergencyPath
            : resolve(options.dataDir, emergencyPath);
        }
        return demoEmergencyFile(mediaRoot, id);
      },
    });
    const planner = new PlannerService({
      store,
      bus,
      dataDir: options.dataDir,
      timeSource: time,
      crossfadeMs: config.crossfade.durationMs,
      onRegenerated: (id, result) => {
        log.info({ stationId: id, ...result }, "timeline regenerated");
        void playout.pool.executor(id)?.executor.refreshTimeline();
      },
    });
    // Every instance plans (regeneration is idempotent); there is no planner election yet.
    metrics.leaderElection.set(1);
    const replanAll = async (): Promise<void> => {
      metrics.schedulerTicks.inc();
      let stations: Awaited<ReturnType<typeof store.stations.list>>;
      try {
        stations = await store.stations.list({ limit: 1000 });
      } catch (err) {
        metrics.schedulerErrors.inc();
        log.error({ err }, "planning failed: the station list could not be read");
        return;
      }
      for (const station of stations) {
        if (!station.active) continue;
        try {
          await planner.regenerate(station.id);
        } catch (err) {
          metrics.schedulerErrors.inc();
          log.error(
            { err, stationId: station.id },
            "planning failed; the stored timeline stays on air",
          );
        }
      }
    };
    await replanAll();
    const replanTimer = setInterval(() => void replanAll(), options.plannerIntervalMs);
    cleanups.push(async () => clearInterval(replanTimer));

    const unwatch = await watchServerMetrics(metrics, bus, playout);
    cleanups.push(unwatch);

    await playout.refreshStations();
    playout.start();
    cleanups.push(() => playout.stop());
    const stationsTimer = setInterval(() => {
      playout
        .refreshStations()
        .catch((err: unknown) => log.warn({ err }, "station list refresh failed"));
    }, 30_000);
    cleanups.push(async () => clearInterval(stationsTimer));

    // Loudness analysis of new media runs in the background, after the station is on air.
    let stopping = false;
    const analysis = (async () => {
      for (const station of await store.stations.list({ limit: 1000 })) {
        if (stopping) return;
        const result = await analyzePendingMedia(store, station.id, mediaRoot, () => stopping);
        if (result.analysed + result.failed > 0)
          log.info({ stationId: station.id, ...result }, "media analysed");
      }
    })().catch((err: unknown) => log.error({ err }, "background media analysis failed"));
    cleanups.push(async () => {
      stopping = true;
      await analysis;
    });

    const history = new LoudnessHistory();
    await history.start(bus);
    cleanups.push(() => history.stop());

    const api = createApi({
      store,
      bus,
      auth: { jwtSecret },
      ports: {
        planner,
        priority: playout.priorityPort(),
        executor: playout.executorPort(),
        engine: supervisor.engine,
      },
      logger: logger.child(
        { component: "http" },
        { level: options.logLevel === "info" ? "warn" : options.logLevel },
      ),
    });
    exposeServerMetrics(api, metrics);
    registerStreamProxy(api, options.streamPort);
    registerDashboard(api, history, () => time.now());
    await api.listen({ port: options.port, host: options.host });
    cleanups.push(() => api.close());
    const port = (api.server.address() as AddressInfo).port;
    const shownHost =
      options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
    const url = `http://${shownHost}:${port}`;
    log.info(
      {
        url,
        stream: `${url}/stream/${config.mounts[0]?.outputs.find((o) => o.type === "http")?.path ?? "<none>"}`,
        dashboard: `${url}/dashboard/`,
        stations: playout.ownedStations,
      },
      "grimnir serve is on air",
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      stationId,
      store,
      bus,
      playout,
      planner,
      api,
      metrics,
      close: () => (closing ??= closeAll().then(() => log.info("grimnir serve stopped"))),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
