import { describe, expect, it } from "vitest";
import { Priority } from "@grimnir/core";
import { STATION, T0, entry, harness, settle } from "./executor.test-helpers.js";
import type { Harness } from "./executor.test-helpers.js";

/** The station's play history as [tier, title, start, end] rows, times relative to T0 in ms. */
async function aircheck(h: Harness): Promise<[number, string | undefined, number, number?][]> {
  await h.executor.stop();
  const rows = await h.memoryStore.playHistory.list(STATION, {
    from: T0 - 1,
    to: T0 + 24 * 3_600_000,
  });
  return rows.map((p) => {
    const row: [number, string | undefined, number, number?] = [
      p.priority,
      p.title,
      p.startedAt - T0,
    ];
    if (p.endedAt !== undefined) row.push(p.endedAt - T0);
    return row;
  });
}

describe("play history of every tier", () => {
  it("records an emergency insert with its tier, start and end between the automation items", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(10_000);
    await h.executor.insertEmergency({
      id: "eas-1",
      uri: "file:///eas.ogg",
      title: "Flood warning",
    });
    await h.step(10_000);
    await h.executor.endEmergency("eas-1");
    await h.step(1000);
    expect(await aircheck(h)).toEqual([
      [Priority.Automation, "Title a", 0, 10_000],
      [Priority.Emergency, "Flood warning", 10_000, 20_000],
      [Priority.Automation, "Title a", 20_000],
    ]);
  });

  it("records a live session with its title and a new record for each metadata change", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(5000);
    await h.executor.startLive({
      sessionId: "s1",
      inputUri: "harbor://s1",
      priority: Priority.LiveOverride,
      title: "Morning show",
      artist: "DJ Ana",
    });
    await h.step(10_000);
    expect(await h.executor.setLiveMetadata("s1", { title: "Second song", artist: "Band" })).toBe(
      true,
    );
    expect(await h.executor.setLiveMetadata("nobody", { title: "x" })).toBe(false);
    await h.step(10_000);
    await h.executor.endLive("s1");
    await h.step(1000);
    const nowPlaying = h.eventsOf("now_playing").map((e) => [e.payload.priority, e.payload.title]);
    expect(nowPlaying).toContainEqual([Priority.LiveOverride, "Second song"]);
    const rows = await aircheck(h);
    expect(rows).toEqual([
      [Priority.Automation, "Title a", 0, 5000],
      [Priority.LiveOverride, "Morning show", 5000, 15_000],
      [Priority.LiveOverride, "Second song", 15_000, 25_000],
      [Priority.Automation, "Title a", 25_000],
    ]);
    const live = await h.memoryStore.playHistory.list(STATION, { from: T0, to: T0 + 60_000 });
    expect(live.find((p) => p.title === "Morning show")?.artist).toBe("DJ Ana");
  });

  it("records a scheduled live session that waited behind an override when it takes the air", async () => {
    const h = await harness([entry("a", 0, 120_000)]);
    await h.executor.start({ runLoop: false });
    await h.step(1000);
    await h.executor.startLive({
      sessionId: "o",
      inputUri: "harbor://o",
      priority: Priority.LiveOverride,
      title: "Override",
    });
    await h.step(1000);
    await h.executor.startLive({
      sessionId: "s",
      inputUri: "harbor://s",
      priority: Priority.LiveScheduled,
      title: "Scheduled",
    });
    await h.step(4000);
    await h.executor.endLive("o");
    await h.step(5000);
    await h.executor.endLive("s");
    await h.step(1000);
    expect(await aircheck(h)).toEqual([
      [Priority.Automation, "Title a", 0, 1000],
      [Priority.LiveOverride, "Override", 1000, 6000],
      [Priority.LiveScheduled, "Scheduled", 6000, 11_000],
      [Priority.Automation, "Title a", 11_000],
    ]);
  });

  it("records each fallback item when the timeline runs dry, and closes the last when automation returns", async () => {
    const h = await harness([entry("a", 0, 10_000), entry("b", 100_000, 60_000, "hard")], {
      fallback: [
        { uri: "file:///fb1.ogg", durationMs: 40_000, title: "Filler one" },
        { uri: "file:///fb2.ogg", durationMs: 40_000, title: "Filler two" },
      ],
    });
    await h.executor.start({ runLoop: false });
    await h.step(105_000);
    const rows = await aircheck(h);
    expect(rows.map(([tier, title]) => [tier, title])).toEqual([
      [Priority.Automation, "Title a"],
      [Priority.Fallback, "Filler one"],
      [Priority.Fallback, "Filler two"],
      [Priority.Fallback, "Filler one"],
      [Priority.Automation, "Title b"],
    ]);
    // Each record ends where the next begins: the log has no hole and no overlap.
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]![3]).toBe(rows[i]![2]);
    expect(rows[1]![2]).toBeGreaterThanOrEqual(10_000);
    expect(rows[1]![2]).toBeLessThanOrEqual(10_500);
    expect(rows.at(-1)).toEqual([Priority.Automation, "Title b", 100_000]);
  });

  it("records the fallback a silent item failed over to", async () => {
    const h = await harness([entry("a", 0, 60_000), entry("b", 60_000, 60_000)], {
      silenceWindowMs: 2000,
    });
    await h.executor.start({ runLoop: false });
    await h.step(5000);
    for (let i = 0; i < 12; i++) {
      h.engine.emitTelemetry(STATION, { levelLeftDb: -90, levelRightDb: -90 });
      await h.step(250);
    }
    await settle();
    const rows = await aircheck(h);
    expect(rows.map(([tier, title]) => [tier, title])).toEqual([
      [Priority.Automation, "Title a"],
      [Priority.Fallback, "Fallback"],
    ]);
    expect(rows[0]![3]).toBe(rows[1]![2]);
  });
});
