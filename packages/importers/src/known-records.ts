import type { Repositories } from "@grimnir/core";
import { GLOBAL_REPOS, type MappedEntity, type TargetRecord } from "./mapped-entity.js";

/** Rows per `list` call while prefetching (the Store's maximum page). */
const PAGE = 1000;

/** A repository/station needs at least this many wanted records before one listing replaces the single lookups. */
const PREFETCH_MIN = 8;

/** A stored record, or null when it is known not to exist. */
export type KnownRecord = Record<string, unknown> | null;

interface ListableRepo {
  get(...args: string[]): Promise<Record<string, unknown> | undefined>;
  list(...args: unknown[]): Promise<Record<string, unknown>[]>;
}

function repoOf(repos: Repositories, record: TargetRecord): ListableRepo {
  return repos[record.repo] as unknown as ListableRepo;
}

function keyOf(repo: string, stationId: string | undefined, id: string): string {
  return `${repo}\u0000${stationId ?? ""}\u0000${id}`;
}

/** The cache key of a target record: repository, station (none for global repositories), id. */
export function recordKey(record: TargetRecord): string {
  return keyOf(
    record.repo,
    GLOBAL_REPOS.has(record.repo) ? undefined : String(record.value.stationId),
    record.value.id,
  );
}

/** The stored record `record` would replace, read through `repos` (a store or a transaction). */
export async function readExisting(
  repos: Repositories,
  record: TargetRecord,
): Promise<Record<string, unknown> | undefined> {
  const repo = repoOf(repos, record);
  if (GLOBAL_REPOS.has(record.repo)) return repo.get(record.value.id);
  return repo.get(String(record.value.stationId), record.value.id);
}

/**
 * What the importer knows of the stored records it targets, so planning and
 * writing do not look each record up on its own: `prefetch` lists each
 * repository of a station once (pages of 1000) when the import targets enough of
 * its records. A snapshot, not a lock: writes based on it carry the version
 * read, so a record changed meanwhile is rejected with `CONFLICT` by the store.
 */
export class KnownRecords {
  readonly #known = new Map<string, KnownRecord>();

  /** List the stored records of every repository/station that at least 8 records of `entities` target. */
  async prefetch(repos: Repositories, entities: readonly MappedEntity[]): Promise<void> {
    const groups = new Map<string, { sample: TargetRecord; wanted: Set<string> }>();
    for (const entity of entities)
      for (const record of entity.records) {
        const global = GLOBAL_REPOS.has(record.repo);
        const group = `${record.repo}\u0000${global ? "" : String(record.value.stationId)}`;
        let entry = groups.get(group);
        if (entry === undefined) groups.set(group, (entry = { sample: record, wanted: new Set() }));
        entry.wanted.add(recordKey(record));
      }
    for (const { sample, wanted } of groups.values()) {
      if (wanted.size < PREFETCH_MIN) continue;
      const global = GLOBAL_REPOS.has(sample.repo);
      const stationId = global ? undefined : String(sample.value.stationId);
      const repo = repoOf(repos, sample);
      for (let offset = 0; ; offset += PAGE) {
        const page = { limit: PAGE, offset };
        const rows = global ? await repo.list(page) : await repo.list(stationId, page);
        for (const row of rows) {
          const key = keyOf(sample.repo, stationId, String(row.id));
          if (wanted.has(key)) this.#known.set(key, row);
        }
        if (rows.length < PAGE) break;
      }
      for (const key of wanted) if (!this.#known.has(key)) this.#known.set(key, null);
    }
  }

  /** The stored record, null when known absent, undefined when not known. */
  peek(record: TargetRecord): KnownRecord | undefined {
    return this.#known.get(recordKey(record));
  }

  /** The stored record from the cache, or read through `repos` (and remembered) when not known. */
  async get(
    repos: Repositories,
    record: TargetRecord,
  ): Promise<Record<string, unknown> | undefined> {
    const known = this.peek(record);
    if (known !== undefined) return known ?? undefined;
    const existing = await readExisting(repos, record);
    this.#known.set(recordKey(record), existing ?? null);
    return existing;
  }

  /** Remember what a committed write stored (or that a key must be read again: undefined). */
  set(key: string, stored: KnownRecord | undefined): void {
    if (stored === undefined) this.#known.delete(key);
    else this.#known.set(key, stored);
  }
}
