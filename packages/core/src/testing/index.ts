/**
 * `@grimnir/core/testing` — the conformance suites every Store, EventBus and
 * Coordinator adapter runs to prove itself, plus their building blocks.
 *
 * @packageDocumentation
 */

export { waitFor, sleep, runConformanceCheck, expectCode } from "./harness.js";
export type { ConformanceCheck } from "./harness.js";
export { STATION_KINDS, makeMedia } from "./fixtures.js";
export type { StationKindFixture } from "./fixtures.js";
export { storeCrudChecks } from "./store-checks-crud.js";
export type { StoreCheckContext } from "./store-checks-crud.js";
export {
  storeMediaChecks,
  seededMediaLibrary,
  MEDIA_FILTER_CASES,
  MEDIA_ORDER_CASES,
} from "./store-checks-media.js";
export { storeTimelineChecks } from "./store-checks-timeline.js";
export {
  storeTransactionChecks,
  storeConformanceChecks,
  describeStoreConformance,
} from "./store-conformance.js";
export type { StoreConformanceOptions } from "./store-conformance.js";
export { busConformanceChecks, describeBusConformance } from "./bus-conformance.js";
export type { BusCheckContext, BusConformanceOptions } from "./bus-conformance.js";
export {
  coordinatorConformanceChecks,
  describeCoordinatorConformance,
} from "./coordinator-conformance.js";
export type {
  CoordinatorCheckContext,
  CoordinatorConformanceOptions,
} from "./coordinator-conformance.js";
