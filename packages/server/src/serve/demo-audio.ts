import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { GrimnirError } from "@grimnir/core";

/** Sample rate of generated demo audio, Hz. */
export const DEMO_SAMPLE_RATE = 44_100;

/** What one generated piece of demo audio sounds like. */
export interface DemoTrackSpec {
  /** Length, seconds. */
  seconds: number;
  /** Beats per minute. */
  bpm: number;
  /** MIDI note of the key's tonic (e.g. 57 = A3). */
  tonic: number;
  /** Minor key (natural minor) instead of major. */
  minor: boolean;
  /** Chord roots as scale degrees (0-based), one per bar, repeated. */
  progression: number[];
  /** Seed of the melody and drum variations. */
  seed: number;
  /** Play drums (kick and hat). */
  drums: boolean;
  /** Swing the melody in triplet feel (jazz). */
  swing?: boolean;
}

const MAJOR = [0, 2, 4, 5, 7, 9, 11];
const MINOR = [0, 2, 3, 5, 7, 8, 10];

/** Small deterministic PRNG (mulberry32) so the demo library is identical on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TABLE_SIZE = 4096;
const TABLE_MASK = TABLE_SIZE - 1;
const SINE = Float32Array.from({ length: TABLE_SIZE }, (_, i) =>
  Math.sin((2 * Math.PI * i) / TABLE_SIZE),
);

const hz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

/** Attack/decay/sustain/release envelope at `t` seconds into a note of `len` seconds. */
function adsr(t: number, len: number, a: number, d: number, s: number, r: number): number {
  if (t < 0 || t > len + r) return 0;
  if (t < a) return t / a;
  if (t < a + d) return 1 - ((1 - s) * (t - a)) / d;
  if (t <= len) return s;
  return s * (1 - (t - len) / r);
}

/**
 * Synthesise a short piece of music-like audio: a pad playing the chord
 * progression, a bass line on the roots, a pentatonic melody and (optionally)
 * a kick/hat groove, with a fade in and out. Interleaved stereo 16-bit PCM at
 * {@link DEMO_SAMPLE_RATE}. Deterministic: the same spec gives the same bytes.
 */
export function synthesizeDemoTrack(spec: DemoTrackSpec): Buffer {
  const rate = DEMO_SAMPLE_RATE;
  const frames = Math.round(spec.seconds * rate);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const random = mulberry32(spec.seed);
  const scale = spec.minor ? MINOR : MAJOR;
  const beat = 60 / spec.bpm;
  const bar = beat * 4;
  const degree = (d: number): number =>
    spec.tonic + scale[((d % 7) + 7) % 7]! + 12 * Math.floor(d / 7);

  // Oscillators read a sine table with phase increments: fast enough to generate minutes of audio in a second.
  const addNote = (
    start: number,
    len: number,
    freq: number,
    gain: number,
    pan: number,
    env: [number, number, number, number],
    harmonics: readonly number[],
  ): void => {
    const first = Math.max(0, Math.floor(start * rate));
    const last = Math.min(frames, Math.ceil((start + len + env[3]) * rate));
    const lg = gain * Math.cos(((pan + 1) * Math.PI) / 4);
    const rg = gain * Math.sin(((pan + 1) * Math.PI) / 4);
    const step = (freq / rate) * TABLE_SIZE;
    let phase = 0;
    for (let i = first; i < last; i++) {
      const t = i / rate - start;
      const e = adsr(t, len, env[0], env[1], env[2], env[3]);
      let v = 0;
      for (let h = 0; h < harmonics.length; h++) {
        v += harmonics[h]! * SINE[Math.floor(phase * (h + 1)) & TABLE_MASK]!;
      }
      v *= e;
      left[i]! += v * lg;
      right[i]! += v * rg;
      phase += step;
      if (phase >= TABLE_SIZE * 64) phase -= TABLE_SIZE * 64;
    }
  };
  const pad = [0.6, 0.25, 0.1];
  const pluck = [1, 0.3, 0, 0.15];
  const bassTone = [1, 0.2];

  const bars = Math.ceil(spec.seconds / bar);
  const pentatonic = spec.minor ? [0, 2, 3, 4, 6] : [0, 1, 2, 4, 5];
  let melodyStep = 2;
  for (let b = 0; b < bars; b++) {
    const root = spec.progression[b % spec.progression.length]!;
    const start = b * bar;
    for (const [i, d] of [root, root + 2, root + 4].entries()) {
      addNote(start, bar * 0.95, hz(degree(d)), 0.07, i - 1, [0.3, 0.4, 0.7, 0.5], pad);
    }
    for (let k = 0; k < 4; k++) {
      const note = degree(root) - 12 + (k === 2 ? 7 : 0);
      addNote(start + k * beat, beat * 0.8, hz(note), 0.16, 0, [0.01, 0.1, 0.6, 0.08], bassTone);
    }
    // Melody: a random walk over the pentatonic scale, eighth notes with rests.
    for (let k = 0; k < 8; k++) {
      if (random() < 0.3) continue;
      melodyStep = Math.max(0, Math.min(9, melodyStep + Math.floor(random() * 5) - 2));
      const octave = Math.floor(melodyStep / 5);
      const note = degree(pentatonic[melodyStep % 5]! + 7 * (octave + 1));
      const offset = spec.swing === true && k % 2 === 1 ? beat * (2 / 3) : (k % 2) * (beat / 2);
      const at = start + Math.floor(k / 2) * beat + offset;
      addNote(at, beat * 0.45, hz(note), 0.09, 0.3, [0.005, 0.15, 0.4, 0.2], pluck);
    }
    if (spec.drums) {
      for (let k = 0; k < 4; k++) {
        const at = start + k * beat;
        const first = Math.floor(at * rate);
        const len = Math.floor(0.25 * rate);
        for (let i = 0; i < len && first + i < frames; i++) {
          const t = i / rate;
          // Kick: a sine sweeping from 120 Hz to 45 Hz with a fast decay.
          const kick = Math.sin(2 * Math.PI * (45 * t + (75 * (1 - Math.exp(-t * 30))) / 30));
          const v = (k % 2 === 0 ? 0.35 : 0.18) * kick * Math.exp(-t * 14);
          left[first + i]! += v;
          right[first + i]! += v;
        }
        for (const half of [0, 0.5]) {
          const hatAt = Math.floor((at + half * beat) * rate);
          const hatLen = Math.floor(0.05 * rate);
          for (let i = 0; i < hatLen && hatAt + i < frames; i++) {
            const v = (random() * 2 - 1) * 0.05 * Math.exp((-i / rate) * 80);
            left[hatAt + i]! += v * 0.8;
            right[hatAt + i]! += v;
          }
        }
      }
    }
  }
  const pcm = new Int16Array(frames * 2);
  const fade = Math.min(frames / 4, rate * 1.5);
  // Soft clip x / (1 + |x|) keeps peaks under full scale without harsh distortion.
  for (let i = 0; i < frames; i++) {
    const edge = Math.min(1, i / fade, (frames - 1 - i) / fade);
    const l = left[i]! * edge;
    const r = right[i]! * edge;
    pcm[i * 2] = Math.round((l / (1 + Math.abs(l))) * 32_000);
    pcm[i * 2 + 1] = Math.round((r / (1 + Math.abs(r))) * 32_000);
  }
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/**
 * A two-tone alert (853 Hz + 960 Hz, as used by broadcast emergency systems)
 * for `seconds`, at −12 dBFS, as interleaved stereo 16-bit PCM.
 */
export function synthesizeAlertTone(seconds: number): Buffer {
  const frames = Math.round(seconds * DEMO_SAMPLE_RATE);
  const out = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const t = i / DEMO_SAMPLE_RATE;
    const edge = Math.min(1, t / 0.02, (seconds - t) / 0.02);
    const v = 0.125 * (Math.sin(2 * Math.PI * 853 * t) + Math.sin(2 * Math.PI * 960 * t)) * edge;
    const s = Math.round(v * 32_000);
    out.writeInt16LE(s, i * 4);
    out.writeInt16LE(s, i * 4 + 2);
  }
  return out;
}

