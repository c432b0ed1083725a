import { isAbsolute, join } from "node:path";
import { GrimnirError, PRIORITY_NAMES } from "@grimnir/core";
import type {
  Coordinator,
  EventBus,
  ExecutorStateName,
  Lease,
  Mount,
  StationConfig,
  Store,
  TimeSource,
} from "@grimnir/core";
import { ExecutorPool, StationExecutor, storeEntryResolver } from "@grimnir/executor";
import type { ExecutorEvent, PooledExecutor } from "@grimnir/executor";
import type { EngineSupervisor, OutputSpec } from "@grimnir/engine";
import type { ExecutorPort, PriorityPort, PriorityStackEntry, ServerMetrics } from "@grimnir/http";
import { executorLogger } from "./logger.js";
import type { ServerLogger } from "./logger.js";

/** Engine outputs for a station's mounts: built-in HTTP streams on `streamPort`, Icecast pushes. */
export function outputsForMounts(mounts: Mount[], streamPort: number): OutputSpec[] {
  const specs: OutputSpec[] = [];
  for (const mount of mounts) {
    for (const output of mount.outputs) {
      if (output.type === "http") {
        specs.push({
          name: output.path.replace(/\.[A-Za-z0-9]+$/, ""),
          format: output.format,
          bitrateKbps: output.bitrateKbps,
          httpPort: streamPort,
        });
      } else if (output.type === "icecast") {
        specs.push({
          name: `${mount.id}-icecast-${specs.length}`,
          format: output.format,
          bitrateKbps: output.bitrateKbps,
          icecastUrl: output.url,
        });
      }
    }
  }
  return specs;
}

/** Options of {@link Playout}. */
export interface PlayoutOptions {
  instanceId: string;
  store: Store;
  bus: EventBus;
  coordinator: Coordinator;
  supervisor: EngineSupervisor;
  logger: ServerLogger;
  timeSource: TimeSource;
  /** Root of local media storage; relative storage keys resolve against it. */
  mediaRoot: string;
  /** Port of the engine's built-in HTTP streams. */
  streamPort: number;
  /** Per-station configuration from the station file, when the station has one. */
  configs: Map<string, StationConfig>;
  /** Emergency audio of a station (absolute path), when `insertEmergency` names no media. */
  emergencyFile: (stationId: string) => string | undefined;
  /** Lease time to live, ms (default 10 000). */
  leaseTtlMs?: number;
  /** Metrics to keep the executor state gauge of the driven stations in. */
  metrics?: ServerMetrics;
  /**
   * Stop the station's audio in the local engine when this instance stops
   * driving it (default false: the engine keeps playing so a restarted
   * executor reattaches without a gap). Set in a cluster, where each instance
   * has its own engine and the next owner plays the station on another one.
   */
  stopAudioOnRelease?: boolean;
}

/** One station driven by this instance: outputs configured, then its executor. */
export class StationDriver implements PooledExecutor {
  readonly executor: StationExecutor;
  readonly #playout: Playout;
  readonly #lease: Lease;
  #starting: Promise<void> | undefined;
  #pending = false;
  #failed = false;
  #stopped = false;

  constructor(playout: Playout, executor: StationExecutor, lease: Lease) {
    this.#playout = playout;
    this.executor = executor;
    this.#lease = lease;
  }

  /** True while starting or driving; false once the start failed or the executor stopped by itself. */
  get running(): boolean {
    return !this.#failed && (this.#pending || this.executor.running);
  }

