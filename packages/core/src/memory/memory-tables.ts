import type { Station, Mount } from "../model/station.js";
import type { User } from "../model/user.js";
import type { MediaItem } from "../model/media.js";
import type { Playlist } from "../model/playlist.js";
import type { SmartBlock } from "../model/smart-block.js";
import type { Clock } from "../model/clock.js";
import type { Show, Override } from "../model/show.js";
import type { Webstream } from "../model/webstream.js";
import type { LiveSession, LiveToken } from "../model/live.js";
import type { ScheduleEntry, PlayHistory } from "../model/schedule.js";
import type { ExecutorState } from "../model/executor-state.js";

/**
 * Everything a {@link MemoryStore} holds, one map per kind keyed by id
 * (executor states by station id). Stored records are never mutated in place —
 * writes replace them with fresh copies — so a snapshot is a shallow copy of the maps.
 */
export interface MemoryTables {
  stations: Map<string, Station>;
  users: Map<string, User>;
  mounts: Map<string, Mount>;
  media: Map<string, MediaItem>;
  playlists: Map<string, Playlist>;
  smartBlocks: Map<string, SmartBlock>;
  clocks: Map<string, Clock>;
  shows: Map<string, Show>;
  overrides: Map<string, Override>;
  webstreams: Map<string, Webstream>;
  liveTokens: Map<string, LiveToken>;
  liveSessions: Map<string, LiveSession>;
  schedule: Map<string, ScheduleEntry>;
  playHistory: Map<string, PlayHistory>;
  executorStates: Map<string, ExecutorState>;
}

/** Empty tables. */
export function emptyTables(): MemoryTables {
  return {
    stations: new Map(),
    users: new Map(),
    mounts: new Map(),
    media: new Map(),
    playlists: new Map(),
    smartBlocks: new Map(),
    clocks: new Map(),
    shows: new Map(),
    overrides: new Map(),
    webstreams: new Map(),
    liveTokens: new Map(),
    liveSessions: new Map(),
    schedule: new Map(),
    playHistory: new Map(),
    executorStates: new Map(),
  };
}

/** A snapshot that later writes to `tables` do not affect (records are immutable). */
export function snapshotTables(tables: MemoryTables): MemoryTables {
  const copy = emptyTables();
  for (const key of Object.keys(tables) as (keyof MemoryTables)[]) {
    (copy[key] as Map<string, unknown>) = new Map(tables[key] as Map<string, unknown>);
  }
  return copy;
}

/**
 * Runs a synchronous operation on the current tables. The store's runner
 * serialises with transactions; a transaction's runner works on its own view.
 */
export type TableRunner = <R>(op: (tables: MemoryTables) => R) => Promise<R>;
