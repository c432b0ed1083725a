import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseStationConfig } from "@grimnir/core";
import { demoEmergencyFile } from "./demo-station.js";
import { emergencyAudioFile } from "./executor-pool.js";
import { EMBEDDED_STATION_YAML } from "./options.js";

const dirs = { dataDir: "/srv/grimnir/data", mediaRoot: "/srv/grimnir/media" };

function configWithEmergency(path: string) {
  return parseStationConfig(
    EMBEDDED_STATION_YAML.replace(
      'emergency_audio_path: "media/demo/emergency.mp3"',
      `emergency_audio_path: "${path}"`,
    ),
    "<test>",
  ).config;
}

describe("emergencyAudioFile", () => {
  it("resolves a relative configured path against the data directory", () => {
    const config = configWithEmergency("media/demo/emergency.mp3");
    expect(emergencyAudioFile(config, "demo", dirs)).toBe(
      join(dirs.dataDir, "media/demo/emergency.mp3"),
    );
  });

  it("keeps an absolute configured path", () => {
    const config = configWithEmergency("/audio/fallback.mp3");
    expect(emergencyAudioFile(config, "demo", dirs)).toBe("/audio/fallback.mp3");
  });

  it("falls back to the demo library's emergency file for a station without a file", () => {
    expect(emergencyAudioFile(undefined, "north", dirs)).toBe(
      demoEmergencyFile(dirs.mediaRoot, "north"),
    );
    expect(emergencyAudioFile(undefined, "north", dirs)).toBe(
      join(dirs.mediaRoot, "north", "emergency.mp3"),
    );
  });
});
