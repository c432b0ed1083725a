import type { AdapterRegistry } from "../registry.js";
import { MemoryStore } from "./memory-store.js";
import { MemoryBus } from "./memory-bus.js";
import { MemoryCoordinator } from "./memory-coordinator.js";

export { MemoryStore } from "./memory-store.js";
export type { MemoryStoreOptions } from "./memory-store.js";
export { MemoryBus, MemoryBusHub } from "./memory-bus.js";
export type { MemoryBusOptions, BusHandlerErrorReporter } from "./memory-bus.js";
export { MemoryCoordinator, MemoryCoordinatorHub } from "./memory-coordinator.js";
export type { MemoryCoordinatorOptions } from "./memory-coordinator.js";
export {
  matchesMediaFilter,
  matchesMediaFilters,
  matchesMediaText,
  matchesMediaQuery,
  compareMediaBy,
} from "./media-filter.js";

/**
 * Register the `memory:` scheme for store, bus and coordinator in `registry`.
 * Each `memory:` store is a new, empty {@link MemoryStore}; buses and
 * coordinators are clients of the process-wide default hubs, so every
 * `memory:` bus of a process sees the same events.
 */
export function registerMemoryAdapters(registry: AdapterRegistry): void {
  registry.register("store", "memory", () => new MemoryStore());
  registry.register("bus", "memory", () => new MemoryBus());
  registry.register("coordinator", "memory", () => new MemoryCoordinator());
}
