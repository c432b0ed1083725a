import type { PlayableItem } from "./smart-block.js";
import type { EntrySource, TimelineEntry } from "./types.js";

/** What {@link TimelineTrack.cutBack} did to make room for a hard event. */
export interface CutBack {
  /** Entries dropped because they started at or after the cut. */
  removed: number;
  /** The entry now last on the track (frozen or not), if any. */
  last: TimelineEntry | undefined;
  /** How much of `last` was cut off, ms; absent when it was not cut. */
  cutMs?: number;
}

/**
 * The timeline being built and its cursor (end of the last entry, epoch ms).
 * Appends media soft, overlapping the previous item by the crossfade when
 * both are long enough, or hard at a given instant; never changes the frozen
 * entries it started with except to drop their crossfade into a removed item.
 */
export class TimelineTrack {
  /** Frozen entries first, then those appended, in order. */
  readonly entries: TimelineEntry[];
  /** End of the last entry, epoch ms: where the next soft item starts (less any crossfade). */
  cursor: number;
  readonly #frozenCount: number;
  readonly #crossfadeMs: number;
  readonly #onPlanned: (p: PlayableItem, startsAt: number) => void;

  /**
   * Starts after `frozen` with the cursor at `cursor` (epoch ms); media items
   * overlap by `crossfadeMs` (0: none). `onPlanned` hears of each media item
   * placed, after it is on the track.
   */
  constructor(
    frozen: TimelineEntry[],
    cursor: number,
    crossfadeMs: number,
    onPlanned: (p: PlayableItem, startsAt: number) => void = () => undefined,
  ) {
    this.entries = [...frozen];
    this.#frozenCount = frozen.length;
    this.cursor = cursor;
    this.#crossfadeMs = crossfadeMs;
    this.#onPlanned = onPlanned;
  }

  /** Where the next soft item starts, epoch ms: the cursor less the crossfade after media. */
  softStart(): number {
    const prev = this.entries[this.entries.length - 1];
    const cf = this.#crossfadeMs;
    return cf > 0 && prev !== undefined && prev.kind === "media" ? this.cursor - cf : this.cursor;
  }

  /** Append `entry` as is and move the cursor to its end. */
  push(entry: TimelineEntry): void {
    this.entries.push(entry);
    this.cursor = entry.endsAt;
  }

  /**
   * Append a media item: at `hardAt` (epoch ms) when given, else at the
   * cursor, crossfading with the previous appended media or stopset item when
   * neither fades already and both last longer than two crossfades.
   */
  appendMedia(
    p: PlayableItem,
    kind: "media" | "stopset",
    source: EntrySource,
    priority: number,
    hardAt?: number,
  ): TimelineEntry {
    const prev = this.entries[this.entries.length - 1];
    const cf = this.#crossfadeMs;
    let startsAt = hardAt ?? this.cursor;
    let fadeInMs: number | undefined;
    if (
      hardAt === undefined &&
      cf > 0 &&
      prev !== undefined &&
      prev.endsAt === this.cursor &&
      this.entries.length > this.#frozenCount &&
      (prev.kind === "media" || prev.kind === "stopset") &&
      prev.fadeOutMs === undefined &&
      prev.endsAt - prev.startsAt > 2 * cf &&
      p.lengthMs > 2 * cf
    ) {
      prev.crossfadeMs = cf;
      prev.fadeOutMs = cf;
      fadeInMs = cf;
      startsAt -= cf;
    }
    const item = p.item;
    const entry: TimelineEntry = {
      id: "",
      startsAt,
      endsAt: startsAt + p.lengthMs,
      kind,
      mediaId: item.id,
      ...(item.title !== undefined ? { title: item.title } : {}),
      ...(item.artist !== undefined ? { artist: item.artist } : {}),
      ...(item.album !== undefined ? { album: item.album } : {}),
      cueInMs: p.cueInMs,
      cueOutMs: p.cueOutMs,
      ...(fadeInMs !== undefined ? { fadeInMs } : {}),
      timing: "soft",
      priority,
      source,
    };
    this.push(entry);
    this.#onPlanned(p, startsAt);
    return entry;
  }

  /** Append silence from the cursor up to `until` (epoch ms); nothing when the cursor is there already. */
  appendSilence(until: number, source: EntrySource, priority: number): void {
    if (this.cursor < until) {
      this.push({
        id: "",
        startsAt: this.cursor,
        endsAt: until,
        kind: "silence",
        timing: "soft",
        priority,
        source,
      });
    }
  }

  /**
   * End `entry` at `at` (epoch ms), shortening its cue-out to match, with a
   * fade out of `fadeMs` (at most what is kept) or none; drops its crossfade
   * and moves the cursor to `at`.
   */
  truncate(entry: TimelineEntry, at: number, fadeMs: number | undefined): void {
    const keep = at - entry.startsAt;
    entry.endsAt = at;
    if (entry.cueInMs !== undefined) entry.cueOutMs = entry.cueInMs + keep;
    delete entry.crossfadeMs;
    if (fadeMs !== undefined && fadeMs > 0) entry.fadeOutMs = Math.min(fadeMs, keep);
    else delete entry.fadeOutMs;
    this.cursor = at;
  }

  /**
   * Make the track end no later than `at` (epoch ms): drop appended entries
   * starting at or after it, cut the appended one running over it (fading by
   * `fadeMs`), and leave the cursor at the end of what remains.
   */
  cutBack(at: number, fadeMs: number): CutBack {
    let removed = 0;
    while (
      this.entries.length > this.#frozenCount &&
      this.entries[this.entries.length - 1]!.startsAt >= at
    ) {
      this.entries.pop();
      removed++;
    }
    const last = this.entries[this.entries.length - 1];
    let cutMs: number | undefined;
    if (last !== undefined && this.entries.length > this.#frozenCount && last.endsAt > at) {
      cutMs = last.endsAt - at;
      this.truncate(last, at, fadeMs);
    }
    // the item it crossfaded into is gone
    if (last !== undefined && removed > 0 && last.endsAt <= at && last.crossfadeMs !== undefined) {
      delete last.crossfadeMs;
      delete last.fadeOutMs;
    }
    this.cursor = last === undefined ? at : Math.min(last.endsAt, at);
    return cutMs === undefined ? { removed, last } : { removed, last, cutMs };
  }
}
