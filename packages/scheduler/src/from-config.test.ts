import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseStationConfig } from "@grimnir/core";
import type { MediaItem, PlayHistory } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import {
  demoStationRules,
  planFromFiles,
  planInputFromConfig,
  planOptionsFromConfig,
  planTimeline,
  whatIfFromFiles,
} from "./index.js";

const DEMO = fileURLToPath(new URL("../../../examples/demo-station/", import.meta.url));
const STATION_YAML = join(DEMO, "station.yaml");
const LIBRARY_JSON = join(DEMO, "library.json");
const yamlText = readFileSync(STATION_YAML, "utf8");
const library = JSON.parse(readFileSync(LIBRARY_JSON, "utf8")) as MediaItem[];
const { config } = parseStationConfig(yamlText, STATION_YAML);
// 2026-01-09 12:00 New York, a Friday: the window holds the Friday jazz show.
const FROM = Date.UTC(2026, 0, 9, 17, 0);

function hardEventsAtTheHour(result: ReturnType<typeof planTimeline>): void {
  const tops = result.entries.filter((e) => e.source.slotId === "top-of-hour-id");
  expect(tops.map((e) => e.startsAt)).toEqual(result.hours.map((h) => h.startsAt));
  for (const top of tops) {
    expect(top.timing).toBe("hard");
    expect(top.mediaId).toBe("jingle-001");
  }
}

describe("planInputFromConfig", () => {
  it("turns the demo station YAML into the demo station's rules", () => {
    const input = planInputFromConfig(config, library);
    const rules = demoStationRules();
    expect(input.station).toEqual(rules.station);
    expect(input.clocks).toEqual(rules.clocks);
    expect(input.smartBlocks).toEqual(rules.smartBlocks);
    expect(input.shows).toEqual(rules.shows);
    expect(input.playlists).toEqual([]);
    expect(input.overrides).toEqual([]);
    expect(input.defaultClockId).toBe(rules.defaultClockId);
    expect(input.clockAssignment).toEqual(rules.clockAssignment);
    expect(input.crossfadeMs).toBe(0);
    expect(input.library).toBe(library);
    expect(input.history).toEqual([]);
  });

  it("keeps examples/demo-station/plan-input.json in step with station.yaml", () => {
    const committed = JSON.parse(readFileSync(join(DEMO, "plan-input.json"), "utf8")) as unknown;
    expect(committed).toEqual({
      ...planInputFromConfig(config, []),
      library: "./library.json",
      history: [],
    });
  });

  it("maps overrides, playlists, history and the planner section", () => {
    const text = `${yamlText}
playlists:
  - { id: morning, items: [track-000001, track-000002], mode: shuffled }
overrides:
  - id: new-year
    name: "New Year countdown"
    starts_at: "2026-12-31T23:00:00-05:00"
    ends_at: "2027-01-01T01:00:00-05:00"
    clock: jazz
`.replace("  seed: 1\n", "  seed: 9\n  tolerance_sec: 10\n");
    const parsed = parseStationConfig(text, "station.yaml").config;
    const history: PlayHistory[] = [
      {
        id: "h1",
        version: 1,
        createdAt: 0,
        updatedAt: 0,
        stationId: "demo",
        mediaId: "track-000001",
        startedAt: FROM - 600_000,
        priority: 3,
      },
    ];
    const input = planInputFromConfig(parsed, library, history);
    expect(input.history).toBe(history);
    expect(input.playlists).toEqual([
      {
        stationId: "demo",
        version: 1,
        createdAt: 0,
        updatedAt: 0,
        id: "morning",
        name: "morning",
        items: ["track-000001", "track-000002"],
        mode: "shuffled",
      },
    ]);
    expect(input.overrides[0]).toMatchObject({
      id: "new-year",
      stationId: "demo",
      startsAt: Date.UTC(2027, 0, 1, 4),
      endsAt: Date.UTC(2027, 0, 1, 6),
      clockId: "jazz",
    });
    expect(planOptionsFromConfig(parsed, FROM)).toEqual({
      from: FROM,
      hours: 48,
      seed: 9,
      frozenUntil: FROM + 15 * 60_000,
      toleranceMs: 10_000,
    });
    expect(planOptionsFromConfig(parsed, FROM, { hours: 6, seed: 2 })).toMatchObject({
      hours: 6,
      seed: 2,
    });
  });
});

