import { writeFile } from "node:fs/promises";
import type { ImportPlan, ImportProgress, ImportReport, Importer, Store } from "@grimnir/core";
import {
  AzuraCastImporter,
  LibreTimeImporter,
  SOURCE_ACTION_KIND,
  formatReport,
} from "@grimnir/importers";
import { LocalStorage } from "@grimnir/library";
import type { CommandIo } from "./io.js";

/** Options of {@link runImport} (the flags of `grimnir import`). */
export interface ImportCommandOptions {
  /** Where imported records are written. */
  store: Store;
  /** LibreTime: `postgres://…` of its database. AzuraCast: its base URL. */
  url: string;
  /** AzuraCast API key (`--api-key`). */
  apiKey?: string;
  /** LibreTime: Grimnir station to import into. AzuraCast: the AzuraCast station id or short name to import. */
  station?: string;
  /** Where the source's audio files are (`--media-root`); files are checked to exist there. */
  mediaRoot?: string;
  /** LibreTime: copy the audio files under this directory (`--copy-media DIR`). */
  copyMediaTo?: string;
  /** AzuraCast: download the audio through the API into this media root (`--download-media DIR`). */
  downloadMediaTo?: string;
  /** Analyse the imported media after writing it (`--analyze`); needs the audio (`--media-root`, `--copy-media` or `--download-media`). */
  analyze?: boolean;
  /** Plan only (`--dry-run`): print what would happen, write nothing. */
  dryRun?: boolean;
  /** Also write the plan or report as JSON to this file (`--report FILE`). */
  reportFile?: string;
  /** Print every action, not only those with something to say (`--verbose`). */
  verbose?: boolean;
}

function progressPrinter(io: CommandIo) {
  let phase = "";
  return {
    update(p: ImportProgress): void {
      const pct = p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total);
      const width = 30;
      const bar = "#".repeat(Math.floor((pct * width) / 100)).padEnd(width, ".");
      const line = `${p.phase.padEnd(6)} [${bar}] ${p.done}/${p.total}`;
      if (io.isTTY === true) io.stderr.write(`\r${line}\u001b[K${p.done === p.total ? "\n" : ""}`);
      else if (p.done === p.total || p.phase !== phase) io.stderr.write(`${line}\n`);
      phase = p.phase;
    },
  };
}

function makeImporter(
  source: "libretime" | "azuracast",
  options: ImportCommandOptions,
): Importer | string {
  if (source === "libretime") {
    if (!/^postgres(ql)?:\/\//.test(options.url))
      return `--url must be a postgres://… URL of LibreTime's database, got "${options.url}"`;
    if (options.copyMediaTo !== undefined && options.mediaRoot === undefined)
      return "--copy-media needs --media-root (where LibreTime's files are)";
    if (options.analyze === true && options.mediaRoot === undefined)
      return "--analyze needs the audio files: give --media-root (where LibreTime's files are)";
    return new LibreTimeImporter({
      url: options.url,
      store: options.store,
      ...(options.station !== undefined && { stationId: options.station }),
      ...(options.mediaRoot !== undefined && { mediaRoot: options.mediaRoot }),
      ...(options.copyMediaTo !== undefined && { copyMedia: { to: options.copyMediaTo } }),
      ...(options.analyze === true && { analyze: true }),
    });
  }
  if (!/^https?:\/\//.test(options.url))
    return `--url must be the http(s) address of AzuraCast, got "${options.url}"`;
  if (options.apiKey === undefined || options.apiKey === "")
    return "--api-key is required for AzuraCast";
  if (options.downloadMediaTo !== undefined && options.mediaRoot !== undefined)
    return "give either --media-root (AzuraCast's files mounted here) or --download-media (fetch them through the API), not both";
  if (
    options.analyze === true &&
    options.mediaRoot === undefined &&
    options.downloadMediaTo === undefined
  )
    return "--analyze needs the audio files: give --download-media DIR or --media-root DIR";
  return new AzuraCastImporter({
    baseUrl: options.url,
    apiKey: options.apiKey,
    store: options.store,
    ...(options.station !== undefined && { station: options.station }),
    ...(options.mediaRoot !== undefined && { mediaRoot: options.mediaRoot }),
    ...(options.downloadMediaTo !== undefined && {
      download: { storage: new LocalStorage(options.downloadMediaTo) },
    }),
    ...(options.analyze === true && { analyze: true }),
  });
}

/**
 * `grimnir import libretime --url postgres://… [--media-root DIR] [--dry-run]`
 * and `grimnir import azuracast --url https://… --api-key KEY [--station ID]
 * [--download-media DIR] [--dry-run]`, both with `[--analyze]` (analyse the
 * imported audio afterwards; off by default): plan or apply the import with a progress bar on stderr, print
 * the report on stdout and, with `--report FILE`, write it as JSON. Resolves
 * with the exit code: 0 when everything that maps was imported (or planned),
 * 1 when some records failed to write (or, with `--analyze`, to analyse), 2 when the options are invalid or the
 * source cannot be read (unreachable, wrong credentials).
 */
export async function runImport(
  source: "libretime" | "azuracast",
  options: ImportCommandOptions,
  io: CommandIo,
): Promise<number> {
  const importer = makeImporter(source, options);
  if (typeof importer === "string") {
    io.stderr.write(`grimnir import ${source}: ${importer}\n`);
    return 2;
  }
  const progress = progressPrinter(io);
  const context = { onProgress: (p: ImportProgress) => progress.update(p) };
  let result: ImportPlan | ImportReport;
  try {
    result = options.dryRun === true ? await importer.plan(context) : await importer.apply(context);
  } catch (error) {
    io.stderr.write(
      `grimnir import ${source}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
  if (options.dryRun === true) io.stdout.write("dry run: nothing was written\n");
  io.stdout.write(formatReport(result, { verbose: options.verbose === true }));
  if (
    options.dryRun !== true &&
    options.analyze !== true &&
    result.actions.some(
      (a) => a.target?.kind === "media" && (a.action === "create" || a.action === "update"),
    )
  )
    io.stdout.write(
      "imported media awaits analysis (status pending); run again with --analyze to measure loudness and cue points\n",
    );
  if (options.reportFile !== undefined) {
    await writeFile(options.reportFile, `${JSON.stringify(result, null, 2)}\n`);
    io.stdout.write(`report written to ${options.reportFile}\n`);
  }
  if (result.actions.some((a) => a.sourceKind === SOURCE_ACTION_KIND)) return 2;
  return "failures" in result && (result as ImportReport).failures.length > 0 ? 1 : 0;
}
