import type { NewEntity, PlayHistory } from "@grimnir/core";
import type { ExecutorContext } from "./executor-context.js";

/** One play history record as the executor tracks it; `id` is set once the Store answered. */
export interface PlayRecord {
  /** Label in logs (entry or source id). */
  label: string;
  /** Store id of the record, once appended. */
  id?: string;
  /** Set once the end was queued, so a record is finished only once. */
  finished?: boolean;
}

/**
 * The station's aircheck log: what went on air, when and at which tier,
 * written through the Store's write-behind queue (never on the audio path).
 */
export class PlayHistoryLog {
  readonly #ctx: ExecutorContext;

  /** History of the station of `ctx`. */
  constructor(ctx: ExecutorContext) {
    this.#ctx = ctx;
  }

  /** Queue the record of something that went on air; the returned handle finishes it. */
  start(label: string, record: NewEntity<PlayHistory>): PlayRecord {
    const handle: PlayRecord = { label };
    this.#ctx.writes.enqueue(`play history of ${label}`, async () => {
      const stored = await this.#ctx.o.store.playHistory.append(record);
      handle.id = stored.id;
    });
    return handle;
  }

  /** Queue the end of a record at `endedAt` (epoch ms); a second call is ignored. */
  finish(handle: PlayRecord, endedAt: number): void {
    if (handle.finished === true) return;
    handle.finished = true;
    this.#ctx.writes.enqueue(`end of play ${handle.label}`, async () => {
      // The append ran first in queue order; without an id it was dropped.
      if (handle.id === undefined) return;
      await this.#ctx.o.store.playHistory.finish(this.#ctx.stationId, handle.id, endedAt);
    });
  }
}
