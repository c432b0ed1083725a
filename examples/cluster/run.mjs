#!/usr/bin/env node
/**
 * Grimnir cluster on one machine: a private PostgreSQL and Redis (testkit's
 * helpers, the same the integration tests use), the 12 stations of
 * ./stations, each with a small generated tone library and an hour clock,
 * and three `grimnir serve` instances — each with its own media engine, HTTP
 * port and data dir, all on the same store (postgres://…), bus and
 * coordinator (redis://…) and media folder. Stations are shared by hash ring
 * and Coordinator leases; one instance is the planner leader.
 *
 *   pnpm build && node examples/cluster/run.mjs [--dir <folder>] [--instances 3] [--lease-ttl-ms 5000]
 *
 * Logs (JSON lines) go to <dir>/logs/<instance>.log; <dir>/cluster.json
 * describes the running cluster. Ctrl-C (SIGINT/SIGTERM) stops the
 * instances, Redis and PostgreSQL.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadStationConfig } from "@grimnir/core";
import { PostgresStore } from "@grimnir/store-pg";
import { freePort, makeTone, startPgTestServer, startRedis } from "@grimnir/testkit";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    dir: { type: "string" },
    instances: { type: "string", default: "3" },
    "lease-ttl-ms": { type: "string", default: "5000" },
    "track-seconds": { type: "string", default: "20" },
    cli: { type: "string" },
  },
});
const instanceCount = Number(args.instances);
if (!Number.isInteger(instanceCount) || instanceCount < 1 || instanceCount > 9) {
  throw new Error(`--instances must be 1..9, got "${args.instances}"`);
}
const trackSeconds = Number(args["track-seconds"]);
if (!(trackSeconds >= 5 && trackSeconds <= 600)) {
  throw new Error(`--track-seconds must be 5..600, got "${args["track-seconds"]}"`);
}
const cli =
  args.cli ?? join(dirname(fileURLToPath(import.meta.resolve("@grimnir/server"))), "cli.js");
const ownDir = args.dir === undefined;
const dir = args.dir ?? mkdtempSync(join(tmpdir(), "grimnir-cluster-"));
const mediaDir = join(dir, "media");
mkdirSync(join(dir, "logs"), { recursive: true });
mkdirSync(mediaDir, { recursive: true });

const say = (message, extra = {}) =>
  console.log(JSON.stringify({ time: Date.now(), component: "cluster-runner", message, ...extra }));

/** The tone a station plays: 300 Hz + 50 Hz per station number (c01 = 350 Hz … c12 = 900 Hz). */
function toneHz(stationId) {
  return 300 + 50 * Number(stationId.replace(/\D/g, ""));
}

/** Stations, mounts, a two-track tone library, a smart block and the "standard" hour clock. */
async function seedStations(storeUrl) {
  const store = await PostgresStore.open(storeUrl);
  const stations = [];
  try {
    const files = readdirSync(join(here, "stations"))
      .filter((f) => f.endsWith(".yaml"))
      .sort();
    for (const file of files) {
      const { config } = await loadStationConfig(join(here, "stations", file));
      const stationId = config.station.id;
      const hz = toneHz(stationId);
      const folder = join(mediaDir, stationId);
      mkdirSync(folder, { recursive: true });
      const tracks = [1, 2].map((n) => {
        const path = makeTone(folder, `tone-${n}`, hz, trackSeconds, 0.3);
        return { n, path, hash: createHash("sha256").update(readFileSync(path)).digest("hex") };
      });
      makeTone(folder, "emergency", 1000, 8, 0.3);
      const now = Date.now();
      const meta = { stationId, version: 1, createdAt: now, updatedAt: now };
      await store.transaction(async (tx) => {
        await tx.stations.create({
          id: stationId,
          name: config.station.name,
          timezone: config.station.timezone,
          active: true,
          ...(config.station.slug === undefined ? {} : { slug: config.station.slug }),
        });
        for (const mount of config.mounts) {
          await tx.mounts.create({
            id: mount.id,
            stationId,
            name: mount.name,
            outputs: mount.outputs,
          });
        }
        for (const track of tracks) {
          await tx.media.create({
            id: `${stationId}-tone-${track.n}`,
            stationId,
            title: `${hz} Hz tone ${track.n}`,
            artist: config.station.name,
            tags: ["tone"],
            fields: { toneHz: hz },
            durationMs: trackSeconds * 1000,
            cueInMs: 0,
            cueOutMs: trackSeconds * 1000,
            storageKey: `${stationId}/tone-${track.n}.wav`,
            contentHash: track.hash,
            codec: "pcm_s16le",
            sampleRateHz: 44_100,
            channels: 2,
            analysisStatus: "done",
            addedAt: now,
          });
        }
        await tx.smartBlocks.create({
          ...meta,
          // Ids are unique across stations; the planner picks the clock *named* "standard".
          id: `${stationId}-tones`,
          name: "Tones",
          filters: [{ field: "tags", op: "contains", value: "tone" }],
          sort: { by: "random" },
          limit: { kind: "duration", durationMs: 3_600_000, toleranceMs: trackSeconds * 1000 },
          quotas: [],
          rotation: {},
          fill: { kind: "none" },
        });
        await tx.clocks.create({
          ...meta,
          id: `${stationId}-standard`,
          name: "standard",
          slots: [{ id: "tones", kind: "smart_block", offsetMs: 0, refId: `${stationId}-tones` }],
        });
      });
      stations.push({
        id: stationId,
        toneHz: hz,
        stream: config.mounts[0]?.outputs.find((o) => o.type === "http")?.path,
      });
    }
  } finally {
    await store.close();
  }
  return stations;
}

