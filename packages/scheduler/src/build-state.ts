import type { Playlist, SmartBlock } from "@grimnir/core";
import type { BuilderDiagnostics } from "./builder-diagnostics.js";
import type { Prng } from "./prng.js";
import type { RotationTracker } from "./rotation-rules.js";
import type { PlayableItem, SmartBlockPicker } from "./smart-block.js";
import type { TimelineTrack } from "./timeline-track.js";
import type { Diagnostic, EntrySource } from "./types.js";

/** Automation tier of the core priority ladder. */
export const AUTOMATION = 3;
/** Live-scheduled tier of the core priority ladder. */
export const LIVE_SCHEDULED = 2;
/** Upper bound on items added by one fill, so a fill always terminates. */
export const MAX_ITEMS_PER_FILL = 500;

/** Where an entry comes from, before the rule that chose it is known. */
export type SourceBase = Omit<EntrySource, "rule">;

/** What the builder needs from the planner; all lookups are pre-validated maps. */
export interface BuilderContext {
  /** IANA zone of the station, for local times in diagnostics. */
  zone: string;
  /** Seed of the whole plan; each hour and shuffled playlist derives its own from it. */
  seed: number;
  /** Overlap between consecutive media items, ms (0: none). */
  crossfadeMs: number;
  /** Gap or overrun left alone rather than cut or filled, ms. */
  toleranceMs: number;
  library: Map<string, PlayableItem>;
  smartBlocks: Map<string, SmartBlock>;
  playlists: Map<string, Playlist>;
  rotation: RotationTracker;
  picker: SmartBlockPicker;
  /** Where diagnostics are appended, in the order they arise. */
  diagnostics: Diagnostic[];
}

/**
 * Mutable state shared by the steps of one build (slot expansion, block and
 * playlist fills, events, hard alignment). One per {@link BuilderContext}.
 */
export interface BuildState {
  readonly ctx: BuilderContext;
  /** The timeline so far and its cursor. */
  readonly track: TimelineTrack;
  /** Deduplicated diagnostics of this build. */
  readonly log: BuilderDiagnostics;
  /** Random source of the hour being planned (re-derived every hour). */
  prng: Prng;
  /** The smart block that filled last, topping up gaps before a hard event. */
  lastBlock: { block: SmartBlock; source: SourceBase } | undefined;
  /** Next position of each playlist, by playlist id. */
  readonly playlistPos: Map<string, number>;
}
