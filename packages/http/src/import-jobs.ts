import { randomUUID } from "node:crypto";
import { GrimnirError } from "@grimnir/core";
import type { EventBus, ImportPlan, ImportProgress, ImportReport, Importer } from "@grimnir/core";
import type { ImportJobRequest } from "./ports.js";

/**
 * Station id that `import.progress` events are published under: imports are
 * not station-scoped (one AzuraCast import may bring several stations), and
 * only admins of every station (`"*"`) may see them.
 */
export const IMPORT_EVENTS_STATION_ID = "imports";

/** Source-level action kind the importers use for "the source could not be read" (`SOURCE_ACTION_KIND`). */
const SOURCE_KIND = "source";
/** Finished jobs kept for `GET /api/v1/imports`; the oldest finished ones are forgotten first. */
const KEPT_JOBS = 100;

/** One import job as the API shows it. */
export interface ImportJob {
  id: string;
  source: ImportJobRequest["source"];
  /** The source address without credentials. */
  url: string;
  dryRun: boolean;
  station?: string;
  status: "running" | "done" | "failed";
  /** The latest progress report, null before the first. */
  progress: ImportProgress | null;
  /** Counts per action once finished. */
  summary?: ImportPlan["summary"];
  /** The plan (dry run) or the report (apply) once finished. */
  report?: ImportPlan | ImportReport;
  /** Why it failed. */
  error?: string;
  /** User who started it. */
  startedBy: string;
  /** Epoch ms. */
  startedAt: number;
  finishedAt?: number;
}

/** `user:password@` removed from a URL, and any query (may carry a key). */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    // Not a URL: show nothing that might be a secret.
    return "<invalid url>";
  }
}

/**
 * Runs import jobs in the background, one `Importer` each: keeps their status,
 * progress and report in memory (jobs do not survive a restart) and publishes
 * `import.progress` on the bus at every progress report and at the end.
 */
export class ImportJobs {
  readonly #jobs = new Map<string, ImportJob>();
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly bus: EventBus,
    private readonly log: (err: unknown, message: string) => void,
  ) {}

  /** Start `importer` for `request` on behalf of `userId`; resolves with the running job. */
  start(importer: Importer, request: ImportJobRequest, userId: string): ImportJob {
    const job: ImportJob = {
      id: randomUUID(),
      source: request.source,
      url: redacted(request.url),
      dryRun: request.dryRun,
      ...(request.station === undefined ? {} : { station: request.station }),
      status: "running",
      progress: null,
      startedBy: userId,
      startedAt: Date.now(),
    };
    this.#jobs.set(job.id, job);
    this.#forgetOld();
    const abort = new AbortController();
    const context = {
      signal: abort.signal,
      onProgress: (progress: ImportProgress) => {
        job.progress = { ...progress };
        this.#publish(job);
      },
    };
    const done = (async () => {
      try {
        const result = request.dryRun
          ? await importer.plan(context)
          : await importer.apply(context);
        job.report = result;
        job.summary = result.summary;
        const unreadable = result.actions.find(
          (a) => a.sourceKind === SOURCE_KIND && a.action === "skip",
        );
        if (unreadable !== undefined) {
          job.status = "failed";
          job.error = `the source could not be read: ${unreadable.reason ?? "unknown reason"}`;
        } else {
          job.status = "done";
        }
      } catch (err) {
        job.status = "failed";
        job.error = err instanceof Error ? err.message : String(err);
      }
      job.finishedAt = Date.now();
      this.#publish(job);
      this.#running.delete(job.id);
    })();
    this.#running.set(job.id, { abort, done });
    return job;
  }

  /** A job by id; rejects with `NOT_FOUND`. */
  get(id: string): ImportJob {
    const job = this.#jobs.get(id);
    if (job === undefined)
      throw new GrimnirError("NOT_FOUND", `import job ${id} does not exist (or was forgotten)`, {
        details: { field: "id" },
      });
    return job;
  }

  /** Every kept job, newest first. */
  list(): ImportJob[] {
    return [...this.#jobs.values()].reverse();
  }

  /** Abort running jobs and wait for them to stop. */
  async close(): Promise<void> {
    const running = [...this.#running.values()];
    for (const r of running) r.abort.abort();
    await Promise.all(running.map((r) => r.done));
  }

  #publish(job: ImportJob): void {
    const progress = job.progress ?? { phase: "start", done: 0, total: 0 };
    this.bus
      .publish("import.progress", IMPORT_EVENTS_STATION_ID, {
        jobId: job.id,
        source: job.source,
        status: job.status,
        phase: progress.phase,
        done: progress.done,
        total: progress.total,
      })
      .catch((err: unknown) => this.log(err, "import progress event could not be published"));
  }

  #forgetOld(): void {
    for (const [id, job] of this.#jobs) {
      if (this.#jobs.size <= KEPT_JOBS) return;
      if (job.status !== "running") this.#jobs.delete(id);
    }
  }
}
