import type {
  ImportAction,
  ImportContext,
  ImportPlan,
  ImportReport,
  Repositories,
  Store,
} from "@grimnir/core";
import {
  GLOBAL_REPOS,
  type MappedEntity,
  type MappedValue,
  type TargetRecord,
} from "./mapped-entity.js";
import type { ProgressReporter } from "./progress.js";

/** Fields the store manages; never compared or written by an importer. */
const MANAGED = new Set(["version", "createdAt", "updatedAt"]);

/** A planned entity: its action and the entity that produces it. */
export interface PlannedStep {
  action: ImportAction;
  entity?: MappedEntity;
}

interface AnyRepo {
  get(...args: string[]): Promise<Record<string, unknown> | undefined>;
  create(input: MappedValue): Promise<unknown>;
  update(input: MappedValue & { version: number }): Promise<unknown>;
}

function repoOf(repos: Repositories, record: TargetRecord): AnyRepo {
  return repos[record.repo] as unknown as AnyRepo;
}

async function getExisting(
  repos: Repositories,
  record: TargetRecord,
): Promise<Record<string, unknown> | undefined> {
  const repo = repoOf(repos, record);
  if (GLOBAL_REPOS.has(record.repo)) return repo.get(record.value.id);
  return repo.get(String(record.value.stationId), record.value.id);
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
async function diffEntity(repos: Repositories, entity: MappedEntity): Promise<ImportAction> {
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
  const primaryExisting = await getExisting(repos, primary);
  if (primaryExisting === undefined) return withReason(base, notes);
  const changes: string[] = [];
  for (const record of entity.records) {
    const existing = record === primary ? primaryExisting : await getExisting(repos, record);
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
 * Plan every entity against the store, in order. Reads only. Rejected source
 * records are listed first, then one action per entity.
 */
export async function planEntities(
  store: Store,
  entities: readonly MappedEntity[],
  rejected: readonly ImportAction[],
  progress: ProgressReporter,
  context: ImportContext,
): Promise<PlannedStep[]> {
  const steps: PlannedStep[] = rejected.map((action) => ({ action }));
  progress.report("plan", 0, entities.length);
  let done = 0;
  for (const entity of entities) {
    if (context.signal?.aborted === true) break;
    steps.push({ action: await diffEntity(store, entity), entity });
    done += 1;
    progress.report("plan", done, entities.length);
  }
  return steps;
}

async function writeEntity(store: Store, entity: MappedEntity): Promise<void> {
  if (entity.beforeWrite !== undefined) await entity.beforeWrite();
  await store.transaction(async (tx) => {
    // Dependencies (a show's clock) go in before the primary record that refers to them.
    for (const record of [...entity.records.slice(1), entity.records[0]!]) {
      const existing = await getExisting(tx, record);
      const desired = desiredValue(record, existing);
      if (existing === undefined) await repoOf(tx, record).create(desired);
      else if (changedFields(existing, desired).length > 0)
        await repoOf(tx, record).update({ ...desired, version: Number(existing.version) });
    }
  });
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Write the create/update steps, one transaction per entity; an entity that
 * fails is reported in `failures` and the others still go in.
 */
export async function applySteps(
  store: Store,
  steps: readonly PlannedStep[],
  progress: ProgressReporter,
  context: ImportContext,
): Promise<ImportReport["failures"]> {
  const failures: ImportReport["failures"] = [];
  const writes = steps.filter(
    (s) => s.entity !== undefined && (s.action.action === "create" || s.action.action === "update"),
  );
  progress.report("apply", 0, writes.length);
  let done = 0;
  for (const step of writes) {
    if (context.signal?.aborted === true) {
      failures.push({
        action: step.action,
        error: "import aborted before this record was written",
      });
      continue;
    }
    try {
      await writeEntity(store, step.entity!);
    } catch (error) {
      failures.push({ action: step.action, error: errorText(error) });
    }
    done += 1;
    progress.report("apply", done, writes.length);
  }
  return failures;
}
