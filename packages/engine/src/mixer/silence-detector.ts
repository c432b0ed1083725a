import { dbToGain } from "../fade-curve.js";

/** A change reported by {@link SilenceDetector.process}. */
export interface SilenceChange {
  /** `silence` once the level stayed below the threshold for the whole duration; `audio` when it rises again. */
  kind: "silence" | "audio";
  /** Mixer frame where the quiet run began (`silence`) or where audio returned (`audio`). */
  frame: number;
}

/**
 * Dead-air detector on interleaved PCM: reports `silence` when every sample
 * of every channel stays below `thresholdDb` (dBFS) for `durationFrames`
 * consecutive frames, and `audio` when a sample reaches the threshold again.
 */
export class SilenceDetector {
  #threshold: number;
  #durationFrames: number;
  #quietSince: number | undefined = 0;
  #silent = false;
  readonly #channels: number;

  /**
   * @param thresholdDb level counted as silence, dBFS
   * @param durationFrames how long the level must stay below it, frames
   */
  /** A detector that starts counting silence from frame 0. */
  constructor(thresholdDb: number, durationFrames: number, channels = 2) {
    this.#threshold = dbToGain(thresholdDb);
    this.#durationFrames = Math.max(1, Math.round(durationFrames));
    this.#channels = channels;
  }

  /** Change the threshold (dBFS) and duration (frames) without losing the current run. */
  configure(thresholdDb: number, durationFrames: number): void {
    this.#threshold = dbToGain(thresholdDb);
    this.#durationFrames = Math.max(1, Math.round(durationFrames));
  }

  /** True while silence is being reported. */
  get silent(): boolean {
    return this.#silent;
  }

  /** Scan a block whose first frame is mixer frame `firstFrame`; returns the changes in order. */
  process(samples: Float32Array, firstFrame: number): SilenceChange[] {
    const changes: SilenceChange[] = [];
    const frames = samples.length / this.#channels;
    for (let i = 0; i < frames; i++) {
      let loud = false;
      for (let c = 0; c < this.#channels; c++) {
        if (Math.abs(samples[i * this.#channels + c]!) >= this.#threshold) loud = true;
      }
      const frame = firstFrame + i;
      if (loud) {
        if (this.#silent) changes.push({ kind: "audio", frame });
        this.#silent = false;
        this.#quietSince = undefined;
      } else {
        this.#quietSince ??= frame;
        if (!this.#silent && frame - this.#quietSince + 1 >= this.#durationFrames) {
          this.#silent = true;
          changes.push({ kind: "silence", frame: this.#quietSince });
        }
      }
    }
    return changes;
  }
}
