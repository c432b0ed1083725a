import type { MediaItem, PlayHistory, StationConfig } from "@grimnir/core";
import type { PlanInput, PlanOptions } from "./types.js";

/** Store-managed fields a configured object lacks; fixed so the plan stays byte-identical. */
function stored(stationId: string): {
  stationId: string;
  version: number;
  createdAt: number;
  updatedAt: number;
} {
  return { stationId, version: 1, createdAt: 0, updatedAt: 0 };
}

/**
 * The planner input of a validated station configuration (see core's
 * `parseStationConfig`), a library snapshot and the play history. Pure: the
 * config's clocks, smart blocks, playlists, shows and overrides are copied
 * with the station id and fixed store fields (version 1, timestamps 0) so two
 * conversions of the same file are identical; `clock_assignment` becomes
 * `defaultClockId` / `clockAssignment`; `planner.crossfade_ms` (or the station
 * crossfade) becomes `crossfadeMs`. Library and history are used as given
 * (not copied): treat them as immutable snapshots.
 */
export function planInputFromConfig(
  config: StationConfig,
  library: MediaItem[],
  history: PlayHistory[] = [],
): PlanInput {
  const meta = stored(config.station.id);
  const { defaultClockId, byHourOfDay, byHourOfWeek } = config.clockAssignment;
  const input: PlanInput = {
    station: {
      id: config.station.id,
      name: config.station.name,
      timezone: config.station.timezone,
    },
    clocks: config.clocks.map((clock) => ({
      ...meta,
      ...clock,
      slots: clock.slots.map((slot) => ({ ...slot })),
    })),
    smartBlocks: config.smartBlocks.map((block) => ({ ...meta, ...block })),
    playlists: config.playlists.map((playlist) => ({ ...meta, ...playlist })),
    shows: config.shows.map((show) => ({ ...meta, ...show })),
    overrides: config.overrides.map((override) => ({ ...meta, ...override })),
    library,
    history,
    crossfadeMs: config.planner.crossfadeMs,
  };
  if (defaultClockId !== undefined) input.defaultClockId = defaultClockId;
  if (byHourOfDay !== undefined || byHourOfWeek !== undefined) {
    input.clockAssignment = {
      ...(byHourOfDay !== undefined ? { byHourOfDay: [...byHourOfDay] } : {}),
      ...(byHourOfWeek !== undefined ? { byHourOfWeek: [...byHourOfWeek] } : {}),
    };
  }
  return input;
}

/** What may override the `planner` section of the file for one run. */
export interface PlanWindowOverrides {
  /** Window length, hours (default `planner.hours`). */
  hours?: number;
  /** PRNG seed (default `planner.seed`). */
  seed?: number;
}

/**
 * Planner options from the station's `planner` section for a window starting
 * at `from` (epoch ms): hours, seed, the frozen horizon (`from` +
 * `frozen_minutes`) and the fill tolerance (ms). `overrides` win over the file.
 */
export function planOptionsFromConfig(
  config: StationConfig,
  from: number,
  overrides: PlanWindowOverrides = {},
): PlanOptions {
  return {
    from,
    hours: overrides.hours ?? config.planner.hours,
    seed: overrides.seed ?? config.planner.seed,
    frozenUntil: from + config.planner.frozenMinutes * 60_000,
    toleranceMs: Math.round(config.planner.toleranceSec * 1000),
  };
}
