/**
 * Embed a Grimnir station in an app: an in-memory Store and EventBus, a few
 * hours planned by the scheduler, and a StationExecutor driving a fake media
 * engine on a manual clock — no audio hardware, no server.
 *
 * @packageDocumentation
 */
import { ManualTimeSource, MemoryBus, MemoryStore } from "@grimnir/core";
import type { EventMap } from "@grimnir/core";
import { FakeMediaEngine, StationExecutor } from "@grimnir/executor";
import { demoPlanInput, planTimeline } from "@grimnir/scheduler";

/** One `now_playing` event: what went on air. */
export type NowPlaying = EventMap["now_playing"];

/** Options of {@link embedStation}; every one has a default. */
export interface EmbedOptions {
  /** Start of the plan and of the simulated clock, epoch ms (default Monday 2026-01-05 12:00 New York). */
  from?: number;
  /** Hours to plan (default 3). */
  hours?: number;
  /** Simulated time to run the station for, ms (default 20 minutes). */
  runMs?: number;
  /** Called with each `now_playing` event (default: a line on the console). */
  print?: (nowPlaying: NowPlaying) => void;
}

/**
 * Plan `hours` of the demo station into a MemoryStore, run its executor for
 * `runMs` of simulated time, and return the planned entries and every
 * `now_playing` event, in order.
 */
export async function embedStation(options: EmbedOptions = {}): Promise<{
  planned: { id: string; mediaId?: string }[];
  onAir: NowPlaying[];
}> {
  const { from = Date.UTC(2026, 0, 5, 17), hours = 3, runMs = 20 * 60_000 } = options;
  const print = options.print ?? ((np) => console.log(`${np.artist} — ${np.title}`));
  const time = new ManualTimeSource(from);
  const store = new MemoryStore({ timeSource: time });
  const bus = new MemoryBus({ timeSource: time });

  // Plan the demo station (generated library, clocks, smart blocks) and publish it.
  const input = demoPlanInput(200);
  const planned = planTimeline(input, { from, hours, seed: 1 }).entries.map((e) => ({
    id: e.id,
    stationId: "demo",
    startsAt: e.startsAt,
    endsAt: e.endsAt,
    kind: e.kind,
    mediaId: e.mediaId,
    timing: e.timing,
    title: e.title,
    artist: e.artist,
    source: {},
  }));
  await store.schedule.replaceWindow("demo", { from, to: from + hours * 3_600_000 }, planned);

  const onAir: NowPlaying[] = [];
  await bus.subscribe("now_playing", "demo", ({ payload }) => {
    onAir.push(payload);
    print(payload);
  });

  // The executor plays the timeline; the fake engine stands in for GStreamer.
  const library = new Map(input.library.map((m) => [m.id, m]));
  const executor = new StationExecutor({
    stationId: "demo",
    store,
    bus,
    timeSource: time,
    engine: new FakeMediaEngine(time),
    resolveEntry: async (e) => {
      const m = library.get(e.mediaId ?? "");
      return (
        m && {
          uri: m.storageKey,
          startMs: m.cueInMs,
          endMs: m.cueOutMs,
          title: e.title,
          artist: e.artist,
        }
      );
    },
  });
  await executor.start({ runLoop: false }); // we tick it ourselves, on simulated time
  for (let t = 0; t < runMs; t += 250) {
    time.advance(250);
    await executor.tick();
    await new Promise((resolve) => setImmediate(resolve)); // let the bus deliver
  }
  await executor.stop();
  await Promise.all([bus.close(), store.close()]);
  return { planned, onAir };
}
