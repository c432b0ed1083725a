/**
 * `@grimnir/executor` — per-station executors: state machines, the priority
 * ladder, failover, restart recovery and distribution of stations over instances.
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
export { StationExecutor } from "./station-executor.js";
export type {
  StationExecutorOptions,
  StationExecutorStats,
  PersistedExecutorState,
  FallbackItem,
  FailoverCause,
  ExecutorEvent,
} from "./executor-types.js";
export {
  PriorityService,
  isLiveTier,
  AUTOMATION_SOURCE_ID,
  FALLBACK_SOURCE_ID,
} from "./priority-service.js";
export type { ActiveSource, OnAirChange } from "./priority-service.js";
export { TimelineCache, TIMELINE_HORIZON_MS } from "./timeline-cache.js";
export type { TimelineCacheOptions } from "./timeline-cache.js";
export { storeEntryResolver } from "./entry-resolver.js";
export type { EntryResolver, ResolvedEntry } from "./entry-resolver.js";
export { EventOutbox } from "./event-outbox.js";
export type { EventOutboxOptions, EventOutboxStats } from "./event-outbox.js";
export { WriteBehind } from "./write-behind.js";
export type { WriteBehindStats } from "./write-behind.js";
export { consoleLogger, withTimeout } from "./logger.js";
export type { ExecutorLogger } from "./logger.js";
export { crc32 } from "./crc32.js";
export { HashRing, ringChurn, DEFAULT_VIRTUAL_NODES } from "./hash-ring.js";
export type { HashRingOptions } from "./hash-ring.js";
export { FakeMediaEngine } from "./testing/fake-engine.js";
export type { FakeEngineCall, FakeEngineMethod, FakeEngineFailure } from "./testing/fake-engine.js";
export { ExecutorPool, stationLeaseKey } from "./executor-pool.js";
export type { ExecutorPoolOptions, PooledExecutor } from "./executor-pool.js";
