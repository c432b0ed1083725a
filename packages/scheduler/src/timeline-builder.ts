import type { Clock, ClockSlot, Playlist, SmartBlock } from "@grimnir/core";
import { matchesMediaFilters } from "./media-filter.js";
import { Prng, deriveSeed } from "./prng.js";
import type { RotationTracker } from "./rotation-rules.js";
import type { PlayableItem, SmartBlockPicker } from "./smart-block.js";
import type { Diagnostic, EntrySource, TimelineEntry } from "./types.js";
import { formatLocal, type LocalHour } from "./zone.js";

/** Automation tier of the core priority ladder. */
const AUTOMATION = 3;
/** Live-scheduled tier of the core priority ladder. */
const LIVE_SCHEDULED = 2;
/** Fade applied when a hard event cuts what plays and the slot names none, ms. */
const DEFAULT_CUT_FADE_MS = 500;
/** Upper bound on items added by one fill, so a fill always terminates. */
const MAX_ITEMS_PER_FILL = 500;

type SourceBase = Omit<EntrySource, "rule">;

interface BlockContext {
  block: SmartBlock;
  source: SourceBase;
}

/** What the builder needs from the planner; all lookups are pre-validated maps. */
export interface BuilderContext {
  zone: string;
  seed: number;
  crossfadeMs: number;
  toleranceMs: number;
  library: Map<string, PlayableItem>;
  smartBlocks: Map<string, SmartBlock>;
  playlists: Map<string, Playlist>;
  rotation: RotationTracker;
  picker: SmartBlockPicker;
  diagnostics: Diagnostic[];
}

/**
 * Appends timeline entries hour by hour, tracking the cursor (end of the last
 * entry), hard alignments and rotation state. Every loop is bounded.
 */
export class TimelineBuilder {
  readonly entries: TimelineEntry[];
  /** End of the last entry, epoch ms: where the next soft item starts (less any crossfade). */
  cursor: number;
  readonly #frozenCount: number;
  readonly #ctx: BuilderContext;
  readonly #playlistPos = new Map<string, number>();
  readonly #reported = new Set<string>();
  readonly #relaxations = new Map<string, { diagnostic: Diagnostic; count: number }>();
  #lastBlock: BlockContext | undefined;
  #prng: Prng;

  constructor(ctx: BuilderContext, frozen: TimelineEntry[], cursor: number) {
    this.#ctx = ctx;
    this.entries = [...frozen];
    this.#frozenCount = frozen.length;
    this.cursor = cursor;
    this.#prng = new Prng(ctx.seed);
  }

