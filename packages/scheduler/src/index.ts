/**
 * `@grimnir/scheduler` — the planner: clocks, smart blocks, rotation rules,
 * shows with recurrence, overrides, the frozen horizon and what-if diffs.
 * Pure and deterministic: same inputs and seed → byte-identical timeline.
 *
 * @packageDocumentation
 */

export { planTimeline, DEFAULT_PLAN_HOURS, DEFAULT_FROZEN_MS } from "./planner.js";
export { diffTimelines, whatIf } from "./diff.js";
export type { TimelineDiff, MovedEntry, WhatIfResult } from "./diff.js";
export type {
  PlanInput,
  PlanOptions,
  PlanResult,
  PreviousEntry,
  TimelineEntry,
  EntrySource,
  PlannedHour,
  ClockAssignment,
  Diagnostic,
  DiagnosticCode,
  DiagnosticSeverity,
} from "./types.js";
export { Prng, deriveSeed } from "./prng.js";
export { RotationTracker, RELAXATION_ORDER, titleKey, rotationKeys } from "./rotation-rules.js";
export type { RotationRuleName, PlayIdentity, RotationKeys } from "./rotation-rules.js";
export { localHours, isValidZone } from "./zone.js";
export type { LocalHour } from "./zone.js";
export { showOccurrences, expandShows } from "./shows.js";
export type { ShowOccurrence } from "./shows.js";
export { planInputFromConfig, planOptionsFromConfig } from "./from-config.js";
export type { PlanWindowOverrides } from "./from-config.js";
export { loadPlanInput, planFromFiles, whatIfFromFiles } from "./plan-files.js";
export type {
  PlanFiles,
  LoadedPlanInput,
  PlanFromFilesOptions,
  PlanFromFilesResult,
  WhatIfFromFilesOptions,
  WhatIfFromFilesResult,
} from "./plan-files.js";
export { copyWeek } from "./templates.js";
export type { WeekTemplate } from "./templates.js";
export { generateDemoLibrary } from "./demo-library.js";
export { demoPlanInput, demoStationRules } from "./demo-station.js";
export type { DemoLibraryOptions } from "./demo-library.js";
