import type { MediaFilter, MediaItem, SmartBlock } from "@grimnir/core";
import {
  compareIds,
  compareMediaByField,
  matchesMediaFilters,
  numericField,
} from "./media-filter.js";
import { deriveSeed, type Prng } from "./prng.js";
import type { RotationKeys, RotationTracker } from "./rotation-rules.js";
import type { Diagnostic } from "./types.js";

/** A playable library item with its effective cue points. */
export interface PlayableItem {
  item: MediaItem;
  cueInMs: number;
  cueOutMs: number;
  /** cueOut − cueIn, ms (> 0). */
  lengthMs: number;
  /** Precomputed rotation keys. */
  keys: RotationKeys;
}

/** One choice made by a smart block. */
export interface Pick {
  playable: PlayableItem;
  /** Relaxation level needed (0 = every rule held), see `RELAXATION_ORDER`. */
  level: number;
  /** True when the item runs past the time left plus tolerance. */
  overlong: boolean;
  /** True when the item's length suits the time left (see `PickOptions.remainingMs`). */
  fits: boolean;
}

/** Items matching one filter set, with orders reused by every pick and plan. */
export interface Pool {
  items: PlayableItem[];
  /** Same items by length ascending (ties by id), for "fits in the time left" sampling. */
  byLength: PlayableItem[];
  /** Prefix sums of weights per weighted field. */
  cumulative: Map<string, Float64Array>;
  /** Fixed orders for field sorts. */
  ordered: Map<string, PlayableItem[]>;
}

/**
 * A library snapshot prepared for planning: playable items sorted by id, and
 * candidate pools cached per filter set. Reused by every plan of the same
 * library array (see `prepareLibrary`).
 */
export interface PreparedLibrary {
  items: PlayableItem[];
  byId: Map<string, PlayableItem>;
  /** Problems found while preparing (unplayable or duplicate items), replayed into every plan. */
  diagnostics: Diagnostic[];
  pools: Map<string, Pool>;
}

const SAMPLE_ATTEMPTS = 24;

/** What a pick should prefer besides the rotation rules. */
export interface PickOptions {
  /** Time left in the slot, ms: prefer items that end within it (± tolerance) or leave room for another item. */
  remainingMs?: number;
  /** How far an item may end past (or short of) `remainingMs`, ms. */
  toleranceMs?: number;
  /** Extra filters (a quota) narrowing the block's pool. */
  extraFilters?: MediaFilter[];
  /** Give up (undefined) rather than relax more than album separation. */
  strict?: boolean;
}

/**
 * Chooses media for smart blocks against a fixed library snapshot. Candidate
 * pools are computed once per distinct filter set; each pick does a bounded
 * number of random probes and at most one linear pass over the pool, so work
 * is O(pool) per pick in the worst case and never loops.
 */
export class SmartBlockPicker {
  readonly #library: PreparedLibrary;
  readonly #rotation: RotationTracker;
  readonly #seed: number;
  /** When each item was picked in this run (it then sorts last in ordered sorts). */
  readonly #plannedAt = new Map<string, number>();

  constructor(library: PreparedLibrary, rotation: RotationTracker, seed: number) {
    this.#library = library;
    this.#rotation = rotation;
    this.#seed = seed;
  }

  /** Items matching every filter (cached by filter set). */
  pool(filters: readonly MediaFilter[]): PlayableItem[] {
    return this.#pool(filters).items;
  }

  /** Note that an item was planned at `at` (for ordered sorts). */
  notePlanned(mediaId: string, at: number): void {
    this.#plannedAt.set(mediaId, at);
  }

