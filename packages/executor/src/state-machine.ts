import { GrimnirError, SystemTimeSource } from "@grimnir/core";
import type { ExecutorStateName, TimeSource } from "@grimnir/core";

/**
 * Allowed transitions of the executor's six states. Anything not listed is an
 * invalid transition; a state never transitions to itself.
 *
 * - `idle` → something starts: preload, play, a live source or an emergency.
 * - `preloading` → the preloaded item starts, or is abandoned, or is preempted.
 * - `playing` → preload the next item, fade out, be preempted, or stop.
 * - `fading` → the next item is playing, or the air is handed to live/emergency, or stopped.
 * - `live` → the DJ leaves (fade back / play automation) or an emergency preempts.
 * - `emergency` → the alert ends (fade back / play / live resumes) or is stopped.
 */
export const EXECUTOR_TRANSITIONS: Readonly<
  Record<ExecutorStateName, readonly ExecutorStateName[]>
> = {
  idle: ["preloading", "playing", "live", "emergency"],
  preloading: ["playing", "idle", "live", "emergency"],
  playing: ["preloading", "fading", "live", "emergency", "idle"],
  fading: ["playing", "preloading", "live", "emergency", "idle"],
  live: ["fading", "playing", "emergency", "idle"],
  emergency: ["fading", "playing", "live", "idle"],
};

/** True when `from` → `to` is an allowed transition. */
export function canTransition(from: ExecutorStateName, to: ExecutorStateName): boolean {
  return EXECUTOR_TRANSITIONS[from].includes(to);
}

/** Throws `INVALID_TRANSITION` naming both states and the allowed targets when `from` → `to` is not allowed. */
export function assertTransition(from: ExecutorStateName, to: ExecutorStateName): void {
  if (!canTransition(from, to)) throw transitionError(from, to);
}

function transitionError(from: ExecutorStateName, to: ExecutorStateName): GrimnirError {
  return new GrimnirError(
    "INVALID_TRANSITION",
    `executor cannot go from "${from}" to "${to}"; from "${from}" it may go to ${EXECUTOR_TRANSITIONS[
      from
    ]
      .map((s) => `"${s}"`)
      .join(", ")}`,
    { details: { from, to } },
  );
}

/** A state change as reported to listeners. */
export interface StateChange {
  from: ExecutorStateName;
  to: ExecutorStateName;
  /** When it happened, epoch ms from the machine's time source. */
  at: number;
  reason?: string;
}

/** A refused state change as reported to listeners. */
export interface RejectedTransition {
  from: ExecutorStateName;
  to: ExecutorStateName;
  at: number;
  error: GrimnirError;
}

/** Options of {@link ExecutorStateMachine}. */
export interface ExecutorStateMachineOptions {
  /** Initial state (default "idle", or the persisted state after a restart). */
  initial?: ExecutorStateName;
  timeSource?: TimeSource;
  /** Called after every accepted transition, in order. */
  onChange?: (change: StateChange) => void;
  /** Called for every refused transition before the error is thrown. */
  onReject?: (rejected: RejectedTransition) => void;
}

/**
 * One station's executor state. Every change goes through {@link transition},
 * which validates it: an invalid transition throws a typed error and is
 * reported to `onReject`; the state is then unchanged.
 */
export class ExecutorStateMachine {
  #state: ExecutorStateName;
  #since: number;
  readonly #time: TimeSource;
  readonly #onChange: ((change: StateChange) => void) | undefined;
  readonly #onReject: ((rejected: RejectedTransition) => void) | undefined;

  /** A machine in `options.initial` (default "idle") reporting to `onChange` / `onReject`. */
  constructor(options: ExecutorStateMachineOptions = {}) {
    this.#time = options.timeSource ?? new SystemTimeSource();
    this.#state = options.initial ?? "idle";
    this.#since = this.#time.now();
    this.#onChange = options.onChange;
    this.#onReject = options.onReject;
  }

  /** Current state. */
  get state(): ExecutorStateName {
    return this.#state;
  }

  /** When the current state was entered, epoch ms. */
  get since(): number {
    return this.#since;
  }

  /** Move to `to`, or throw `INVALID_TRANSITION` leaving the state unchanged. */
  transition(to: ExecutorStateName, reason?: string): StateChange {
    const from = this.#state;
    const at = this.#time.now();
    if (!canTransition(from, to)) {
      const error = transitionError(from, to);
      this.#onReject?.({ from, to, at, error });
      throw error;
    }
    this.#state = to;
    this.#since = at;
    const change: StateChange = reason === undefined ? { from, to, at } : { from, to, at, reason };
    this.#onChange?.(change);
    return change;
  }
}
