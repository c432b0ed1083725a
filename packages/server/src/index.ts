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
import { runPlan } from "./commands/plan.js";
import { runImport } from "./commands/import.js";
import { runMigrate } from "./commands/migrate.js";
import type { CommandIo } from "./commands/io.js";

export { runValidate } from "./commands/validate.js";
export { runAnalyze } from "./commands/analyze.js";
export type { AnalyzeCommandOptions, AnalyzeJsonRow } from "./commands/analyze.js";
export { runIngest, progressLine } from "./commands/ingest.js";
export type { IngestCommandOptions } from "./commands/ingest.js";
export type { CommandIo, OutputStream } from "./commands/io.js";
export { runPlan } from "./commands/plan.js";
export type { PlanCommandOptions } from "./commands/plan.js";
export { runImport } from "./commands/import.js";
export type { ImportCommandOptions } from "./commands/import.js";
export { runMigrate } from "./commands/migrate.js";
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
export { Playout, StationDriver, outputsForMounts } from "./serve/playout.js";
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
    .command("plan")
    .description("plan a station's timeline and print it with the planner's diagnostics")
    .requiredOption("--config <file>", "station YAML, or a plan-input JSON file")
    .option("--library <file>", "JSON array of MediaItem (required with a YAML config)")
    .option("--history <file>", "JSON array of PlayHistory")
    .option("--from <time>", "window start: ISO-8601 with offset or epoch ms (default now)")
    .option("--hours <n>", "window length in hours", parseNumber, 48)
    .option("--seed <n>", "random seed", parseNumber, 1)
    .option("--what-if <file>", "a proposed config: print the diff against --config instead")
    .option("--json", "print JSON instead of a table")
    .action(
      async (opts: {
        config: string;
        library?: string;
        history?: string;
        from?: string;
        hours: number;
        seed: number;
        whatIf?: string;
        json?: boolean;
      }) => {
        process.exitCode = await runPlan(
          {
            input: opts.config,
            library: opts.library,
            history: opts.history,
            from: opts.from,
            hours: opts.hours,
            seed: opts.seed,
            whatIf: opts.whatIf,
            json: opts.json === true,
          },
          io,
        );
      },
    );
  program
    .command("import")
    .description("migrate a station from LibreTime (its PostgreSQL) or AzuraCast (its REST API)")
    .argument("<source>", "libretime or azuracast")
    .requiredOption("--url <url>", "LibreTime: postgres://… of its database; AzuraCast: base URL")
    .option("--api-key <key>", "AzuraCast API key")
    .option("--station <id>", "station to import (AzuraCast) or into (LibreTime)")
    .option("--store <url>", "store URL", DEFAULT_STORE_URL)
    .option("--media-root <dir>", "where the source's audio files are")
    .option("--copy-media <dir>", "LibreTime: copy the audio files under this directory")
    .option(
      "--download-media <dir>",
      "AzuraCast: download the audio through the API into this media root",
    )
    .option("--analyze", "analyse the imported audio (loudness, true peak, cues) after importing")
    .option("--dry-run", "print what would happen and write nothing")
    .option("--report <file>", "also write the plan or report as JSON to this file")
    .option("--verbose", "print every action")
    .action(
      async (
        source: string,
        opts: {
          url: string;
          apiKey?: string;
          station?: string;
          store: string;
          mediaRoot?: string;
          copyMedia?: string;
          downloadMedia?: string;
          analyze?: boolean;
          dryRun?: boolean;
          report?: string;
          verbose?: boolean;
        },
      ) => {
        if (source !== "libretime" && source !== "azuracast") {
          io.stderr.write(
            `grimnir import: source must be libretime or azuracast, got "${source}"\n`,
          );
          process.exitCode = 2;
          return;
        }
        const store = await adapters.createStore(opts.store);
        try {
          process.exitCode = await runImport(
            source,
            {
              store,
              url: opts.url,
              apiKey: opts.apiKey,
              station: opts.station,
              mediaRoot: opts.mediaRoot,
              copyMediaTo: opts.copyMedia,
              downloadMediaTo: opts.downloadMedia,
              analyze: opts.analyze === true,
              dryRun: opts.dryRun === true,
              reportFile: opts.report,
              verbose: opts.verbose === true,
            },
            io,
          );
        } finally {
          await store.close();
        }
      },
    );
  program
    .command("migrate")
    .description("bring a SQL store's schema up to date, or list migrations with --status")
    .option("--store <url>", "store URL", DEFAULT_STORE_URL)
    .option("--status", "only list applied and pending migrations")
    .action(async (opts: { store: string; status?: boolean }) => {
      process.exitCode = await runMigrate(opts.store, { status: opts.status === true }, io);
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
    .option("--harbor-port <port>", "port of the harbor, the live DJ source input (default 8001)")
    .option("--harbor-host <host>", "interface the harbor listens on (default: --host)")
    .option("--instance-id <id>", "this instance's id in a cluster (default <hostname>-<pid>)")
    .option("--peers <ids>", "ids of the other instances of a cluster, comma-separated")
    .option(
      "--media <dir>",
      "root of local media storage, shared by a cluster (default <data>/media)",
    )
    .option(
      "--lease-ttl-ms <ms>",
      "time to live of station, membership and planner leases (default 10000)",
    )
    .option("--planner-hours <hours>", "hours planned ahead on every planner run (default 48)")
    .option("--planner-interval-ms <ms>", "how often the planner re-plans (default 600000)")
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
