import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeFile, type FileAnalysis } from "../src/index.js";
import {
  ffmpegFrames,
  ffmpegReference,
  generate,
  requireTools,
  type FfmpegReference,
  type GeneratedAudio,
} from "./tools.js";

const pad = (lead: number, tail: number): string =>
  `adelay=${lead * 1000}:all=1,apad=pad_dur=${tail}`;
const stereo = (expr: string, rate: number, seconds: number): string =>
  `aevalsrc=exprs='${expr}|${expr}':s=${rate}:d=${seconds}:c=stereo`;

/** Thirteen programmes spanning −45…−1 LUFS, mono to 5.1, 22.05–96 kHz, six codecs, with silence padding. */
const FILES: GeneratedAudio[] = [
  {
    name: "sine-1k-20dbfs.wav",
    graph: `${stereo("0.1*sin(2*PI*1000*t)", 48000, 4)},${pad(0.5, 0.7)}`,
  },
  {
    name: "sine-440-mono-44k.wav",
    graph: `aevalsrc=exprs='0.5*sin(2*PI*440*t)':s=44100:d=4:c=mono,${pad(0.25, 1)}`,
  },
  {
    name: "pink-stereo.flac",
    graph: `anoisesrc=c=pink:a=0.3:seed=1:r=48000:d=4,pan=stereo|c0=c0|c1=0.5*c0,${pad(0.3, 0.3)}`,
  },
  {
    name: "white-quiet.flac",
    graph: `anoisesrc=c=white:a=0.02:seed=2:r=44100:d=4,${pad(0.3, 0.4)}`,
  },
  {
    name: "am-chord.mp3",
    graph: `${stereo("0.3*sin(2*PI*220*t)*(0.6+0.4*sin(2*PI*0.5*t))+0.2*sin(2*PI*330*t)", 44100, 5)},${pad(0.6, 0.5)}`,
    out: ["-c:a", "libmp3lame", "-b:a", "192k"],
  },
  {
    name: "mono-22k-lame.mp3",
    graph: `aevalsrc=exprs='0.2*sin(2*PI*700*t)':s=22050:d=3:c=mono,${pad(0.45, 0.35)}`,
    out: ["-c:a", "libmp3lame", "-b:a", "64k"],
  },
  {
    name: "tones.ogg",
    graph: `${stereo("0.25*sin(2*PI*300*t)+0.25*sin(2*PI*1700*t)", 48000, 4)},${pad(0.4, 0.4)}`,
    out: ["-c:a", "libvorbis", "-q:a", "5"],
  },
  {
    name: "hf-sine-96k.wav",
    graph: `${stereo("0.89*sin(2*PI*15000*t+0.7)", 96000, 3)},afade=t=in:d=0.01,${pad(0.2, 0.2)}`,
  },
  {
    name: "pink.opus",
    graph: `anoisesrc=c=pink:a=0.5:seed=3:r=48000:d=4,pan=stereo|c0=c0|c1=c0,${pad(0.5, 0.5)}`,
    out: ["-c:a", "libopus", "-b:a", "128k"],
  },
  {
    name: "tones.m4a",
    graph: `${stereo("0.05*sin(2*PI*500*t)+0.05*sin(2*PI*5000*t)", 44100, 4)},${pad(0.5, 0.5)}`,
    out: ["-c:a", "aac", "-b:a", "160k"],
  },
  {
    name: "surround-5.1.wav",
    graph:
      "aevalsrc=exprs='0.1*sin(2*PI*500*t)|0.1*sin(2*PI*600*t)|0.1*sin(2*PI*700*t)|0.3*sin(2*PI*60*t)|0.1*sin(2*PI*800*t)|0.1*sin(2*PI*900*t)':s=48000:d=4:c=5.1," +
      pad(0.3, 0.3),
  },
  {
    name: "chirp-mono-22k.wav",
    graph: `aevalsrc=exprs='0.2*sin(2*PI*(200+300*t)*t)':s=22050:d=4:c=mono,${pad(0.35, 0.65)}`,
  },
  {
    name: "square-hot.flac",
    graph: `${stereo("0.95*4/PI*(sin(2*PI*2000*t)+sin(6*PI*2000*t)/3+sin(10*PI*2000*t)/5+sin(14*PI*2000*t)/7)", 48000, 3)},afade=t=in:d=0.01,${pad(0.2, 0.2)}`,
    out: ["-sample_fmt", "s32"],
  },
  {
    name: "dynamic-steps.wav",
    graph: `${stereo("if(lt(t,3),0.01,if(lt(t,6),0.3,0.06))*sin(2*PI*1000*t)", 48000, 9)},${pad(0.5, 0.5)}`,
  },
];

