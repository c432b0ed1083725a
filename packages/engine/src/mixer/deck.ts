import type { FadeCurve } from "@grimnir/core";
import { dbToGain, fadeInGain } from "../fade-curve.js";
import type { PcmSource } from "./pcm-buffer.js";

/** One item handed to the mixer: a decoded source plus how to play it. Frame counts are at the mixer rate. */
export interface MixerItem {
  /** Id reported back in events and status. */
  itemId: string;
  /** Decoded interleaved PCM, from the start of the file. */
  source: PcmSource;
  /** Cue-in: frames from file start skipped before the item is heard. */
  cueInFrame?: number;
  /** Cue-out: frame from file start where the item stops. */
  cueOutFrame?: number;
  /** Gain applied to the whole item (loudness normalisation), dB. */
  gainDb?: number;
  /** Fade-in at the start of the item, frames (curve of the schedule call, linear by default). */
  fadeInFrames?: number;
  /** Now-playing metadata. */
  title?: string;
  /** Now-playing metadata. */
  artist?: string;
}

/** Why a deck stopped. */
export type DeckEndReason = "finished" | "faded" | "cut" | "failed";

interface Fade {
  /** Layer clock frame where the fade starts. */
  start: number;
  frames: number;
  curve: FadeCurve;
}

/** What a deck did during one render call. */
export interface DeckRender {
  /** Frames written from the start of the range. */
  produced: number;
  /** Frames the deck wanted but the decoder had not delivered (after the deck first sounded). */
  missing: number;
  /** Set when the deck is done: offset (relative to the range start) of its last frame + 1, and why. */
  endedAt?: number;
  reason?: DeckEndReason;
}

/** A playing item inside a mixer layer: reads its source, applies cue, gain and fades. */
export class Deck {
  readonly item: MixerItem;
  /** Position in the file, frames from file start. */
  position = 0;
  /** True once the deck produced its first frame. */
  sounded = false;
  fadeIn: Fade | undefined;
  fadeOut: Fade | undefined;
  readonly #gain: number;
  #cueSkipped: boolean;

  readonly #startBufferFrames: number;

  /**
   * @param startClock layer clock frame the item starts at
   * @param startBufferFrames decoded audio required before the item first sounds, so a decoder still starting up does not stutter
   */
  constructor(item: MixerItem, startClock: number, curve: FadeCurve, startBufferFrames = 0) {
    this.#startBufferFrames = startBufferFrames;
    this.item = item;
    this.#gain = dbToGain(item.gainDb ?? 0);
    this.#cueSkipped = !(item.cueInFrame && item.cueInFrame > 0);
    if (item.fadeInFrames && item.fadeInFrames > 0) {
      this.fadeIn = { start: startClock, frames: item.fadeInFrames, curve };
    }
  }

  /** Start fading out at layer clock `start` over `frames` (never lengthens a fade already running). */
  beginFadeOut(start: number, frames: number, curve: FadeCurve): void {
    const end = start + frames;
    if (this.fadeOut && this.fadeOut.start + this.fadeOut.frames <= end) return;
    this.fadeOut = { start, frames, curve };
  }

  /**
   * Add frames `[from, from + count)` of the deck into interleaved stereo `out`
   * (`from` is an offset in `out`), at layer clock `clock` for frame `from`.
   */
  render(
    out: Float32Array,
    from: number,
    count: number,
    clock: number,
    scratch: Float32Array,
  ): DeckRender {
    const source = this.item.source;
    if (!this.#cueSkipped) {
      const target = this.item.cueInFrame!;
      this.position += source.skip(target - this.position);
      if (this.position >= target) this.#cueSkipped = true;
      else if (!source.ended) return { produced: 0, missing: 0 };
    }
    if (!this.sounded && !source.ended && source.availableFrames() < this.#startBufferFrames) {
      return { produced: 0, missing: 0 };
    }
    let limit = count;
    if (this.item.cueOutFrame !== undefined)
      limit = Math.min(limit, this.item.cueOutFrame - this.position);
    if (this.fadeOut) limit = Math.min(limit, this.fadeOut.start + this.fadeOut.frames - clock);
    limit = Math.max(0, limit);
    const n = source.read(scratch, 0, limit);
    if (this.fadeIn === undefined && this.fadeOut === undefined) {
      // No fade running: one gain for the whole run.
      const g = this.#gain;
      for (let i = 0, o = from * 2; i < n * 2; i++, o++) out[o] = out[o]! + scratch[i]! * g;
    } else {
      for (let i = 0; i < n; i++) {
        const g = this.#gain * this.#fadeGain(clock + i);
        const o = (from + i) * 2;
        out[o] = out[o]! + scratch[i * 2]! * g;
        out[o + 1] = out[o + 1]! + scratch[i * 2 + 1]! * g;
      }
    }
    if (n > 0) this.sounded = true;
    this.position += n;
    if (this.fadeOut && clock + n >= this.fadeOut.start + this.fadeOut.frames) {
      return { produced: n, missing: 0, endedAt: n, reason: "faded" };
    }
    if (this.item.cueOutFrame !== undefined && this.position >= this.item.cueOutFrame) {
      return { produced: n, missing: 0, endedAt: n, reason: "finished" };
    }
    if (source.ended && source.availableFrames() === 0) {
      return { produced: n, missing: 0, endedAt: n, reason: source.error ? "failed" : "finished" };
    }
    return { produced: n, missing: n < count && this.sounded ? count - n : 0 };
  }

  #fadeGain(clock: number): number {
    let g = 1;
    if (this.fadeIn) {
      const t = (clock - this.fadeIn.start) / this.fadeIn.frames;
      if (t >= 1) this.fadeIn = undefined;
      else g *= fadeInGain(this.fadeIn.curve, t);
    }
    if (this.fadeOut) {
      const t = (clock - this.fadeOut.start) / this.fadeOut.frames;
      g *= fadeInGain(this.fadeOut.curve, 1 - t);
    }
    return g;
  }
}
