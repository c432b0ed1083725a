import { readFile } from "node:fs/promises";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit } from "yaml";
import type { Document, Node } from "yaml";
import { GrimnirError } from "../errors.js";
import { PRIORITY_NAMES } from "../priority.js";
import type { Priority, PriorityName } from "../priority.js";
import type { DspGraph, FadeCurve } from "../contracts/engine.js";
import type { AudioFormat, Output } from "../model/station.js";
import { dspNodes as defaultDspNodes } from "../dsp/builtins.js";
import type { DspNodeRegistry } from "../dsp/registry.js";
import {
  createSchemaValidator,
  describeSchemaError,
  joinPointer,
  pointerSegments,
  pointerToPath,
  significantErrors,
} from "./json-schema.js";
import { stationConfigSchema } from "./schema.js";
import { programmingProblems, toProgrammingConfig } from "./programming.js";
import type { ProgrammingConfig } from "./programming.js";

/** One thing wrong with a configuration file, located to the character. */
export interface ConfigProblem {
  /** File name as given to the loader. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** RFC 6901 pointer to the offending value ("" for the document, or for a YAML syntax error). */
  pointer: string;
  /** What is wrong and what was expected, e.g. `dsp_graph.nodes[2].ratio must be <= 20 (got 40)`. */
  message: string;
  /** "error" makes the file invalid; "warning" (YAML warnings) does not. */
  severity: "error" | "warning";
}

/** The `station` section, camelCased. */
export interface StationSettings {
  /** Stable identifier of the station. */
  id: string;
  /** Display name. */
  name: string;
  /** IANA time zone name, checked against the runtime's zone database. */
  timezone: string;
  /** URL-safe short name used in stream paths. */
  slug?: string;
  /** Free text. */
  description?: string;
}

/** A mount as configured, camelCased; outputs use the domain's {@link Output} types. */
export interface MountConfig {
  /** Unique within the station. */
  id: string;
  /** Display name. */
  name: string;
  /** Encoder forks of the mount's mix. */
  outputs: Output[];
}

/** The `failover` section, camelCased. */
export interface FailoverConfig {
  /** s. */
  liveTimeoutSec: number;
  /** Play the fallback playlist when the timeline is empty. */
  automationFallbackEnabled: boolean;
  /** File played when everything else fails. */
  emergencyAudioPath: string;
  /** Playlist id played at fallback priority. */
  fallbackPlaylist?: string;
}

/** The `crossfade` section, camelCased. */
export interface CrossfadeConfig {
  /** ms; 0 means cut. */
  durationMs: number;
  /** Shape of the gain ramps. */
  curve: FadeCurve;
}

/**
 * A validated station configuration as the rest of Grimnir uses it: keys
 * camelCased, defaults filled in, DSP node ids assigned (`<type>-<position>`
 * when the file omits them). DSP node parameters keep the names their node
 * type declares (e.g. `threshold_db`) and have that type's defaults filled in.
 * The planning sections ({@link ProgrammingConfig}) are always present: empty
 * lists when the file has none; slot offsets, show durations and override
 * bounds converted to ms / epoch ms.
 */
export interface StationConfig extends ProgrammingConfig {
  /** Identity of the station. */
  station: StationSettings;
  /** Mounts with their outputs, in file order. */
  mounts: MountConfig[];
  /** The processing chain, in signal order. */
  dspGraph: DspGraph;
  /** Dead-air and live-timeout behaviour. */
  failover: FailoverConfig;
  /** Always the fixed ladder: emergency 0 … fallback 4. */
  priorities: Record<PriorityName, Priority>;
  /** Default transition between automation items. */
  crossfade: CrossfadeConfig;
  /** LUFS. */
  loudnessTargetLufs: number;
  /** s. */
  preloadSec: number;
}

/** What {@link parseStationConfig} and {@link loadStationConfig} return for a valid file. */
export interface StationConfigResult {
  /** The validated, camelCased configuration. */
  config: StationConfig;
  /** Non-fatal problems (severity "warning"); errors are thrown instead. */
  problems: ConfigProblem[];
}

