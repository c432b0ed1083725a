/**
 * A small seeded pseudo-random generator (mulberry32). Same seed → same
 * sequence on every machine; never touches `Math.random`.
 */
export class Prng {
  #state: number;

  /**
   * Start a sequence.
   * @param seed any number; only its low 32 bits matter
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n) for n ≥ 1; 0 when n < 1. */
  int(n: number): number {
    return n < 1 ? 0 : Math.floor(this.next() * n);
  }

  /** Shuffle `items` in place (Fisher–Yates) and return it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * Derive an independent 32-bit seed from a base seed and a label (FNV-1a over
 * the label mixed with the seed), so each hour, slot or block gets its own
 * stream and a change in one place does not reshuffle everything after it.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // final avalanche so nearby labels give unrelated seeds
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}
