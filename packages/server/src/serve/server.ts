import { randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type { AddressInfo } from "node:net";
import {
  GrimnirError,
  SystemTimeSource,
  adapters,
  loadStationConfig,
  parseStationConfig,
} from "@grimnir/core";
import type { Coordinator, EventBus, StationConfig, Store } from "@grimnir/core";
import { registerSqlStores } from "@grimnir/store-pg";
import { LeaderElector, registerBusAdapters } from "@grimnir/bus-redis";
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
import { ServeLive } from "./live.js";
import { Playout } from "./playout.js";
import { registerStreamProxy } from "./stream-proxy.js";
import { registerDashboard } from "./dashboard.js";
import { libraryMediaPort } from "./media-port.js";
import { importersPort } from "./import-port.js";
import { startTracing } from "./tracing.js";
import {
  databaseConnectionCount,
  engineConnectionValue,
  exposeServerMetrics,
  watchServerMetrics,
} from "./metrics.js";
import { ClusterMembership } from "./membership.js";

/** Coordinator key of the planner leadership: only its holder re-plans. */
export const PLANNER_LEADER_KEY = "planner-leader";

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

async function loadConfigs(options: ServeOptions): Promise<StationConfig[]> {
  const file = options.configFile;
  if (file === undefined) {
    return [parseStationConfig(EMBEDDED_STATION_YAML, "<embedded demo station>").config];
  }
  if (!(await stat(file)).isDirectory()) return [(await loadStationConfig(file)).config];
  const names = (await readdir(file)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  if (names.length === 0) {
    throw new GrimnirError("CONFIG_INVALID", `${file} holds no station files (*.yaml, *.yml)`, {
      details: { file, field: "--config" },
    });
  }
  const configs: StationConfig[] = [];
  for (const name of names) {
    const config = (await loadStationConfig(join(file, name))).config;
    const clash = configs.find((c) => c.station.id === config.station.id);
    if (clash !== undefined) {
      throw new GrimnirError(
        "CONFIG_INVALID",
        `${join(file, name)}: station.id "${config.station.id}" is used by another file of ${file}`,
        { details: { file: join(file, name), field: "station.id" } },
      );
    }
    configs.push(config);
  }
  return configs;
}

/**
 * Run `fn` while holding the Coordinator's `setup` lease, so instances that
 * start together create missing stations once. Waits for another holder.
 */
async function withSetupLease<T>(
  coordinator: Coordinator,
  holder: string,
  fn: () => Promise<T>,
): Promise<T> {
  const ttlMs = 30_000;
  let lease = await coordinator.acquire("setup", holder, ttlMs);
  const deadline = Date.now() + 10 * 60_000;
  while (lease === undefined) {
    if (Date.now() > deadline) {
      throw new GrimnirError(
        "CONFLICT",
        "another instance held the setup lease for 10 minutes; station setup did not run",
      );
    }
    await new Promise((r) => setTimeout(r, 500));
    lease = await coordinator.acquire("setup", holder, ttlMs);
  }
  let held = lease;
  const renewal = setInterval(() => {
    void coordinator.renew(held, ttlMs).then((next) => {
      if (next !== undefined) held = next;
    });
  }, ttlMs / 3);
  try {
    return await fn();
  } finally {
    clearInterval(renewal);
    await coordinator.release(held);
  }
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
    // OpenTelemetry: off unless OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set.
    const tracing = startTracing({ instanceId: options.instanceId });
    if (tracing !== undefined) {
      cleanups.push(() => tracing.shutdown());
      log.info({ url: tracing.url }, "OpenTelemetry tracing on");
    }
    const stationConfigs = await loadConfigs(options);
    const config = stationConfigs[0]!;
    const stationId = config.station.id;
    await mkdir(options.dataDir, { recursive: true });
    const mediaRoot = options.mediaDir;
    registerSqlStores(adapters);
    registerBusAdapters(adapters);

    const store = await adapters.createStore(options.storeUrl);
    // PostgresStore reports its pool (`stats()`); other stores count as one open connection.
    const sampleConnections = (): void =>
      metrics.databaseConnections.set(databaseConnectionCount(store));
    sampleConnections();
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
        else if (event.type === "restarted")
          log.warn({ event }, `engine restarted: ${event.reason}`);
        else log.info({ event }, `engine ${event.type}`);
      },
    });
    const engineStarted = supervisor.start();
    cleanups.push(async () => {
      await engineStarted.catch(() => undefined);
      await supervisor.stop();
      metrics.engineConnection.set(0);
    });

    const jwtSecret =
      options.jwtSecret ??
      (await secretFile(join(options.dataDir, "jwt-secret"), () => randomBytes(32).toString("hex")))
        .value;
    // First start: the configured stations, on an empty store with the demo library
    // (concurrently with the engine start) and the admin user; one instance of a cluster at a time.
    await withSetupLease(coordinator, options.instanceId, async () => {
      const existing = await store.stations.list({ limit: 1000 });
      for (const stationConfig of stationConfigs) {
        const id = stationConfig.station.id;
        if (existing.some((s) => s.id === id)) continue;
        if (existing.length === 0 && options.demo) {
          const report = await bootstrapDemoStation({
            store,
            config: stationConfig,
            mediaRoot,
            dataDir: options.dataDir,
            log: (message, context) => log.info(context ?? {}, message),
          });
          log.info(report, "demo station created");
          continue;
        }
        await store.stations.create({
          id,
          name: stationConfig.station.name,
          timezone: stationConfig.station.timezone,
          ...(stationConfig.station.slug === undefined ? {} : { slug: stationConfig.station.slug }),
          active: true,
        });
        for (const mount of stationConfig.mounts) {
          await store.mounts.create({
            id: mount.id,
            stationId: id,
            name: mount.name,
            outputs: mount.outputs,
          });
        }
        log.info({ stationId: id }, "station created from the configuration (empty library)");
      }
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
    });

    await engineStarted;
    log.info({ enginePort: options.enginePort, pid: supervisor.pid }, "media engine started");

    const configs = new Map(stationConfigs.map((c) => [c.station.id, c]));
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
      leaseTtlMs: options.leaseTtlMs,
      // In a cluster every instance has its own engine: a station given up must fall silent here.
      stopAudioOnRelease: options.peers.length > 0,
      emergencyFile: (id) => {
        const emergencyPath = configs.get(id)?.failover.emergencyAudioPath;
        if (emergencyPath !== undefined && emergencyPath !== "") {
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
      hours: options.plannerHours,
      crossfadeMs: config.crossfade.durationMs,
      crossfadeMsOf: (id) => configs.get(id)?.crossfade.durationMs,
      onRegenerated: (id, result) => {
        log.info(
          { stationId: id, ...result, plannerToken: elector.lease?.token },
          "timeline regenerated",
        );
      },
    });
    // Every instance's executors re-read the timeline when the planner leader stored a new one.
    const scheduleWatch = await bus.subscribe("schedule.updated", "*", (event) => {
      void playout.pool.executor(event.stationId)?.executor.refreshTimeline();
    });
    cleanups.push(() => scheduleWatch.unsubscribe());

    // Planner leadership: a renewed Coordinator lease; only its holder re-plans and analyses media.
    const elector = new LeaderElector(coordinator, {
      key: PLANNER_LEADER_KEY,
      holder: options.instanceId,
      ttlMs: options.leaseTtlMs,
      onError: (err) => log.warn({ err }, "planner leader election: coordinator call failed"),
    });
    metrics.leaderElection.set(0);
    let planning: Promise<void> = Promise.resolve();
    let stopping = false;
    let analysis: Promise<void> | undefined;
    const analyseMedia = async (): Promise<void> => {
      // Loudness analysis of new media runs in the background, after the station is on air.
      for (const station of await store.stations.list({ limit: 1000 })) {
        if (stopping || !elector.isLeader) return;
        const result = await analyzePendingMedia(
          store,
          station.id,
          mediaRoot,
          () => stopping || !elector.isLeader,
        );
        if (result.analysed + result.failed > 0)
          log.info({ stationId: station.id, ...result }, "media analysed");
      }
    };
    const replanAll = async (): Promise<void> => {
      if (!elector.isLeader) return;
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
        // Deposed meanwhile (lease lost or expired): the new leader plans from here.
        if (!elector.isLeader) return;
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
    const elected = new Promise<boolean>((resolveElected) => {
      const timer = setTimeout(() => resolveElected(false), Math.min(2000, options.leaseTtlMs));
      elector.onElected(() => {
        clearTimeout(timer);
        resolveElected(true);
      });
    });
    elector.onElected((lease) => {
      metrics.leaderElection.set(1);
      log.info(
        { fencingToken: lease.token, owner: lease.holder },
        "planner leadership won: this instance plans",
      );
      planning = planning.then(replanAll);
      analysis ??= analyseMedia()
        .catch((err: unknown) => log.error({ err }, "background media analysis failed"))
        .finally(() => {
          analysis = undefined;
        });
    });
    elector.onDeposed((lease) => {
      metrics.leaderElection.set(0);
      log.warn({ fencingToken: lease.token }, "planner leadership lost: this instance follows");
    });
    elector.start();
    cleanups.push(async () => {
      stopping = true;
      await elector.stop();
      metrics.leaderElection.set(0);
      await planning;
      await analysis;
    });
    // A single instance is leader at once: plan before the executors start, as before.
    if (await elected) await planning;
    const replanTimer = setInterval(() => {
      planning = planning.then(replanAll);
    }, options.plannerIntervalMs);
    cleanups.push(async () => clearInterval(replanTimer));

    const unwatch = await watchServerMetrics(metrics, bus, playout);
    cleanups.push(unwatch);

    if (options.peers.length > 0) {
      const membership = new ClusterMembership({
        coordinator,
        instanceId: options.instanceId,
        peers: options.peers,
        ttlMs: options.leaseTtlMs,
        logger: logger.child({ component: "membership" }),
        onChange: (members) => {
          playout
            .setMembers(members)
            .catch((err: unknown) =>
              log.warn({ err }, "reconcile after a membership change failed"),
            );
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
      cleanups.push(() => membership.stop());
    }
    await playout.refreshStations();
    playout.start();
    cleanups.push(() => playout.stop());
    const stationsTimer = setInterval(() => {
      playout
        .refreshStations()
        .catch((err: unknown) => log.warn({ err }, "station list refresh failed"));
    }, 30_000);
    cleanups.push(async () => clearInterval(stationsTimer));

    const live = new ServeLive({
      ...{ store, bus, time, logger, configs, harborOptional: options.harborOptional },
      executorOf: (id) => playout.pool.executor(id)?.executor,
      ownedStations: () => playout.ownedStations,
      harbor: { host: options.harborHost, port: options.harborPort },
      engine: supervisor.engine,
    });
    await live.start();
    cleanups.push(() => live.close());

    const history = new LoudnessHistory();
    await history.start(bus);
    cleanups.push(() => history.stop());

    const mediaPort = libraryMediaPort({ store, mediaRoot, timeSource: time });
    cleanups.push(() => mediaPort.close());
    const api = createApi({
      store,
      bus,
      auth: { jwtSecret },
      ports: {
        media: mediaPort,
        imports: importersPort(store),
        planner,
        priority: playout.priorityPort(),
        executor: playout.executorPort(),
        engine: supervisor.engine,
        live: live.livePort(),
        webstreams: live.webstreamPort(),
      },
      logger: logger.child(
        { component: "http" },
        { level: options.logLevel === "info" ? "warn" : options.logLevel },
      ),
    });
    exposeServerMetrics(api, metrics, sampleConnections);
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
        plannerLeader: elector.isLeader,
      },
      "grimnir serve is on air",
    );

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      stationId,
      stationIds: stationConfigs.map((c) => c.station.id),
      isPlannerLeader: () => elector.isLeader,
      store,
      bus,
      playout,
      planner,
      live,
      api,
      metrics,
      close: () => (closing ??= closeAll().then(() => log.info("grimnir serve stopped"))),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
