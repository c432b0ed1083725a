import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { GrimnirError, loadStationConfig, parseStationConfig } from "@grimnir/core";
import type { StationConfig } from "@grimnir/core";
import { EMBEDDED_STATION_YAML } from "./options.js";
import type { ServeOptions } from "./options.js";

/**
 * The station configurations `grimnir serve` runs, in order: the embedded
 * demo station without `--config`; one station for a file; for a directory,
 * one per `*.yaml`/`*.yml` file in name order. Rejects with `CONFIG_INVALID`
 * for a bad file (with `details.problems`), a directory without station files,
 * or two files with the same `station.id` (`details.file`, `details.field`).
 */
export async function loadStationConfigs(
  options: Pick<ServeOptions, "configFile">,
): Promise<StationConfig[]> {
  const file = options.configFile;
  if (file === undefined) {
    return [parseStationConfig(EMBEDDED_STATION_YAML, "<embedded demo station>").config];
  }
  if (!(await stat(file)).isDirectory()) return [(await loadStationConfig(file)).config];
  const names = (await readdir(file)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  if (names.length === 0) {
    throw new GrimnirError("CONFIG_INVALID", `${file} holds no station files (*.yaml, *.yml)`, {
      details: { file, field: "--config" },
    });
  }
  const configs: StationConfig[] = [];
  for (const name of names) {
    const config = (await loadStationConfig(join(file, name))).config;
    const clash = configs.find((c) => c.station.id === config.station.id);
    if (clash !== undefined) {
      throw new GrimnirError(
        "CONFIG_INVALID",
        `${join(file, name)}: station.id "${config.station.id}" is used by another file of ${file}`,
        { details: { file: join(file, name), field: "station.id" } },
      );
    }
    configs.push(config);
  }
  return configs;
}
