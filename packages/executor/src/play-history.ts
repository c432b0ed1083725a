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
 * The station's aircheck log: what went on air, when and at which tier —
 * automation items, emergency inserts, live sessions (and each change of a
 * live session's metadata) and fallback items — written through the Store's
 * write-behind queue (never on the audio path).
 *
 * Automation items keep their own record (`OnAirItem.history`); the record of
 * the other tiers' source on air is kept here, so one leaving the air closes it.
 */
export class PlayHistoryLog {
  readonly #ctx: ExecutorContext;
  #air: PlayRecord | undefined;

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

  /** Record of the emergency, live or fallback source on air, if any. */
  get airRecord(): PlayRecord | undefined {
    return this.#air;
  }

  /**
   * A source of another tier than automation went on air: close the record of
   * the one before it (at this one's start) and open this one's.
   */
  onAir(label: string, record: NewEntity<PlayHistory>): void {
    if (this.#air !== undefined) this.finish(this.#air, record.startedAt);
    this.#air = this.start(label, record);
  }

  /** The emergency, live or fallback source on air left it at `endedAt` (epoch ms). */
  offAir(endedAt: number): void {
    if (this.#air === undefined) return;
    this.finish(this.#air, endedAt);
    this.#air = undefined;
  }

  /** Take over the open record `id` of a source another executor put on air (reattach). */
  adopt(label: string, id: string): void {
    this.#air = { label, id };
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