  /**
   * Begin driving: configure the station's outputs and start the executor in
   * the background. The pool renews every lease in one loop, so a slow engine
   * (seconds on a loaded machine) must not hold up the other stations'
   * renewals; a start that fails makes `running` false and the pool gives the
   * station up on its next round.
   */
  async start(): Promise<void> {
    const stationId = this.executor.stationId;
    this.#pending = true;
    this.#starting = (async () => {
      try {
        await this.#playout.configureStation(stationId);
        // Given up while the outputs were configured: the executor must not start without the lease.
        if (this.#stopped) return;
        await this.executor.start();
        if (this.#stopped) {
          await this.executor.stop();
          return;
        }
        this.#playout.metrics?.setExecutorState(stationId, this.executor.state);
        this.#playout.log.info(
          { stationId, fencingToken: this.#lease.token, owner: this.#lease.holder },
          "driving station",
        );
      } catch (err) {
        this.#failed = true;
        this.#playout.log.error(
          { err, stationId },
          "executor did not start; giving the station up",
        );
      } finally {
        this.#pending = false;
      }
    })();
  }

  /**
   * Stop driving: the executor stops (its pending state writes flushed) before
   * the pool releases the lease. A start still in progress is waited for at
   * most 1 s, then overtaken (it checks `stopped` before and after starting the
   * executor). In a cluster the local engine is told to go silent in the
   * background, so a slow engine cannot hold up the pool's lease renewals.
   */
  async stop(): Promise<void> {
    const stationId = this.executor.stationId;
    this.#stopped = true;
    if (this.#starting !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.#starting, new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
    }
    try {
      await this.executor.stop();
    } finally {
      this.#playout.metrics?.clearExecutorState(stationId);
      this.#playout.log.info(
        { stationId, fencingToken: this.#lease.token, owner: this.#lease.holder },
        "stopped driving station",
      );
      if (this.#playout.stopsAudioOnRelease) void this.#playout.stopAudio(stationId);
    }
  }
}

/**
 * The playout side of `grimnir serve`: an {@link ExecutorPool} of
 * {@link StationExecutor}s (one per station this instance owns, by hash ring
 * and Coordinator lease with fencing token), the engine outputs of each
 * station, and the API's priority and executor ports over them.
 */
export class Playout {
  readonly pool: ExecutorPool<StationDriver>;
  readonly log: ServerLogger;
  /** Where executor states are reported, when given. */
  readonly metrics: ServerMetrics | undefined;
  readonly #o: PlayoutOptions;
  readonly #silencing = new Map<string, Promise<void>>();

  /** Configure; nothing runs until {@link Playout.start}. */
  constructor(options: PlayoutOptions) {
    this.#o = options;
    this.log = options.logger.child({ component: "playout" });
    this.metrics = options.metrics;
    const execLogger = executorLogger(options.logger.child({ component: "executor" }));
    this.pool = new ExecutorPool<StationDriver>({
      instanceId: options.instanceId,
      coordinator: options.coordinator,
      leaseTtlMs: options.leaseTtlMs ?? 10_000,
      timeSource: options.timeSource,
      logger: execLogger,
      onOwnershipChange: (change) =>
        this.log.info(change, change.owned ? "station taken" : "station given up"),
      createExecutor: (stationId, lease) => {
        // The claim: logged the moment the lease is won, before anything plays.
        this.log.info(
          { stationId, fencingToken: lease.token, owner: lease.holder },
          "station lease acquired",
        );
        const config = options.configs.get(stationId);
        const resolve = storeEntryResolver(options.store, {
          loudnessTargetLufs: config?.loudnessTargetLufs ?? -16,
        });
        const executor = new StationExecutor({
          stationId,
          engine: options.supervisor.engine,
          store: options.store,
          bus: options.bus,
          timeSource: options.timeSource,
          logger: execLogger,
          ownerId: options.instanceId,
          fencingToken: lease.token,
          crossfadeMs: config?.crossfade.durationMs ?? 0,
          curve: config?.crossfade.curve ?? "scurve",
          preloadMs: (config?.preloadSec ?? 30) * 1000,
          // The executor's defaults (3 s commands, 400 ms status) fail over on a busy 2-core box
          // (three engines in a cluster on one machine) while the engine is fine.
          engineTimeoutMs: 3000,
          engineStatusTimeoutMs: 3000,
          engineCheckEveryMs: 1000,
          resolveEntry: async (entry) => {
            const resolved = await resolve(entry);
            if (
              resolved === undefined ||
              /^[a-z][a-z0-9+.-]*:/i.test(resolved.uri) ||
              isAbsolute(resolved.uri)
            ) {
              return resolved;
            }
            return { ...resolved, uri: join(options.mediaRoot, resolved.uri) };
          },
          onEvent: (event: ExecutorEvent) => {
            if (event.type === "reattached") this.metrics?.setExecutorState(stationId, event.state);
            this.log.info({ event: { ...event } }, `executor ${event.type}`);
          },
        });
        return new StationDriver(this, executor, lease);
      },
    });
  }

