import type { FadeCurve } from "@grimnir/core";
import { Deck, type DeckEndReason, type MixerItem } from "./deck.js";

/** How a queued item enters. Frames are in the layer's clock. */
export interface LayerEntry {
  item: MixerItem;
  /** Earliest layer-clock frame to start at; now when absent. */
  at?: number;
  /** `undefined` = gapless after what plays; 0 = cut at `at`; > 0 = crossfade starting at `at`. */
  crossfadeFrames?: number;
  curve: FadeCurve;
}

/** Callbacks a layer reports through; `offset` is the frame offset inside the block being rendered. */
export interface LayerListener {
  started(item: MixerItem, offset: number): void;
  ended(deck: Deck, offset: number, reason: DeckEndReason): void;
  underrun(item: MixerItem, offset: number, missingFrames: number): void;
}

/**
 * A stack of decks with its own sample clock and a strictly ordered queue:
 * the program (automation) or the emergency layer. Renders additively into a
 * buffer; events land exactly on the frame they belong to.
 */
export class Layer {
  /** Frames this layer has rendered (its clock); does not advance while paused. */
  clock = 0;
  decks: Deck[] = [];
  queue: LayerEntry[] = [];
  readonly #listener: LayerListener;
  readonly #startBufferFrames: number;

  /** @param startBufferFrames see {@link Deck} */
  constructor(listener: LayerListener, startBufferFrames = 0) {
    this.#listener = listener;
    this.#startBufferFrames = startBufferFrames;
  }

  /** True when something plays that is not on its way out. */
  get busy(): boolean {
    return this.decks.some((d) => !d.fadeOut);
  }

  /** True when nothing plays and nothing waits. */
  get idle(): boolean {
    return this.decks.length === 0 && this.queue.length === 0;
  }

  /** The deck listeners should call "current": the newest deck not fading out, else the newest. */
  get current(): Deck | undefined {
    for (let i = this.decks.length - 1; i >= 0; i--)
      if (!this.decks[i]!.fadeOut) return this.decks[i];
    return this.decks[this.decks.length - 1];
  }

  /** Fade out everything over `frames` from now and drop the queue. */
  stop(frames: number, curve: FadeCurve): void {
    for (const entry of this.queue) entry.item.source.close();
    this.queue = [];
    for (const deck of this.decks) deck.beginFadeOut(this.clock, frames, curve);
  }

  /**
   * Render frames `[from, to)` of `out` (interleaved stereo, added to), advancing
   * the clock by `to - from`. Returns the offset at which the layer went idle in
   * this range, or `undefined` when it still has work.
   */
  render(out: Float32Array, from: number, to: number, scratch: Float32Array): number | undefined {
    let i = from;
    let idleAt: number | undefined;
    while (i < to) {
      this.#startTimedHead(i);
      let end = to;
      const head = this.queue[0];
      if (head && head.crossfadeFrames !== undefined && head.at !== undefined) {
        const offset = i + (head.at - this.clock);
        if (offset > i && offset < end) end = offset;
      }
      const clockAtI = this.clock;
      let freeAt = this.#renderDecks(out, i, end, clockAtI, scratch);
      // Gapless successors start on the exact frame the program became free.
      while (freeAt !== undefined) {
        const next = this.queue[0];
        if (!next || next.crossfadeFrames !== undefined) break;
        const atOffset =
          next.at === undefined ? freeAt : Math.max(freeAt, i + (next.at - clockAtI));
        if (atOffset >= end) break;
        this.queue.shift();
        const deck = this.#start(next, clockAtI + (atOffset - i), atOffset);
        freeAt = this.#renderDeck(deck, out, atOffset, end, clockAtI + (atOffset - i), scratch);
      }
      this.clock = clockAtI + (end - i);
      if (this.idle) idleAt ??= freeAt ?? i;
      else idleAt = undefined;
      i = end;
    }
    return idleAt;
  }

  /** Start queue heads that are due at offset `i` (timed entries, or gapless when the layer is free). */
  #startTimedHead(i: number): void {
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const due = head.at === undefined || head.at <= this.clock;
      if (!due) return;
      if (head.crossfadeFrames === undefined && this.busy) return;
      this.queue.shift();
      const frames = head.crossfadeFrames ?? 0;
      const outgoing = this.decks.filter((d) => !d.fadeOut);
      for (const deck of outgoing) deck.beginFadeOut(this.clock, frames, head.curve);
      if (frames > 0 && outgoing.length > 0) {
        head.item = { ...head.item, fadeInFrames: Math.max(frames, head.item.fadeInFrames ?? 0) };
      }
      this.#start(head, this.clock, i);
      // A cut ends the outgoing decks before anything else renders at this frame.
      if (frames === 0) this.#reap(i);
    }
  }

  #start(entry: LayerEntry, clock: number, offset: number): Deck {
    const deck = new Deck(entry.item, clock, entry.curve, this.#startBufferFrames);
    this.decks.push(deck);
    this.#listener.started(entry.item, offset);
    return deck;
  }

  #reap(offset: number): void {
    const keep: Deck[] = [];
    for (const deck of this.decks) {
      if (deck.fadeOut && deck.fadeOut.frames === 0 && deck.fadeOut.start <= this.clock) {
        deck.item.source.close();
        this.#listener.ended(deck, offset, "cut");
      } else keep.push(deck);
    }
    this.decks = keep;
  }

  /** Render every deck over `[from, to)`; returns the offset where the layer stopped being busy, if it did. */
  #renderDecks(
    out: Float32Array,
    from: number,
    to: number,
    clock: number,
    scratch: Float32Array,
  ): number | undefined {
    const wasBusy = this.busy;
    let lastEnd = from;
    for (const deck of [...this.decks]) {
      const endedAt = this.#renderDeck(deck, out, from, to, clock, scratch);
      if (endedAt !== undefined && !deck.fadeOut) lastEnd = Math.max(lastEnd, endedAt);
    }
    if (this.busy) return undefined;
    return wasBusy ? lastEnd : from;
  }

  /** Render one deck; returns the offset it ended at, if it ended. */
  #renderDeck(
    deck: Deck,
    out: Float32Array,
    from: number,
    to: number,
    clock: number,
    scratch: Float32Array,
  ): number | undefined {
    const r = deck.render(out, from, to - from, clock, scratch);
    if (r.missing > 0) this.#listener.underrun(deck.item, from + r.produced, r.missing);
    if (r.endedAt === undefined) return undefined;
    this.decks = this.decks.filter((d) => d !== deck);
    deck.item.source.close();
    this.#listener.ended(deck, from + r.endedAt, r.reason!);
    return from + r.endedAt;
  }
}
