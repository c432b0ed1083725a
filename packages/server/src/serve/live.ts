import { GrimnirError, Priority } from "@grimnir/core";
import type {
  EventBus,
  LiveSession,
  StationConfig,
  Store,
  Subscription,
  TimeSource,
  Webstream,
} from "@grimnir/core";
import type { EngineStreamHandlers, StationEvent } from "@grimnir/engine";
import { Harbor, LiveService, WebstreamHealthChecker, splitSong } from "@grimnir/live";
import type { HarborMetadataUpdate, LiveLogger, WebstreamSwitch } from "@grimnir/live";
import type { StationExecutor } from "@grimnir/executor";
import type { LivePort, WebstreamPort } from "@grimnir/http";
import type { ServerLogger } from "./logger.js";

/**
 * Health checks of a webstream created from the station file: the API's
 * defaults, but with GET, since Icecast answers HEAD with 400.
 */
const CONFIGURED_WEBSTREAM_HEALTH: Webstream["health"] = {
  intervalMs: 10_000,
  timeoutMs: 5_000,
  method: "GET",
  failoverAfter: 3,
};
const CONFIGURED_WEBSTREAM_FAILOVER: Webstream["failover"] = {
  enabled: true,
  graceMs: 5_000,
  autoRecover: true,
};

/** Options of {@link ServeLive}. */
export interface ServeLiveOptions {
  store: Store;
  bus: EventBus;
  time: TimeSource;
  logger: ServerLogger;
  /** Station files by station id: `failover.live_timeout_sec` and `webstreams` come from here. */
  configs: Map<string, StationConfig>;
  /** The running executor of a station when this instance drives it. */
  executorOf: (stationId: string) => StationExecutor | undefined;
  /** Stations this instance drives now (their webstreams are health-checked here). */
  ownedStations: () => string[];
  /** Harbor (Icecast-compatible source input) interface and port; port 0 = any free port. */
  harbor: { host: string; port: number; advertiseHost?: string };
  /**
   * When true, a harbor port already in use is logged and the server runs
   * without live input (the default port); when false it is an error (a port
   * the user chose).
   */
  harborOptional?: boolean;
  /** How often the set of health-checked webstreams is re-read, ms (default 10 000). */
  webstreamRefreshMs?: number;
  /**
   * The local engine's event stream (`EngineClient.subscribe`): its
   * `live_disconnected` / `live_connected` reports end or resume the sessions
   * whose input the engine pulls itself (`srt://`, `rtp://`). Without it only
   * harbor sessions end by themselves when the DJ drops.
   */
  engine?: { subscribe(stationId: string, handlers: EngineStreamHandlers): Promise<Subscription> };
}

/** The station's engine-pulled input a live session plays from. */
interface EngineFedSession {
  stationId: string;
  sessionId: string;
}

/**
 * Live DJs and webstream relays of `grimnir serve`, wired to the executors:
 *
 * - one {@link LiveService} over the Store and bus. A session going live calls
 *   the station executor's `startLive` (tier 1 live override or 2 live
 *   scheduled, from the token) with the session's input URI — the harbor
 *   re-serve URL `http://<host>:<port>/live/<mount>` for harbor sources;
 *   a session that ended (DJ gone for `failover.live_timeout_sec`, or
 *   disconnected through the API) calls `endLive`, and the executor fades back
 *   to the timeline item that should play now;
 * - sessions with an input the engine pulls itself (`srt://`, `rtp://`, given
 *   to the API's connect): when the engine reports the input disconnected,
 *   the session waits out the same grace (HandleDisconnect) with the input
 *   still routed (silence meanwhile), then ends (`dj.disconnect`, failback);
 *   audio back within the grace keeps it on air;
 * - one {@link Harbor} on its own port (DJ software connects with any user
 *   and a live token as password); a new stream title the source sends goes
 *   to the executor, which publishes `now_playing` (once per title) and opens
 *   a live play history record;
 * - one {@link WebstreamHealthChecker} for the webstreams of the stations this
 *   instance drives. A failover or recovery is stored (`currentIndex`),
 *   published (`webstream.failover` / `webstream.recovered`), and, when the
 *   webstream is on air, the executor plays it again from the new URL;
 * - the API's `live` and `webstreams` ports.
 */
