import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { GrimnirError } from "../errors.js";
import { dspNodes as defaultDspNodes } from "../dsp/builtins.js";
import {
  createSchemaValidator,
  describeSchemaError,
  joinPointer,
  significantErrors,
} from "./json-schema.js";
import { stationConfigSchema } from "./schema.js";
import { toProgrammingConfig } from "./programming.js";
import { formatProblem } from "./problems.js";
import type { ConfigProblem } from "./problems.js";
import { semanticProblems } from "./station-checks.js";
import { toStationConfig } from "./station-config.js";
import type { LoadOptions, RawConfig, StationConfigResult } from "./station-config.js";
import { Locator, unterminatedQuoteStart, yamlMessage } from "./yaml-locator.js";

export { formatProblem };

/**
 * Read and validate a station configuration file.
 *
 * @throws GrimnirError `NOT_FOUND` when the file cannot be read; `CONFIG_INVALID`
 * with `details.problems` (every {@link ConfigProblem}, sorted by position) when it is invalid.
 */
export async function loadStationConfig(
  path: string,
  options: LoadOptions = {},
): Promise<StationConfigResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const reason =
      (cause as NodeJS.ErrnoException).code === "ENOENT"
        ? "no such file"
        : (cause as Error).message;
    throw new GrimnirError(
      "NOT_FOUND",
      `cannot read station configuration ${JSON.stringify(path)}: ${reason}`,
      {
        details: { file: path },
        cause,
      },
    );
  }
  return parseStationConfig(text, path, options);
}

/**
 * Validate station configuration text (YAML, so JSON too). Reports every
 * problem at once: YAML syntax errors; schema violations (wrong types, ranges,
 * unknown keys, missing fields); then semantic checks (IANA time zone, unique
 * mount / DSP node ids and output paths, DSP node types and their parameters,
 * the priority ladder, Icecast URLs; in the planning sections: unique ids,
 * known clock / smart block / playlist / webstream references, slots inside
 * the hour, RRULE syntax, ISO-8601 override bounds).
 *
 * @param fileName - used in problems and messages only.
 * @throws GrimnirError `CONFIG_INVALID` with `details.problems` when the text is invalid.
 */
export function parseStationConfig(
  text: string,
  fileName: string,
  options: LoadOptions = {},
): StationConfigResult {
  const registry = options.dspNodes ?? defaultDspNodes;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const locator = new Locator(doc, lineCounter, fileName);
  const warnings = doc.warnings.map((w) => locator.atOffset(w.pos[0], w.message, "warning"));
  const yamlErrors = doc.errors.map((e) => {
    if (e.code === "MISSING_CHAR" && /quote/.test(e.message)) {
      const start = unterminatedQuoteStart(doc, e.pos[0]);
      if (start !== undefined) {
        return locator.atOffset(
          start,
          `unterminated quoted string: missing closing ${text[start] ?? "quote"}`,
          "error",
        );
      }
    }
    return locator.atOffset(e.pos[0], yamlMessage(e.code, e.message, text, e.pos), "error");
  });
  if (yamlErrors.length > 0) throw invalid(fileName, yamlErrors);

  const data: unknown = doc.toJS();
  if (data === null || data === undefined) {
    throw invalid(fileName, [
      locator.at(
        "",
        "the file is empty; expected a mapping with station, mounts and failover",
        "value",
      ),
    ]);
  }
  const problems: ConfigProblem[] = [];
  const validate = schemaValidator();
  if (!validate(data)) {
    for (const error of significantErrors(validate.errors ?? [])) {
      const params = error.params as Record<string, unknown>;
      const message = describeSchemaError(error, { rootName: "the top level" });
      if (error.keyword === "additionalProperties") {
        problems.push(
          locator.at(
            joinPointer(error.instancePath, String(params.additionalProperty)),
            message,
            "key",
          ),
        );
      } else if (error.keyword === "required") {
        problems.push(locator.at(error.instancePath, message, "parent"));
      } else if (error.keyword === "discriminator") {
        problems.push(
          locator.at(joinPointer(error.instancePath, String(params.tag)), message, "value"),
        );
      } else {
        problems.push(locator.at(error.instancePath, message, "value"));
      }
    }
  }
  const flagged = new Set(problems.map((p) => p.pointer));
  for (const problem of semanticProblems(data as Record<string, unknown>, registry, locator)) {
    if (!flagged.has(problem.pointer)) problems.push(problem);
  }
  if (problems.length > 0) throw invalid(fileName, problems);
  return {
    config: {
      ...toStationConfig(data as RawConfig, registry),
      ...toProgrammingConfig(
        data as Record<string, unknown>,
        (data as RawConfig).crossfade.duration_ms,
      ),
    },
    problems: warnings,
  };
}

function invalid(fileName: string, problems: ConfigProblem[]): GrimnirError {
  const sorted = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
  const first = sorted[0];
  const summary = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
  return new GrimnirError(
    "CONFIG_INVALID",
    `${fileName} is not a valid station configuration (${summary}):\n${sorted.map(formatProblem).join("\n")}`,
    {
      details: {
        file: fileName,
        ...(first === undefined
          ? {}
          : { line: first.line, column: first.column, pointer: first.pointer }),
        problems: sorted,
      },
    },
  );
}

let compiled: ReturnType<ReturnType<typeof createSchemaValidator>["compile"]> | undefined;

function schemaValidator(): NonNullable<typeof compiled> {
  compiled ??= createSchemaValidator().compile(stationConfigSchema);
  return compiled;
}
