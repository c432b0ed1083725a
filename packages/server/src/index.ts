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
import type { CommandIo } from "./commands/io.js";

export { runValidate } from "./commands/validate.js";
export { runAnalyze } from "./commands/analyze.js";
export type { AnalyzeCommandOptions, AnalyzeJsonRow } from "./commands/analyze.js";
export { runIngest, progressLine } from "./commands/ingest.js";
export type { IngestCommandOptions } from "./commands/ingest.js";
export type { CommandIo, OutputStream } from "./commands/io.js";

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
  return program;
}
