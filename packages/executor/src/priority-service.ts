import { Priority, canPreempt, resolveOnAir } from "@grimnir/core";
import type { PrioritySource } from "@grimnir/core";

/** A source competing for the air, with what the executor needs to put it on. */
export interface ActiveSource extends PrioritySource {
  /** Input or file the engine plays for it (live input URI, emergency audio). */
  uri?: string;
  /** Now-playing metadata. */
  title?: string;
  artist?: string;
}

/** Change of the source on air, as {@link PriorityService} reports it. */
export interface OnAirChange {
  /** Source on air before, if any. */
  from: ActiveSource | undefined;
  /** Source on air now, if any. */
  to: ActiveSource | undefined;
  /** Why: "activated", "deactivated" or "restored". */
  cause: "activated" | "deactivated" | "restored";
}

/** The id automation uses as its source. */
export const AUTOMATION_SOURCE_ID = "automation";
/** The id fallback audio uses as its source. */
export const FALLBACK_SOURCE_ID = "fallback";

/**
 * The five-tier ladder of one station: which sources are active and which one
 * holds the air. The decision is core's `resolveOnAir` over the active
 * sources, so a higher tier preempts, a newer emergency or live override
 * replaces an older one, and when a source ends the air fails back to the
 * highest remaining tier. Pure bookkeeping: no I/O, no clock.
 */
export class PriorityService {
  readonly #sources = new Map<string, ActiveSource>();
  #onAir: ActiveSource | undefined;

  /** Active sources, highest tier first, then by activation time. */
  get sources(): ActiveSource[] {
    return [...this.#sources.values()].sort(
      (a, b) => a.priority - b.priority || a.activatedAt - b.activatedAt,
    );
  }

  /** The source on air, or undefined when none is active. */
  get onAir(): ActiveSource | undefined {
    return this.#onAir;
  }

  /** True when a source with this id is active. */
  has(id: string): boolean {
    return this.#sources.has(id);
  }

  /** The active source with this id. */
  get(id: string): ActiveSource | undefined {
    return this.#sources.get(id);
  }

  /** Would `candidate` take the air from what is on air now (core's `canPreempt`)? */
  wouldPreempt(candidate: PrioritySource): boolean {
    return canPreempt(this.#onAir, candidate);
  }

  /**
   * Make `source` active (replacing an active source with the same id) and
   * return the change of the air, or undefined when the air did not change.
   */
  activate(source: ActiveSource): OnAirChange | undefined {
    this.#sources.set(source.id, { ...source });
    return this.#resolve("activated");
  }

  /** End the source `id`; returns the change of the air (failback), or undefined. */
  deactivate(id: string): OnAirChange | undefined {
    if (!this.#sources.delete(id)) return undefined;
    return this.#resolve("deactivated");
  }

  /**
   * Replace every source at once, e.g. from persisted state after a restart.
   * Returns the change of the air, or undefined.
   */
  restore(sources: readonly ActiveSource[]): OnAirChange | undefined {
    this.#sources.clear();
    for (const source of sources) this.#sources.set(source.id, { ...source });
    return this.#resolve("restored");
  }

  /** Highest tier among active sources other than `exceptId`, or undefined. */
  highestTier(exceptId?: string): Priority | undefined {
    let best: Priority | undefined;
    for (const source of this.#sources.values()) {
      if (source.id === exceptId) continue;
      if (best === undefined || source.priority < best) best = source.priority;
    }
    return best;
  }

  #resolve(cause: OnAirChange["cause"]): OnAirChange | undefined {
    const from = this.#onAir;
    const winner = resolveOnAir([...this.#sources.values()]);
    const to = winner === undefined ? undefined : this.#sources.get(winner.id);
    this.#onAir = to;
    if (from?.id === to?.id && from?.activatedAt === to?.activatedAt) return undefined;
    return { from, to, cause };
  }
}

/** True for the tiers a DJ drives (live override and live scheduled). */
export function isLiveTier(priority: Priority): boolean {
  return priority === Priority.LiveOverride || priority === Priority.LiveScheduled;
}
