import * as grpc from "@grpc/grpc-js";
import { GrimnirError, Priority } from "@grimnir/core";
import {
  AudioEngine,
  type AudioEngineOptions,
  type EngineTelemetry,
  type OutputSpec,
} from "../engine/audio-engine.js";
import type { StationEvent } from "../engine/station.js";
import { parseInputUri } from "../gst/live-input.js";
import { loadMediaEngineService, toServiceError } from "./proto.js";
import {
  optionalCurve,
  optionalNumber,
  requireStationId,
  toPlayRequest,
  type WirePlayRequest,
} from "./wire.js";

/** Options of {@link startEngineServer}. */
export interface EngineServerOptions extends AudioEngineOptions {
  /** 127.0.0.1 by default. */
  host?: string;
  /** 9091 by default; 0 picks a free port. */
  port?: number;
}

/** A running engine gRPC server. */
export interface EngineServer {
  /** The bound port. */
  port: number;
  /** `host:port` to give an EngineClient. */
  address: string;
  engine: AudioEngine;
  /** Stop serving, end telemetry streams and release every station. */
  close(): Promise<void>;
}

type Unary<Req> = grpc.handleUnaryCall<Req, object>;

/** Wrap a handler so every error (thrown or rejected) becomes a mapped gRPC status, never a crash. */
function unary<Req>(fn: (req: Req) => void | Promise<void>): Unary<Req> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        () => callback(null, {}),
        (err: unknown) => callback(toServiceError(err)),
      );
  };
}

/**
 * Start the `grimnir.mediaengine.v1.MediaEngine` gRPC service over a fresh
 * {@link AudioEngine}. Malformed requests get INVALID_ARGUMENT naming the
 * field; parts not built yet answer UNIMPLEMENTED saying what is missing.
 * RouteLive validates `input_uri` (INVALID_ARGUMENT naming it) and `priority`
 * (1 or 2) and answers once the input is routed, not when it is on air.
 */
export async function startEngineServer(options: EngineServerOptions = {}): Promise<EngineServer> {
  const engine = new AudioEngine(options);
  const server = new grpc.Server();
  const streams = new Set<grpc.ServerWritableStream<{ stationId?: string }, object>>();
  const service = loadMediaEngineService().service;

  server.addService(service, {
    LoadGraph: unary<{
      stationId?: string;
      nodes?: { id?: string; type?: string; paramsJson?: string }[];
    }>((req) => {
      const stationId = requireStationId(req.stationId);
      const nodes = (req.nodes ?? []).map((n, i) => {
        let params: Record<string, unknown> = {};
        if (n.paramsJson) {
          try {
            params = JSON.parse(n.paramsJson) as Record<string, unknown>;
          } catch (err) {
            throw new GrimnirError(
              "VALIDATION",
              `node "${n.id ?? i}": params_json is not valid JSON (${(err as Error).message})`,
              {
                details: { node: n.id, field: `nodes[${i}].params_json` },
              },
            );
          }
        }
        return { id: n.id ?? "", type: n.type ?? "", params };
      });
      engine.loadGraph(stationId, { nodes });
    }),
    Preload: unary<WirePlayRequest>(async (req) => {
      const { stationId, request } = toPlayRequest(req);
      await engine.preload(stationId, request);
    }),
    Play: unary<WirePlayRequest>((req) => {
      const { stationId, request } = toPlayRequest(req);
      engine.play(stationId, request);
    }),
    InsertEmergency: unary<WirePlayRequest>((req) => {
      const { stationId, request } = toPlayRequest(req);
      engine.insertEmergency(stationId, request);
    }),
    Stop: unary<{ stationId?: string; fadeOutMs?: number }>((req) => {
      engine.stop(
        requireStationId(req.stationId),
        optionalNumber(req.fadeOutMs, "fade_out_ms", 0, 600_000),
      );
    }),
    Fade: unary<{ stationId?: string; targetDb?: number; durationMs?: number; curve?: string }>(
      (req) => {
        engine.fade(
          requireStationId(req.stationId),
          optionalNumber(req.targetDb ?? 0, "target_db", -120, 24)!,
          optionalNumber(req.durationMs ?? 0, "duration_ms", 0, 600_000)!,
          optionalCurve(req.curve),
        );
      },
    ),
    RouteLive: unary<{
      stationId?: string;
      inputUri?: string;
      priority?: number;
      fadeInMs?: number;
    }>((req) => {
      const stationId = requireStationId(req.stationId);
      const priority = req.priority ?? 0;
      if (priority !== Priority.LiveOverride && priority !== Priority.LiveScheduled) {
        throw new GrimnirError(
          "VALIDATION",
          `priority must be ${Priority.LiveOverride} (live override) or ${Priority.LiveScheduled} (live scheduled), got ${JSON.stringify(req.priority)}`,
          { details: { field: "priority" } },
        );
      }
      parseInputUri(req.inputUri);
      engine.routeLive(
        stationId,
        req.inputUri!,
        optionalNumber(req.fadeInMs, "fade_in_ms", 0, 600_000),
        priority,
      );
    }),
    SetMetadata: unary<{ stationId?: string; title?: string; artist?: string }>((req) => {
      if (typeof req.title !== "string" || req.title === "") {
        throw new GrimnirError("VALIDATION", "title must be a non-empty string", {
          details: { field: "title" },
        });
      }
      engine.setMetadata(requireStationId(req.stationId), req.title, req.artist || undefined);
    }),
    ConfigureOutputs: unary<{
      stationId?: string;
      outputs?: (OutputSpec & { httpPort?: number; icecastUrl?: string })[];
    }>(async (req) => {
      await engine.configureOutputs(requireStationId(req.stationId), req.outputs ?? []);
    }),
    GetStatus: (
      _call: grpc.ServerUnaryCall<object, object>,
      callback: grpc.sendUnaryData<object>,
    ) => {
      callback(null, engine.status());
    },
    StreamTelemetry: (call: grpc.ServerWritableStream<{ stationId?: string }, object>) => {
      const wanted = call.request.stationId || "*";
      streams.add(call);
      const send = (update: object): void => {
        // A client that vanished mid-stream is dropped, never written to.
        if (!call.cancelled && call.writable) call.write(update);
      };
      const onSample = (s: EngineTelemetry): void => {
        if (wanted === "*" || s.stationId === wanted) send({ sample: s });
      };
      const onEvent = (e: StationEvent): void => {
        if (wanted === "*" || e.stationId === wanted) send({ event: e });
      };
      engine.on("telemetry", onSample);
      engine.on("event", onEvent);
      const done = (): void => {
        engine.off("telemetry", onSample);
        engine.off("event", onEvent);
        streams.delete(call);
      };
      call.on("cancelled", done);
      call.on("close", done);
      call.on("error", done);
    },
  });

  const host = options.host ?? "127.0.0.1";
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host}:${options.port ?? 9091}`,
      grpc.ServerCredentials.createInsecure(),
      (err, bound) =>
        err
          ? reject(
              new GrimnirError(
                "CONFLICT",
                `cannot listen on ${host}:${options.port ?? 9091}: ${err.message}`,
                { cause: err },
              ),
            )
          : resolve(bound),
    );
  });
  return {
    port,
    address: `${host}:${port}`,
    engine,
    async close() {
      for (const call of streams) call.end();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      server.forceShutdown();
      await engine.close();
    },
  };
}
