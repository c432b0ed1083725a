import type { StationScoped } from "./entity.js";
import type { Priority, PrioritySource } from "../priority.js";

/** The executor's six states, as in the brief. */
export type ExecutorStateName = "idle" | "preloading" | "playing" | "fading" | "live" | "emergency";

/** State names in their metric order (the `grimnir_executor_state` gauge value). */
export const EXECUTOR_STATES: readonly ExecutorStateName[] = [
  "idle",
  "preloading",
  "playing",
  "fading",
  "live",
  "emergency",
];

/**
 * A source above automation (emergency, live) active for a station, as
 * persisted so a new executor keeps it on air after a restart.
 */
export interface PersistedSource extends PrioritySource {
  /** Input or file the engine plays for it (live input URI, emergency audio). */
  uri?: string;
  /** Now-playing metadata. */
  title?: string;
  artist?: string;
}

/**
 * Persisted executor state of one station, for restart recovery. Stores keep
 * it as one document (SQL adapters: the `executor_states.doc` JSON column),
 * so optional fields need no migration.
 */
export interface ExecutorState extends StationScoped {
  state: ExecutorStateName;
  /** Tier on air now. */
  priority: Priority;
  /** Schedule entry on air, if automation. */
  currentEntryId?: string;
  /** When the current item started, epoch ms. */
  currentStartedAt?: number;
  nextEntryId?: string;
  /** Instance that drives the station and its fencing token. */
  ownerId?: string;
  fencingToken?: number;
  /** Last telemetry heartbeat, epoch ms. */
  lastHeartbeatAt?: number;
  /** Position in the current entry's playable audio at the write, ms. */
  positionMs?: number;
  /** The priority stack: active emergency and live sources, highest tier first. */
  sources?: PersistedSource[];
  /** Open play history record of what is on air, so the next owner closes it. */
  playHistoryId?: string;
}
