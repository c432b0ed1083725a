import type {
  ImportAction,
  ImportContext,
  ImportPlan,
  ImportReport,
  Repositories,
  Store,
} from "@grimnir/core";
import { KnownRecords, readExisting, recordKey, type KnownRecord } from "./known-records.js";
import type { MappedEntity, MappedValue, TargetRecord } from "./mapped-entity.js";
import type { ProgressReporter } from "./progress.js";

/** Fields the store manages; never compared or written by an importer. */
const MANAGED = new Set(["version", "createdAt", "updatedAt"]);

/** A planned entity: its action and the entity that produces it. */
export interface PlannedStep {
  action: ImportAction;
  entity?: MappedEntity;
}

interface AnyRepo {
  create(input: MappedValue): Promise<Record<string, unknown>>;
  update(input: MappedValue & { version: number }): Promise<Record<string, unknown>>;
}

function repoOf(repos: Repositories, record: TargetRecord): AnyRepo {
  return repos[record.repo] as unknown as AnyRepo;
}

/** Deep equality where a missing key and an `undefined` value are the same. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
    return true;
  }
  return false;
}

/** Fields of `desired` that differ from `existing` (store-managed fields ignored). */
export function changedFields(existing: Record<string, unknown>, desired: MappedValue): string[] {
  const changed: string[] = [];
  for (const key of Object.keys(desired)) {
    if (MANAGED.has(key)) continue;
    if (!sameValue(existing[key], desired[key])) changed.push(key);
  }
  return changed;
}

function desiredValue(
  record: TargetRecord,
  existing: Record<string, unknown> | undefined,
): MappedValue {
  return existing !== undefined && record.merge !== undefined
    ? record.merge(existing, record.value)
    : record.value;
}

function withReason(action: ImportAction, reason: string | undefined): ImportAction {
  return reason === undefined || reason === "" ? action : { ...action, reason };
}

/** Compare one entity with the store: create, update (with the fields that changed) or skip as unchanged. */
async function diffEntity(
  repos: Repositories,
  known: KnownRecords,
  entity: MappedEntity,
): Promise<ImportAction> {
  const primary = entity.records[0]!;
  const base: ImportAction = {
    sourceKind: entity.sourceKind,
    sourceId: entity.sourceId,
    action: "create",
    target: { kind: primary.repo, id: primary.value.id },
  };
  const skipReason = entity.precheck === undefined ? undefined : await entity.precheck(repos);
  if (skipReason !== undefined) return { ...base, action: "skip", reason: skipReason };
  const notes = entity.notes.join("; ");
  const primaryExisting = await known.get(repos, primary);
  if (primaryExisting === undefined) return withReason(base, notes);
  const changes: string[] = [];
  for (const record of entity.records) {
    const existing = record === primary ? primaryExisting : await known.get(repos, record);
    if (existing === undefined) {
      changes.push(`new ${record.repo} ${record.value.id}`);
      continue;
    }
    for (const field of changedFields(existing, desiredValue(record, existing)))
      changes.push(record === primary ? field : `${record.repo} ${record.value.id}.${field}`);
  }
  if (changes.length === 0)
    return { ...base, action: "skip", reason: "unchanged since the last import" };
  return withReason(
    { ...base, action: "update" },
    [`changed: ${changes.join(", ")}`, notes].filter((s) => s !== "").join("; "),
  );
}

/** Tally of actions by kind. */
export function summarize(actions: readonly ImportAction[]): ImportPlan["summary"] {
  const summary: ImportPlan["summary"] = { create: 0, update: 0, skip: 0, unmappable: 0 };
  for (const a of actions) summary[a.action] += 1;
  return summary;
}

/**
 * Plan every entity against the store, in order. Reads only: the stored
 * records are listed once per repository and station into `known` (see
 * {@link KnownRecords}), not looked up one by one. Rejected source records are
 * listed first, then one action per entity.
 */
export async function planEntities(
  store: Store,
  entities: readonly MappedEntity[],
  rejected: readonly ImportAction[],
  progress: ProgressReporter,
  context: ImportContext,
  known: KnownRecords = new KnownRecords(),
): Promise<PlannedStep[]> {
  const steps: PlannedStep[] = rejected.map((action) => ({ action }));
  progress.report("plan", 0, entities.length);
  if (context.signal?.aborted !== true) await known.prefetch(store, entities);
  let done = 0;
  for (const entity of entities) {
    if (context.signal?.aborted === true) break;
    steps.push({ action: await diffEntity(store, known, entity), entity });
    done += 1;
    progress.report("plan", done, entities.length);
  }
  return steps;
}

