import type { AuditEntry, AuditPort } from "./ports.js";

/** An {@link AuditPort} keeping the most recent entries in memory (for tests and small embeds). */
export class MemoryAuditLog implements AuditPort {
  readonly #entries: AuditEntry[] = [];
  readonly #capacity: number;

  /**
   * An empty log.
   * @param capacity entries kept; older ones are dropped first (default 10,000)
   */
  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Append an entry, dropping the oldest beyond capacity. */
  record(entry: AuditEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries.shift();
  }

  /** Entries in the order they were recorded (a copy). */
  entries(): AuditEntry[] {
    return [...this.#entries];
  }
}
