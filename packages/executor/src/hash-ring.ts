import { crc32 } from "./crc32.js";

/** Virtual nodes per member, as in the brief. */
export const DEFAULT_VIRTUAL_NODES = 500;

/** Options of {@link HashRing}. */
export interface HashRingOptions {
  /** Points each member gets on the ring (default {@link DEFAULT_VIRTUAL_NODES}). */
  virtualNodes?: number;
}

interface Point {
  hash: number;
  member: string;
}

/**
 * Consistent hashing of keys (station ids) onto members (executor instances):
 * CRC-32 of `"<member>#<i>"` for `i < virtualNodes` places each member's points;
 * a key belongs to the first point at or after CRC-32 of the key, wrapping around.
 *
 * Guarantees: the owner depends only on the member set (not on insertion order);
 * adding a member moves keys only to it; removing one moves only its keys.
 */
export class HashRing {
  readonly #virtualNodes: number;
  readonly #members = new Set<string>();
  #points: Point[] = [];

  /** A ring over `members` (default none). */
  constructor(members: Iterable<string> = [], options: HashRingOptions = {}) {
    this.#virtualNodes = options.virtualNodes ?? DEFAULT_VIRTUAL_NODES;
    if (!Number.isInteger(this.#virtualNodes) || this.#virtualNodes < 1) {
      throw new RangeError(`virtualNodes must be a positive integer, got ${this.#virtualNodes}`);
    }
    for (const member of members) this.#members.add(member);
    this.#rebuild();
  }

  /** Members on the ring, sorted. */
  get members(): string[] {
    return [...this.#members].sort();
  }

  /** Number of points on the ring (members × virtual nodes). */
  get size(): number {
    return this.#points.length;
  }

  /** Add a member; returns false when it was already there. */
  add(member: string): boolean {
    if (this.#members.has(member)) return false;
    this.#members.add(member);
    this.#rebuild();
    return true;
  }

  /** Remove a member; returns false when it was not there. */
  remove(member: string): boolean {
    if (!this.#members.delete(member)) return false;
    this.#rebuild();
    return true;
  }

  /** Replace the member set; returns true when it changed. */
  setMembers(members: Iterable<string>): boolean {
    const next = new Set(members);
    if (next.size === this.#members.size && [...next].every((m) => this.#members.has(m))) {
      return false;
    }
    this.#members.clear();
    for (const member of next) this.#members.add(member);
    this.#rebuild();
    return true;
  }

  /** The member that owns `key`, or undefined on an empty ring. */
  owner(key: string): string | undefined {
    const points = this.#points;
    if (points.length === 0) return undefined;
    const hash = crc32(key);
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]!.hash < hash) lo = mid + 1;
      else hi = mid;
    }
    return points[lo === points.length ? 0 : lo]!.member;
  }

  /** Owner of every key, as a map key → member (empty ring → empty map). */
  assign(keys: Iterable<string>): Map<string, string> {
    const result = new Map<string, string>();
    for (const key of keys) {
      const owner = this.owner(key);
      if (owner !== undefined) result.set(key, owner);
    }
    return result;
  }

  #rebuild(): void {
    const points: Point[] = [];
    for (const member of this.#members) {
      for (let i = 0; i < this.#virtualNodes; i++) {
        points.push({ hash: crc32(`${member}#${i}`), member });
      }
    }
    // Ties (CRC collisions) are broken by member name so the ring is order-independent.
    points.sort(
      (a, b) => a.hash - b.hash || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0),
    );
    this.#points = points;
  }
}

/**
 * Fraction of `keys` whose owner differs between two rings, 0..1 — the churn a
 * membership change causes.
 */
export function ringChurn(before: HashRing, after: HashRing, keys: readonly string[]): number {
  if (keys.length === 0) return 0;
  let moved = 0;
  for (const key of keys) if (before.owner(key) !== after.owner(key)) moved++;
  return moved / keys.length;
}