  /** True when giving a station up also stops its audio in the local engine. */
  get stopsAudioOnRelease(): boolean {
    return this.#o.stopAudioOnRelease === true;
  }

  /**
   * Stop a station's audio in the local engine and remove its outputs (so its
   * encoder stops too), waiting at most 2 s (a busy engine must not hold up
   * lease handling); failures are logged.
   */
  async stopAudio(stationId: string): Promise<void> {
    const { supervisor } = this.#o;
    // Tracked until the engine really answered, so a re-configure of the station waits for it.
    const silencing = (async () => {
      await supervisor.engine.stop(stationId, { fadeOutMs: 0 });
      await supervisor.configureOutputs(stationId, []);
    })()
      .catch((err: unknown) => {
        this.log.warn({ err, stationId }, "could not stop the station's audio in the local engine");
      })
      .finally(() => {
        if (this.#silencing.get(stationId) === silencing) this.#silencing.delete(stationId);
      });
    this.#silencing.set(stationId, silencing);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      silencing.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 2000))),
    ]);
    clearTimeout(timer);
    if (!done) this.log.warn({ stationId }, "the local engine did not stop the station within 2 s");
  }

  /** Replace the instances sharing the stations (from cluster membership) and reconcile at once. */
  async setMembers(members: readonly string[]): Promise<void> {
    this.pool.setMembers(members);
    await this.pool.reconcile();
  }

  /** State of a station's executor when this instance drives it, else undefined. */
  stateOf(stationId: string): ExecutorStateName | undefined {
    return this.pool.executor(stationId)?.executor.state;
  }

  /** Stations this instance drives now. */
  get ownedStations(): string[] {
    return this.pool.ownedStations;
  }

  /** Apply a station's outputs to the engine (through the supervisor, so a restart re-applies them). */
  async configureStation(stationId: string): Promise<void> {
    // A silencing of this station still under way must not remove the outputs configured now.
    await this.#silencing.get(stationId);
    const mounts = await this.#o.store.mounts.list(stationId, { limit: 1000 });
    const outputs = outputsForMounts(mounts, this.#o.streamPort);
    if (outputs.length > 0) await this.#o.supervisor.configureOutputs(stationId, outputs);
  }

  /** Read the active stations from the Store and hand them to the pool; then reconcile once. */
  async refreshStations(): Promise<void> {
    const stations = await this.#o.store.stations.list({ limit: 1000 });
    this.pool.setStations(stations.filter((s) => s.active).map((s) => s.id));
    await this.pool.reconcile();
  }

  /** Start the pool's lease loop. */
  start(): void {
    this.pool.run();
  }

  /** Stop every executor and release every lease; the engine keeps playing until it is stopped. */
  async stop(): Promise<void> {
    await this.pool.shutdown();
  }

  /** The running executor of a station, or `CONFLICT` naming why it is not here. */
  executorOf(stationId: string): StationExecutor {
    const driver = this.pool.executor(stationId);
    if (driver === undefined) {
      throw new GrimnirError(
        "CONFLICT",
        `station ${stationId} is not driven by this instance (${this.#o.instanceId}); send the request to its owner`,
        { details: { stationId, instanceId: this.#o.instanceId } },
      );
    }
    return driver.executor;
  }

  /** The API's priority port over the executors. */
  priorityPort(): PriorityPort {
    const entryOf = (
      source: StationExecutor["sources"][number],
      onAirId: string | undefined,
    ): PriorityStackEntry => ({
      ...source,
      kind: PRIORITY_NAMES[source.priority] ?? String(source.priority),
      onAir: source.id === onAirId,
      ...(source.title === undefined ? {} : { label: source.title }),
    });
    return {
      stack: async (stationId) => {
        const executor = this.executorOf(stationId);
        return executor.sources.map((s) => entryOf(s, executor.onAir?.id));
      },
      insertEmergency: async (stationId, request) => {
        const executor = this.executorOf(stationId);
        let uri: string | undefined;
        let title = `Emergency: ${request.reason}`;
        if (request.mediaId !== undefined) {
          const media = await this.#o.store.media.get(stationId, request.mediaId);
          if (media === undefined) {
            throw new GrimnirError(
              "NOT_FOUND",
              `media ${request.mediaId} does not exist in station ${stationId}`,
              {
                details: { field: "mediaId" },
              },
            );
          }
          uri = isAbsolute(media.storageKey)
            ? media.storageKey
            : join(this.#o.mediaRoot, media.storageKey);
          title = media.title;
        } else {
          uri = this.#o.emergencyFile(stationId);
        }
        if (uri === undefined) {
          throw new GrimnirError(
            "VALIDATION",
            `station ${stationId} has no emergency audio: give mediaId or set failover.emergency_audio_path`,
            { details: { field: "mediaId" } },
          );
        }
        const id = `${this.#o.timeSource.now().toString(36)}`;
        await executor.insertEmergency({ id, uri, title });
        const source = executor.sources.find((s) => s.id === `emergency:${id}`);
        if (source === undefined) {
          throw new GrimnirError(
            "INTERNAL",
            `emergency ${id} was inserted but is not in the priority stack`,
          );
        }
        this.log.warn(
          {
            stationId,
            sourceId: source.id,
            requestedBy: request.requestedBy,
            reason: request.reason,
          },
          "emergency inserted",
        );
        return entryOf(source, executor.onAir?.id);
      },
      release: async (stationId, sourceId, requestedBy) => {
        const executor = this.executorOf(stationId);
        if (!executor.sources.some((s) => s.id === sourceId)) {
          throw new GrimnirError(
            "NOT_FOUND",
            `source ${sourceId} is not active on station ${stationId}`,
            {
              details: { field: "sourceId" },
            },
          );
        }
        if (sourceId.startsWith("emergency:"))
          await executor.endEmergency(sourceId.slice("emergency:".length));
        else if (sourceId.startsWith("live:"))
          await executor.endLive(sourceId.slice("live:".length));
        else {
          throw new GrimnirError(
            "VALIDATION",
            `source ${sourceId} is derived (automation/fallback) and cannot be released`,
            {
              details: { field: "sourceId" },
            },
          );
        }
        this.log.info({ stationId, sourceId, requestedBy }, "source released");
      },
    };
  }

  /** The API's executor port: the live view of a station's executor. */
  executorPort(): ExecutorPort {
    return {
      live: async (stationId) => {
        const driver = this.pool.executor(stationId);
        if (driver === undefined) return { drivenHere: false, instanceId: this.#o.instanceId };
        const executor = driver.executor;
        const onAir = executor.onAir;
        return {
          drivenHere: true,
          instanceId: this.#o.instanceId,
          state: executor.state,
          ...(onAir === undefined
            ? {}
            : {
                onAir: { ...onAir, kind: PRIORITY_NAMES[onAir.priority] ?? String(onAir.priority) },
              }),
          ...(executor.currentEntryId === undefined
            ? {}
            : { currentEntryId: executor.currentEntryId }),
          ...(executor.positionMs === undefined ? {} : { positionMs: executor.positionMs }),
          ...(executor.nextEntryId === undefined ? {} : { nextEntryId: executor.nextEntryId }),
          sources: executor.sources,
          failoverCauses: Object.fromEntries(executor.failoverCauses),
          stats: executor.stats,
        };
      },
    };
  }
}
