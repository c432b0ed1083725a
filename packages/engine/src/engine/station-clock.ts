/** Timing of a station's real-time loop. */
export interface StationTiming {
  sampleRate: number;
  /** Mixed audio kept written ahead of real time into the encoder, ms. */
  leadMs: number;
}

/**
 * A station's sample clock against real time: output frame 0 is due at the
 * encoder at the moment the clock was made, and frame `n` is due `n /
 * sampleRate` seconds later. Converts between output frames, engine-clock
 * epoch ms and durations in ms.
 */
export class StationClock {
  /** Hz. */
  readonly sampleRate: number;
  /** Frames rendered ahead of real time (the lead). */
  readonly leadFrames: number;
  /** `performance.now()` when frame 0 was due, ms. */
  readonly #t0: number;
  /** Engine-clock epoch when frame 0 was due, ms. */
  readonly #epoch0: number;

  /** A clock whose frame 0 is due now. */
  constructor(timing: StationTiming) {
    this.sampleRate = timing.sampleRate;
    this.leadFrames = Math.round((timing.leadMs * timing.sampleRate) / 1000);
    this.#t0 = performance.now();
    this.#epoch0 = Date.now();
  }

  /** Output frame due at the encoder now (real time, without the lead). */
  get dueFrame(): number {
    return Math.floor(((performance.now() - this.#t0) * this.sampleRate) / 1000);
  }

  /** How far output frame `frame` lies ahead of real time, ms; 0 when it is already due. */
  aheadMs(frame: number): number {
    const elapsed = ((performance.now() - this.#t0) * this.sampleRate) / 1000;
    return Math.max(0, ((frame - elapsed) * 1000) / this.sampleRate);
  }

  /** Engine-clock epoch ms at which output frame `frame` is due at the encoder. */
  epochOf(frame: number): number {
    return this.#epoch0 + (frame * 1000) / this.sampleRate;
  }

  /** Output frame due at engine-clock epoch ms `epochMs` (nearest frame). */
  frameOf(epochMs: number): number {
    return Math.round(((epochMs - this.#epoch0) * this.sampleRate) / 1000);
  }

  /** A duration of `ms` milliseconds in frames (nearest frame). */
  frames(ms: number): number {
    return Math.round((ms * this.sampleRate) / 1000);
  }
}
