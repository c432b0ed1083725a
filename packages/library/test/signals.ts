/** Test signal generators: interleaved Float32 PCM with known properties. */

/** One section of a generated programme. */
export interface Segment {
  /** Seconds. */
  seconds: number;
  /** Sine peak amplitude, dBFS; omit (or -Infinity) for digital silence. */
  dbfs?: number;
  /** Hz, default 1000. */
  frequencyHz?: number;
  /** Start phase, radians, default 0. */
  phase?: number;
  /** Linear fade in and out at the segment's ends, seconds (avoids onset overshoot). Default 0. */
  fadeSeconds?: number;
}

/** Concatenate `segments` of sine / silence into `channels` identical channels. */
export function sineProgramme(
  segments: Segment[],
  sampleRateHz = 48000,
  channels = 2,
): Float32Array {
  const total = segments.reduce((n, s) => n + Math.round(s.seconds * sampleRateHz), 0);
  const out = new Float32Array(total * channels);
  let f = 0;
  for (const s of segments) {
    const n = Math.round(s.seconds * sampleRateHz);
    const amp = s.dbfs === undefined ? 0 : Math.pow(10, s.dbfs / 20);
    const w = (2 * Math.PI * (s.frequencyHz ?? 1000)) / sampleRateHz;
    const fade = Math.round((s.fadeSeconds ?? 0) * sampleRateHz);
    for (let i = 0; i < n; i++, f++) {
      const g = fade > 0 ? Math.min(1, i / fade, (n - 1 - i) / fade) : 1;
      const v = g * amp * Math.sin(w * i + (s.phase ?? 0));
      for (let c = 0; c < channels; c++) out[f * channels + c] = v;
    }
  }
  return out;
}

/** Feed `pcm` to `push` in chunks of `chunkFrames` frames (an odd size exercises block boundaries). */
export function inChunks(
  pcm: Float32Array,
  channels: number,
  chunkFrames: number,
  push: (c: Float32Array) => void,
): void {
  const step = chunkFrames * channels;
  for (let i = 0; i < pcm.length; i += step) push(pcm.subarray(i, Math.min(pcm.length, i + step)));
}
