/**
 * `@grimnir/server` — the Grimnir reference server and the `grimnir` command line.
 *
 * @packageDocumentation
 */

import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { adapters } from "@grimnir/core";
import { registerSqlStores } from "@grimnir/store-pg";
import { runValidate } from "./commands/validate.js";
import { runAnalyze } from "./commands/analyze.js";
import { runIngest } from "./commands/ingest.js";
import { runServe } from "./commands/serve.js";
import type { CommandIo } from "./commands/io.js";

export { runValidate } from "./commands/validate.js";
export { runAnalyze } from "./commands/analyze.js";
export type { AnalyzeCommandOptions, AnalyzeJsonRow } from "./commands/analyze.js";
export { runIngest, progressLine } from "./commands/ingest.js";
export type { IngestCommandOptions } from "./commands/ingest.js";
export type { CommandIo, OutputStream } from "./commands/io.js";
export { runServe } from "./commands/serve.js";
export { startServer } from "./serve/server.js";
export type { RunningServer } from "./serve/server.js";
export { resolveServeOptions, EMBEDDED_STATION_YAML } from "./serve/options.js";
export type { ServeOptions, ServeFlags } from "./serve/options.js";
export { createServerLogger, executorLogger } from "./serve/logger.js";
export type { ServerLogger } from "./serve/logger.js";
export {
  PlannerService,
  readPlannerSettings,
  writePlannerSettings,
} from "./serve/planner-service.js";
export type { PlannerServiceOptions, PlannerSettings } from "./serve/planner-service.js";
export { Playout, outputsForMounts } from "./serve/playout.js";
export type { PlayoutOptions } from "./serve/playout.js";
export { bootstrapDemoStation, demoEmergencyFile } from "./serve/demo-station.js";
export type { DemoBootstrapOptions, DemoBootstrapReport } from "./serve/demo-station.js";
export {
  synthesizeDemoTrack,
  synthesizeAlertTone,
  encodeMp3,
  DEMO_SAMPLE_RATE,
} from "./serve/demo-audio.js";
export type { DemoTrackSpec } from "./serve/demo-audio.js";
export { LoudnessHistory } from "./serve/loudness-history.js";
export type { LoudnessMinute } from "./serve/loudness-history.js";
export { registerStreamProxy } from "./serve/stream-proxy.js";
export { registerDashboard, dashboardAssetsDir } from "./serve/dashboard.js";

/** Store used by commands when `--store` is not given: the embedded SQLite file. */
export const DEFAULT_STORE_URL = "sqlite:./data/grimnir.db";

/** Version of this package, read from its package.json (works from `src/` and from `dist/`). */
export function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

/**
 * The `grimnir` command-line program (commander). Commands set
 * `process.exitCode` rather than exiting, so the program can run in-process;
 * `io` receives everything commands print (defaults to the process streams).
 *
 * @example
 * ```ts
 * await createCli().parseAsync(["validate", "station.yaml"], { from: "user" });
 * ```
 */
export function createCli(
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr, isTTY: process.stderr.isTTY },
): Command {
  registerSqlStores(adapters);
  const program = new Command("grimnir")
    .description("Grimnir radio automation: server and tools")
    .version(serverVersion(), "-V, --version", "print the grimnir version")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  program
    .command("validate")
    .description(
      "check station configuration files; prints file:line:col: message for each problem",
    )
    .argument("<file...>", "station configuration files (YAML)")
    .action(async (files: string[]) => {
      process.exitCode = await runValidate(files, io);
    });
  program
    .command("analyze")
    .description(
      "measure integrated loudness (LUFS), loudness range (LU), true peak (dBTP), cue in/out and duration",
    )
    .argument("<file...>", "audio files")
    .option("--json", "print JSON instead of a table")
    .option("--cue-threshold <dBFS>", "silence threshold for cue points", parseNumber)
    .action(async (files: string[], opts: { json?: boolean; cueThreshold?: number }) => {
      process.exitCode = await runAnalyze(
        files,
        { json: opts.json === true, cueThresholdDbfs: opts.cueThreshold },
        io,
      );
    });
  program
    .command("ingest")
    .description("copy a folder of audio into a station's library, read tags and analyse it")
    .argument("<dir>", "folder to ingest (recursively)")
    .requiredOption("--station <id>", "station the media belongs to")
    .option("--store <url>", "store URL", DEFAULT_STORE_URL)
    .option("--media-root <dir>", "where media files are kept", "./data/media")
    .action(async (dir: string, opts: { station: string; store: string; mediaRoot: string }) => {
      const store = await adapters.createStore(opts.store);
      try {
        process.exitCode = await runIngest(
          dir,
          { station: opts.station, store, mediaRoot: opts.mediaRoot },
          io,
        );
      } finally {
        await store.close();
      }
    });
  program
    .command("serve")
    .description(
      "run the reference server: store, bus, planner, executors, media engine, HTTP API, dashboard and /stream/*",
    )
    .option("--config <file>", "station configuration (YAML); default: the embedded demo station")
    .option("--store <url>", "store URL (default sqlite:<data>/grimnir.db)")
    .option("--bus <url>", "event bus URL: memory:, redis://…, nats://… (default memory:)")
    .option(
      "--coordinator <url>",
      "lease coordinator URL (default: the bus when shared, else memory:)",
    )
    .option("--port <port>", "HTTP port of the API, dashboard and streams (default 8080)")
    .option("--host <host>", "interface to listen on (default 0.0.0.0)")
    .option("--data <dir>", "data directory: SQLite file, media, secrets (default ./data)")
    .option("--engine-port <port>", "gRPC port of the local media engine (default 9091)")
    .option(
      "--stream-port <port>",
      "loopback port of the engine's HTTP streams, relayed at /stream/* (default 8091)",
    )
    .option("--instance-id <id>", "this instance's id in a cluster (default <hostname>-<pid>)")
    .option("--no-demo", "do not create the demo station on an empty store")
    .option(
      "--log-level <level>",
      "fatal, error, warn, info, debug, trace or silent (default info)",
    )
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      process.exitCode = await runServe(opts, io);
    });
  return program;
}
