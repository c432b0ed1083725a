import type { CommandIo } from "./io.js";
import { isGrimnirError } from "@grimnir/core";
import { analyzeFile, type AnalyzeFileOptions, type FileAnalysis } from "@grimnir/library";

/** Options of {@link runAnalyze}. */
export interface AnalyzeCommandOptions {
  /** Print one JSON document instead of a table. */
  json?: boolean;
  /** Silence threshold for cue points, dBFS (default −50). */
  cueThresholdDbfs?: number;
  /** Options passed through to the analyser (gst-launch path, markers). */
  analyzeOptions?: AnalyzeFileOptions;
}

/** One file's line of `grimnir analyze --json`: seconds, LUFS, LU, dBTP; null where unmeasurable. */
export interface AnalyzeJsonRow {
  file: string;
  integratedLufs: number | null;
  loudnessRangeLu: number;
  truePeakDbtp: number | null;
  samplePeakDbfs: number | null;
  cueInS: number;
  cueOutS: number;
  durationS: number;
  sampleRateHz: number;
  channels: number;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? round(x, 2) : null);
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function toRow(a: FileAnalysis): AnalyzeJsonRow {
  return {
    file: a.file,
    integratedLufs: a.integratedLufs === null ? null : round(a.integratedLufs, 2),
    loudnessRangeLu: round(a.loudnessRangeLu, 2),
    truePeakDbtp: finite(a.truePeakDbtp),
    samplePeakDbfs: finite(a.samplePeakDbfs),
    cueInS: round(a.cueInMs / 1000, 3),
    cueOutS: round(a.cueOutMs / 1000, 3),
    durationS: round(a.durationMs / 1000, 3),
    sampleRateHz: a.sampleRateHz,
    channels: a.channels,
  };
}

/**
 * `grimnir analyze FILE… [--json]`: decode each file and print integrated
 * loudness (LUFS), loudness range (LU), true peak (dBTP), cue in/out and
 * duration (s). Files are analysed one after another; a file that fails is
 * reported on stderr (and as `{ file, error }` in JSON) and the others still
 * run. Resolves with the exit code: 0 all analysed, 1 any failed, 2 no files.
 */
export async function runAnalyze(
  files: readonly string[],
  options: AnalyzeCommandOptions,
  io: CommandIo,
): Promise<number> {
  if (files.length === 0) {
    io.stderr.write("grimnir analyze: expected at least one FILE\n");
    return 2;
  }
  const analyzeOptions: AnalyzeFileOptions = { ...options.analyzeOptions };
  if (options.cueThresholdDbfs !== undefined)
    analyzeOptions.cueThresholdDbfs = options.cueThresholdDbfs;
  const rows: (AnalyzeJsonRow | { file: string; error: { code: string; message: string } })[] = [];
  let failed = 0;
  const fileWidth = Math.max(4, ...files.map((f) => f.length));
  const formatLine = (cells: string[]): string => {
    const widths = [fileWidth, 12, 9, 11, 9, 10, 10];
    return `${cells.map((c, i) => (i === 0 ? c.padEnd(fileWidth) : c.padStart(widths[i]!))).join("  ")}\n`;
  };
  if (!options.json)
    io.stdout.write(
      formatLine(["FILE", "INTEGRATED", "LRA", "TRUE PEAK", "CUE IN", "CUE OUT", "DURATION"]),
    );
  for (const file of files) {
    try {
      const row = toRow(await analyzeFile(file, analyzeOptions));
      rows.push(row);
      if (!options.json) {
        io.stdout.write(
          formatLine([
            file,
            row.integratedLufs === null ? "–" : `${row.integratedLufs.toFixed(1)} LUFS`,
            `${row.loudnessRangeLu.toFixed(1)} LU`,
            row.truePeakDbtp === null ? "–" : `${row.truePeakDbtp.toFixed(1)} dBTP`,
            `${row.cueInS.toFixed(2)} s`,
            `${row.cueOutS.toFixed(2)} s`,
            `${row.durationS.toFixed(2)} s`,
          ]),
        );
      }
    } catch (err) {
      failed++;
      const code = isGrimnirError(err) ? err.code : "INTERNAL";
      const message = err instanceof Error ? err.message : String(err);
      rows.push({ file, error: { code, message } });
      io.stderr.write(`grimnir analyze: ${message}\n`);
    }
  }
  if (options.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  return failed > 0 ? 1 : 0;
}
