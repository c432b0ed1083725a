import { hostname } from "node:os";
import { resolve } from "node:path";
import { GrimnirError } from "@grimnir/core";

/**
 * The station configuration `grimnir serve` uses when no `--config` is given:
 * the demo station (same content as `examples/stations/demo.yaml`).
 */
export const EMBEDDED_STATION_YAML = `# Grimnir demo station (embedded default of grimnir serve)
station:
  id: "demo"
  name: "Grimnir Demo Radio"
  timezone: "UTC"
  slug: "demo"
  description: "Demo station shipped with Grimnir"
mounts:
  - id: "main"
    name: "Main"
    outputs:
      - type: http
        path: demo.mp3
        format: mp3
        bitrate_kbps: 128
failover:
  live_timeout_sec: 30
  automation_fallback_enabled: true
  emergency_audio_path: "media/demo/emergency.mp3"
crossfade:
  duration_ms: 2000
  curve: scurve
`;

/** Settings of `grimnir serve` after flags, environment and defaults were merged. */
export interface ServeOptions {
  /**
   * Station configuration file, or a directory whose `*.yaml`/`*.yml` files
   * are each one station's configuration (read in name order); absent =
   * {@link EMBEDDED_STATION_YAML}.
   */
  configFile?: string;
  /** Store URL (default `sqlite:<dataDir>/grimnir.db`). */
  storeUrl: string;
  /** Event bus URL (default `memory:`). */
  busUrl: string;
  /** Coordinator URL for station leases (default: the bus URL when it is redis/nats, else `memory:`). */
  coordinatorUrl: string;
  /** HTTP API and dashboard port (default 8080; 0 = any free port). */
  port: number;
  /** Interface the API listens on (default 0.0.0.0). */
  host: string;
  /** Data directory: SQLite file, media, secrets (default ./data), absolute. */
  dataDir: string;
  /**
   * Root of local media storage, absolute (default `<dataDir>/media`). Instances
   * of a cluster share one (relative storage keys resolve against it).
   */
  mediaDir: string;
  /** gRPC port of the local media engine (default 9091). */
  enginePort: number;
  /** Loopback port of the engine's built-in HTTP streams, proxied at /stream/* (default 8091). */
  streamPort: number;
  /** Port of the harbor, the Icecast-compatible source input for live DJs (default 8001; 0 = any free port). */
  harborPort: number;
  /** Interface the harbor listens on (default: `host`). */
  harborHost: string;
  /** True when `harborPort` is the default: a port in use then turns live input off instead of failing. */
  harborOptional: boolean;
  /** This instance's id among several (default `<hostname>-<pid>`). */
  instanceId: string;
  /**
   * Ids of the other instances sharing the stations (default none). An
   * instance counts as a member of the hash ring while it holds its
   * `member:<id>` Coordinator lease; without peers this instance is alone on
   * its ring and drives every station whose lease is free.
   */
  peers: string[];
  /** Time to live of station, membership and planner leases, ms (default 10 000, at least 1000). */
  leaseTtlMs: number;
  /** Create the demo station and library on an empty store (default true). */
  demo: boolean;
  /** How often the planner re-plans the 48 h window, ms (default 600 000). */
  plannerIntervalMs: number;
  /** Hours the planner plans ahead on every run (default 48, 1..168). */
  plannerHours: number;
  /** Log level: fatal, error, warn, info, debug, trace, silent (default info). */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** HS256 secret for API tokens (≥ 32 bytes); default: generated once into `<dataDir>/jwt-secret`. */
  jwtSecret?: string;
  /** Password of the `admin` user created on first start; default: generated into `<dataDir>/admin-password`. */
  adminPassword?: string;
}