/** Options of {@link parseStationConfig} and {@link loadStationConfig}. */
export interface LoadOptions {
  /** Registry DSP node types are checked against; defaults to the process-wide `dspNodes`. */
  dspNodes?: DspNodeRegistry;
}

/** `file:line:col: message` (with `warning: ` before warnings), the format editors and CI understand. */
export function formatProblem(problem: ConfigProblem): string {
  const severity = problem.severity === "warning" ? "warning: " : "";
  return `${problem.file}:${problem.line}:${problem.column}: ${severity}${problem.message}`;
}

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

/** yaml reports a missing closing quote where the file ends; the opening quote is where the fix goes. */
function unterminatedQuoteStart(doc: Document, errorOffset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range && node.range[0] < errorOffset && errorOffset <= node.range[2]) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

function yamlMessage(code: string, message: string, text: string, pos: [number, number]): string {
  if (code === "DUPLICATE_KEY") {
    const key =
      text
        .slice(pos[0])
        .match(/^[^:\n]*/)?.[0]
        .trim() ?? "";
    return `duplicate key ${JSON.stringify(key)}: map keys must be unique`;
  }
  if (code === "TAB_AS_INDENT") return "tabs are not allowed as indentation; indent with spaces";
  return message;
}

/** Where in the YAML a problem points: the value, the key naming it, or the object holding it. */
type Target = "value" | "key" | "parent";

