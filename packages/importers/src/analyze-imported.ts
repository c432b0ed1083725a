import type { ImportReport, Store } from "@grimnir/core";
import { AnalysisQueue, type AnalyzeFileOptions, type MediaStorage } from "@grimnir/library";
import type { PlannedStep } from "./plan-engine.js";
import type { ProgressReporter } from "./progress.js";

/** How imported media is analysed after `apply` (see `BaseImporterOptions.analyze`). */
export interface ImportAnalysisOptions {
  /** Items analysed at once (default: CPU cores). */
  concurrency?: number;
  /** Options of the analysis (cue threshold, markers, gst-launch path). */
  analyzeOptions?: AnalyzeFileOptions;
}

/** What the analysis after an import did. */
export interface ImportAnalysisSummary {
  /** Items queued: imported media still "pending" analysis after the writes. */
  queued: number;
  /** Items analysed ("done"). */
  done: number;
  /** Items whose analysis failed (each also in the report's `failures`). */
  failed: number;
}

/** An import report, with what the analysis did when it was asked for. */
export interface ImporterReport extends ImportReport {
  /** Present when the importer was created with `analyze`. */
  analysis?: ImportAnalysisSummary;
}

/**
 * Queue every imported media item whose stored status is "pending" (new,
 * changed, or left unanalysed by an earlier import; already analysed items
 * keep their results) on the library's `AnalysisQueue`, one queue per
 * station, and wait until all are analysed. Progress is reported as phase
 * "analyse"; each failed analysis (stored on the item with the reason) is
 * added to `failures` as "analysis failed: …".
 */
export async function analyzeImported(
  store: Store,
  storage: MediaStorage,
  steps: readonly PlannedStep[],
  failures: ImportReport["failures"],
  progress: ProgressReporter,
  options: ImportAnalysisOptions,
): Promise<ImportAnalysisSummary> {
  const failed = new Set(failures.map((f) => f.action));
  const byStation = new Map<string, Map<string, PlannedStep>>();
  for (const step of steps) {
    const record = step.entity?.records[0];
    if (record?.repo !== "media" || failed.has(step.action)) continue;
    const stationId = String(record.value.stationId);
    const item = await store.media.get(stationId, record.value.id);
    if (item?.analysisStatus !== "pending") continue;
    const ids = byStation.get(stationId) ?? new Map<string, PlannedStep>();
    ids.set(item.id, step);
    byStation.set(stationId, ids);
  }
  const summary: ImportAnalysisSummary = { queued: 0, done: 0, failed: 0 };
  for (const ids of byStation.values()) summary.queued += ids.size;
  progress.report("analyse", 0, summary.queued);
  for (const [stationId, ids] of byStation) {
    const queue = new AnalysisQueue({
      stationId,
      store,
      storage,
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...(options.analyzeOptions !== undefined && { analyzeOptions: options.analyzeOptions }),
    });
    queue.on((p) => {
      if (p.status === "done") summary.done += 1;
      else if (p.status === "failed") {
        summary.failed += 1;
        const step = ids.get(p.mediaId);
        if (step !== undefined)
          failures.push({
            action: step.action,
            error: `analysis failed: ${p.error ?? "unknown reason"}`,
          });
      } else return;
      progress.report("analyse", summary.done + summary.failed, summary.queued);
    });
    queue.enqueue([...ids.keys()]);
    await queue.idle();
  }
  return summary;
}