  /** Diagnostics for relaxed rules, one per hour, block and rule set, with counts. */
  relaxationDiagnostics(): Diagnostic[] {
    return [...this.#relaxations.values()].map(({ diagnostic, count }) => ({
      ...diagnostic,
      message: `${diagnostic.message} (${count} pick${count === 1 ? "" : "s"} this hour)`,
    }));
  }

  /** Start position for a playlist, continuing after its last item in `history`. */
  seedPlaylistPosition(playlistId: string, position: number): void {
    this.#playlistPos.set(playlistId, position);
  }

  /**
   * Plan one local hour from `clock`. `endsHard` says the next hour opens
   * with a hard event, so the last slot fills up to the hour exactly.
   * Returns the hour's under- and over-fill, ms.
   */
  expandHour(
    hour: LocalHour,
    clock: Clock,
    slots: ClockSlot[],
    meta: { showId?: string; overrideId?: string; live?: boolean },
    endsHard: boolean,
  ): { underfillMs: number; overfillMs: number } {
    this.#prng = new Prng(deriveSeed(this.#ctx.seed, `hour:${hour.startsAt}`));
    const base: SourceBase = {
      ...(meta.showId ? { showId: meta.showId } : {}),
      ...(meta.overrideId ? { overrideId: meta.overrideId } : {}),
      clockId: clock.id,
    };
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      const at = hour.startsAt + slot.offsetMs;
      if (at >= hour.endsAt) continue;
      const next = slots[i + 1];
      const nextAt =
        next === undefined ? hour.endsAt : Math.min(hour.endsAt, hour.startsAt + next.offsetMs);
      const slotEnd =
        slot.durationMs !== undefined && slot.durationMs > 0
          ? Math.min(nextAt, at + slot.durationMs)
          : nextAt;
      const endHard = next === undefined ? endsHard : isHard(next) && slotEnd === nextAt;
      const hard = isHard(slot);
      const source: SourceBase = { ...base, slotId: slot.id };
      if (at < this.#floor()) {
        // Already past (window start or frozen horizon): only fills still have time left.
        if (!isFill(slot) || slotEnd <= this.cursor) continue;
      } else if (hard) {
        this.#alignHard(at, slot.fadeMs ?? DEFAULT_CUT_FADE_MS, source);
      } else if (!isFill(slot) && this.cursor - at > this.#ctx.toleranceMs) {
        this.#report(`late:${at}:${slot.id}`, {
          code: "soft_event_late",
          severity: "info",
          message: `soft ${slot.kind} ${slot.id} of clock ${clock.id} starts ${seconds(this.cursor - at)} s after ${formatLocal(at, this.#ctx.zone)} because the item before it runs long`,
          at,
          refs: { clockId: clock.id, slotId: slot.id },
        });
      }
      const timing = hard ? "hard" : "soft";
      switch (slot.kind) {
        case "smart_block": {
          const block = this.#block(slot.refId, clock.id, slot.id);
          if (block)
            this.fillFromBlock(
              block,
              slotEnd,
              endHard,
              { ...source, smartBlockId: block.id },
              { live: meta.live === true },
            );
          break;
        }
        case "playlist":
          this.#fillFromPlaylist(slot, slotEnd, endHard, source, clock.id);
          break;
        case "stopset":
        case "hard_event":
          this.#playEvent(slot, source, clock.id, timing, at);
          break;
        case "webstream":
        case "live": {
          const startsAt = hard ? at : this.cursor;
          if (startsAt < slotEnd) {
            this.#push({
              id: "",
              startsAt,
              endsAt: slotEnd,
              kind: slot.kind,
              ...(slot.kind === "webstream" && slot.refId ? { webstreamId: slot.refId } : {}),
              timing,
              priority: slot.kind === "live" ? LIVE_SCHEDULED : AUTOMATION,
              source: { ...source, rule: slot.kind },
            });
          }
          break;
        }
        default:
          this.#report(`kind:${clock.id}:${slot.id}`, {
            code: "clock_slot_out_of_range",
            severity: "warning",
            message: `slot ${slot.id} of clock ${clock.id} has unknown kind ${JSON.stringify(slot.kind)}; expected smart_block, playlist, stopset, webstream, live or hard_event`,
            refs: { clockId: clock.id, slotId: String(slot.id) },
          });
      }
    }
    return {
      underfillMs: Math.max(0, hour.endsAt - this.cursor),
      overfillMs: Math.max(0, this.cursor - hour.endsAt),
    };
  }

  /** Add a silence entry up to `until` (nothing could be planned there). */
  fillSilence(until: number, source: EntrySource): void {
    if (this.cursor < until) {
      this.#push({
        id: "",
        startsAt: this.cursor,
        endsAt: until,
        kind: "silence",
        timing: "soft",
        priority: AUTOMATION,
        source,
      });
    }
  }

  /**
   * Fill from the cursor towards `end` with `block`, honouring its limit,
   * quotas, rotation rules (relaxed in order when needed) and fill rule.
   * With `hardEnd` the last item may run past `end` (a hard event cuts it).
   */
  fillFromBlock(
    block: SmartBlock,
    end: number,
    hardEnd: boolean,
    source: SourceBase,
    options: { live?: boolean; ignoreLimit?: boolean; depth?: number } = {},
  ): void {
    const depth = options.depth ?? 0;
    const limit = block.limit;
    const tolerance =
      limit?.kind === "duration" && limit.toleranceMs >= 0
        ? limit.toleranceMs
        : this.#ctx.toleranceMs;
    const startCursor = this.cursor;
    let target = end;
    let maxCount = Infinity;
    if (!options.ignoreLimit && limit?.kind === "duration" && limit.durationMs > 0)
      target = Math.min(end, startCursor + limit.durationMs);
    if (!options.ignoreLimit && limit?.kind === "count")
      maxCount = Math.max(0, Math.floor(limit.count));
    const quotas = (block.quotas ?? []).filter((q) => q.percent > 0);
    const matched = quotas.map(() => 0);
    let quotaMissed = false;
    let count = 0;
    this.#lastBlock = { block, source };
    const fill = block.fill ?? { kind: "none" };
    while (count < maxCount && count < MAX_ITEMS_PER_FILL) {
      const remaining = target - this.#softStart();
      if (remaining <= 0) break;
      const stopHard = hardEnd && target === end;
      // A gap within tolerance is closer to right than cutting a fresh item; a filler block may close it.
      if (remaining <= tolerance) break;
      const at = this.#softStart();
      let pick;
      let rule: string = block.sort?.by ?? "random";
      const quotaIndex = quotas.findIndex((q, i) => matched[i]! < (q.percent / 100) * (count + 1));
      if (quotaIndex >= 0) {
        pick = this.#ctx.picker.pick(block, at, this.#prng, {
          remainingMs: remaining,
          toleranceMs: tolerance,
          extraFilters: quotas[quotaIndex]!.filters,
          strict: true,
        });
        if (pick && pick.level === 0 && pick.fits) rule = `quota:${quotas[quotaIndex]!.name}`;
        else {
          pick = undefined;
          quotaMissed = true;
        }
      }
      pick ??= this.#ctx.picker.pick(block, at, this.#prng, {
        remainingMs: remaining,
        toleranceMs: tolerance,
      });
      if (pick === undefined) {
        this.#report(`empty:${block.id}`, {
          code: "block_empty",
          severity: "error",
          message: `smart block ${block.id} matches no playable media; its slots stay empty (check its filters and the library)`,
          at,
          refs: { smartBlockId: block.id },
        });
        break;
      }
      const overrun = pick.playable.lengthMs - remaining;
      const cuts = fill.kind === "trim" || fill.kind === "fade";
      if (!stopHard && pick.overlong && !cuts && overrun > remaining) break;
      if (depth > 0) rule = "filler";
      // judge the relaxation before the pick itself is recorded
      const broken =
        pick.level > 0
          ? this.#ctx.rotation.brokenRules(pick.playable.keys, at, block.rotation ?? {})
          : [];
      const entry = this.#appendMedia(
        pick.playable,
        "media",
        { ...source, rule },
        options.live ? LIVE_SCHEDULED : AUTOMATION,
      );
      if (broken.length > 0) {
        entry.relaxed = broken;
        this.#noteRelaxation(block, broken, entry.startsAt);
      }
      quotas.forEach((q, i) => {
        if (matchesMediaFilters(pick.playable.item, q.filters)) matched[i]!++;
      });
      count++;
      if (!stopHard && cuts && entry.endsAt > target) {
        this.#truncate(entry, target, fill.kind === "fade" ? fill.fadeMs : undefined);
      }
    }
    if (quotaMissed && count > 0) {
      quotas.forEach((q, i) => {
        if (matched[i]! < Math.floor((q.percent / 100) * count + 1e-9)) {
          this.#report(`quota:${block.id}:${q.name}:${Math.floor(startCursor / 3_600_000)}`, {
            code: "quota_unmet",
            severity: "warning",
            message: `smart block ${block.id} quota "${q.name}" wants ${q.percent} % but got ${Math.round((100 * matched[i]!) / count)} % (${matched[i]} of ${count}): not enough matching media free of rotation rules`,
            at: startCursor,
            refs: { smartBlockId: block.id, quota: q.name },
          });
        }
      });
    }
    if (fill.kind === "filler" && depth === 0 && end - this.cursor > (hardEnd ? 0 : tolerance)) {
      const filler = this.#block(fill.smartBlockId, source.clockId ?? "", source.slotId ?? "");
      if (filler && filler.id !== block.id) {
        this.fillFromBlock(
          filler,
          end,
          hardEnd,
          { ...source, smartBlockId: filler.id },
          { ...options, depth: 1 },
        );
        this.#lastBlock = { block, source };
      }
    }
  }

  /**
   * Bring the cursor exactly to `at` for a hard event: cut what overruns (with
   * a fade); top up a gap longer than the tolerance from the last smart block,
   * and mark what still remains as silence.
   */
  #alignHard(at: number, fadeMs: number, source: SourceBase): void {
    if (this.cursor > at) {
      this.#cutAt(at, fadeMs, source);
    } else if (at - this.cursor > this.#ctx.toleranceMs && this.#lastBlock !== undefined) {
      const { block, source: blockSource } = this.#lastBlock;
      this.fillFromBlock(block, at, true, blockSource, { ignoreLimit: true, depth: 1 });
      if (this.cursor > at) this.#cutAt(at, fadeMs, source);
    }
    // Gaps within tolerance stay open (the previous item's tail covers them); longer ones are marked silent.
    if (at - this.cursor > this.#ctx.toleranceMs)
      this.fillSilence(at, { ...source, rule: "unfilled" });
    this.cursor = at;
  }

  #cutAt(at: number, fadeMs: number, source: SourceBase): void {
    let removed = 0;
    while (
      this.entries.length > this.#frozenCount &&
      this.entries[this.entries.length - 1]!.startsAt >= at
    ) {
      this.entries.pop();
      removed++;
    }
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && this.entries.length > this.#frozenCount && last.endsAt > at) {
      const cutMs = last.endsAt - at;
      this.#truncate(last, at, fadeMs);
      if (cutMs > this.#ctx.toleranceMs || removed > 0) {
        this.#report(`cut:${at}`, {
          code: "hard_event_cut",
          severity: "info",
          message: `hard event at ${formatLocal(at, this.#ctx.zone)} cuts ${seconds(cutMs)} s of ${last.mediaId ?? last.kind}${removed > 0 ? ` and drops ${removed} later item(s)` : ""}`,
          at,
          refs: {
            ...(source.clockId ? { clockId: source.clockId } : {}),
            ...(source.slotId ? { slotId: source.slotId } : {}),
            ...(last.mediaId ? { mediaId: last.mediaId } : {}),
          },
        });
      }
    }
    if (last !== undefined && removed > 0 && last.endsAt <= at && last.crossfadeMs !== undefined) {
      delete last.crossfadeMs;
      delete last.fadeOutMs;
    }
    this.cursor = last === undefined ? at : Math.min(last.endsAt, at);
  }

  #truncate(entry: TimelineEntry, at: number, fadeMs: number | undefined): void {
    const keep = at - entry.startsAt;
    entry.endsAt = at;
    if (entry.cueInMs !== undefined) entry.cueOutMs = entry.cueInMs + keep;
    delete entry.crossfadeMs;
    if (fadeMs !== undefined && fadeMs > 0) entry.fadeOutMs = Math.min(fadeMs, keep);
    else delete entry.fadeOutMs;
    this.cursor = at;
  }

  #fillFromPlaylist(
    slot: ClockSlot,
    end: number,
    hardEnd: boolean,
    source: SourceBase,
    clockId: string,
  ): void {
    const playlist = slot.refId === undefined ? undefined : this.#ctx.playlists.get(slot.refId);
    if (playlist === undefined) {
      this.#unknown(
        "unknown_playlist",
        `playlist ${JSON.stringify(slot.refId)} named by slot ${slot.id} of clock ${clockId} does not exist`,
        { clockId, slotId: slot.id, playlistId: String(slot.refId) },
      );
      return;
    }
    const items = playlistOrder(playlist, this.#ctx.seed)
      .map((id) => {
        const playable = this.#ctx.library.get(id);
        if (playable === undefined)
          this.#unknown(
            "unknown_media",
            `playlist ${playlist.id} names media ${id}, which is not in the library (or not playable)`,
            { playlistId: playlist.id, mediaId: id },
          );
        return playable;
      })
      .filter((p): p is PlayableItem => p !== undefined);
    if (items.length === 0) return;
    let pos = (this.#playlistPos.get(playlist.id) ?? 0) % items.length;
    for (let added = 0; added < MAX_ITEMS_PER_FILL; added++) {
      const remaining = end - this.#softStart();
      if (remaining <= 0 || (!hardEnd && remaining <= this.#ctx.toleranceMs)) break;
      const item = items[pos]!;
      if (!hardEnd && item.lengthMs - remaining > remaining) break;
      this.#appendMedia(
        item,
        "media",
        { ...source, playlistId: playlist.id, rule: "playlist" },
        AUTOMATION,
      );
      pos = (pos + 1) % items.length;
    }
    this.#playlistPos.set(playlist.id, pos);
  }

  #playEvent(
    slot: ClockSlot,
    source: SourceBase,
    clockId: string,
    timing: "hard" | "soft",
    at: number,
  ): void {
    const kind = slot.kind === "stopset" ? "stopset" : "media";
    const rule = slot.kind === "stopset" ? "stopset" : "hard_event";
    const ids = slot.mediaIds && slot.mediaIds.length > 0 ? slot.mediaIds : [];
    const items: Array<{ playable: PlayableItem; smartBlockId?: string }> = [];
    for (const id of ids) {
      const playable = this.#ctx.library.get(id);
      if (playable) items.push({ playable });
      else
        this.#unknown(
          "unknown_media",
          `slot ${slot.id} of clock ${clockId} names media ${id}, which is not in the library (or not playable)`,
          { clockId, slotId: slot.id, mediaId: id },
        );
    }
    if (ids.length === 0 && slot.refId !== undefined) {
      const direct = this.#ctx.library.get(slot.refId);
      const block = direct ? undefined : this.#block(slot.refId, clockId, slot.id);
      if (direct) items.push({ playable: direct });
      else if (block) {
        const count =
          block.limit?.kind === "count" ? Math.max(1, Math.min(block.limit.count, 50)) : 1;
        for (let i = 0; i < count; i++) {
          const pick = this.#ctx.picker.pick(block, this.cursor, this.#prng);
          if (pick === undefined) break;
          items.push({ playable: pick.playable, smartBlockId: block.id });
          // record now so the next pick of this stopset sees it
          this.#ctx.rotation.recordKeys(pick.playable.keys, this.cursor);
        }
      }
    }
    items.forEach(({ playable, smartBlockId }, index) => {
      const entry = this.#appendMedia(
        playable,
        kind,
        { ...source, ...(smartBlockId ? { smartBlockId } : {}), rule },
        AUTOMATION,
        index === 0 && timing === "hard" ? at : undefined,
      );
      if (index === 0) entry.timing = timing;
    });
  }

  #appendMedia(
    p: PlayableItem,
    kind: "media" | "stopset",
    source: EntrySource,
    priority: number,
    hardAt?: number,
  ): TimelineEntry {
    const prev = this.entries[this.entries.length - 1];
    const cf = this.#ctx.crossfadeMs;
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
    this.#push(entry);
    this.#ctx.rotation.recordKeys(p.keys, startsAt);
    this.#ctx.picker.notePlanned(item.id, startsAt);
    return entry;
  }

  #push(entry: TimelineEntry): void {
    this.entries.push(entry);
    this.cursor = entry.endsAt;
  }

  /** The earliest instant new entries may start: the end of the frozen part. */
  #floor(): number {
    return this.#floorValue;
  }
  #floorValue = -Infinity;

  /** Set the earliest instant new entries may start. */
  setFloor(at: number): void {
    this.#floorValue = at;
  }

  #softStart(): number {
    const prev = this.entries[this.entries.length - 1];
    const cf = this.#ctx.crossfadeMs;
    return cf > 0 && prev !== undefined && prev.kind === "media" ? this.cursor - cf : this.cursor;
  }

  #block(id: string | undefined, clockId: string, slotId: string): SmartBlock | undefined {
    const block = id === undefined ? undefined : this.#ctx.smartBlocks.get(id);
    if (block === undefined) {
      this.#unknown(
        "unknown_smart_block",
        `smart block ${JSON.stringify(id)} named by slot ${slotId} of clock ${clockId} does not exist; the slot stays empty`,
        { clockId, slotId, smartBlockId: String(id) },
      );
    }
    return block;
  }

  #noteRelaxation(block: SmartBlock, rules: string[], at: number): void {
    const names = rules.length > 0 ? rules.join(", ") : "rotation";
    const key = `${Math.floor(at / 3_600_000)}|${block.id}|${names}`;
    const existing = this.#relaxations.get(key);
    if (existing) existing.count++;
    // formatted only once per key: zone formatting is the slow part
    else {
      this.#relaxations.set(key, {
        count: 1,
        diagnostic: {
          code: "rule_relaxed",
          severity: "warning",
          message: `smart block ${block.id} relaxed ${names} separation at ${formatLocal(at, this.#ctx.zone)}: the library has too few eligible items to keep every rotation rule (relaxation order: album, title, artist, track repeat)`,
          at,
          refs: { smartBlockId: block.id, rules: names },
        },
      });
    }
  }

  #unknown(code: Diagnostic["code"], message: string, refs: Record<string, string>): void {
    this.#report(`${code}:${JSON.stringify(refs)}`, { code, severity: "warning", message, refs });
  }

  #report(key: string, diagnostic: Diagnostic): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#ctx.diagnostics.push(diagnostic);
  }
}

/** Hard events default to hard timing; other slots are hard only when marked so. */
export function isHard(slot: ClockSlot): boolean {
  return slot.timing === "hard" || (slot.kind === "hard_event" && slot.timing !== "soft");
}

function isFill(slot: ClockSlot): boolean {
  return (
    slot.kind === "smart_block" ||
    slot.kind === "playlist" ||
    slot.kind === "webstream" ||
    slot.kind === "live"
  );
}

function seconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toFixed(1);
}

const playlistOrders = new WeakMap<Playlist, Map<number, string[]>>();

/** Play order of a playlist: as listed, or shuffled with a seed derived from its id. */
export function playlistOrder(playlist: Playlist, seed: number): string[] {
  const items = Array.isArray(playlist.items) ? playlist.items : [];
  if (playlist.mode !== "shuffled") return items;
  let bySeed = playlistOrders.get(playlist);
  if (bySeed === undefined) playlistOrders.set(playlist, (bySeed = new Map()));
  let order = bySeed.get(seed);
  if (order === undefined)
    bySeed.set(
      seed,
      (order = new Prng(deriveSeed(seed, `playlist:${playlist.id}`)).shuffle([...items])),
    );
  return order;
}
