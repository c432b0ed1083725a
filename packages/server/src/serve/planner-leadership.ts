import type { Coordinator, EventBus, StationConfig, Store, TimeSource } from "@grimnir/core";
import { LeaderElector } from "@grimnir/bus-redis";
import type { ServerMetrics } from "@grimnir/http";
import { analyzePendingMedia } from "./demo-station.js";
import type { ServerLogger } from "./logger.js";
import type { ServeOptions } from "./options.js";
import { PlannerService } from "./planner-service.js";
import type { ShutdownSequence } from "./shutdown.js";

/** Coordinator key of the planner leadership: only its holder re-plans. */
export const PLANNER_LEADER_KEY = "planner-leader";

/** What the planner and its leadership are built from. */
export interface PlannerWiring {
  readonly options: Pick<
    ServeOptions,
    "instanceId" | "dataDir" | "mediaDir" | "plannerHours" | "plannerIntervalMs" | "leaseTtlMs"
  >;
  readonly store: Store;
  readonly bus: EventBus;
  readonly coordinator: Coordinator;
  readonly time: TimeSource;
  /** The first station's configuration: its crossfade is the default. */
  readonly config: StationConfig;
  /** Station configurations by station id. */
  readonly configs: Map<string, StationConfig>;
  readonly metrics: ServerMetrics;
  readonly log: ServerLogger;
  readonly shutdown: ShutdownSequence;
}

/** The planner of `grimnir serve` and the leadership that decides whether it runs here. */
export interface PlannerLeadership {
  readonly planner: PlannerService;
  /** Holds the Coordinator lease {@link PLANNER_LEADER_KEY}; `isLeader` says whether this instance plans. */
  readonly elector: LeaderElector;
}

/**
 * Build the planner and run for its leadership (a renewed Coordinator lease
 * of `leaseTtlMs`). While leader, this instance re-plans every active station
 * (now and every `plannerIntervalMs`; a station that fails keeps its stored
 * timeline and counts in `schedulerErrors`) and analyses the loudness of
 * pending media in the background. Resolves once the first planning is done
 * when leadership was won within min(2 s, `leaseTtlMs`), otherwise at once,
 * so a single instance plans before its executors start. Registers the
 * shutdown steps: step down and wait for planning and analysis, stop the
 * re-plan timer.
 */
export async function startPlannerLeadership(wiring: PlannerWiring): Promise<PlannerLeadership> {
  const { options, store, metrics, log, configs } = wiring;
  const mediaRoot = options.mediaDir;
  const planner = new PlannerService({
    store,
    bus: wiring.bus,
    dataDir: options.dataDir,
    timeSource: wiring.time,
    hours: options.plannerHours,
    crossfadeMs: wiring.config.crossfade.durationMs,
    crossfadeMsOf: (id) => configs.get(id)?.crossfade.durationMs,
    onRegenerated: (id, result) => {
      log.info(
        { stationId: id, ...result, plannerToken: elector.lease?.token },
        "timeline regenerated",
      );
    },
  });

  // Planner leadership: a renewed Coordinator lease; only its holder re-plans and analyses media.
  const elector = new LeaderElector(wiring.coordinator, {
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
  wiring.shutdown.push(async () => {
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
  wiring.shutdown.push(async () => clearInterval(replanTimer));
  return { planner, elector };
}
