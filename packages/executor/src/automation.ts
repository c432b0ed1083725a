import { Priority, isGrimnirError } from "@grimnir/core";
import type { PlayRequest, ScheduleEntry } from "@grimnir/core";
import { AUTOMATION_SOURCE_ID } from "./priority-service.js";
import { PLAYABLE_KINDS } from "./executor-context.js";
import type { ExecutorContext, OnAirItem } from "./executor-context.js";
import type { EngineLink } from "./engine-link.js";
import type { MediaResolution } from "./media-resolution.js";
import type { PlayHistoryLog } from "./play-history.js";
import type { ResolvedEntry } from "./entry-resolver.js";

/**
 * Automation: walks the timeline. Picks the item that should play now,
 * preloads the next one `preloadMs` before it is due, hands hard-timed items
 * to the engine with `atMs` = planned start and soft ones after the current
 * item, and records what played.
 */
export class Automation {
  readonly #ctx: ExecutorContext;
  readonly #engine: EngineLink;
  readonly #media: MediaResolution;
  readonly #history: PlayHistoryLog;
  /** Told when an item starts (silence detection restarts). */
  onItemStart: () => void = () => undefined;

  /** Automation of the station of `ctx`. */
  constructor(
    ctx: ExecutorContext,
    engine: EngineLink,
    media: MediaResolution,
    history: PlayHistoryLog,
  ) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.#media = media;
    this.#history = history;
  }

  /** The entry automation would play at `now`: the one on air, the one planned, or one about to start. */
  candidate(now: number): ScheduleEntry | undefined {
    const ctx = this.#ctx;
    const current = ctx.current;
    if (current !== undefined && ctx.applied?.id === AUTOMATION_SOURCE_ID) {
      if (!ctx.failedEntries.has(current.entry.id) && current.endsAt > now) return current.entry;
      if (ctx.next?.started === true && this.#isPlayable(ctx.next.entry)) return ctx.next.entry;
      const next = this.#nextPlayable(current.entry, now);
      // A soft entry follows the item before it whatever its planned time says.
      if (
        next !== undefined &&
        (next.timing === "soft" || next.startsAt <= now + ctx.o.startLeadMs)
      ) {
        return next;
      }
    }
    const planned = ctx.timeline.entryAt(now);
    if (planned !== undefined && this.#isPlayable(planned)) return planned;
    const upcoming =
      planned === undefined ? ctx.timeline.firstFrom(now) : ctx.timeline.after(planned);
    if (
      upcoming !== undefined &&
      this.#isPlayable(upcoming) &&
      upcoming.startsAt <= now + ctx.o.startLeadMs
    ) {
      return upcoming;
    }
    return undefined;
  }

  /** Automation leaves the air: remember where, close its history, forget the preload. */
  interrupt(now: number): void {
    const ctx = this.#ctx;
    const current = ctx.current;
    if (current !== undefined) {
      const positionMs = current.offsetMs + Math.max(0, now - current.startedAt);
      ctx.interrupted = { entry: current.entry, positionMs };
      this.#history.finish(current.history, now);
    }
    ctx.current = undefined;
    ctx.next = undefined;
  }

  /** Start the entry that should play now (or the interrupted one when so configured). */
  async start(crossfadeMs: number | undefined): Promise<boolean> {
    const ctx = this.#ctx;
    const generation = ctx.switchGeneration;
    const now = ctx.time.now();
    let entry: ScheduleEntry | undefined;
    let offsetMs = 0;
    const interrupted = ctx.interrupted;
    ctx.interrupted = undefined;
    if (
      ctx.o.resumeWhereInterrupted &&
      interrupted !== undefined &&
      !ctx.failedEntries.has(interrupted.entry.id) &&
      interrupted.positionMs < interrupted.entry.endsAt - interrupted.entry.startsAt
    ) {
      entry = interrupted.entry;
      offsetMs = interrupted.positionMs;
    } else {
      entry = this.candidate(now);
      // An item about to end is not (re)started for its last few hundred ms: its successor is.
      if (
        entry !== undefined &&
        entry.startsAt < now &&
        entry.endsAt - now <= ctx.o.endToleranceMs
      ) {
        ctx.endedEntries.add(entry.id);
        entry = this.candidate(now);
      }
      if (entry !== undefined) offsetMs = Math.max(0, now - entry.startsAt);
    }
    if (entry === undefined) return false;
    const resolved = await this.#media.resolve(entry);
    if (resolved === undefined || generation !== ctx.switchGeneration) return false;
    const atMs = entry.startsAt > now ? entry.startsAt : undefined;
    const request = this.#playRequest(
      entry,
      resolved,
      offsetMs,
      crossfadeMs ?? this.#crossfadeFor(entry),
      atMs,
    );
    const ok = await this.#playEntry(entry, () => ctx.o.engine.play(ctx.stationId, request));
    // An emergency took the air while the engine answered: it owns the air now.
    if (!ok || generation !== ctx.switchGeneration) return false;
    const startedAt = atMs ?? now;
    const item = this.#onAirItem(entry, startedAt, offsetMs, resolved);
    ctx.current = item;
    ctx.next = undefined;
    ctx.persist();
    return true;
  }

  /**
   * Play the item on air again from a fresh resolution, crossfading over
   * itself (its source changed, e.g. a webstream's URL). Resolves false when
   * automation is not on air, `match` does not hold for the item on air, or
   * its successor has already started.
   */
  async replayCurrent(match: (entry: ScheduleEntry) => boolean): Promise<boolean> {
    const ctx = this.#ctx;
    const current = ctx.current;
    if (current === undefined || ctx.applied?.id !== AUTOMATION_SOURCE_ID) return false;
    if (!match(current.entry) || ctx.next?.started === true) return false;
    const generation = ctx.switchGeneration;
    const resolved = await this.#media.resolve(current.entry);
    if (resolved === undefined || generation !== ctx.switchGeneration || ctx.current !== current)
      return false;
    const offsetMs = current.offsetMs + Math.max(0, ctx.time.now() - current.startedAt);
    const request = this.#playRequest(
      current.entry,
      resolved,
      offsetMs,
      this.#crossfadeFor(current.entry),
    );
    return this.#playEntry(current.entry, () => ctx.o.engine.play(ctx.stationId, request));
  }

  /** Preload and start the next entry on time; move on when the current one ends. */
  async drive(): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.time.now();
    const generation = ctx.switchGeneration;
    const current = ctx.current;
    if (current === undefined) {
      const started = await this.start(undefined);
      if (!started && generation === ctx.switchGeneration) ctx.applied = undefined;
      return;
    }
    if (ctx.next === undefined) {
      const entry = this.#nextPlayable(current.entry, now);
      if (entry !== undefined) {
        const dueAt = entry.timing === "hard" ? entry.startsAt : Math.max(current.endsAt, now);
        ctx.next = { entry, dueAt, preloaded: false, started: false };
      }
    } else if (ctx.next.entry.timing === "soft" && !ctx.next.started) {
      ctx.next.dueAt = Math.max(current.endsAt, now);
    }
    const next = ctx.next;
    // The item ended and nothing starts now (nothing next, or a hard-timed item
    // after a gap): leave the air to the next tier until the next item is due.
    // A hard-timed item that follows the current one is preloaded and handed
    // over with `atMs` ahead of time like a soft one.
    const gap =
      next !== undefined &&
      !next.started &&
      next.entry.timing === "hard" &&
      next.dueAt > now + ctx.o.startLeadMs;
    if (next === undefined || (gap && now >= current.endsAt)) {
      if (now >= current.endsAt) {
        this.#history.finish(current.history, now);
        ctx.endedEntries.add(current.entry.id);
        ctx.current = undefined;
      }
      return;
    }
    if (!next.preloaded && now >= next.dueAt - ctx.o.preloadMs) {
      const resolved = await this.#media.resolve(next.entry);
      if (resolved === undefined) {
        ctx.next = undefined;
        return;
      }
      const request = this.#playRequest(next.entry, resolved, 0, this.#crossfadeFor(next.entry));
      const ok = await this.#playEntry(next.entry, () =>
        ctx.o.engine.preload(ctx.stationId, request),
      );
      if (!ok || ctx.next !== next) return;
      next.preloaded = true;
      if (ctx.state === "playing") ctx.transition("preloading", `preload ${next.entry.id}`);
    }
    if (next.preloaded && !next.started && now >= next.dueAt - ctx.o.startLeadMs) {
      const resolved = await this.#media.resolve(next.entry);
      if (resolved === undefined || ctx.next !== next) return;
      const atMs = Math.max(next.dueAt, now);
      const request = this.#playRequest(
        next.entry,
        resolved,
        0,
        this.#crossfadeFor(next.entry),
        atMs,
      );
      const ok = await this.#playEntry(next.entry, () => ctx.o.engine.play(ctx.stationId, request));
      if (!ok || ctx.next !== next) return;
      next.started = true;
      next.dueAt = atMs;
    }
    if (next.started && now >= next.dueAt) {
      this.#history.finish(current.history, next.dueAt);
      ctx.endedEntries.add(current.entry.id);
      const resolved = this.#media.cached(next.entry.id) ?? undefined;
      ctx.next = undefined;
      if (ctx.state !== "playing") ctx.transition("playing", `start ${next.entry.id}`);
      ctx.current = this.#onAirItem(next.entry, next.dueAt, 0, resolved);
      ctx.persist();
    }
  }

  /** True when `entry` can go on air: a playable kind, not failed, not ended, with media. */
  #isPlayable(entry: ScheduleEntry): boolean {
    const ctx = this.#ctx;
    return (
      PLAYABLE_KINDS.has(entry.kind) &&
      !ctx.failedEntries.has(entry.id) &&
      !ctx.endedEntries.has(entry.id) &&
      !this.#media.unplayable(entry.id)
    );
  }

  #nextPlayable(after: ScheduleEntry, now: number): ScheduleEntry | undefined {
    const timeline = this.#ctx.timeline;
    let next = timeline.after(after);
    while (next !== undefined && (!this.#isPlayable(next) || next.endsAt <= now)) {
      next = timeline.after(next);
    }
    return next;
  }

  #crossfadeFor(entry: ScheduleEntry): number {
    return entry.fadeInMs ?? this.#ctx.o.crossfadeMs;
  }

  #playRequest(
    entry: ScheduleEntry,
    resolved: ResolvedEntry,
    offsetMs: number,
    crossfadeMs: number,
    atMs?: number,
  ): PlayRequest {
    const request: PlayRequest = {
      itemId: entry.id,
      uri: resolved.uri,
      // A relayed stream is live: it cannot seek, so it joins where it is now.
      startMs: resolved.startMs + (entry.kind === "webstream" ? 0 : offsetMs),
      crossfadeMs,
      curve: this.#ctx.o.curve,
    };
    if (resolved.endMs !== undefined) request.endMs = resolved.endMs;
    if (resolved.gainDb !== undefined) request.gainDb = resolved.gainDb;
    if (atMs !== undefined) request.atMs = atMs;
    const title = entry.title ?? resolved.title;
    const artist = entry.artist ?? resolved.artist;
    if (title !== undefined) request.title = title;
    if (artist !== undefined) request.artist = artist;
    return request;
  }

  /** Run an engine call for an entry; a refusal of the item skips it, an unreachable engine fails over. */
  async #playEntry(entry: ScheduleEntry, call: () => Promise<void>): Promise<boolean> {
    const ctx = this.#ctx;
    try {
      await this.#engine.call("play", call);
      return true;
    } catch (error) {
      if (!isGrimnirError(error, "ENGINE_UNAVAILABLE")) {
        ctx.failedEntries.add(entry.id);
        ctx.publish.failure(entry.id, `engine refused the item: ${String(error)}`, "skipped");
        ctx.logger.warn("engine refused an item; skipping it", {
          stationId: ctx.stationId,
          entryId: entry.id,
          error: String(error),
        });
      }
      return false;
    }
  }

  /** The item now on air: publish `now_playing` and open its play history record. */
  #onAirItem(
    entry: ScheduleEntry,
    startedAt: number,
    offsetMs: number,
    resolved: ResolvedEntry | undefined,
  ): OnAirItem {
    const ctx = this.#ctx;
    const endsAt = startedAt + Math.max(0, entry.endsAt - entry.startsAt - offsetMs);
    const title = entry.title ?? resolved?.title;
    const artist = entry.artist ?? resolved?.artist;
    this.onItemStart();
    ctx.publish.nowPlaying({
      entryId: entry.id,
      mediaId: entry.mediaId,
      title,
      artist,
      startedAt,
      durationMs: endsAt - startedAt,
      priority: Priority.Automation,
    });
    const history = this.#history.start(entry.id, {
      stationId: ctx.stationId,
      startedAt,
      priority: Priority.Automation,
      scheduleEntryId: entry.id,
      ...(entry.mediaId === undefined ? {} : { mediaId: entry.mediaId }),
      ...(title === undefined ? {} : { title }),
      ...(artist === undefined ? {} : { artist }),
    });
    return { entry, startedAt, offsetMs, endsAt, history };
  }
}
