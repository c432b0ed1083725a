import type { ImportContext, ImportProgress, TimeSource } from "@grimnir/core";

/** Minimum time between two progress callbacks of one phase, ms. */
const MIN_INTERVAL_MS = 200;

/** Calls `onProgress` at the start and end of each phase and at most every 200 ms in between. */
export class ProgressReporter {
  readonly #context: ImportContext;
  readonly #time: TimeSource;
  #last = Number.NEGATIVE_INFINITY;

  constructor(context: ImportContext, time: TimeSource) {
    this.#context = context;
    this.#time = time;
  }

  /** Report `done` of `total` in `phase`. */
  report(phase: string, done: number, total: number): void {
    const onProgress = this.#context.onProgress;
    if (onProgress === undefined) return;
    const now = this.#time.now();
    if (done !== 0 && done !== total && now - this.#last < MIN_INTERVAL_MS) return;
    this.#last = now;
    const progress: ImportProgress = { phase, done, total };
    onProgress(progress);
  }
}
