import type { Topic } from "@grimnir/core";

/** Topics whose events are periodic samples: the next one supersedes a lost one. */
export const TELEMETRY_TOPICS: readonly Topic[] = ["metrics", "buffer_health"];

/** What an {@link Outbox} holds: anything that knows its topic. */
export interface OutboxItem {
  /** Topic of the queued event; decides which items are dropped first. */
  readonly topic: Topic;
}

interface Slot<T> {
  seq: number;
  item: T;
}

/** FIFO with O(1) push, shift and put-back at the front. */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head += 1;
    // Compact once the dead prefix is half the array, keeping shifts amortised O(1).
    if (this.#head > 32 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  unshift(item: T): void {
    if (this.#head > 0) {
      this.#head -= 1;
      this.#items[this.#head] = item;
    } else {
      this.#items.unshift(item);
    }
  }
}

/**
 * A bounded queue of events waiting for a connection, in publish order.
 *
 * It never blocks and never grows past `capacity`. When full, room is made by
 * dropping, in this order: the oldest telemetry item ({@link TELEMETRY_TOPICS});
 * then, if the newcomer is itself telemetry, the newcomer; otherwise the oldest
 * item of any topic. Every dropped item is counted in {@link Outbox.dropped}.
 */
export class Outbox<T extends OutboxItem> {
  readonly #telemetry = new Fifo<Slot<T>>();
  readonly #others = new Fifo<Slot<T>>();
  readonly #capacity: number;
  #nextSeq = 0;
  #dropped = 0;

  /** @param capacity most items held at once (0 drops everything) */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`outbox capacity must be a non-negative integer (got ${capacity})`);
    }
    this.#capacity = capacity;
  }

  /** Most items held at once. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Items waiting. */
  get size(): number {
    return this.#telemetry.size + this.#others.size;
  }

  /** Items dropped to stay within capacity since creation. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queue `item` behind everything else. Returns the item dropped to make room, if any. */
  push(item: T): T | undefined {
    const slot = { seq: this.#nextSeq++, item };
    const dropped = this.#makeRoom(isTelemetry(item.topic));
    if (dropped === "incoming") {
      this.#dropped += 1;
      return item;
    }
    this.#queueOf(item).push(slot);
    return dropped;
  }

  /** Take the oldest item, or undefined when empty. */
  shift(): T | undefined {
    const t = this.#telemetry.peek();
    const o = this.#others.peek();
    if (t === undefined && o === undefined) return undefined;
    const from =
      o === undefined || (t !== undefined && t.seq < o.seq) ? this.#telemetry : this.#others;
    return from.shift()!.item;
  }

  /**
   * Put items taken by {@link Outbox.shift} back at the front, oldest first in `items`,
   * ahead of anything queued since (used when a flush fails half-way). Drops per
   * the same policy if that overflows.
   */
  putBack(items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      const seq = Math.min(this.#oldestSeq(), this.#nextSeq) - 1;
      this.#queueOf(item).unshift({ seq, item });
    }
    while (this.size > this.#capacity) {
      const victim = this.#telemetry.size > 0 ? this.#telemetry : this.#others;
      victim.shift();
      this.#dropped += 1;
    }
  }

  /** Remove everything, counting nothing as dropped; returns how many were removed. */
  clear(): number {
    let removed = 0;
    while (this.shift() !== undefined) removed += 1;
    return removed;
  }

  #oldestSeq(): number {
    return Math.min(this.#telemetry.peek()?.seq ?? Infinity, this.#others.peek()?.seq ?? Infinity);
  }

  #queueOf(item: T): Fifo<Slot<T>> {
    return isTelemetry(item.topic) ? this.#telemetry : this.#others;
  }

  /** Free one place when full; "incoming" means the newcomer itself should be dropped. */
  #makeRoom(incomingIsTelemetry: boolean): T | "incoming" | undefined {
    if (this.size < this.#capacity) return undefined;
    if (this.#capacity === 0) return "incoming";
    if (this.#telemetry.size > 0) {
      this.#dropped += 1;
      return this.#telemetry.shift()!.item;
    }
    if (incomingIsTelemetry) return "incoming";
    this.#dropped += 1;
    return this.#others.shift()!.item;
  }
}

function isTelemetry(topic: Topic): boolean {
  return (TELEMETRY_TOPICS as readonly string[]).includes(topic);
}