describe("analyzeFile agrees with ffmpeg's ebur128 on generated files", () => {
  let dir = "";
  const results: { name: string; ours: FileAnalysis; ref: FfmpegReference }[] = [];

  beforeAll(async () => {
    requireTools();
    dir = await mkdtemp(join(tmpdir(), "grimnir-library-"));
    for (const spec of FILES) {
      const path = await generate(dir, spec);
      const ours = await analyzeFile(path);
      const ref = await ffmpegReference(path, ours.durationMs);
      results.push({ name: spec.name, ours, ref });
    }
    const f = (n: number | null): string => (n === null ? "null" : n.toFixed(2));
    console.log(
      results
        .map(
          ({ name, ours: o, ref: r }) =>
            `${name.padEnd(24)} I ${f(o.integratedLufs)} / ${f(r.integratedLufs)}  LRA ${f(o.loudnessRangeLu)} / ${f(r.loudnessRangeLu)}  TP ${f(o.truePeakDbtp)} / ${f(r.truePeakDbtp)}  in ${f(o.cueInMs)} / ${f(r.cueInMs)}  out ${f(o.cueOutMs)} / ${f(r.cueOutMs)}`,
        )
        .join("\n"),
    );
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("covers at least ten files of different loudness", () => {
    expect(results.length).toBeGreaterThanOrEqual(10);
    const loudness = new Set(results.map((r) => Math.round(r.ref.integratedLufs)));
    expect(loudness.size).toBeGreaterThanOrEqual(8);
  });

  it.each(FILES.map((f) => f.name))("%s: integrated loudness within ±0.1 LU", (name) => {
    const { ours, ref } = results.find((r) => r.name === name)!;
    // ffmpeg prints one decimal, so its own rounding takes up to 0.05 of the budget.
    expect(Math.abs(ours.integratedLufs! - ref.integratedLufs)).toBeLessThanOrEqual(0.1);
  });

  it.each(FILES.map((f) => f.name))("%s: true peak within ±0.3 dB", (name) => {
    const { ours, ref } = results.find((r) => r.name === name)!;
    expect(Math.abs(ours.truePeakDbtp - ref.truePeakDbtp)).toBeLessThanOrEqual(0.3);
  });

  it.each(FILES.map((f) => f.name))(
    "%s: cue points within ±20 ms of silencedetect at −50 dB",
    (name) => {
      const { ours, ref } = results.find((r) => r.name === name)!;
      expect(Math.abs(ours.cueInMs - ref.cueInMs)).toBeLessThanOrEqual(20);
      expect(Math.abs(ours.cueOutMs - ref.cueOutMs)).toBeLessThanOrEqual(20);
    },
  );

  it.each(FILES.filter((f) => f.name.endsWith(".mp3")).map((f) => f.name))(
    "%s: encoder delay and padding trimmed: the same samples as ffmpeg decodes",
    async (name) => {
      const { ours } = results.find((r) => r.name === name)!;
      expect(ours.gaplessTrim).toBeDefined();
      expect(ours.gaplessTrim!.startFrames).toBe(576 + 529);
      // ffmpeg (a gapless decoder) writes exactly the frames it keeps.
      expect(ours.frames).toBe(await ffmpegFrames(join(dir, name)));
    },
  );

  it.each(FILES.map((f) => f.name))("%s: loudness range within ±1 LU", (name) => {
    const { ours, ref } = results.find((r) => r.name === name)!;
    expect(Math.abs(ours.loudnessRangeLu - ref.loudnessRangeLu)).toBeLessThanOrEqual(1);
  });
});
