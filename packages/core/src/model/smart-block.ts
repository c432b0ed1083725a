import type { StationScoped } from "./entity.js";

/** Media fields a filter can look at. `field:<name>` addresses a custom field. */
export type MediaField =
  | "artist"
  | "title"
  | "album"
  | "genre"
  | "year"
  | "bpm"
  | "durationMs"
  | "rating"
  | "tags"
  | "addedAt"
  | `field:${string}`;

/** Scalar a filter compares with. */
export type FilterValue = string | number | boolean;

/**
 * One condition over a media field.
 * - `equals` / `not_equals`: exact match (case-insensitive for text).
 * - `contains` / `not_contains`: substring for text, membership for `tags`.
 * - `in` / `not_in`: value is one of `values`.
 * - `range`: `min` ≤ value ≤ `max` (either bound optional, inclusive).
 */
export type MediaFilter =
  | { field: MediaField; op: "equals" | "not_equals"; value: FilterValue }
  | { field: MediaField; op: "contains" | "not_contains"; value: string }
  | { field: MediaField; op: "in" | "not_in"; values: FilterValue[] }
  | { field: MediaField; op: "range"; min?: number; max?: number };

/** How a smart block orders its candidates before applying limits. */
export type SmartBlockSort =
  | { by: "random" }
  | { by: "least_recently_played" }
  | { by: "weighted"; field: MediaField }
  | { by: "field"; field: MediaField; direction: "asc" | "desc" };

/** How much a smart block produces each time it is used. */
export type SmartBlockLimit =
  { kind: "count"; count: number } | { kind: "duration"; durationMs: number; toleranceMs: number };

/** "At least `percent` % of picks must match `filters`" (e.g. 30 % from "new"). */
export interface SmartBlockQuota {
  name: string;
  filters: MediaFilter[];
  percent: number;
}

/** Rotation rules; relaxed in a documented order when the library is too small. */
export interface RotationRules {
  /** Never repeat the same track within this many hours. */
  trackRepeatHours?: number;
  /** Minimum minutes between two tracks by the same artist. */
  artistSeparationMinutes?: number;
  /** Minimum minutes between two plays of the same title (any version). */
  titleSeparationMinutes?: number;
  /** Minimum minutes between two tracks from the same album. */
  albumSeparationMinutes?: number;
}

/** What to do when the block comes up short of its slot. */
export type FillRule =
  | { kind: "none" }
  | { kind: "filler"; smartBlockId: string }
  | { kind: "trim" }
  | { kind: "fade"; fadeMs: number };

/** A rule-driven selection of media. */
export interface SmartBlock extends StationScoped {
  name: string;
  /** All filters must match (AND). */
  filters: MediaFilter[];
  sort: SmartBlockSort;
  limit: SmartBlockLimit;
  quotas: SmartBlockQuota[];
  rotation: RotationRules;
  fill: FillRule;
  description?: string;
}
