import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

/** The apt-get line CI must run for these tests (Debian/Ubuntu). */
export const APT_LINE =
  "apt-get install -y ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav";

/** Fail (never skip) when ffmpeg or gst-launch-1.0 is missing, naming the install line. */
export function requireTools(): void {
  for (const tool of ["ffmpeg", "gst-launch-1.0"]) {
    const r = spawnSync(tool, ["-version"], { stdio: "ignore" });
    if (r.error)
      throw new Error(
        `${tool} is required by these tests but was not found; install it: ${APT_LINE}`,
      );
  }
}

/** Run ffmpeg with `args`, resolving with its stderr. */
export async function ffmpeg(args: string[]): Promise<string> {
  const { stderr } = await promisify(execFile)("ffmpeg", ["-hide_banner", "-nostats", ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return stderr;
}

/** A generated test file: an ffmpeg lavfi source graph, encoded to `file`. */
export interface GeneratedAudio {
  /** File name with the extension that picks the container and codec. */
  name: string;
  /** lavfi source graph (aevalsrc/anoisesrc + filters). */
  graph: string;
  /** Extra output arguments (codec, rate). */
  out?: string[];
}

/** Generate `spec` into `dir` with ffmpeg; resolves with the path. */
export async function generate(dir: string, spec: GeneratedAudio): Promise<string> {
  const path = `${dir}/${spec.name}`;
  await ffmpeg([
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    spec.graph,
    ...(spec.out ?? []),
    path,
  ]);
  return path;
}

/** Frames (samples per channel) ffmpeg decodes from `file`: its decoded PCM size. */
export async function ffmpegFrames(file: string): Promise<number> {
  const stats = await ffmpeg([
    "-i",
    file,
    "-af",
    "astats=measure_perchannel=none",
    "-f",
    "null",
    "-",
  ]);
  const m = /Number of samples: (\d+)/.exec(stats);
  if (!m) throw new Error(`ffmpeg astats lacks the sample count:\n${stats.slice(-1000)}`);
  return Number(m[1]);
}

/** ffmpeg's own measurements of a file: ebur128 (peak=true) and silencedetect at −50 dB. */
export interface FfmpegReference {
  integratedLufs: number;
  loudnessRangeLu: number;
  truePeakDbtp: number;
  cueInMs: number;
  cueOutMs: number;
}

/** Measure `file` with `ffmpeg -af ebur128=peak=true,silencedetect=noise=-50dB:d=0.05`. */
export async function ffmpegReference(file: string, durationMs: number): Promise<FfmpegReference> {
  const log = await ffmpeg([
    "-i",
    file,
    "-af",
    "ebur128=peak=true,silencedetect=noise=-50dB:d=0.05",
    "-f",
    "null",
    "-",
  ]);
  const summary = log.slice(log.lastIndexOf("Summary:"));
  const num = (re: RegExp): number => {
    const m = re.exec(summary);
    if (!m) throw new Error(`ffmpeg summary lacks ${re}:\n${log.slice(-2000)}`);
    return m[1] === "-inf" ? -Infinity : Number(m[1]);
  };
  // Silence intervals in order: each silence_start, with its silence_end unless it runs to the end.
  const intervals: { start: number; end: number }[] = [];
  for (const m of log.matchAll(/silence_(start|end): (-?[\d.]+)/g)) {
    const t = Number(m[2]) * 1000;
    if (m[1] === "start") intervals.push({ start: t, end: durationMs });
    else if (intervals.length > 0) intervals[intervals.length - 1]!.end = t;
  }
  const first = intervals[0];
  const last = intervals[intervals.length - 1];
  return {
    integratedLufs: num(/I:\s+(-?[\d.]+) LUFS/),
    loudnessRangeLu: num(/LRA:\s+(-?[\d.]+) LU/),
    truePeakDbtp: num(/Peak:\s+(-?[\d.]+|-inf) dBFS/),
    cueInMs: first && first.start <= 1 ? first.end : 0,
    // Every generated file ends in silence, so the last interval is the trailing one unless it is the leading one.
    cueOutMs: last && last.start > 1 ? last.start : durationMs,
  };
}
