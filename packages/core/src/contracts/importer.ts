/** What one source record maps to. */
export interface ImportAction {
  /** Kind of record in the source system ("file", "playlist", "smart_block", "show"…). */
  sourceKind: string;
  sourceId: string;
  action: "create" | "update" | "skip" | "unmappable";
  /** Kind and id of the Grimnir record created or updated. */
  target?: { kind: string; id: string };
  /** Why it is skipped or cannot be mapped; what was approximated. */
  reason?: string;
}

/** The dry-run result of an import. */
export interface ImportPlan {
  source: string;
  actions: ImportAction[];
  /** Counts per action. */
  summary: Record<ImportAction["action"], number>;
}

/** The result of applying a plan. */
export interface ImportReport extends ImportPlan {
  /** Actions that failed while applying, with the error. */
  failures: { action: ImportAction; error: string }[];
  startedAt: number;
  finishedAt: number;
}

/** Progress of a long import step. */
export interface ImportProgress {
  phase: string;
  done: number;
  total: number;
}

/** Options every importer run takes. */
export interface ImportContext {
  /** Called as work advances (at most a few times a second). */
  onProgress?: (progress: ImportProgress) => void;
  /** Abort the run; `apply` stops between records and reports what it did. */
  signal?: AbortSignal;
}

/**
 * Migrates a station from another system. `plan` changes nothing; `apply` is
 * idempotent — running it twice creates nothing new, and a re-run updates
 * records whose source changed.
 */
export interface Importer {
  /** Short name of the source system ("libretime", "azuracast"). */
  readonly source: string;
  /** Dry run: what would be created, updated, skipped or cannot be mapped, with reasons. Writes nothing. */
  plan(context?: ImportContext): Promise<ImportPlan>;
  /** Perform the import and report what happened; safe to run again. */
  apply(context?: ImportContext): Promise<ImportReport>;
}
