import type { ImportAction, Repositories } from "@grimnir/core";

/** Store repositories an importer writes to. */
export type TargetRepo =
  | "stations"
  | "users"
  | "mounts"
  | "media"
  | "playlists"
  | "smartBlocks"
  | "clocks"
  | "shows"
  | "overrides"
  | "webstreams";

/** Repositories that hold records of no station (looked up by id alone). */
export const GLOBAL_REPOS: ReadonlySet<TargetRepo> = new Set(["stations", "users"]);

/** Shape every mapped record has: an id chosen by the importer and, for station records, the station. */
export interface MappedValue {
  id: string;
  stationId?: string;
  [field: string]: unknown;
}

/** One Grimnir record an entity maps to. */
export interface TargetRecord {
  repo: TargetRepo;
  /** The record as the source says it should be (without version and timestamps). */
  value: MappedValue;
  /**
   * Combine with what is already stored before comparing and writing, so a
   * re-run keeps what Grimnir owns (e.g. analysis results, a reset password).
   */
  merge?: (existing: Record<string, unknown>, desired: MappedValue) => MappedValue;
}

/**
 * One source record and the Grimnir records it becomes; they are written in one
 * transaction, so a failed entity leaves nothing behind.
 */
export interface MappedEntity {
  sourceKind: string;
  sourceId: string;
  /** Records, the primary (reported as the target) first. */
  records: TargetRecord[];
  /** Approximations made while mapping, reported as the action's reason. */
  notes: string[];
  /** Reason to skip, decided against the store (e.g. a login name already taken). */
  precheck?: (repos: Repositories) => Promise<string | undefined>;
  /**
   * Side effect done before the records are written (copying or downloading
   * the audio file); it may complete the records' values (the content hash
   * of a downloaded file). A throw fails the entity and nothing of it is written.
   */
  beforeWrite?: () => Promise<void>;
}

/** What the mapping of a source produced: entities to write and records that are skipped or cannot be mapped. */
export interface MappingResult {
  entities: MappedEntity[];
  rejected: ImportAction[];
}

/** A rejected source record as an action. */
export function reject(
  sourceKind: string,
  sourceId: string | number,
  action: "skip" | "unmappable",
  reason: string,
): ImportAction {
  return { sourceKind, sourceId: String(sourceId), action, reason };
}

/**
 * Gives each name a unique form within its kind: the second "Morning" becomes
 * "Morning (2)"; returns the name to use and a note when it was changed.
 */
export class NameRegistry {
  readonly #seen = new Map<string, number>();

  /** The name to use for `name` of `kind`, and a note when it had to be changed. */
  claim(kind: string, name: string): { name: string; note?: string } {
    const key = `${kind}\u0000${name.trim().toLowerCase()}`;
    const count = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, count);
    if (count === 1) return { name };
    const renamed = `${name} (${count})`;
    return { name: renamed, note: `duplicate ${kind} name "${name}" renamed to "${renamed}"` };
  }
}
