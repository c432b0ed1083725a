import {
  SystemTimeSource,
  isGrimnirError,
  type ImportAction,
  type ImportContext,
  type ImportPlan,
  type Importer,
  type Store,
  type TimeSource,
} from "@grimnir/core";
import type { MediaStorage } from "@grimnir/library";
import {
  analyzeImported,
  type ImportAnalysisOptions,
  type ImporterReport,
} from "./analyze-imported.js";
import { KnownRecords } from "./known-records.js";
import type { MappingResult } from "./mapped-entity.js";
import { applySteps, planEntities, summarize, type PlannedStep } from "./plan-engine.js";
import { ProgressReporter } from "./progress.js";

/** Error codes of `map` that mean the source as a whole cannot be read. */
const SOURCE_ERROR_CODES: ReadonlySet<string> = new Set([
  "STORE_UNAVAILABLE",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "CONFIG_INVALID",
]);

/** `sourceKind` of the action reported when the source cannot be read at all. */
export const SOURCE_ACTION_KIND = "source";

/** Options every importer takes. */
export interface BaseImporterOptions {
  /** Where imported records are written. */
  store: Store;
  /** Clock for the report's start and end times and progress pacing (default the system clock). */
  timeSource?: TimeSource;
  /**
   * Analyse the imported media after `apply` writes it (loudness, true peak,
   * cues, with the library's `AnalysisQueue`): every imported item still
   * "pending" is queued and `apply` resolves when all are analysed. Needs
   * the audio (a media root, copied or downloaded files). Default off:
   * items stay "pending" for a later run.
   */
  analyze?: boolean | ImportAnalysisOptions;
}

/**
 * Shared plan/apply flow: read and map the source, compare with the store
 * (listing the stored records once, not one lookup per record), write the
 * entities in batches of 100 per transaction (a failed batch is written again
 * entity by entity, so a failed entity leaves nothing and fails alone). When the source cannot be read (unreachable,
 * wrong credentials) `plan` returns one "skip" action of kind
 * {@link SOURCE_ACTION_KIND} with the reason and `apply` also lists it in
 * `failures`; nothing is written.
 */
export abstract class BaseImporter implements Importer {
  /** Short name of the source system. */
  abstract readonly source: string;
  /** Store the importer writes to. */
  protected readonly store: Store;
  /** Clock for timestamps and progress pacing. */
  protected readonly time: TimeSource;
  readonly #analyze: ImportAnalysisOptions | undefined;

  constructor(options: BaseImporterOptions) {
    this.store = options.store;
    this.time = options.timeSource ?? new SystemTimeSource();
    this.#analyze =
      options.analyze === undefined || options.analyze === false
        ? undefined
        : options.analyze === true
          ? {}
          : options.analyze;
  }

  /** Where the imported items' audio is (their `storageKey`s resolve there), or undefined when the importer has no access to it. */
  protected abstract analysisStorage(): MediaStorage | undefined;

  /** Subclasses call this at the end of their constructor: `analyze` without access to the audio is a configuration error. */
  protected checkAnalyzeOption(howToGiveAudio: string): void {
    if (this.#analyze !== undefined && this.analysisStorage() === undefined)
      throw new TypeError(
        `${this.constructor.name}: analyze needs the audio files; ${howToGiveAudio}`,
      );
  }

  /** Where the source is, for report lines (credentials removed). */
  protected abstract describeSource(): string;

  /** Read the source and map it; throws a `GrimnirError` (`STORE_UNAVAILABLE`, `UNAUTHORIZED`) when it cannot be read. */
  protected abstract map(
    progress: ProgressReporter,
    context: ImportContext,
  ): Promise<MappingResult>;

  async #steps(context: ImportContext, known: KnownRecords): Promise<PlannedStep[]> {
    const progress = new ProgressReporter(context, this.time);
    let mapping: MappingResult;
    try {
      mapping = await this.map(progress, context);
    } catch (error) {
      if (isGrimnirError(error) && SOURCE_ERROR_CODES.has(error.code)) {
        const action: ImportAction = {
          sourceKind: SOURCE_ACTION_KIND,
          sourceId: this.describeSource(),
          action: "skip",
          reason: error.message,
        };
        return [{ action }];
      }
      throw error;
    }
    return planEntities(this.store, mapping.entities, mapping.rejected, progress, context, known);
  }

  /** Dry run: what would be created, updated, skipped or cannot be mapped, with reasons. Writes nothing. */
  async plan(context: ImportContext = {}): Promise<ImportPlan> {
    const actions = (await this.#steps(context, new KnownRecords())).map((s) => s.action);
    return { source: this.source, actions, summary: summarize(actions) };
  }

  /**
   * Import everything that maps; safe to run again (unchanged records are
   * skipped, changed ones updated). With `analyze`, then analyse the imported
   * media still pending; failed analyses are listed in `failures`.
   */
  async apply(context: ImportContext = {}): Promise<ImporterReport> {
    const startedAt = this.time.now();
    // What planning read of the stored records serves the writes too (see KnownRecords).
    const known = new KnownRecords();
    const steps = await this.#steps(context, known);
    const progress = new ProgressReporter(context, this.time);
    const failures = await applySteps(this.store, steps, progress, context, known);
    for (const step of steps)
      if (step.action.sourceKind === SOURCE_ACTION_KIND)
        failures.push({ action: step.action, error: step.action.reason ?? "source unavailable" });
    const storage = this.analysisStorage();
    const analysis =
      this.#analyze === undefined || storage === undefined || context.signal?.aborted === true
        ? undefined
        : await analyzeImported(this.store, storage, steps, failures, progress, this.#analyze);
    const actions = steps.map((s) => s.action);
    const report: ImporterReport = {
      source: this.source,
      actions,
      summary: summarize(actions),
      failures,
      startedAt,
      finishedAt: this.time.now(),
    };
    if (analysis !== undefined) report.analysis = analysis;
    return report;
  }
}
