/** A stored refresh token: only its SHA-256 is kept. */
export interface RefreshTokenRecord {
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  /** Login session the token belongs to; every rotation stays in the family. */
  familyId: string;
  userId: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
  /** Set when the token was exchanged; a second exchange is a reuse. */
  usedAt?: number;
}

/**
 * Storage of refresh tokens and their families. Implementations must make
 * {@link RefreshTokenStore.markUsed} atomic: of two concurrent calls for one
 * token, exactly one resolves true.
 */
export interface RefreshTokenStore {
  /** Keep a new token. */
  save(record: RefreshTokenRecord): Promise<void>;
  /** The token with this hash, used or not, or undefined. */
  find(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Mark the token used at `at`; false when it already was (reuse). */
  markUsed(tokenHash: string, at: number): Promise<boolean>;
  /** Revoke a family: its tokens are refused and its access tokens stop working. */
  revokeFamily(familyId: string): Promise<void>;
  /** True while the family has not been revoked. */
  isFamilyActive(familyId: string): Promise<boolean>;
}

/**
 * The in-process {@link RefreshTokenStore}: lost on restart (users log in
 * again). Expired tokens are dropped when the store is touched.
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly #tokens = new Map<string, RefreshTokenRecord>();
  readonly #revoked = new Set<string>();
  readonly #now: () => number;

  /**
   * An empty store.
   * @param now clock, epoch ms (default `Date.now`)
   */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Keep a new token, dropping expired ones. */
  async save(record: RefreshTokenRecord): Promise<void> {
    this.#sweep();
    this.#tokens.set(record.tokenHash, { ...record });
  }

  /** The record for `tokenHash`, or undefined. */
  async find(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const record = this.#tokens.get(tokenHash);
    return record === undefined ? undefined : { ...record };
  }

  /** Atomic within the process: the check and the write happen in one turn. */
  async markUsed(tokenHash: string, at: number): Promise<boolean> {
    const record = this.#tokens.get(tokenHash);
    if (record === undefined || record.usedAt !== undefined) return false;
    record.usedAt = at;
    return true;
  }

  /** Revoke the family and forget its tokens. */
  async revokeFamily(familyId: string): Promise<void> {
    this.#revoked.add(familyId);
    for (const [hash, record] of this.#tokens) {
      if (record.familyId === familyId) this.#tokens.delete(hash);
    }
  }

  /** False once {@link MemoryRefreshTokenStore.revokeFamily} ran for it. */
  async isFamilyActive(familyId: string): Promise<boolean> {
    return !this.#revoked.has(familyId);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [hash, record] of this.#tokens) {
      if (record.expiresAt <= now) this.#tokens.delete(hash);
    }
  }
}
