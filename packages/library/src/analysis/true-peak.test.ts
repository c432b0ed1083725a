import { describe, expect, it } from "vitest";
import { TruePeakMeter, interpolatorPhases } from "./true-peak.js";

/** Deterministic uniform noise in [−1, 1). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/** Every branch of every sample by a plain FIR over the zero-padded signal, and the samples themselves. */
function referencePeak(channels: Float32Array[], taps = 32): number {
  const phases = interpolatorPhases(4, taps);
  let peak = 0;
  for (const x of channels) {
    const at = (i: number): number => (i >= 0 && i < x.length ? x[i]! : 0);
    for (let j = 0; j < x.length + taps; j++) {
      peak = Math.max(peak, Math.abs(at(j)));
      for (const h of phases) {
        let y = 0;
        for (let k = 0; k < taps; k++) y += h[k]! * at(j - k);
        peak = Math.max(peak, Math.abs(y));
      }
    }
  }
  return peak;
}

/** Feed planar channels interleaved, in chunks of the given sizes (cycled). */
function meterPeak(channels: Float32Array[], chunks: number[]): number {
  const n = channels[0]!.length;
  const ch = channels.length;
  const meter = new TruePeakMeter(ch);
  for (let at = 0, c = 0; at < n; c++) {
    const frames = Math.min(chunks[c % chunks.length]!, n - at);
    const interleaved = new Float32Array(frames * ch);
    for (let i = 0; i < frames; i++)
      for (let k = 0; k < ch; k++) interleaved[i * ch + k] = channels[k]![at + i]!;
    meter.push(interleaved, frames);
    at += frames;
  }
  meter.flush();
  return meter.peak;
}

function signal(n: number, f: (i: number) => number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => f(i));
}

describe("TruePeakMeter skips only what cannot change the peak", () => {
  const n = 48_000;
  const white = noise(1);
  const pinkish = noise(2);
  let low = 0;
  const cases: [string, Float32Array[]][] = [
    [
      "white noise with a louder burst late",
      [signal(n, (i) => white() * (i > 40_000 && i < 40_050 ? 0.9 : 0.3))],
    ],
    [
      "low-passed noise (smooth, noise-like) in stereo",
      [
        signal(n, () => (low = 0.97 * low + 0.03 * pinkish())),
        signal(n, (i) => 0.5 * Math.sin(i * 0.01) * (1 + 0.001 * (i % 7))),
      ],
    ],
    [
      "an amplitude-modulated tone whose crests fall between samples",
      [
        signal(
          n,
          (i) => 0.4 * Math.sin(2 * Math.PI * 0.249 * i + 0.7) * (0.6 + 0.4 * Math.sin(i / 3000)),
        ),
      ],
    ],
    [
      "its loudest inter-sample peak in the very first samples",
      [signal(n, (i) => (i < 4 ? [0.5, -0.5, 0.5, -0.5][i]! : 0.1 * white()))],
    ],
    [
      "its loudest inter-sample peak in the very last samples",
      [signal(n, (i) => (i >= n - 3 ? (i % 2 ? 0.7 : -0.7) : 0.05 * white()))],
    ],
  ];
  for (const [name, channels] of cases)
    it(`matches a plain FIR on ${name}, however it is chunked`, () => {
      const expected = referencePeak(channels);
      for (const chunks of [[4096], [1, 63, 1000, 17], [n]]) {
        const got = meterPeak(channels, chunks);
        expect(Math.abs(got - expected)).toBeLessThanOrEqual(expected * 1e-12);
      }
    });
});
