import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GrimnirError } from "@grimnir/core";
import type {
  EventBus,
  MediaItem,
  NewEntity,
  ScheduleEntry,
  Store,
  TimeSource,
} from "@grimnir/core";
import { planTimeline } from "@grimnir/scheduler";
import type { ClockAssignment, PlanInput, TimelineEntry } from "@grimnir/scheduler";
import type { PlannerPort } from "@grimnir/http";

/**
 * Planner settings the Store has no place for yet: which clock plays which
 * hour, and the planning seed. Kept as `<data>/planner/<stationId>.json`.
 */
export interface PlannerSettings {
  /** Clock for hours nothing else claims; default: the clock named "standard", else the first by id. */
  defaultClockId?: string;
  /** Per-hour clock choice. */
  clockAssignment?: ClockAssignment;
  /** Seed of every random choice (default 1). */
  seed?: number;
}

const HOUR_MS = 3_600_000;

function settingsFile(dataDir: string, stationId: string): string {
  return join(dataDir, "planner", `${stationId}.json`);
}

/** Write a station's {@link PlannerSettings} (creating the folder). */
export async function writePlannerSettings(
  dataDir: string,
  stationId: string,
  settings: PlannerSettings,
): Promise<void> {
  await mkdir(join(dataDir, "planner"), { recursive: true });
  await writeFile(settingsFile(dataDir, stationId), JSON.stringify(settings, null, 2) + "\n");
}