const cleanups = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say("stopping the cluster");
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (err) {
      say("a stop step failed", { error: String(err) });
    }
  }
  if (ownDir) rmSync(dir, { recursive: true, force: true });
  say("cluster stopped");
  process.exit(code);
}
// `on`, not `once`: a second signal (e.g. from a wrapper forwarding it) must not kill the runner mid-cleanup.
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

try {
  const pg = await startPgTestServer();
  cleanups.push(() => pg.stop());
  const redis = await startRedis();
  cleanups.push(() => redis.kill());
  say("PostgreSQL and Redis started", { store: pg.url, bus: redis.url });

  const stations = await seedStations(pg.url);
  say("stations seeded", { stations: stations.length, mediaDir });

  const ids = Array.from({ length: instanceCount }, (_, i) => `grimnir-${i + 1}`);
  const jwtSecret = createHash("sha256").update(`${dir}:jwt`).digest("hex");
  const instances = [];
  for (const id of ids) {
    const dataDir = join(dir, "instances", id);
    mkdirSync(dataDir, { recursive: true });
    // Emergency paths in the station files are relative to the data dir: media/<station>/….
    symlinkSync(mediaDir, join(dataDir, "media"));
    const [port, enginePort, streamPort, harborPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const log = join(dir, "logs", `${id}.log`);
    const fd = openSync(log, "a");
    const child = spawn(
      process.execPath,
      [
        cli,
        "serve",
        "--config",
        join(here, "stations"),
        "--store",
        pg.url,
        "--bus",
        redis.url,
        "--coordinator",
        redis.url,
        "--instance-id",
        id,
        "--data",
        dataDir,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--engine-port",
        String(enginePort),
        "--stream-port",
        String(streamPort),
        "--no-demo",
        "--peers",
        ids.filter((other) => other !== id).join(","),
        "--media",
        mediaDir,
        "--lease-ttl-ms",
        args["lease-ttl-ms"],
        // Short tone tracks make many entries: plan 2 h ahead instead of 48.
        "--planner-hours",
        "2",
        "--harbor-port",
        String(harborPort),
      ],
      {
        // Its own process group: the instance and its engine can be killed together.
        detached: true,
        stdio: ["ignore", fd, fd],
        env: {
          ...process.env,
          GRIMNIR_JWT_SECRET: jwtSecret,
          GRIMNIR_ADMIN_PASSWORD: process.env.GRIMNIR_ADMIN_PASSWORD ?? "cluster-admin",
        },
      },
    );
    const instance = { id, pid: child.pid, url: `http://127.0.0.1:${port}`, streamPort, log };
    instances.push(instance);
    child.on("exit", (code, signal) => {
      instance.exited = signal ?? code;
      say(`instance ${id} exited`, { id, code, signal });
    });
    cleanups.push(async () => {
      if (instance.exited !== undefined) return;
      process.kill(-child.pid, "SIGTERM");
      const killer = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 20_000);
      await new Promise((resolve) => child.once("exit", resolve));
      clearTimeout(killer);
    });
  }
  say("instances started", { instances: instances.map(({ id, pid, url }) => ({ id, pid, url })) });

  // Ready = every instance answers /metrics.
  const deadline = Date.now() + 120_000;
  for (const instance of instances) {
    for (;;) {
      if (instance.exited !== undefined)
        throw new Error(`instance ${instance.id} exited early; see ${instance.log}`);
      const ok = await fetch(`${instance.url}/metrics`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline)
        throw new Error(`instance ${instance.id} did not answer in 120 s; see ${instance.log}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const description = {
    runnerPid: process.pid,
    dir,
    store: pg.url,
    bus: redis.url,
    mediaDir,
    leaseTtlMs: Number(args["lease-ttl-ms"]),
    stations,
    instances: instances.map(({ id, pid, url, log }) => ({ id, pid, url, log })),
  };
  writeFileSync(join(dir, "cluster.json"), JSON.stringify(description, null, 2) + "\n");
  say("cluster is up", { cluster: join(dir, "cluster.json") });
  for (const instance of instances) {
    console.log(`  ${instance.id}: ${instance.url}/dashboard/  (log ${instance.log})`);
  }
  console.log(
    `  streams: <instance>/stream/c01.mp3 … c12.mp3 on the instance that drives the station`,
  );
} catch (err) {
  say("the cluster did not start", { error: err instanceof Error ? err.message : String(err) });
  await stopAll(1);
}
