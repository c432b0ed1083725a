/**
 * `@grimnir/server` — the Grimnir reference server and the `grimnir` command line.
 *
 * @packageDocumentation
 */

import { readFileSync } from "node:fs";
import { Command } from "commander";
import { runValidate } from "./commands/validate.js";
import type { CommandIo } from "./commands/validate.js";

export { runValidate } from "./commands/validate.js";
export type { CommandIo, OutputStream } from "./commands/validate.js";

/** Version of this package, read from its package.json (works from `src/` and from `dist/`). */
export function serverVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
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
  io: CommandIo = { stdout: process.stdout, stderr: process.stderr },
): Command {
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
  return program;
}
