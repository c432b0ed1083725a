import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { GrimnirError, formatProblem } from "@grimnir/core";
import type { ConfigProblem } from "@grimnir/core";
import { diffTimelines, loadPlanInput, planTimeline } from "@grimnir/scheduler";
import type { CommandIo } from "./io.js";
import type { Diagnostic, PlanInput, PlanResult, TimelineEntry } from "@grimnir/scheduler";

/** Options of `grimnir plan`. */
export interface PlanCommandOptions {
  /**
   * The plan input: a station YAML (with `library`), a path to a plan-input JSON
   * file, or the object itself. In a JSON file,
   * `library` and `history` may be paths (relative to the file) of JSON arrays
   * of MediaItem / PlayHistory.
   */
  input: string | PlanInput;
  /** Library JSON path overriding the input's `library`. */
  library?: string;
  /** History JSON path overriding the input's `history`. */
  history?: string;
  /** Window start: ISO-8601 with offset or epoch ms; default now (rounded down to the minute). */
  from?: string | number;
  /** Window length, hours (default 48). */
  hours?: number;
  /** Print the result as JSON instead of a table. */
  json?: boolean;
  /** PRNG seed (default 1). */
  seed?: number;
  /** A proposed input (path or object): print the diff against `input` instead of the timeline. */
  whatIf?: string | PlanInput;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new GrimnirError("NOT_FOUND", `cannot read ${path}: ${(error as Error).message}`, {
      details: { file: path },
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${path} is not valid JSON: ${(error as Error).message}`,
      { details: { file: path }, cause: error },
    );
  }
}

async function loadInput(
  source: string | PlanInput,
  overrides: { library?: string; history?: string },
): Promise<PlanInput> {
  if (typeof source === "string" && /\.ya?ml$/i.test(source)) {
    if (overrides.library === undefined) {
      throw new GrimnirError(
        "CONFIG_INVALID",
        `planning ${source} needs --library FILE (a JSON array of MediaItem, see docs/planner.md)`,
        { details: { field: "library" } },
      );
    }
    const loaded = await loadPlanInput({
      config: source,
      library: overrides.library,
      ...(overrides.history !== undefined ? { history: overrides.history } : {}),
    });
    return loaded.input;
  }
  const base = typeof source === "string" ? resolve(source) : undefined;
  const raw = (base === undefined ? source : await readJson(base)) as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      "plan input must be a JSON object with station, clocks, smartBlocks… (see examples/demo-station/plan-input.json)",
      { details: { file: base } },
    );
  }
  const dir = base === undefined ? process.cwd() : dirname(base);
  const field = async (
    name: "library" | "history",
    override: string | undefined,
  ): Promise<unknown[]> => {
    const value = override !== undefined ? resolve(override) : raw[name];
    const loaded = typeof value === "string" ? await readJson(resolve(dir, value)) : (value ?? []);
    if (!Array.isArray(loaded)) {
      throw new GrimnirError("CONFIG_INVALID", `${name} must be a JSON array (or a path to one)`, {
        details: { file: base, field: name },
      });
    }
    return loaded;
  };
  return {
    ...(raw as unknown as PlanInput),
    clocks: (raw.clocks as PlanInput["clocks"]) ?? [],
    smartBlocks: (raw.smartBlocks as PlanInput["smartBlocks"]) ?? [],
    playlists: (raw.playlists as PlanInput["playlists"]) ?? [],
    shows: (raw.shows as PlanInput["shows"]) ?? [],
    overrides: (raw.overrides as PlanInput["overrides"]) ?? [],
    library: (await field("library", overrides.library)) as PlanInput["library"],
    history: (await field("history", overrides.history)) as PlanInput["history"],
  };
}

function parseFrom(from: string | number | undefined): number {
  if (from === undefined) return Math.floor(Date.now() / 60_000) * 60_000;
  const ms = typeof from === "number" ? from : /^\d+$/.test(from) ? Number(from) : Date.parse(from);
  if (!Number.isFinite(ms)) {
    throw new GrimnirError(
      "VALIDATION",
      `--from must be ISO-8601 with offset (e.g. 2026-03-08T00:00:00-05:00) or epoch ms, got ${JSON.stringify(from)}`,
      { details: { field: "from" } },
    );
  }
  return ms;
}

function localTime(ms: number, zone: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(ms));
}

function describeEntry(e: TimelineEntry): string {
  if (e.kind === "media" || e.kind === "stopset")
    return `${e.artist ?? "?"} – ${e.title ?? e.mediaId ?? "?"}`;
  if (e.kind === "webstream") return `webstream ${e.webstreamId ?? "?"}`;
  return e.kind;
}

function table(result: PlanResult): string {
  const rows = result.entries.map((e) => {
    const why = [
      e.source.showId && `show ${e.source.showId}`,
      e.source.clockId && `clock ${e.source.clockId}`,
      e.source.slotId,
      e.source.smartBlockId && `block ${e.source.smartBlockId}`,
      e.source.rule,
    ]
      .filter(Boolean)
      .join(" / ");
    const flags = [
      e.timing === "hard" ? "HARD" : "",
      e.relaxed ? `relaxed:${e.relaxed.join("+")}` : "",
      e.fadeOutMs ? `fade ${e.fadeOutMs} ms` : "",
    ]
      .filter(Boolean)
      .join(" ");
    const length = Math.round((e.endsAt - e.startsAt) / 1000);
    return `${localTime(e.startsAt, result.timezone)}  ${String(Math.floor(length / 60)).padStart(3)}:${String(length % 60).padStart(2, "0")}  ${e.kind.padEnd(9)} ${describeEntry(e).slice(0, 48).padEnd(48)}  ${why}${flags ? `  [${flags}]` : ""}`;
  });
  return [
    `Timeline ${localTime(result.from, result.timezone)} → ${localTime(result.to, result.timezone)} (${result.timezone}), ${result.entries.length} entries`,
    "",
    ...rows,
    "",
  ].join("\n");
}

function diagnosticLines(diagnostics: Diagnostic[], zone: string): string {
  if (diagnostics.length === 0) return "No diagnostics.\n";
  return [
    "Diagnostics:",
    ...diagnostics.map(
      (d) =>
        `  ${d.severity.toUpperCase().padEnd(7)} ${d.code}${d.at !== undefined ? ` @ ${localTime(d.at, zone)}` : ""}: ${d.message}`,
    ),
    "",
  ].join("\n");
}

/**
 * `grimnir plan`: plan a station's timeline (or, with `whatIf`, the diff of a
 * proposed input against the current one) and print it as a table or JSON,
 * followed by diagnostics. Writes nothing but to `io`.
 *
 * Exit codes: 0 planned (warnings allowed), 1 planned with error diagnostics,
 * 2 the input could not be read (message on stderr).
 */
export async function runPlan(options: PlanCommandOptions, io: CommandIo): Promise<number> {
  let input: PlanInput;
  let proposed: PlanInput | undefined;
  let from: number;
  try {
    input = await loadInput(options.input, options);
    proposed = options.whatIf === undefined ? undefined : await loadInput(options.whatIf, options);
    from = parseFrom(options.from);
  } catch (error) {
    if (!(error instanceof GrimnirError)) throw error;
    const problems = error.details.problems as ConfigProblem[] | undefined;
    if (problems !== undefined && problems.length > 0) {
      for (const problem of problems) io.stderr.write(`${formatProblem(problem)}\n`);
    } else {
      io.stderr.write(`grimnir plan: ${error.message}\n`);
    }
    return 2;
  }
  const planOptions = { from, hours: options.hours ?? 48, seed: options.seed ?? 1 };
  const current = planTimeline(input, planOptions);
  if (proposed !== undefined) {
    const next = planTimeline(proposed, planOptions);
    const diff = diffTimelines(current, next);
    if (options.json) io.stdout.write(JSON.stringify(diff, null, 2) + "\n");
    else {
      const zone = next.timezone;
      const line = (sign: string, e: TimelineEntry): string =>
        `  ${sign} ${localTime(e.startsAt, zone)}  ${e.kind.padEnd(9)} ${describeEntry(e)}`;
      io.stdout.write(
        [
          `What-if: ${diff.unchangedCount} unchanged, ${diff.added.length} added, ${diff.removed.length} removed, ${diff.moved.length} moved`,
          ...diff.removed.map((e) => line("-", e)),
          ...diff.added.map((e) => line("+", e)),
          ...diff.moved.map(
            (m) =>
              `  ~ ${localTime(m.before.startsAt, zone)} → ${localTime(m.after.startsAt, zone)}  ${describeEntry(m.after)}`,
          ),
          "",
          diff.newViolations.length === 0 ? "No new rule violations." : "New rule violations:",
          ...diff.newViolations.map(
            (d) => `  ${d.severity.toUpperCase().padEnd(7)} ${d.code}: ${d.message}`,
          ),
          "",
        ].join("\n"),
      );
    }
    return next.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
  }
  if (options.json) io.stdout.write(JSON.stringify(current, null, 2) + "\n");
  else {
    io.stdout.write(table(current));
    io.stdout.write(diagnosticLines(current.diagnostics, current.timezone));
  }
  return current.diagnostics.some((d) => d.severity === "error") ? 1 : 0;
}
