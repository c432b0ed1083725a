import type { SmartBlock } from "@grimnir/core";
import type { Diagnostic } from "./types.js";
import { formatLocal } from "./zone.js";

/** `ms` as seconds with one decimal, for messages ("12.5"). */
export function formatSeconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toFixed(1);
}

/**
 * The builder's diagnostics: each distinct problem reported once (by key),
 * and relaxed rotation rules counted per local hour, block and rule set
 * instead of one diagnostic per pick.
 */
export class BuilderDiagnostics {
  readonly #zone: string;
  readonly #sink: Diagnostic[];
  readonly #reported = new Set<string>();
  readonly #relaxations = new Map<string, { diagnostic: Diagnostic; count: number }>();

  /** Appends to `sink`; `zone` (IANA) formats local times in messages. */
  constructor(zone: string, sink: Diagnostic[]) {
    this.#zone = zone;
    this.#sink = sink;
  }

  /** Append `diagnostic` unless one with the same `key` was already reported. */
  report(key: string, diagnostic: Diagnostic): void {
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.#sink.push(diagnostic);
  }

  /** Report a reference to something that does not exist, once per code and refs. */
  unknown(code: Diagnostic["code"], message: string, refs: Record<string, string>): void {
    this.report(`${code}:${JSON.stringify(refs)}`, { code, severity: "warning", message, refs });
  }

  /** Count one pick of `block` at `at` (epoch ms) that broke `rules`. */
  noteRelaxation(block: SmartBlock, rules: string[], at: number): void {
    const names = rules.length > 0 ? rules.join(", ") : "rotation";
    const key = `${Math.floor(at / 3_600_000)}|${block.id}|${names}`;
    const existing = this.#relaxations.get(key);
    if (existing) existing.count++;
    // formatted only once per key: zone formatting is the slow part
    else {
      this.#relaxations.set(key, {
        count: 1,
        diagnostic: {
          code: "rule_relaxed",
          severity: "warning",
          message: `smart block ${block.id} relaxed ${names} separation at ${formatLocal(at, this.#zone)}: the library has too few eligible items to keep every rotation rule (relaxation order: album, title, artist, track repeat)`,
          at,
          refs: { smartBlockId: block.id, rules: names },
        },
      });
    }
  }

  /** Diagnostics for relaxed rules, one per hour, block and rule set, with counts. */
  relaxationDiagnostics(): Diagnostic[] {
    return [...this.#relaxations.values()].map(({ diagnostic, count }) => ({
      ...diagnostic,
      message: `${diagnostic.message} (${count} pick${count === 1 ? "" : "s"} this hour)`,
    }));
  }
}