/** Maps JSON pointers into the parsed YAML document back to 1-based line:column positions. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    private readonly file: string,
  ) {}

  atOffset(offset: number, message: string, severity: ConfigProblem["severity"]): ConfigProblem {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, pointer: "", message, severity };
  }

  at(pointer: string, message: string, target: Target): ConfigProblem {
    const offset = this.offsetOf(pointer, target);
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, pointer, message, severity: "error" };
  }

  private offsetOf(pointer: string, target: Target): number {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    let complete = true;
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
        );
        if (pair === undefined) {
          complete = false;
          break;
        }
        key = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) {
          complete = false;
          break;
        }
        key = undefined;
        node = item;
      } else {
        complete = false;
        break;
      }
    }
    const useKey = target === "key" || target === "parent" || !complete;
    if (useKey && key?.range) return key.range[0];
    const range = (node as Node | null)?.range;
    if (range) return range[0];
    return key?.range?.[0] ?? 0;
  }
}

function semanticProblems(
  data: Record<string, unknown>,
  registry: DspNodeRegistry,
  locator: Locator,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const station = asRecord(data.station);
  if (
    typeof station?.timezone === "string" &&
    station.timezone !== "" &&
    !isIanaZone(station.timezone)
  ) {
    problems.push(
      locator.at(
        "/station/timezone",
        `station.timezone must be an IANA time zone name such as "America/New_York" (got ${JSON.stringify(station.timezone)})`,
        "value",
      ),
    );
  }

  const mountIds = new Map<string, string>();
  const outputKeys = new Map<string, string>();
  asArray(data.mounts).forEach((mountValue, m) => {
    const mount = asRecord(mountValue);
    if (mount === undefined) return;
    if (typeof mount.id === "string") {
      const earlier = mountIds.get(mount.id);
      const here = `/mounts/${m}/id`;
      if (earlier === undefined) mountIds.set(mount.id, here);
      else
        problems.push(
          locator.at(
            here,
            `${pointerToPath(here)} ${JSON.stringify(mount.id)} duplicates ${pointerToPath(earlier)}; mount ids must be unique`,
            "value",
          ),
        );
    }
    asArray(mount.outputs).forEach((outputValue, o) => {
      const output = asRecord(outputValue);
      if (output === undefined) return;
      const base = `/mounts/${m}/outputs/${o}`;
      if (output.type === "icecast" && typeof output.url === "string") {
        const url = icecastUrl(output.url);
        if (typeof url === "string") {
          problems.push(
            locator.at(`${base}/url`, `${pointerToPath(`${base}/url`)} ${url}`, "value"),
          );
        } else {
          addOutputKey(`icecast ${url.host}${url.pathname}`, `${base}/url`, "url", output.url);
        }
      } else if (typeof output.path === "string") {
        const namespace = output.type === "http" ? "http" : "directory";
        addOutputKey(
          `${namespace} ${output.path.replace(/\/+$/, "")}`,
          `${base}/path`,
          "path",
          output.path,
        );
      }
    });
  });

  function addOutputKey(key: string, here: string, field: string, shown: string): void {
    const earlier = outputKeys.get(key);
    if (earlier === undefined) {
      outputKeys.set(key, here);
      return;
    }
    const value = field === "url" ? redact(shown) : shown;
    problems.push(
      locator.at(
        here,
        `${pointerToPath(here)} ${JSON.stringify(value)} duplicates ${pointerToPath(earlier)}; each output needs its own ${field}`,
        "value",
      ),
    );
  }

  const nodeIds = new Map<string, string>();
  asArray(asRecord(data.dsp_graph)?.nodes).forEach((nodeValue, n) => {
    const node = asRecord(nodeValue);
    if (node === undefined || typeof node.type !== "string") return;
    const base = `/dsp_graph/nodes/${n}`;
    const explicit = typeof node.id === "string";
    const id = explicit ? String(node.id) : generatedNodeId(node.type, n);
    const here = explicit ? `${base}/id` : base;
    const earlier = nodeIds.get(id);
    if (earlier === undefined) nodeIds.set(id, here);
    else {
      const first = earlier.endsWith("/id")
        ? pointerToPath(earlier)
        : `the id generated for ${pointerToPath(earlier)}`;
      const subject = explicit
        ? pointerToPath(here)
        : `the id generated for ${pointerToPath(here)},`;
      problems.push(
        locator.at(
          here,
          `${subject} ${JSON.stringify(id)} duplicates ${first}; DSP node ids must be unique`,
          "value",
        ),
      );
    }
    for (const problem of registry.validate(
      { type: node.type, params: nodeParams(node) },
      { path: pointerToPath(base) },
    )) {
      problems.push(
        locator.at(
          `${base}${problem.pointer}`,
          problem.message,
          problem.onKey === true ? "key" : "value",
        ),
      );
    }
  });

  const priorities = asRecord(data.priorities);
  if (priorities !== undefined) {
    PRIORITY_NAMES.forEach((name, expected) => {
      const value = priorities[name];
      if (Number.isInteger(value) && value !== expected) {
        problems.push(
          locator.at(
            `/priorities/${name}`,
            `priorities.${name} must be ${expected} (got ${String(value)}); the ladder is fixed: ${PRIORITY_NAMES.map((n, i) => `${n} ${i}`).join(", ")}`,
            "value",
          ),
        );
      }
    });
  }
  problems.push(
    ...programmingProblems(data, (pointer, message, target) =>
      locator.at(pointer, message, target),
    ),
  );
  return problems;
}

/** Id of a DSP node the file gives none: `<type>-<1-based position>`, e.g. `compressor-3`. */
function generatedNodeId(type: string, index: number): string {
  return `${type}-${index + 1}`;
}

function nodeParams(node: Record<string, unknown>): Record<string, unknown> {
  const { type: _type, id: _id, ...params } = node;
  return params;
}

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** The parsed URL, or the reason (a message tail) it is not a usable Icecast URL. */
function icecastUrl(raw: string): URL | string {
  const expected = `must be an Icecast URL like "icecast://source:password@host:8000/mount"`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return `${expected} (got ${JSON.stringify(redact(raw))})`;
  }
  if (!["icecast:", "http:", "https:"].includes(url.protocol)) {
    return `${expected}; scheme must be icecast, http or https (got "${url.protocol.slice(0, -1)}")`;
  }
  if (url.hostname === "")
    return `${expected}; the host is missing (got ${JSON.stringify(redact(raw))})`;
  if (url.pathname === "" || url.pathname === "/") {
    return `${expected}; the mount path is missing (got ${JSON.stringify(redact(raw))})`;
  }
  return url;
}

