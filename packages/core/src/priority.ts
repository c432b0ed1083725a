/**
 * The five-tier priority ladder. A lower number is a higher priority; the
 * numbers are the brief's and are part of the wire contract.
 */
export const Priority = {
  /** Emergency alerts (EAS): interrupts everything. */
  Emergency: 0,
  /** Manual DJ takeover: preempts scheduled content. */
  LiveOverride: 1,
  /** Booked live show: replaces automation. */
  LiveScheduled: 2,
  /** Normal playout from the timeline. */
  Automation: 3,
  /** Dead-air prevention audio. */
  Fallback: 4,
} as const;

/** One of the five priority tiers, 0 (highest) to 4 (lowest). */
export type Priority = (typeof Priority)[keyof typeof Priority];

/** Names of the tiers as they appear in configuration and events. */
export type PriorityName =
  "emergency" | "live_override" | "live_scheduled" | "automation" | "fallback";

/** Tier names in ladder order, index = priority number. */
export const PRIORITY_NAMES: readonly PriorityName[] = [
  "emergency",
  "live_override",
  "live_scheduled",
  "automation",
  "fallback",
];

/** The name of a tier, e.g. `priorityName(1) === "live_override"`. */
export function priorityName(priority: Priority): PriorityName {
  const name = PRIORITY_NAMES[priority];
  if (name === undefined) throw new RangeError(`priority must be 0..4, got ${String(priority)}`);
  return name;
}

/** True when `value` is one of the five tiers. */
export function isPriority(value: unknown): value is Priority {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 4;
}

/** A source competing for the air, as the priority service tracks it. */
export interface PrioritySource {
  /** Identifier unique within the station (session id, emergency id, "automation"…). */
  id: string;
  priority: Priority;
  /** When the source became active, epoch ms; breaks ties within a tier. */
  activatedAt: number;
}

/**
 * The preemption rule: may `candidate` take the air from `current`?
 *
 * - Anything may take an empty air.
 * - A strictly higher tier (lower number) preempts.
 * - Within the same tier only Emergency and LiveOverride preempt, and only a
 *   newer source (a second emergency replaces the first; a newer manual
 *   takeover wins). Scheduled live, automation and fallback never preempt
 *   their own tier.
 * - A lower tier never preempts.
 */
export function canPreempt(
  current: PrioritySource | undefined,
  candidate: PrioritySource,
): boolean {
  if (current === undefined) return true;
  if (candidate.priority < current.priority) return true;
  if (candidate.priority > current.priority) return false;
  const sameTierPreempts =
    candidate.priority === Priority.Emergency || candidate.priority === Priority.LiveOverride;
  return (
    sameTierPreempts && candidate.activatedAt > current.activatedAt && candidate.id !== current.id
  );
}

/**
 * Which of the active sources holds the air: the highest tier, and within a
 * tier the one the preemption rule lets win (newest for emergency/override,
 * oldest otherwise). Returns undefined for an empty list. Pure and total.
 */
export function resolveOnAir(sources: readonly PrioritySource[]): PrioritySource | undefined {
  let onAir: PrioritySource | undefined;
  const ordered = [...sources].sort(
    (a, b) => a.activatedAt - b.activatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  for (const source of ordered) {
    if (onAir === undefined || source.priority < onAir.priority || canPreempt(onAir, source)) {
      onAir = source;
    }
  }
  return onAir;
}
