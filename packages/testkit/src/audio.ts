import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

/** Sample rate every helper here decodes and analyses at, Hz. */
export const ANALYSIS_RATE = 44_100;

/** Write a stereo 44.1 kHz WAV sine of `freq` Hz (0 = digital silence), `seconds` long, at linear `volume`, with GStreamer. */
export function makeTone(
  dir: string,
  name: string,
  freq: number,
  seconds: number,
  volume = 0.5,
): string {
  const path = join(dir, `${name}.wav`);
  const wave = freq === 0 ? ["wave=silence"] : ["wave=sine", `freq=${freq}`, `volume=${volume}`];
  const r = spawnSync("gst-launch-1.0", [
    "-q",
    "audiotestsrc",
    ...wave,
    "samplesperbuffer=4410",
    `num-buffers=${Math.round(seconds * 10)}`,
    "!",
    "audio/x-raw,format=S16LE,rate=44100,channels=2",
    "!",
    "wavenc",
    "!",
    "filesink",
    `location=${path}`,
  ]);
  if (r.status !== 0) throw new Error(`cannot generate ${path}: ${r.stderr.toString()}`);
  return path;
}

/**
 * Goertzel power of `freq` in `samples[start, start + length)`, normalised so
 * a sine of amplitude A reads A²/4; `2·sqrt(power)` is the amplitude.
 */
export function goertzel(
  samples: Float32Array,
  freq: number,
  start: number,
  length: number,
  rate = ANALYSIS_RATE,
): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length && i < samples.length; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (length * length);
}

/** Amplitude of `freq` in `samples[start, start + length)` (a full-scale sine reads 1). */
export function toneAmplitude(
  samples: Float32Array,
  freq: number,
  start = 0,
  length = samples.length - start,
  rate = ANALYSIS_RATE,
): number {
  return 2 * Math.sqrt(goertzel(samples, freq, start, length, rate));
}

/** Per `windowMs` window, which of `freqs` dominates, or "silence" when none reaches `floor` amplitude. */
export function toneTimeline(
  samples: Float32Array,
  freqs: number[],
  windowMs = 10,
  floor = 0.02,
  rate = ANALYSIS_RATE,
): (number | "silence")[] {
  const win = Math.round((rate * windowMs) / 1000);
  const out: (number | "silence")[] = [];
  for (let start = 0; start + win <= samples.length; start += win) {
    let best: number | "silence" = "silence";
    let bestAmp = floor;
    for (const f of freqs) {
      const amp = toneAmplitude(samples, f, start, win, rate);
      if (amp > bestAmp) {
        bestAmp = amp;
        best = f;
      }
    }
    out.push(best);
  }
  return out;
}

/** Index of the first window from `from` where `tone` holds for `hold` consecutive windows; -1 when never. */
export function firstRun<T>(timeline: T[], tone: T, hold = 5, from = 0): number {
  for (let i = from; i + hold <= timeline.length; i++) {
    let ok = true;
    for (let j = 0; j < hold && ok; j++) ok = timeline[i + j] === tone;
    if (ok) return i;
  }
  return -1;
}

/** A listener: ffmpeg decoding a stream to mono float PCM at 44.1 kHz. */
export interface Listener {
  /** Resolves with the decoded audio once ffmpeg has `seconds` of it or stops. */
  done: Promise<Float32Array>;
  /** `performance.now()` when the first decoded byte arrived. */
  firstByteAt: () => number | undefined;
  /** Stop listening now; `done` then resolves with what arrived. */
  stop: () => void;
}

/** Start decoding `url` with ffmpeg as a listener would, for at most `seconds` of audio. */
export function listen(url: string, seconds: number): Listener {
  const child = spawn(
    "ffmpeg",
    ["-nostdin", "-loglevel", "error", "-i", url, "-f", "f32le", "-ac", "1", "-ar", "44100"].concat(
      ["-t", String(seconds), "-"],
    ),
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const chunks: Buffer[] = [];
  let first: number | undefined;
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    first ??= performance.now();
    chunks.push(c);
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), (seconds + 30) * 1000);
  const done = new Promise<Float32Array>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(killer);
      const all = Buffer.concat(chunks);
      if (all.length < 4) return reject(new Error(`listener got no audio from ${url}: ${stderr}`));
      const out = new Float32Array(Math.floor(all.length / 4));
      new Uint8Array(out.buffer).set(all.subarray(0, out.length * 4));
      resolve(out);
    });
  });
  return { done, firstByteAt: () => first, stop: () => child.kill("SIGKILL") };
}