/** Hide the password in a URL before it goes into a message or a log. */
function redact(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The file's shape once the schema (with defaults) has passed. */
interface RawConfig {
  station: { id: string; name: string; timezone: string; slug?: string; description?: string };
  mounts: { id: string; name: string; outputs: RawOutput[] }[];
  dsp_graph: { nodes: ({ type: string; id?: string } & Record<string, unknown>)[] };
  failover: {
    live_timeout_sec: number;
    automation_fallback_enabled: boolean;
    emergency_audio_path: string;
    fallback_playlist?: string;
  };
  crossfade: { duration_ms: number; curve: FadeCurve };
  loudness_target_lufs: number;
  preload_sec: number;
}

type RawOutput =
  | { type: "icecast"; url: string; format: AudioFormat; bitrate_kbps: number }
  | { type: "http"; path: string; format: AudioFormat; bitrate_kbps: number }
  | {
      type: "hls";
      path: string;
      segment_duration_sec: number;
      playlist_length: number;
      format: AudioFormat;
      bitrate_kbps: number;
    }
  | {
      type: "recording";
      path: string;
      rotation_days: number;
      file_minutes: number;
      format: AudioFormat;
      bitrate_kbps: number;
    };

function toOutput(raw: RawOutput): Output {
  switch (raw.type) {
    case "icecast":
      return { type: "icecast", url: raw.url, format: raw.format, bitrateKbps: raw.bitrate_kbps };
    case "http":
      return { type: "http", path: raw.path, format: raw.format, bitrateKbps: raw.bitrate_kbps };
    case "hls":
      return {
        type: "hls",
        path: raw.path,
        segmentDurationSec: raw.segment_duration_sec,
        playlistLength: raw.playlist_length,
        format: raw.format,
        bitrateKbps: raw.bitrate_kbps,
      };
    case "recording":
      return {
        type: "recording",
        path: raw.path,
        rotationDays: raw.rotation_days,
        fileMinutes: raw.file_minutes,
        format: raw.format,
        bitrateKbps: raw.bitrate_kbps,
      };
  }
}

function toStationConfig(
  raw: RawConfig,
  registry: DspNodeRegistry,
): Omit<StationConfig, keyof ProgrammingConfig> {
  const station: StationSettings = {
    id: raw.station.id,
    name: raw.station.name,
    timezone: raw.station.timezone,
  };
  if (raw.station.slug !== undefined) station.slug = raw.station.slug;
  if (raw.station.description !== undefined) station.description = raw.station.description;
  const failover: FailoverConfig = {
    liveTimeoutSec: raw.failover.live_timeout_sec,
    automationFallbackEnabled: raw.failover.automation_fallback_enabled,
    emergencyAudioPath: raw.failover.emergency_audio_path,
  };
  if (raw.failover.fallback_playlist !== undefined)
    failover.fallbackPlaylist = raw.failover.fallback_playlist;
  const priorities = Object.fromEntries(PRIORITY_NAMES.map((name, i) => [name, i])) as Record<
    PriorityName,
    Priority
  >;
  return {
    station,
    mounts: raw.mounts.map((mount) => ({
      id: mount.id,
      name: mount.name,
      outputs: mount.outputs.map(toOutput),
    })),
    dspGraph: {
      nodes: raw.dsp_graph.nodes.map((node, index) => ({
        id: node.id ?? generatedNodeId(node.type, index),
        type: node.type,
        params: registry.withDefaults({ type: node.type, params: nodeParams(node) }),
      })),
    },
    failover,
    priorities,
    crossfade: { durationMs: raw.crossfade.duration_ms, curve: raw.crossfade.curve },
    loudnessTargetLufs: raw.loudness_target_lufs,
    preloadSec: raw.preload_sec,
  };
}
