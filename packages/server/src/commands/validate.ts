import { formatProblem, isGrimnirError, loadStationConfig } from "@grimnir/core";
import type { ConfigProblem, StationConfig } from "@grimnir/core";

import type { CommandIo } from "./io.js";

/**
 * `grimnir validate <file...>`: check station configuration files. For each
 * valid file prints one summary line to stdout; for each invalid one prints
 * every problem as `file:line:col: message` to stderr; an unreadable file is
 * reported on stderr. Every file is checked even after a failure.
 *
 * @returns the process exit code: 0 when every file is valid, 1 otherwise.
 */
export async function runValidate(files: readonly string[], io: CommandIo): Promise<number> {
  let exitCode = 0;
  for (const file of files) {
    try {
      const { config, problems } = await loadStationConfig(file);
      for (const warning of problems) io.stderr.write(`${formatProblem(warning)}\n`);
      io.stdout.write(`${file}: valid (${summarize(config)})\n`);
    } catch (error) {
      if (isGrimnirError(error, "CONFIG_INVALID")) {
        for (const problem of error.details.problems as ConfigProblem[])
          io.stderr.write(`${formatProblem(problem)}\n`);
      } else if (isGrimnirError(error, "NOT_FOUND")) {
        io.stderr.write(`grimnir: ${error.message}\n`);
      } else {
        throw error;
      }
      exitCode = 1;
    }
  }
  return exitCode;
}

/** `station "WGMR FM", 1 mount, 3 outputs, 4 DSP nodes`. */
function summarize(config: StationConfig): string {
  const outputs = config.mounts.reduce((sum, mount) => sum + mount.outputs.length, 0);
  return [
    `station ${JSON.stringify(config.station.name)}`,
    count(config.mounts.length, "mount"),
    count(outputs, "output"),
    count(config.dspGraph.nodes.length, "DSP node"),
  ].join(", ");
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
