import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EMBEDDED_STATION_YAML } from "./options.js";
import { loadStationConfigs } from "./station-configs.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "grimnir-configs-"));
  dirs.push(dir);
  return dir;
}

/** The embedded demo station file with another station id and slug. */
function stationYaml(id: string): string {
  return EMBEDDED_STATION_YAML.replace(/id: "demo"/, `id: "${id}"`).replace(
    /slug: "demo"/,
    `slug: "${id}"`,
  );
}

describe("loadStationConfigs", () => {
  it("runs the embedded demo station without --config", async () => {
    const configs = await loadStationConfigs({ configFile: undefined });
    expect(configs.map((c) => c.station.id)).toEqual(["demo"]);
  });

  it("reads one station from a file", async () => {
    const file = join(await tempDir(), "north.yaml");
    await writeFile(file, stationYaml("north"));
    const configs = await loadStationConfigs({ configFile: file });
    expect(configs.map((c) => c.station.id)).toEqual(["north"]);
  });

  it("reads every *.yaml and *.yml file of a directory in name order, ignoring others", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "b-south.yml"), stationYaml("south"));
    await writeFile(join(dir, "a-north.yaml"), stationYaml("north"));
    await writeFile(join(dir, "notes.txt"), "not a station");
    const configs = await loadStationConfigs({ configFile: dir });
    expect(configs.map((c) => c.station.id)).toEqual(["north", "south"]);
  });

  it("rejects a directory without station files with CONFIG_INVALID", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "sub"));
    await expect(loadStationConfigs({ configFile: dir })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      details: { file: dir, field: "--config" },
    });
  });

  it("rejects two files with the same station id, naming the second", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "a.yaml"), stationYaml("north"));
    await writeFile(join(dir, "b.yaml"), stationYaml("north"));
    await expect(loadStationConfigs({ configFile: dir })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      details: { file: join(dir, "b.yaml"), field: "station.id" },
    });
  });
});