  #pool(filters: readonly MediaFilter[]): Pool {
    const key = JSON.stringify(filters);
    let pool = this.#library.pools.get(key);
    if (pool === undefined) {
      const all = this.#library.items;
      const items =
        filters.length === 0 ? all : all.filter((p) => matchesMediaFilters(p.item, filters));
      const byLength = [...items].sort(
        (a, b) => a.lengthMs - b.lengthMs || compareIds(a.item.id, b.item.id),
      );
      pool = { items, byLength, cumulative: new Map(), ordered: new Map() };
      this.#library.pools.set(key, pool);
    }
    return pool;
  }

  /**
   * Pick one item of `block` (optionally narrowed by `extraFilters`, for
   * quotas) to start at `at`. Prefers, in order: the fewest relaxed rotation
   * rules, then a length ≤ `fitMs`. Returns undefined only when no item
   * matches the filters, or when `strict` and every candidate breaks a rule.
   */
  pick(block: SmartBlock, at: number, prng: Prng, options: PickOptions = {}): Pick | undefined {
    const filters = options.extraFilters
      ? [...(block.filters ?? []), ...options.extraFilters]
      : (block.filters ?? []);
    const pool = this.#pool(filters);
    const n = pool.items.length;
    if (n === 0) return undefined;
    const rules = block.rotation ?? {};
    const remaining = options.remainingMs;
    const tolerance = options.toleranceMs ?? 0;
    const fitMs = remaining === undefined ? undefined : remaining + tolerance;
    // Lengths that would leave a gap too short for any item of the pool but longer than the tolerance.
    const minLength = pool.byLength[0]!.lengthMs;
    const gapLo = remaining === undefined ? Infinity : remaining - minLength;
    const gapHi = remaining === undefined ? -Infinity : remaining - tolerance;
    const fits = (p: PlayableItem): boolean =>
      fitMs === undefined || (p.lengthMs <= fitMs && !(p.lengthMs > gapLo && p.lengthMs < gapHi));
    // Only ask for a fit when something can fit; otherwise every item is equally overlong.
    const fitCount = fitMs === undefined ? n : upperBound(pool.byLength, fitMs);
    const wantFit = fitMs !== undefined && fitCount > 0;
    const rank = (p: PlayableItem): number =>
      this.#rotation.requiredLevel(p.keys, at, rules) * 2 + (wantFit && !fits(p) ? 1 : 0);
    const accept = (p: PlayableItem, r: number): Pick => ({
      playable: p,
      level: r >> 1,
      overlong: fitMs !== undefined && p.lengthMs > fitMs,
      fits: (r & 1) === 0,
    });

    const sort = block.sort ?? { by: "random" };
    if (sort.by === "random" || sort.by === "weighted") {
      const cumulative = sort.by === "weighted" ? this.#cumulative(pool, sort.field) : undefined;
      for (let attempt = 0; attempt < SAMPLE_ATTEMPTS; attempt++) {
        let candidate: PlayableItem;
        if (cumulative !== undefined) candidate = pool.items[sampleWeighted(cumulative, prng)]!;
        else if (wantFit) candidate = pool.byLength[prng.int(fitCount)]!;
        else candidate = pool.items[prng.int(n)]!;
        const r = rank(candidate);
        if (r === 0) return accept(candidate, r);
      }
      // Probes failed: one pass from a random offset, keeping the best rank seen.
      const start = prng.int(n);
      let best: PlayableItem | undefined;
      let bestRank = Infinity;
      for (let k = 0; k < n; k++) {
        const candidate = pool.items[(start + k) % n]!;
        const r = rank(candidate);
        if (r < bestRank) {
          best = candidate;
          bestRank = r;
          if (r === 0) break;
        }
      }
      if (best === undefined || (options.strict && bestRank > 1)) return undefined;
      return accept(best, bestRank);
    }

    if (sort.by === "least_recently_played") {
      // Never-played items first (from a seeded offset), then the oldest play; bounded by one pass.
      const start = deriveSeed(this.#seed, "lrp") % n;
      let best: PlayableItem | undefined;
      let bestRank = Infinity;
      let bestLast = Infinity;
      for (let k = 0; k < n; k++) {
        const candidate = pool.items[(start + k) % n]!;
        const r = rank(candidate);
        const last = this.#rotation.lastTrackPlay(candidate.item.id) ?? -Infinity;
        if (r < bestRank || (r === bestRank && last < bestLast)) {
          best = candidate;
          bestRank = r;
          bestLast = last;
          if (r === 0 && last === -Infinity) break;
        }
      }
      if (best === undefined || (options.strict && bestRank > 1)) return undefined;
      return accept(best, bestRank);
    }

    // Field sort: first candidate in order with the best rank; items already
    // planned in this run rank after unplanned ones, earliest-planned first.
    const ordered = this.#ordered(pool, sort);
    let best: PlayableItem | undefined;
    let bestKey = Infinity;
    for (const candidate of ordered) {
      const plannedAt = this.#plannedAt.get(candidate.item.id);
      const r = rank(candidate);
      const key = r * 1e15 + (plannedAt === undefined ? 0 : 1 + plannedAt / 1e3);
      if (key < bestKey) {
        best = candidate;
        bestKey = key;
        if (key === 0) break;
      }
    }
    if (best === undefined) return undefined;
    const bestRank = Math.floor(bestKey / 1e15);
    if (options.strict && bestRank > 1) return undefined;
    return accept(best, bestRank);
  }

  #cumulative(pool: Pool, field: string): Float64Array {
    let cumulative = pool.cumulative.get(field);
    if (cumulative === undefined) {
      cumulative = new Float64Array(pool.items.length);
      let total = 0;
      pool.items.forEach((p, i) => {
        total += Math.max(0, numericField(p.item, field as never));
        cumulative![i] = total;
      });
      pool.cumulative.set(field, cumulative);
    }
    return cumulative;
  }

  #ordered(pool: Pool, sort: SmartBlock["sort"]): PlayableItem[] {
    const key = JSON.stringify(sort);
    let ordered = pool.ordered.get(key);
    if (ordered === undefined) {
      const compare =
        sort.by === "field"
          ? compareMediaByField(sort.field, sort.direction)
          : (a: MediaItem, b: MediaItem) => compareIds(a.id, b.id);
      ordered = [...pool.items].sort((a, b) => compare(a.item, b.item));
      pool.ordered.set(key, ordered);
    }
    return ordered;
  }
}

/** Number of items with length ≤ limit in a length-sorted list. */
function upperBound(byLength: PlayableItem[], limit: number): number {
  let lo = 0;
  let hi = byLength.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (byLength[mid]!.lengthMs <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index drawn with probability proportional to weight; uniform when all weights are 0. */
function sampleWeighted(cumulative: Float64Array, prng: Prng): number {
  const n = cumulative.length;
  const total = cumulative[n - 1] ?? 0;
  if (!(total > 0)) return prng.int(n);
  const target = prng.next() * total;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