/**
 * Encode interleaved stereo 16-bit PCM at {@link DEMO_SAMPLE_RATE} to a
 * 128 kbit/s MP3 file with GStreamer (`lamemp3enc`), writing ID3v2 title and
 * artist tags. Rejects with `ENGINE_UNAVAILABLE` when `gst-launch-1.0` cannot
 * run and `INTERNAL` when it fails.
 */
export async function encodeMp3(
  pcm: Buffer,
  file: string,
  tags: { title: string; artist: string; album?: string; genre?: string },
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // gst-launch re-parses its arguments: quote each value and the whole list.
  const quote = (value: string): string => `\\"${value.replace(/["\\]/g, "")}\\"`;
  const tagList = [
    `title=${quote(tags.title)}`,
    `artist=${quote(tags.artist)}`,
    ...(tags.album === undefined ? [] : [`album=${quote(tags.album)}`]),
    ...(tags.genre === undefined ? [] : [`genre=${quote(tags.genre)}`]),
  ].join(",");
  const args = [
    "-q",
    "fdsrc",
    "fd=0",
    "!",
    "rawaudioparse",
    "format=pcm",
    "pcm-format=s16le",
    `sample-rate=${DEMO_SAMPLE_RATE}`,
    "num-channels=2",
    "!",
    "audioconvert",
    "!",
    "lamemp3enc",
    "target=bitrate",
    "bitrate=128",
    "cbr=true",
    "!",
    "taginject",
    `tags="${tagList}"`,
    "!",
    "id3v2mux",
    "!",
    "filesink",
    `location=${file}`,
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn("gst-launch-1.0", args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (cause) =>
      reject(
        new GrimnirError(
          "ENGINE_UNAVAILABLE",
          "gst-launch-1.0 could not be started; install gstreamer1.0-tools and gstreamer1.0-plugins-{base,good,ugly}",
          { cause },
        ),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new GrimnirError(
            "INTERNAL",
            `MP3 encoding of ${file} failed (exit ${code}): ${stderr.trim()}`,
            {
              details: { file },
            },
          ),
        );
    });
    // A pipe error means gst-launch exited early; its exit code and stderr (on "close") say why.
    child.stdin.on("error", (err) => {
      stderr += `\n(stdin: ${err.message})`;
    });
    child.stdin.end(pcm);
  });
}