/** Entities written in one transaction by {@link applySteps}. */
export const WRITE_BATCH = 100;

/** Records written in the current transaction, by key: visible to later entities of the batch, kept only if it commits. */
type Written = Map<string, KnownRecord>;

/**
 * Write one entity's records through `tx`. Dependencies (a show's clock) go
 * in before the primary record that refers to them. With `known`, what is
 * stored is taken from it (and from `written`) instead of being read: a
 * create of a record that exists meanwhile, or an update of a changed one,
 * is rejected by the store (`CONFLICT`) and the batch is retried carefully.
 */
async function writeRecords(
  tx: Repositories,
  entity: MappedEntity,
  written: Written,
  known: KnownRecords | undefined,
): Promise<void> {
  for (const record of [...entity.records.slice(1), entity.records[0]!]) {
    const key = recordKey(record);
    const cached = written.has(key) ? written.get(key) : known?.peek(record);
    const existing = cached === undefined ? await readExisting(tx, record) : (cached ?? undefined);
    const desired = desiredValue(record, existing);
    if (existing === undefined) written.set(key, await repoOf(tx, record).create(desired));
    else if (changedFields(existing, desired).length > 0)
      written.set(
        key,
        await repoOf(tx, record).update({ ...desired, version: Number(existing.version) }),
      );
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

const ABORTED = "import aborted before this record was written";

/**
 * Write the create/update steps, in order, {@link WRITE_BATCH} entities per
 * transaction. Each entity's `beforeWrite` runs first, outside the
 * transaction; an entity whose `beforeWrite` fails is not written. When a
 * batch fails, nothing of it stays and its entities are written again one
 * transaction each, reading what is stored, so only the entities that fail on
 * their own are reported in `failures` and nothing of them is written. An
 * abort is honoured between entities: those written before it are committed,
 * the others reported as aborted. Progress ("apply") counts entities.
 */
export async function applySteps(
  store: Store,
  steps: readonly PlannedStep[],
  progress: ProgressReporter,
  context: ImportContext,
  known: KnownRecords = new KnownRecords(),
): Promise<ImportReport["failures"]> {
  const writes = steps.filter(
    (s) => s.entity !== undefined && (s.action.action === "create" || s.action.action === "update"),
  );
  const errors = new Map<PlannedStep, string>();
  const aborted = (): boolean => context.signal?.aborted === true;
  progress.report("apply", 0, writes.length);
  let done = 0;
  for (let start = 0; start < writes.length; start += WRITE_BATCH) {
    const batch = writes.slice(start, start + WRITE_BATCH);
    const ready: PlannedStep[] = [];
    for (const step of batch) {
      const beforeWrite = step.entity!.beforeWrite;
      if (aborted()) errors.set(step, ABORTED);
      else
        try {
          if (beforeWrite !== undefined) await beforeWrite();
          ready.push(step);
        } catch (error) {
          errors.set(step, errorText(error));
        }
    }
    const written: Written = new Map();
    let committed = 0;
    try {
      if (ready.length > 0)
        await store.transaction(async (tx) => {
          committed = 0;
          for (const step of ready) {
            if (aborted()) break;
            await writeRecords(tx, step.entity!, written, known);
            committed += 1;
          }
        });
      for (const [key, stored] of written) known.set(key, stored);
      for (const step of ready.slice(committed)) errors.set(step, ABORTED);
    } catch {
      // The batch was rolled back whole (its error, or a stale cached record's CONFLICT, reappears
      // below): write each entity alone, reading what is stored, so only the failing ones fail.
      for (const key of written.keys()) known.set(key, undefined);
      for (const step of ready) {
        if (aborted()) {
          errors.set(step, ABORTED);
          continue;
        }
        const alone: Written = new Map();
        try {
          await store.transaction((tx) => writeRecords(tx, step.entity!, alone, undefined));
          for (const [key, stored] of alone) known.set(key, stored);
        } catch (error) {
          errors.set(step, errorText(error));
        }
      }
    }
    done += batch.length;
    progress.report("apply", done, writes.length);
  }
  return writes.flatMap((step) => {
    const error = errors.get(step);
    return error === undefined ? [] : [{ action: step.action, error }];
  });
}
