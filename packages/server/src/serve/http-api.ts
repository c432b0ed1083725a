import type { AddressInfo } from "node:net";
import type { EventBus, Store, TimeSource } from "@grimnir/core";
import type { EngineSupervisor } from "@grimnir/engine";
import { createApi } from "@grimnir/http";
import type { ServerMetrics } from "@grimnir/http";
import type { FastifyInstance } from "fastify";
import { registerDashboard } from "./dashboard.js";
import { importersPort } from "./import-port.js";
import type { ServeLive } from "./live.js";
import type { ServerLogger } from "./logger.js";
import { LoudnessHistory } from "./loudness-history.js";
import { libraryMediaPort } from "./media-port.js";
import { exposeServerMetrics } from "./metrics.js";
import type { ServeOptions } from "./options.js";
import type { PlannerService } from "./planner-service.js";
import type { Playout } from "./playout.js";
import type { ShutdownSequence } from "./shutdown.js";
import { registerStreamProxy } from "./stream-proxy.js";

/** What the HTTP API is built from: the server's parts behind the API's ports. */
export interface HttpApiWiring {
  readonly options: Pick<ServeOptions, "host" | "port" | "streamPort" | "mediaDir" | "logLevel">;
  readonly store: Store;
  readonly bus: EventBus;
  readonly time: TimeSource;
  readonly jwtSecret: string;
  readonly planner: PlannerService;
  readonly playout: Playout;
  readonly supervisor: EngineSupervisor;
  readonly live: ServeLive;
  readonly metrics: ServerMetrics;
  /** Refreshes gauges sampled at scrape time (database connections). */
  readonly sampleMetrics: () => void;
  readonly logger: ServerLogger;
  readonly shutdown: ShutdownSequence;
}

/** The listening HTTP API. */
export interface ListeningApi {
  readonly api: FastifyInstance;
  /** Bound port. */
  readonly port: number;
  /** `http://host:port`, with `localhost` for a wildcard host. */
  readonly url: string;
}

/**
 * Start the HTTP API on `host:port`: the REST API with the server's media,
 * import, planner, priority, executor, engine, live and webstream ports;
 * `/metrics` with the server metrics; `/stream/*` relayed from the engine's
 * `streamPort`; the dashboard at `/dashboard/` with its loudness history. The
 * API logs at `warn` when the server logs at `info` (requests are not news),
 * otherwise at the server's level. Registers the shutdown steps: stop the
 * loudness history, close the media port, close the API.
 */
export async function startHttpApi(wiring: HttpApiWiring): Promise<ListeningApi> {
  const { options, store, time, shutdown, playout, live } = wiring;
  const history = new LoudnessHistory();
  await history.start(wiring.bus);
  shutdown.push(() => history.stop());

  const mediaPort = libraryMediaPort({ store, mediaRoot: options.mediaDir, timeSource: time });
  shutdown.push(() => mediaPort.close());
  const api = createApi({
    store,
    bus: wiring.bus,
    auth: { jwtSecret: wiring.jwtSecret },
    ports: {
      media: mediaPort,
      imports: importersPort(store),
      planner: wiring.planner,
      priority: playout.priorityPort(),
      executor: playout.executorPort(),
      engine: wiring.supervisor.engine,
      live: live.livePort(),
      webstreams: live.webstreamPort(),
    },
    logger: wiring.logger.child(
      { component: "http" },
      { level: options.logLevel === "info" ? "warn" : options.logLevel },
    ),
  });
  exposeServerMetrics(api, wiring.metrics, wiring.sampleMetrics);
  registerStreamProxy(api, options.streamPort);
  registerDashboard(api, history, () => time.now());
  await api.listen({ port: options.port, host: options.host });
  shutdown.push(() => api.close());
  const port = (api.server.address() as AddressInfo).port;
  const shownHost =
    options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  return { api, port, url: `http://${shownHost}:${port}` };
}
