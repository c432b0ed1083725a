import type { ServerLogger } from "./logger.js";

/** One step of the shutdown: stops what was started just before it was registered. */
export type ShutdownStep = () => Promise<void>;

/**
 * The shutdown sequence of `grimnir serve`: each part registers how to stop
 * itself as it starts, and {@link ShutdownSequence.run} stops them in reverse
 * order (API before executors before engine before bus and store). A failing
 * step is logged and the sequence goes on, so one stuck part never keeps the
 * store open.
 */
export class ShutdownSequence {
  readonly #steps: ShutdownStep[] = [];
  readonly #log: ServerLogger;

  /** @param log where failed steps are reported (`shutdown step failed`). */
  constructor(log: ServerLogger) {
    this.#log = log;
  }

  /** Register the step that undoes what was just started; it runs before every earlier step. */
  push(step: ShutdownStep): void {
    this.#steps.push(step);
  }

  /**
   * Run every registered step, last registered first, one at a time. Never
   * rejects: a step's error is logged and the next step runs. Steps run once;
   * a second call runs only steps registered since.
   */
  async run(): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step();
      } catch (err) {
        this.#log.error({ err }, "shutdown step failed");
      }
    }
  }
}
