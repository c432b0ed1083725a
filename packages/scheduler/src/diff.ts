import { compareIds } from "./media-filter.js";
import { planTimeline } from "./planner.js";
import type { Diagnostic, PlanInput, PlanOptions, PlanResult, TimelineEntry } from "./types.js";

/** An entry whose content stayed but whose start time changed. */
export interface MovedEntry {
  before: TimelineEntry;
  after: TimelineEntry;
  /** after.startsAt − before.startsAt, ms. */
  shiftMs: number;
}

/** Differences between two timelines of the same window. */
export interface TimelineDiff {
  /** In `b` only. */
  added: TimelineEntry[];
  /** In `a` only. */
  removed: TimelineEntry[];
  /** Same content (kind + media/webstream) at a different start. */
  moved: MovedEntry[];
  /** Entries identical in start and content. */
  unchangedCount: number;
  /** Warnings and errors of `b` that `a` does not have (code + message). */
  newViolations: Diagnostic[];
  /** Warnings and errors of `a` that `b` no longer has. */
  resolvedViolations: Diagnostic[];
}

function contentKey(e: TimelineEntry): string {
  return `${e.kind}|${e.mediaId ?? e.webstreamId ?? ""}`;
}

function violationKey(d: Diagnostic): string {
  return `${d.code}|${d.message}`;
}

/**
 * Compare two plans. Entries match first on identical start and content
 * (unchanged), then remaining entries with the same content pair up in time
 * order (moved); the rest are added or removed. Pure; never writes anything.
 */
export function diffTimelines(
  a: Pick<PlanResult, "entries" | "diagnostics">,
  b: Pick<PlanResult, "entries" | "diagnostics">,
): TimelineDiff {
  const exact = (e: TimelineEntry): string => `${e.startsAt}|${contentKey(e)}`;
  const remainingA = new Map<string, TimelineEntry[]>();
  for (const e of a.entries) {
    const list = remainingA.get(exact(e));
    if (list) list.push(e);
    else remainingA.set(exact(e), [e]);
  }
  let unchangedCount = 0;
  const unmatchedB: TimelineEntry[] = [];
  for (const e of b.entries) {
    const list = remainingA.get(exact(e));
    if (list && list.length > 0) {
      list.shift();
      unchangedCount++;
    } else unmatchedB.push(e);
  }
  const unmatchedA = [...remainingA.values()]
    .flat()
    .sort((x, y) => x.startsAt - y.startsAt || compareIds(x.id, y.id));
  const byContent = new Map<string, TimelineEntry[]>();
  for (const e of unmatchedA) {
    const list = byContent.get(contentKey(e));
    if (list) list.push(e);
    else byContent.set(contentKey(e), [e]);
  }
  const moved: MovedEntry[] = [];
  const added: TimelineEntry[] = [];
  for (const e of unmatchedB) {
    const before = byContent.get(contentKey(e))?.shift();
    if (before) moved.push({ before, after: e, shiftMs: e.startsAt - before.startsAt });
    else added.push(e);
  }
  const removed = [...byContent.values()]
    .flat()
    .sort((x, y) => x.startsAt - y.startsAt || compareIds(x.id, y.id));
  const serious = (d: Diagnostic): boolean => d.severity !== "info";
  const keysA = new Set(a.diagnostics.filter(serious).map(violationKey));
  const keysB = new Set(b.diagnostics.filter(serious).map(violationKey));
  return {
    added,
    removed,
    moved,
    unchangedCount,
    newViolations: b.diagnostics.filter((d) => serious(d) && !keysA.has(violationKey(d))),
    resolvedViolations: a.diagnostics.filter((d) => serious(d) && !keysB.has(violationKey(d))),
  };
}

/** Result of {@link whatIf}: both plans and their diff. */
export interface WhatIfResult {
  current: PlanResult;
  proposed: PlanResult;
  diff: TimelineDiff;
}

/**
 * Plan `proposed` against `current` with the same options and return both
 * plans and the diff. Nothing is written anywhere.
 */
export function whatIf(
  current: PlanInput,
  proposed: PlanInput,
  options: PlanOptions,
): WhatIfResult {
  const a = planTimeline(current, options);
  const b = planTimeline(proposed, options);
  return { current: a, proposed: b, diff: diffTimelines(a, b) };
}