export class ServeLive {
  /** Tokens and sessions (the API's live port). */
  readonly service: LiveService;
  /** The Icecast-compatible source input. */
  readonly harbor: Harbor;
  /** Background probes and failover of relayed streams. */
  readonly webstreams: WebstreamHealthChecker;
  readonly #o: ServeLiveOptions;
  readonly #log: ServerLogger;
  readonly #watched = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #harborRunning = false;
  #refreshing: Promise<void> | undefined;
  /** Sessions on an input the engine pulls, by `${stationId}\u0000${inputUri}`. */
  readonly #engineFed = new Map<string, EngineFedSession>();
  /** Title each live session was last given to the executor with, by session id. */
  readonly #titles = new Map<string, string>();
  #engineEvents: Subscription | undefined;

  /** Wire everything; nothing listens until {@link ServeLive.start}. */
  constructor(options: ServeLiveOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: "live" });
    const liveLog = toLiveLogger(this.#log);
    this.service = new LiveService({
      store: options.store,
      bus: options.bus,
      time: options.time,
      liveTimeoutSec: (stationId) => options.configs.get(stationId)?.failover.liveTimeoutSec ?? 30,
      onLive: (session, info) => this.#goLive(session, info.resumed),
      onFailback: (stationId, session) => this.#failBack(stationId, session),
      // The executor publishes now_playing for what is on air (titles reach it through onMetadata).
      publishNowPlaying: false,
      log: liveLog,
    });
    this.service.onSessionEnded(({ session }) => {
      this.#titles.delete(session.id);
      for (const [key, fed] of this.#engineFed)
        if (fed.sessionId === session.id) this.#engineFed.delete(key);
    });
    this.harbor = new Harbor({
      live: this.service,
      host: options.harbor.host,
      port: options.harbor.port,
      ...(options.harbor.advertiseHost === undefined
        ? {}
        : { advertiseHost: options.harbor.advertiseHost }),
      onMetadata: (update) => {
        this.liveTitle(update).catch((err: unknown) => {
          this.#log.warn(
            { err, stationId: update.stationId, sessionId: update.sessionId },
            "live title not passed to the executor",
          );
        });
      },
      log: liveLog,
    });
    this.webstreams = new WebstreamHealthChecker({
      store: options.store,
      bus: options.bus,
      time: options.time,
      onSwitch: (webstream, change) => this.#onWebstreamSwitch(webstream, change),
      log: liveLog,
    });
  }

  /** Port the harbor listens on, or undefined when it is not running. */
  get harborPort(): number | undefined {
    return this.#harborRunning ? this.harbor.port : undefined;
  }

  /**
   * Start: create the station files' webstreams missing from the Store, start
   * the harbor, and health-check the webstreams of the driven stations (re-read
   * every `webstreamRefreshMs`). Rejects when the harbor cannot listen, unless
   * `harborOptional` (then it logs why and goes on without live input).
   */
  async start(): Promise<void> {
    await this.syncConfiguredWebstreams();
    this.#engineEvents = await this.#o.engine?.subscribe("*", {
      onEvent: (event) => this.#onEngineEvent(event),
    });
    try {
      await this.harbor.start();
      this.#harborRunning = true;
      this.#log.info(
        { harborPort: this.harbor.port, host: this.#o.harbor.host },
        "harbor listening for live sources",
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const message = `harbor cannot listen on ${this.#o.harbor.host}:${this.#o.harbor.port} (${code ?? String(err)})`;
      if (!this.#o.harborOptional) {
        throw new GrimnirError("CONFIG_INVALID", `${message}; choose another --harbor-port`, {
          details: { field: "harborPort" },
          cause: err,
        });
      }
      this.#log.error(
        { err, harborPort: this.#o.harbor.port },
        `${message}: live input is off on this instance; set --harbor-port or GRIMNIR_HARBOR_PORT`,
      );
    }
    await this.refreshWebstreams();
    this.#timer = setInterval(() => {
      this.refreshWebstreams().catch((err: unknown) =>
        this.#log.warn({ err }, "webstream list refresh failed"),
      );
    }, this.#o.webstreamRefreshMs ?? 10_000);
  }

  /**
   * Create every webstream of the station files that the Store does not have
   * (same id); an existing one whose URLs changed in the file gets the new URLs
   * and goes back to the primary. Health settings of stored webstreams are kept.
   */
  async syncConfiguredWebstreams(): Promise<void> {
    const { store } = this.#o;
    for (const [stationId, config] of this.#o.configs) {
      if ((await store.stations.get(stationId)) === undefined) continue;
      for (const ws of config.webstreams) {
        const stored = await store.webstreams.get(stationId, ws.id);
        if (stored === undefined) {
          await store.webstreams.create({
            id: ws.id,
            stationId,
            name: ws.name,
            urls: ws.urls,
            currentIndex: 0,
            health: CONFIGURED_WEBSTREAM_HEALTH,
            failover: CONFIGURED_WEBSTREAM_FAILOVER,
            bufferMs: ws.bufferMs,
            metadata: { passthrough: ws.metadataPassthrough },
            status: "healthy",
          });
          this.#log.info(
            { stationId, webstreamId: ws.id },
            "webstream created from the station file",
          );
        } else if (JSON.stringify(stored.urls) !== JSON.stringify(ws.urls)) {
          await store.webstreams.update({ ...stored, urls: ws.urls, currentIndex: 0 });
          this.#log.info(
            { stationId, webstreamId: ws.id },
            "webstream URLs updated from the station file",
          );
        }
      }
    }
  }

  /** Health-check the webstreams of the stations driven here now; stop checking the others. */
  refreshWebstreams(): Promise<void> {
    this.#refreshing ??= this.#refreshWebstreams().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshWebstreams(): Promise<void> {
    const wanted = new Set<string>();
    for (const stationId of this.#o.ownedStations()) {
      const list = await this.#o.store.webstreams.list(stationId, { limit: 1000 });
      for (const ws of list) wanted.add(`${stationId}\u0000${ws.id}`);
    }
    for (const key of wanted) {
      if (this.#watched.has(key)) continue;
      const [stationId, webstreamId] = key.split("\u0000") as [string, string];
      this.webstreams.watch(stationId, webstreamId);
      this.#watched.add(key);
    }
    for (const key of [...this.#watched]) {
      if (wanted.has(key)) continue;
      const [stationId, webstreamId] = key.split("\u0000") as [string, string];
      this.webstreams.unwatch(stationId, webstreamId);
      this.#watched.delete(key);
    }
  }

  /**
   * A live session's source sent a stream title (the harbor's `onMetadata`):
   * a title other than the one the session is on air with goes to the
   * station's executor, which publishes `now_playing` and closes the play
   * history record and opens one. The same title again changes nothing, so a
   * title change is announced once. Resolves true when the executor took it.
   */
  async liveTitle(
    update: Pick<HarborMetadataUpdate, "stationId" | "sessionId" | "song">,
  ): Promise<boolean> {
    if (this.#titles.get(update.sessionId) === update.song) return false;
    const executor = this.#o.executorOf(update.stationId);
    if (executor === undefined) return false;
    this.#titles.set(update.sessionId, update.song);
    return executor.setLiveMetadata(update.sessionId, splitSong(update.song));
  }

  /** The API's live port (token, authorize, connect, disconnect). */
  livePort(): LivePort {
    return this.service;
  }

  /** The API's webstream port (manual failover and reset). */
  webstreamPort(): WebstreamPort {
    return this.webstreams;
  }

  /** Stop the harbor (sources and listeners are cut), the health checks and pending graces. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#engineEvents?.unsubscribe();
    this.#engineEvents = undefined;
    await this.#refreshing?.catch(() => undefined);
    await this.harbor.stop();
    this.#harborRunning = false;
    await this.webstreams.close();
    await this.service.close();
  }

  async #goLive(session: LiveSession, resumed: boolean): Promise<void> {
    const executor = this.#executor(session.stationId);
    if (session.inputUri === undefined || session.inputUri === "") {
      throw new GrimnirError(
        "VALIDATION",
        `live session ${session.id} has no input URI: connect through the harbor or give inputUri (srt://, rtp://)`,
        { details: { field: "inputUri" } },
      );
    }
    const title = session.metadata ?? `Live: ${session.userId}`;
    await executor.startLive({
      sessionId: session.id,
      inputUri: session.inputUri,
      priority: session.priority === 1 ? Priority.LiveOverride : Priority.LiveScheduled,
      title,
    });
    this.#titles.set(session.id, title);
    if (!session.inputUri.startsWith(this.#harborInputPrefix())) {
      this.#engineFed.set(engineFedKey(session.stationId, session.inputUri), {
        stationId: session.stationId,
        sessionId: session.id,
      });
    }
    this.#log.info(
      {
        stationId: session.stationId,
        sessionId: session.id,
        inputUri: session.inputUri,
        priority: session.priority,
        resumed,
      },
      "live session routed to the executor",
    );
  }

  async #failBack(stationId: string, session: LiveSession): Promise<void> {
    await this.#executor(stationId).endLive(session.id);
    this.#log.info({ stationId, sessionId: session.id }, "live session ended; back to automation");
  }

  /** The harbor's re-serve URLs start with this; the harbor reports its own sources' drops. */
  #harborInputPrefix(): string {
    return this.harbor.inputUri("");
  }

  /**
   * An engine event: a disconnected engine-pulled input starts its session's
   * grace; audio again within the grace calls the grace off.
   */
  #onEngineEvent(event: StationEvent): void {
    if (event.type !== "live_disconnected" && event.type !== "live_connected") return;
    if (event.inputUri === undefined) return;
    const fed = this.#engineFed.get(engineFedKey(event.stationId, event.inputUri));
    if (fed === undefined) return;
    const context = {
      stationId: fed.stationId,
      sessionId: fed.sessionId,
      inputUri: event.inputUri,
    };
    if (event.type === "live_connected") {
      this.service.sourceReturned(fed.sessionId).catch((err: unknown) => {
        this.#log.warn({ ...context, err }, "live input back, but its session was not resumed");
      });
      return;
    }
    const reason = `engine reports the input disconnected: ${event.message ?? "no audio"}`;
    this.#log.warn({ ...context, reason }, "engine-pulled live input dropped");
    // Still routed through the grace: the engine retries the input and reports its return.
    this.service
      .handleDisconnect(fed.sessionId, reason, { stillRouted: true })
      .catch((err: unknown) => {
        this.#log.error({ ...context, err }, "live disconnect handling failed");
      });
  }

  async #onWebstreamSwitch(webstream: Webstream, change: WebstreamSwitch): Promise<void> {
    const executor = this.#o.executorOf(webstream.stationId);
    if (executor === undefined) return;
    const replayed = await executor.refreshWebstream(webstream.id);
    this.#log.info(
      {
        stationId: webstream.stationId,
        webstreamId: webstream.id,
        kind: change.kind,
        url: change.toUrl,
        replayed,
      },
      replayed ? "webstream on air switched to its new URL" : "webstream switched URL (not on air)",
    );
  }

  #executor(stationId: string): StationExecutor {
    const executor = this.#o.executorOf(stationId);
    if (executor === undefined) {
      throw new GrimnirError(
        "CONFLICT",
        `station ${stationId} is not driven by this instance; connect the live source to the instance that drives it`,
        { details: { stationId } },
      );
    }
    return executor;
  }
}

function engineFedKey(stationId: string, inputUri: string): string {
  return `${stationId}\u0000${inputUri}`;
}

/** The live package's logger over pino (context first, as pino expects). */
function toLiveLogger(logger: ServerLogger): LiveLogger {
  return (level, message, details) => logger[level](details ?? {}, message);
}
