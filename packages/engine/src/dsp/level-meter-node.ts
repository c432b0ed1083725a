import type { LevelMeterParams } from "@grimnir/core";
import { LevelMeter, type LevelReading } from "../mixer/meters.js";
import type { DspNodeReading, EngineDspNode } from "./node.js";

/**
 * `level_meter`: passes audio through unchanged and measures peak, RMS and
 * momentary loudness at its place in the chain over windows of `interval_ms`;
 * telemetry reports the last complete window.
 */
export class LevelMeterNode implements EngineDspNode {
  readonly #meter: LevelMeter;
  readonly #windowFrames: number;
  #filled = 0;
  #last: LevelReading | undefined;
  #interleaved = new Float32Array(0);

  /** A meter for stereo audio at `sampleRate` Hz. */
  constructor(params: LevelMeterParams, sampleRate: number) {
    this.#meter = new LevelMeter(sampleRate);
    this.#windowFrames = Math.max(1, Math.round((params.interval_ms * sampleRate) / 1000));
  }

  /** Measure `frames` (left unchanged). */
  process(frames: Float32Array[]): void {
    const n = frames[0]!.length;
    if (this.#interleaved.length < n * 2) this.#interleaved = new Float32Array(n * 2);
    const left = frames[0]!;
    const right = frames[1] ?? left;
    for (let i = 0; i < n; i++) {
      this.#interleaved[i * 2] = left[i]!;
      this.#interleaved[i * 2 + 1] = right[i]!;
    }
    let done = 0;
    while (done < n) {
      const take = Math.min(n - done, this.#windowFrames - this.#filled);
      this.#meter.process(this.#interleaved, done, take);
      this.#filled += take;
      done += take;
      if (this.#filled === this.#windowFrames) {
        this.#last = this.#meter.take();
        this.#filled = 0;
      }
    }
  }

  /** The last complete window's levels (nothing before the first window completes). */
  read(): DspNodeReading {
    const r = this.#last;
    return r === undefined
      ? {}
      : { peakDb: r.peakDb, rmsDb: r.rmsDb, momentaryLufs: r.momentaryLufs };
  }
}
