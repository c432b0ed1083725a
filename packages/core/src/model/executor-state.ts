import type { StationScoped } from "./entity.js";
import type { Priority } from "../priority.js";

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

/** Persisted executor state of one station, for restart recovery. */
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
}
