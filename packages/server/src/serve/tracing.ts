import { trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** OTLP/HTTP collector base URL (`http://collector:4318`); spans go to `<endpoint>/v1/traces`. Default from the environment. */
  endpoint?: string;
  /** `service.name` of the spans (default `OTEL_SERVICE_NAME` or "grimnir"). */
  serviceName?: string;
  /** `service.instance.id` of the spans. */
  instanceId?: string;
  /** Environment to read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** A running trace pipeline. */
export interface Tracing {
  /** Where spans are sent. */
  readonly url: string;
  /** Send what is buffered, stop exporting and unregister the global tracer provider. */
  shutdown(): Promise<void>;
}

/**
 * Tracing is off by default. It is on when `options.endpoint` is given or the
 * environment sets `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (the full URL) or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL; `/v1/traces` is appended), unless
 * `OTEL_SDK_DISABLED=true`. Then the OpenTelemetry SDK is registered globally
 * with a batching OTLP/HTTP (JSON) exporter, and the API's request spans
 * (`@grimnir/http`, one per request) are exported. Returns undefined when off.
 */
export function startTracing(options: TracingOptions = {}): Tracing | undefined {
  const env = options.env ?? process.env;
  if (env["OTEL_SDK_DISABLED"]?.toLowerCase() === "true") return undefined;
  const base = options.endpoint ?? env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const url =
    options.endpoint === undefined && env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] !== undefined
      ? env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
      : base === undefined || base === ""
        ? undefined
        : `${base.replace(/\/+$/, "")}/v1/traces`;
  if (url === undefined || url === "") return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      "service.name": options.serviceName ?? env["OTEL_SERVICE_NAME"] ?? "grimnir",
      ...(options.instanceId === undefined ? {} : { "service.instance.id": options.instanceId }),
    }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register();
  return {
    url,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
    },
  };
}