describe("the demo station from station.yaml", () => {
  it("plans 48 hours without errors, the ID exactly at every :00 and the stopset at :30", () => {
    const input = planInputFromConfig(config, library);
    const result = planTimeline(input, planOptionsFromConfig(config, FROM));
    expect(result.hours).toHaveLength(48);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    hardEventsAtTheHour(result);
    const stopsets = result.entries.filter((e) => e.kind === "stopset");
    const nonJazzHours = result.hours.filter((h) => h.clockId !== "jazz");
    expect(stopsets.filter((e) => e.mediaId === "jingle-002")).toHaveLength(nonJazzHours.length);
    for (const hour of nonJazzHours) {
      const first = stopsets.find((e) => e.startsAt >= hour.startsAt && e.startsAt < hour.endsAt);
      // soft: after the song playing at :30 ends, or early when the block ended within the 30 s tolerance
      expect(first!.startsAt).toBeGreaterThanOrEqual(hour.startsAt + 1_800_000 - 30_000);
      expect(first!.startsAt).toBeLessThan(hour.startsAt + 1_800_000 + 400_000);
    }
    const jazz = result.hours.filter((h) => h.showId === "friday-jazz");
    expect(jazz.map((h) => h.local)).toEqual([
      "2026-01-09T20:00:00-05:00",
      "2026-01-09T21:00:00-05:00",
    ]);
    expect(result.hours.filter((h) => h.clockId === "daytime").length).toBeGreaterThan(0);
  });

  it("keeps the ID on the hour across the spring DST change (23-hour day)", () => {
    const from = Date.UTC(2026, 2, 7, 5); // 2026-03-07 00:00 EST
    const result = planTimeline(
      planInputFromConfig(config, library),
      planOptionsFromConfig(config, from),
    );
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const march8 = result.hours.filter((h) => h.local.startsWith("2026-03-08"));
    expect(march8).toHaveLength(23);
    hardEventsAtTheHour(result);
  });
});

describe("planFromFiles and whatIfFromFiles", () => {
  const dir = mkdtempSync(join(tmpdir(), "grimnir-plan-"));

  it("plans from the files byte-identically on every run", async () => {
    const options = { config: STATION_YAML, library: LIBRARY_JSON, from: FROM, hours: 24 };
    const a = await planFromFiles(options);
    const b = await planFromFiles(options);
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    expect(a.options).toMatchObject({ from: FROM, hours: 24, seed: 1 });
    expect(a.config.station.id).toBe("demo");
    expect(a.result.entries.length).toBeGreaterThan(200);
  });

  it("reads the history so recently played tracks are held back", async () => {
    const base = await planFromFiles({
      config: STATION_YAML,
      library: LIBRARY_JSON,
      from: FROM,
      hours: 2,
    });
    const first = base.result.entries.find((e) => e.source.smartBlockId === "new-music")!;
    const history = join(dir, "history.json");
    writeFileSync(
      history,
      JSON.stringify([
        {
          id: "h1",
          version: 1,
          createdAt: 0,
          updatedAt: 0,
          stationId: "demo",
          mediaId: first.mediaId,
          artist: first.artist,
          title: first.title,
          startedAt: FROM - 60_000,
          endedAt: FROM,
          priority: 3,
        },
      ]),
    );
    const withHistory = await planFromFiles({
      config: STATION_YAML,
      library: LIBRARY_JSON,
      history,
      from: FROM,
      hours: 2,
    });
    expect(withHistory.input.history).toHaveLength(1);
    const played = withHistory.result.entries.filter((e) => e.mediaId === first.mediaId);
    expect(played).toEqual([]);
  });

  it("diffs a proposed configuration without the Friday show", async () => {
    const proposed = join(dir, "no-jazz.yaml");
    writeFileSync(
      proposed,
      yamlText.replace(/\nshows:\n[\s\S]*?\nclock_assignment:/, "\nclock_assignment:"),
    );
    const {
      current,
      proposed: plan,
      diff,
    } = await whatIfFromFiles({
      config: STATION_YAML,
      proposedConfig: proposed,
      library: LIBRARY_JSON,
      from: FROM,
      hours: 12,
    });
    expect(current.result.hours.some((h) => h.showId === "friday-jazz")).toBe(true);
    expect(plan.result.hours.some((h) => h.showId === "friday-jazz")).toBe(false);
    expect(diff.added.length + diff.removed.length).toBeGreaterThan(0);
  });

  it("rejects a library that is not a JSON array, naming the file", async () => {
    const bad = join(dir, "library.json");
    writeFileSync(bad, '{"items": []}');
    await expect(
      planFromFiles({ config: STATION_YAML, library: bad, from: FROM }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: `${bad} must hold a JSON array of library items`,
    });
  });
});