/** Read a station's {@link PlannerSettings}; `{}` when the file does not exist. */
export async function readPlannerSettings(
  dataDir: string,
  stationId: string,
): Promise<PlannerSettings> {
  let text: string;
  try {
    text = await readFile(settingsFile(dataDir, stationId), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  try {
    return JSON.parse(text) as PlannerSettings;
  } catch (cause) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${settingsFile(dataDir, stationId)} is not valid JSON`,
      {
        details: { file: settingsFile(dataDir, stationId) },
        cause,
      },
    );
  }
}

/** Options of {@link PlannerService}. */
export interface PlannerServiceOptions {
  store: Store;
  bus: EventBus;
  /** Where planner settings live. */
  dataDir: string;
  timeSource: TimeSource;
  /** Window planned on every run, hours (default 48). */
  hours?: number;
  /** Crossfade between soft items, ms (from the station config). */
  crossfadeMs?: number;
  /** A station's own crossfade, ms, when it has a station file; `crossfadeMs` otherwise. */
  crossfadeMsOf?: (stationId: string) => number | undefined;
  /** Told after every regeneration (e.g. so executors re-read the timeline). */
  onRegenerated?: (
    stationId: string,
    result: { from: number; to: number; entries: number },
  ) => void;
}

function toScheduleEntry(stationId: string, entry: TimelineEntry): NewEntity<ScheduleEntry> {
  const { rule: _rule, ...source } = entry.source;
  return {
    id: entry.id,
    stationId,
    startsAt: entry.startsAt,
    endsAt: entry.endsAt,
    kind: entry.kind,
    ...(entry.mediaId === undefined ? {} : { mediaId: entry.mediaId }),
    ...(entry.webstreamId === undefined ? {} : { webstreamId: entry.webstreamId }),
    timing: entry.timing,
    ...(entry.fadeInMs === undefined ? {} : { fadeInMs: entry.fadeInMs }),
    ...(entry.fadeOutMs === undefined ? {} : { fadeOutMs: entry.fadeOutMs }),
    source,
    ...(entry.title === undefined ? {} : { title: entry.title }),
    ...(entry.artist === undefined ? {} : { artist: entry.artist }),
  };
}

async function listAll<T>(page: (offset: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += 1000) {
    const rows = await page(offset);
    out.push(...rows);
    if (rows.length < 1000) return out;
  }
}

/**
 * The planner as a service: reads a station's rules, library and last 48 h of
 * history from the Store, runs `planTimeline` (deterministic for a seed) and
 * atomically replaces the rolling window with the result. Entries within the
 * frozen horizon (15 min) are kept as they were, so what the executor is about
 * to play does not change under it. Implements the API's {@link PlannerPort}.
 */
export class PlannerService implements PlannerPort {
  readonly #o: PlannerServiceOptions;

  /** A planner over `options.store`; nothing runs until called. */
  constructor(options: PlannerServiceOptions) {
    this.#o = options;
  }

  /** Everything `planTimeline` reads for `stationId`, from the Store and the settings file. */
  async planInput(stationId: string): Promise<PlanInput> {
    const { store } = this.#o;
    const station = await store.stations.get(stationId);
    if (station === undefined) {
      throw new GrimnirError("NOT_FOUND", `station ${stationId} does not exist`, {
        details: { stationId },
      });
    }
    const settings = await readPlannerSettings(this.#o.dataDir, stationId);
    const list = <T>(repo: {
      list(id: string, page: { limit: number; offset: number }): Promise<T[]>;
    }) => listAll((offset) => repo.list(stationId, { limit: 1000, offset }));
    const [clocks, smartBlocks, playlists, shows, overrides, library] = await Promise.all([
      list(store.clocks),
      list(store.smartBlocks),
      list(store.playlists),
      list(store.shows),
      list(store.overrides),
      listAll((offset) => store.media.list(stationId, { limit: 1000, offset })).then((items) =>
        // Items still being analysed play when their length is known (their gain follows once measured).
        items.filter((m) => m.analysisStatus !== "failed" && m.cueOutMs > m.cueInMs),
      ),
    ]);
    const now = this.#o.timeSource.now();
    const history = await store.playHistory.list(stationId, {
      from: now - 48 * HOUR_MS,
      to: now + 1,
    });
    const crossfadeMs = this.#o.crossfadeMsOf?.(stationId) ?? this.#o.crossfadeMs;
    const defaultClockId =
      settings.defaultClockId ??
      clocks.find((c) => c.name === "standard")?.id ??
      [...clocks].sort((a, b) => a.id.localeCompare(b.id))[0]?.id;
    return {
      station,
      clocks,
      smartBlocks,
      playlists,
      shows,
      overrides,
      ...(defaultClockId === undefined ? {} : { defaultClockId }),
      ...(settings.clockAssignment === undefined
        ? {}
        : { clockAssignment: settings.clockAssignment }),
      library,
      history,
      ...(crossfadeMs === undefined ? {} : { crossfadeMs }),
    };
  }

  /** Re-plan the next `hours` (default 48) from now and store it; see {@link PlannerPort.regenerate}. */
  async regenerate(stationId: string): Promise<{ from: number; to: number; entries: number }> {
    const { store, bus } = this.#o;
    const input = await this.planInput(stationId);
    const settings = await readPlannerSettings(this.#o.dataDir, stationId);
    const from = this.#o.timeSource.now();
    const hours = this.#o.hours ?? 48;
    const to = from + hours * HOUR_MS;
    const previous = await store.schedule.window(stationId, { from, to });
    const plan = planTimeline(input, {
      from,
      hours,
      seed: settings.seed ?? 1,
      previous: previous.map((e) => ({ ...e, source: { ...e.source, rule: "frozen" } })),
    });
    const entries = plan.entries
      .filter((e) => e.startsAt >= from && e.startsAt < to)
      .map((e) => toScheduleEntry(stationId, e));
    await store.schedule.replaceWindow(stationId, { from, to }, entries);
    const result = { from, to, entries: entries.length };
    await bus.publish("schedule.updated", stationId, result);
    this.#o.onRegenerated?.(stationId, result);
    return result;
  }

  /** Plan `range` with `changes` merged over the stored input, writing nothing; see {@link PlannerPort.whatIf}. */
  async whatIf(
    stationId: string,
    range: { from: number; to: number },
    changes: Record<string, unknown>,
  ): Promise<{ entries: ScheduleEntry[]; diagnostics: unknown[] }> {
    const input = await this.planInput(stationId);
    const settings = await readPlannerSettings(this.#o.dataDir, stationId);
    const hours = Math.max(1 / 60, (range.to - range.from) / HOUR_MS);
    const result = planTimeline({ ...input, ...changes } as PlanInput, {
      from: range.from,
      hours,
      seed: settings.seed ?? 1,
    });
    const now = Date.now();
    const entries = result.entries.map((e) => ({
      ...toScheduleEntry(stationId, e),
      id: e.id,
      version: 0,
      createdAt: now,
      updatedAt: now,
    }));
    return { entries, diagnostics: result.diagnostics };
  }

  /** The media a smart block would pick now: a one-hour plan of a clock holding only that block. */
  async previewSmartBlock(stationId: string, smartBlockId: string): Promise<MediaItem[]> {
    const input = await this.planInput(stationId);
    if (!input.smartBlocks.some((b) => b.id === smartBlockId)) {
      throw new GrimnirError(
        "NOT_FOUND",
        `smart block ${smartBlockId} does not exist in station ${stationId}`,
        {
          details: { field: "id" },
        },
      );
    }
    const now = this.#o.timeSource.now();
    const clockId = "__preview__";
    const plan = planTimeline(
      {
        ...input,
        shows: [],
        overrides: [],
        clocks: [
          {
            id: clockId,
            stationId,
            name: clockId,
            version: 1,
            createdAt: now,
            updatedAt: now,
            slots: [{ id: "preview", kind: "smart_block", offsetMs: 0, refId: smartBlockId }],
          },
        ],
        defaultClockId: clockId,
        clockAssignment: {},
      },
      { from: now, hours: 1, seed: 1 },
    );
    const byId = new Map(input.library.map((m) => [m.id, m]));
    return plan.entries
      .map((e) => (e.mediaId === undefined ? undefined : byId.get(e.mediaId)))
      .filter((m): m is MediaItem => m !== undefined);
  }
}
