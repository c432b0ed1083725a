import { SystemTimeSource, type Store, type TimeSource } from "@grimnir/core";
import {
  AnalysisQueue,
  LocalStorage,
  ingestDirectory,
  type AnalyzeFileOptions,
  type MediaStorage,
} from "@grimnir/library";
import type { CommandIo } from "./io.js";

/** Options of {@link runIngest}. */
export interface IngestCommandOptions {
  /** Station id the media belongs to. */
  station: string;
  /** Where MediaItem rows are written. */
  store: Store;
  /** Where files are copied; default a {@link LocalStorage} at `mediaRoot`. */
  storage?: MediaStorage;
  /** Media root for the default local storage. Default "./data/media". */
  mediaRoot?: string;
  /** Files analysed at once (default: CPU cores). */
  concurrency?: number;
  /** Options passed to the analyser. */
  analyzeOptions?: AnalyzeFileOptions;
  /** Clock for rate and ETA. Default the system clock. */
  timeSource?: TimeSource;
}

/** Progress text: `label done/total, rate/s, ETA`. */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const etaS = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  const eta =
    etaS === undefined
      ? "ETA –"
      : `ETA ${Math.floor(etaS / 60)}:${String(etaS % 60).padStart(2, "0")}`;
  return `${label} ${done}/${total} files, ${rate.toFixed(1)} files/s, ${eta}`;
}

/**
 * `grimnir ingest DIR --station ID`: copy every audio file under `dir` into
 * the station's storage, read tags, write MediaItems through the store, then
 * analyse them (and any item a previous run left pending) with the analysis
 * queue. Progress (count, rate, ETA) goes to stderr — redrawn in place on a
 * terminal, one line per 5 % otherwise — and a summary with every failure
 * and its reason to stdout. Resolves with the exit code: 0 when every audio
 * file ended up analysed or was a duplicate, 1 when any failed (each is
 * recorded on its MediaItem with the reason), 2 when `dir` cannot be read.
 */
export async function runIngest(
  dir: string,
  options: IngestCommandOptions,
  io: CommandIo,
): Promise<number> {
  const clock = options.timeSource ?? new SystemTimeSource();
  const storage = options.storage ?? new LocalStorage(options.mediaRoot ?? "./data/media");
  const progress = makeProgress(io, clock);

  let report;
  try {
    const started = clock.now();
    report = await ingestDirectory(dir, {
      stationId: options.station,
      store: options.store,
      storage,
      timeSource: clock,
      onProgress: (p) => progress("ingest  ", p.done, p.total, started),
    });
  } catch (err) {
    io.stderr.write(`grimnir ingest: cannot ingest ${dir}: ${(err as Error).message}\n`);
    return 2;
  }
  progress.end();

  const queue = new AnalysisQueue({
    stationId: options.station,
    store: options.store,
    storage,
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    ...(options.analyzeOptions !== undefined && { analyzeOptions: options.analyzeOptions }),
  });
  const analysisFailures: { mediaId: string; reason: string }[] = [];
  const analysisStarted = clock.now();
  const total = await queue.resume();
  queue.on((p) => {
    if (p.status === "failed")
      analysisFailures.push({ mediaId: p.mediaId, reason: p.error ?? "unknown" });
    if (p.status === "done" || p.status === "failed")
      progress("analyse ", p.done + p.failed, total, analysisStarted);
  });
  await queue.idle();
  progress.end();

  const stats = queue.stats;
  io.stdout.write(
    `ingested ${report.added.length} new, ${report.duplicates.length} duplicate, ${report.failed.length} failed, ${report.skipped.length} skipped (not audio)\n` +
      `analysed ${stats.done} done, ${stats.failed} failed\n`,
  );
  for (const f of report.failed) io.stdout.write(`  failed  ${f.file}: ${f.reason}\n`);
  for (const w of report.warnings) io.stdout.write(`  warning ${w.file}: ${w.warning}\n`);
  for (const f of analysisFailures) {
    const item = await options.store.media.get(options.station, f.mediaId);
    io.stdout.write(`  failed  ${item ? item.title : f.mediaId} (${f.mediaId}): ${f.reason}\n`);
  }
  return report.failed.length + analysisFailures.length > 0 ? 1 : 0;
}

function makeProgress(io: CommandIo, clock: TimeSource) {
  let lastPct = -1;
  let drawn = false;
  const update = (label: string, done: number, total: number, started: number): void => {
    const line = progressLine(label, done, total, clock.now() - started);
    if (io.isTTY) {
      io.stderr.write(`\r${line}\u001b[K`);
      drawn = true;
      return;
    }
    const pct = total === 0 ? 100 : Math.floor((done * 20) / total) * 5;
    if (pct !== lastPct || done === total) {
      lastPct = pct;
      io.stderr.write(`${line}\n`);
    }
  };
  update.end = (): void => {
    if (drawn) io.stderr.write("\n");
    drawn = false;
    lastPct = -1;
  };
  return update;
}
