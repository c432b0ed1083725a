import { readFile } from "node:fs/promises";
import { GrimnirError, loadStationConfig } from "@grimnir/core";
import type { ConfigProblem, MediaItem, PlayHistory, StationConfig } from "@grimnir/core";
import { diffTimelines } from "./diff.js";
import type { TimelineDiff } from "./diff.js";
import { planInputFromConfig, planOptionsFromConfig } from "./from-config.js";
import { planTimeline } from "./planner.js";
import type { PlanInput, PlanOptions, PlanResult, PreviousEntry } from "./types.js";

/** Files of one station to plan: the station YAML, the library and optionally the history. */
export interface PlanFiles {
  /** Path of the station configuration (YAML or JSON). */
  config: string;
  /** Path of a JSON array of MediaItem (see docs/planner.md). */
  library: string;
  /** Path of a JSON array of PlayHistory. */
  history?: string;
}

/** A station configuration and snapshot ready to plan. */
export interface LoadedPlanInput {
  /** The validated configuration. */
  config: StationConfig;
  /** Planner input built by {@link planInputFromConfig}. */
  input: PlanInput;
  /** Non-fatal configuration problems (YAML warnings). */
  warnings: ConfigProblem[];
}

/** Options of {@link planFromFiles}. */
export interface PlanFromFilesOptions extends PlanFiles {
  /** Window start, epoch ms. The caller picks it (e.g. now, rounded); the planner never reads the clock. */
  from: number;
  /** Window length, hours (default `planner.hours` of the file, 48). */
  hours?: number;
  /** PRNG seed (default `planner.seed` of the file, 1). */
  seed?: number;
  /** Previously published timeline, kept up to the frozen horizon. */
  previous?: PreviousEntry[];
}

/** Result of {@link planFromFiles}. */
export interface PlanFromFilesResult extends LoadedPlanInput {
  /** The options the plan ran with. */
  options: PlanOptions;
  /** The plan. */
  result: PlanResult;
}

/** Options of {@link whatIfFromFiles}: the current files plus the proposed configuration. */
export interface WhatIfFromFilesOptions extends PlanFromFilesOptions {
  /** Path of the proposed station configuration, planned against the same library and history. */
  proposedConfig: string;
}

/** Result of {@link whatIfFromFiles}. */
export interface WhatIfFromFilesResult {
  current: PlanFromFilesResult;
  proposed: PlanFromFilesResult;
  /** Entries added / removed / moved and violations introduced by the proposal. */
  diff: TimelineDiff;
}

async function readJsonArray(path: string, what: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new GrimnirError(
      "NOT_FOUND",
      `cannot read ${what} ${JSON.stringify(path)}: ${(cause as Error).message}`,
      {
        details: { file: path },
        cause,
      },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new GrimnirError(
      "CONFIG_INVALID",
      `${path} is not valid JSON: ${(cause as Error).message}`,
      {
        details: { file: path },
        cause,
      },
    );
  }
  if (!Array.isArray(data)) {
    throw new GrimnirError("CONFIG_INVALID", `${path} must hold a JSON array of ${what} items`, {
      details: { file: path },
    });
  }
  return data;
}

/**
 * Read and validate the station configuration, the library and the history,
 * and build the planner input. Library items are not validated one by one:
 * the planner reports unusable items as diagnostics.
 *
 * @throws GrimnirError `NOT_FOUND` when a file cannot be read; `CONFIG_INVALID`
 * when the configuration is invalid (with every problem located file:line:col)
 * or a JSON file is malformed or not an array.
 */
export async function loadPlanInput(files: PlanFiles): Promise<LoadedPlanInput> {
  const [{ config, problems }, library, history] = await Promise.all([
    loadStationConfig(files.config),
    readJsonArray(files.library, "library"),
    files.history === undefined ? Promise.resolve([]) : readJsonArray(files.history, "history"),
  ]);
  return {
    config,
    input: planInputFromConfig(config, library as MediaItem[], history as PlayHistory[]),
    warnings: problems,
  };
}

/**
 * `grimnir plan` in one call: load the files, plan the window and return the
 * plan with everything it was made from. Deterministic for the same files,
 * `from`, `hours` and `seed`.
 *
 * @throws GrimnirError as {@link loadPlanInput}; planning itself never throws
 * (bad rules come back as diagnostics).
 */
export async function planFromFiles(options: PlanFromFilesOptions): Promise<PlanFromFilesResult> {
  const loaded = await loadPlanInput(options);
  const planOptions: PlanOptions = planOptionsFromConfig(loaded.config, options.from, {
    ...(options.hours !== undefined ? { hours: options.hours } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  if (options.previous !== undefined) planOptions.previous = options.previous;
  return { ...loaded, options: planOptions, result: planTimeline(loaded.input, planOptions) };
}

/**
 * `grimnir plan --what-if other.yaml`: plan the current and the proposed
 * configuration over the same window, library and history, with the current
 * file's planner options for both, and diff them. Writes nothing.
 *
 * @throws GrimnirError as {@link loadPlanInput}, for either configuration.
 */
export async function whatIfFromFiles(
  options: WhatIfFromFilesOptions,
): Promise<WhatIfFromFilesResult> {
  const current = await planFromFiles(options);
  const proposedLoaded = await loadPlanInput({ ...options, config: options.proposedConfig });
  // same library/history arrays so the planner's prepared-library cache is shared
  const input: PlanInput = {
    ...proposedLoaded.input,
    library: current.input.library,
    history: current.input.history,
  };
  const result = planTimeline(input, current.options);
  const proposed: PlanFromFilesResult = {
    ...proposedLoaded,
    input,
    options: current.options,
    result,
  };
  return { current, proposed, diff: diffTimelines(current.result, result) };
}