/** Flags as commander gives them (strings; `demo` false for `--no-demo`). */
export interface ServeFlags {
  config?: string;
  store?: string;
  bus?: string;
  coordinator?: string;
  port?: string;
  host?: string;
  data?: string;
  enginePort?: string;
  streamPort?: string;
  harborPort?: string;
  harborHost?: string;
  instanceId?: string;
  media?: string;
  peers?: string;
  leaseTtlMs?: string;
  plannerIntervalMs?: string;
  plannerHours?: string;
  demo?: boolean;
  logLevel?: string;
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

function port(value: string, source: string, allowZero: boolean): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65_535) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${source} must be a port number ${allowZero ? "0" : "1"}..65535, got "${value}"`,
      { details: { field: source } },
    );
  }
  return n;
}

/**
 * Merge `grimnir serve` settings: a flag wins over its `GRIMNIR_*` environment
 * variable, which wins over the default. Throws `CONFIG_INVALID` naming the
 * flag or variable when a value is malformed.
 *
 * Variables: `GRIMNIR_CONFIG`, `GRIMNIR_STORE`, `GRIMNIR_BUS`,
 * `GRIMNIR_COORDINATOR`, `GRIMNIR_PORT`, `GRIMNIR_HOST`, `GRIMNIR_DATA`,
 * `GRIMNIR_ENGINE_PORT`, `GRIMNIR_STREAM_PORT`, `GRIMNIR_HARBOR_PORT`,
 * `GRIMNIR_HARBOR_HOST`, `GRIMNIR_INSTANCE_ID`,
 * `GRIMNIR_DEMO` (`0` disables), `GRIMNIR_PLANNER_INTERVAL_MS`, `GRIMNIR_PLANNER_HOURS`,
 * `GRIMNIR_LOG_LEVEL`, `GRIMNIR_JWT_SECRET`, `GRIMNIR_ADMIN_PASSWORD`; and,
 * for clusters, `GRIMNIR_MEDIA` (media root), `GRIMNIR_PEERS` (other
 * instance ids, comma-separated) and `GRIMNIR_LEASE_TTL_MS`. Every variable
 * but the secret and the password has a flag of the same name
 * (`GRIMNIR_LEASE_TTL_MS` → `--lease-ttl-ms`).
 */
export function resolveServeOptions(
  flags: ServeFlags,
  env: Record<string, string | undefined> = process.env,
): ServeOptions {
  const pick = (flag: string | undefined, name: string): { value?: string; source: string } =>
    flag !== undefined
      ? { value: flag, source: `--${name}` }
      : {
          value: env[`GRIMNIR_${name.toUpperCase().replace(/-/g, "_")}`],
          source: `GRIMNIR_${name.toUpperCase().replace(/-/g, "_")}`,
        };
  const dataDir = resolve(pick(flags.data, "data").value ?? "./data");
  const storeUrl = pick(flags.store, "store").value ?? `sqlite:${dataDir}/grimnir.db`;
  const busUrl = pick(flags.bus, "bus").value ?? "memory:";
  const sharedBus = /^(redis|rediss|nats):/i.test(busUrl);
  const coordinatorUrl =
    pick(flags.coordinator, "coordinator").value ?? (sharedBus ? busUrl : "memory:");
  const num = (
    flag: string | undefined,
    name: string,
    fallback: number,
    allowZero: boolean,
  ): number => {
    const { value, source } = pick(flag, name);
    return value === undefined ? fallback : port(value, source, allowZero);
  };
  const level = pick(flags.logLevel, "log-level");
  if (level.value !== undefined && !(LEVELS as readonly string[]).includes(level.value)) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${level.source} must be one of ${LEVELS.join(", ")}, got "${level.value}"`,
      { details: { field: level.source } },
    );
  }
  /** An integer flag/variable within [min, max], or the fallback when absent. */
  const integer = (
    flag: string | undefined,
    name: string,
    fallback: number,
    [min, max]: [number, number],
    unit: string,
  ): number => {
    const { value, source } = pick(flag, name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}..${max}`;
      throw new GrimnirError(
        "CONFIG_INVALID",
        `${source} must be a whole number of ${unit} ${range}, got "${value}"`,
        { details: { field: source } },
      );
    }
    return n;
  };
  const plannerIntervalMs = integer(
    flags.plannerIntervalMs,
    "planner-interval-ms",
    600_000,
    [1000, Number.MAX_SAFE_INTEGER],
    "ms",
  );
  const plannerHours = integer(flags.plannerHours, "planner-hours", 48, [1, 168], "hours");
  const leaseTtlMs = integer(
    flags.leaseTtlMs,
    "lease-ttl-ms",
    10_000,
    [1000, Number.MAX_SAFE_INTEGER],
    "ms",
  );
  const instanceId = pick(flags.instanceId, "instance-id").value ?? `${hostname()}-${process.pid}`;
  const peersPick = pick(flags.peers, "peers");
  const peers = [
    ...new Set(
      (peersPick.value ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "" && p !== instanceId),
    ),
  ];
  const badPeer = peers.find((p) => !/^[A-Za-z0-9._-]+$/.test(p));
  if (badPeer !== undefined) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${peersPick.source} must be instance ids (letters, digits, ".", "_", "-") separated by commas, got "${badPeer}"`,
      { details: { field: peersPick.source } },
    );
  }
  const mediaRaw = pick(flags.media, "media").value;
  const configFile = pick(flags.config, "config").value;
  const secret = env["GRIMNIR_JWT_SECRET"];
  if (secret !== undefined && Buffer.byteLength(secret) < 32) {
    throw new GrimnirError("CONFIG_INVALID", "GRIMNIR_JWT_SECRET must be at least 32 bytes", {
      details: { field: "GRIMNIR_JWT_SECRET" },
    });
  }
  const adminPassword = env["GRIMNIR_ADMIN_PASSWORD"];
  return {
    ...(configFile === undefined ? {} : { configFile: resolve(configFile) }),
    storeUrl,
    busUrl,
    coordinatorUrl,
    port: num(flags.port, "port", 8080, true),
    host: pick(flags.host, "host").value ?? "0.0.0.0",
    dataDir,
    mediaDir:
      mediaRaw === undefined || mediaRaw === "" ? resolve(dataDir, "media") : resolve(mediaRaw),
    enginePort: num(flags.enginePort, "engine-port", 9091, false),
    streamPort: num(flags.streamPort, "stream-port", 8091, false),
    harborPort: num(flags.harborPort, "harbor-port", 8001, true),
    harborHost:
      pick(flags.harborHost, "harbor-host").value ?? pick(flags.host, "host").value ?? "0.0.0.0",
    harborOptional: pick(flags.harborPort, "harbor-port").value === undefined,
    instanceId,
    peers,
    leaseTtlMs,
    demo: flags.demo === false ? false : env["GRIMNIR_DEMO"] !== "0",
    plannerIntervalMs,
    plannerHours,
    logLevel: (level.value ?? "info") as ServeOptions["logLevel"],
    ...(secret === undefined ? {} : { jwtSecret: secret }),
    ...(adminPassword === undefined || adminPassword === "" ? {} : { adminPassword }),
  };
}
