import { PRIORITY_NAMES } from "../priority.js";
import type { DspNodeRegistry } from "../dsp/registry.js";
import { pointerToPath } from "./json-schema.js";
import { programmingProblems } from "./programming-checks.js";
import type { ConfigProblem } from "./problems.js";
import type { Locator } from "./yaml-locator.js";

/**
 * What the JSON Schema cannot check in a station file: time zones, Icecast URLs,
 * DSP node types and parameters, the fixed priority ladder, and the programming
 * sections; each problem located in the YAML.
 */
export function semanticProblems(
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
export function generatedNodeId(type: string, index: number): string {
  return `${type}-${index + 1}`;
}

/** A DSP node's parameters: its YAML fields other than `type` and `id`. */
export function nodeParams(node: Record<string, unknown>): Record<string, unknown> {
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
