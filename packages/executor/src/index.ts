/**
 * `@grimnir/executor` — per-station executor state machines.
 *
 * @packageDocumentation
 */
export {
  EXECUTOR_TRANSITIONS,
  canTransition,
  assertTransition,
  ExecutorStateMachine,
} from "./state-machine.js";
export type {
  StateChange,
  RejectedTransition,
  ExecutorStateMachineOptions,
} from "./state-machine.js";
