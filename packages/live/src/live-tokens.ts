import {
  GrimnirError,
  isGrimnirError,
  type LiveToken,
  type Store,
  type TimeSource,
} from "@grimnir/core";
import {
  constantTimeEqual,
  generateLiveToken,
  hashLiveToken,
  type LiveTokenEncoding,
} from "./credentials.js";

/** What an accepted credential lets a source do: go live on one station's mount. */
export interface LiveGrant {
  /** The live token record the grant came from; absent for per-DJ credentials. */
  tokenId?: string;
  stationId: string;
  mountId: string;
  /** The DJ. */
  userId: string;
  /** Tier the session plays at: 1 live override or 2 live scheduled. */
  priority: 1 | 2;
}

/** A freshly generated live token; `token` is shown once and never stored. */
export interface GeneratedLiveToken {
  /** The stored record id. */
  id: string;
  /** The secret: 32 random bytes, hex (default) or base64url. */
  token: string;
  /** Expiry, epoch ms. */
  expiresAt: number;
  mountId: string;
  userId: string;
  priority: 1 | 2;
}

/** Longest a live token may be valid, ms (7 days). */
export const MAX_LIVE_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Issuing and verifying one-time live tokens against the store. Only a
 * token's SHA-256 is stored and it is compared in constant time; a token is
 * used up with an optimistic version, so two racing uses cannot both win.
 * Every refusal is a `GrimnirError` (`UNAUTHORIZED` with `details.reason`
 * malformed, unknown, used or expired).
 */
export class LiveTokens {
  readonly #store: Store;
  readonly #time: TimeSource;
  readonly #encoding: LiveTokenEncoding;

  /** Tokens in `store`, expiring by `time`, written out in `encoding`. */
  constructor(store: Store, time: TimeSource, encoding: LiveTokenEncoding) {
    this.#store = store;
    this.#time = time;
    this.#encoding = encoding;
  }

  /**
   * A new token for `userId` on `mountId`, valid `ttlMs` (1 ms … 7 days).
   * Rejects with `VALIDATION` for a ttl or priority out of range.
   */
  async issue(
    stationId: string,
    request: { mountId: string; userId: string; priority: 1 | 2; ttlMs: number },
  ): Promise<GeneratedLiveToken> {
    if (!(request.ttlMs > 0 && request.ttlMs <= MAX_LIVE_TOKEN_TTL_MS)) {
      throw new GrimnirError(
        "VALIDATION",
        `ttlMs must be between 1 and ${MAX_LIVE_TOKEN_TTL_MS} ms`,
        { details: { field: "ttlMs" } },
      );
    }
    if (request.priority !== 1 && request.priority !== 2) {
      throw new GrimnirError(
        "VALIDATION",
        "priority must be 1 (live override) or 2 (live scheduled)",
        { details: { field: "priority" } },
      );
    }
    const token = generateLiveToken(this.#encoding);
    const expiresAt = this.#time.now() + request.ttlMs;
    const record = await this.#store.liveTokens.create({
      stationId,
      mountId: request.mountId,
      userId: request.userId,
      tokenHash: hashLiveToken(token),
      expiresAt,
      priority: request.priority,
    });
    return {
      id: record.id,
      token,
      expiresAt,
      mountId: record.mountId,
      userId: record.userId,
      priority: record.priority,
    };
  }

  /**
   * The stored record of `token`, used or not. Rejects with `UNAUTHORIZED`
   * ("malformed", or "unknown" also when it belongs to another station than `stationId`).
   */
  async find(token: string, stationId: string | undefined): Promise<LiveToken> {
    const hash = hashLiveToken(token);
    const record = await this.#store.liveTokens.findByHash(hash);
    if (
      record === undefined ||
      !constantTimeEqual(record.tokenHash, hash) ||
      (stationId !== undefined && record.stationId !== stationId)
    ) {
      throw unauthorized("unknown", "live token is not valid");
    }
    return record;
  }

  /** Throws `UNAUTHORIZED` ("used", "expired") unless `record` may still start a session. */
  assertUnused(record: LiveToken): void {
    if (record.usedAt !== undefined) throw unauthorized("used", "live token was already used");
    if (record.expiresAt <= this.#time.now()) {
      throw unauthorized("expired", "live token has expired");
    }
  }

  /** Mark `record` used; rejects with `UNAUTHORIZED` ("used") when a racing use won. */
  async use(record: LiveToken): Promise<void> {
    try {
      await this.#store.liveTokens.update({ ...record, usedAt: this.#time.now() });
    } catch (err) {
      if (isGrimnirError(err, "CONFLICT")) {
        throw unauthorized("used", "live token was already used");
      }
      throw err;
    }
  }
}

/** The grant a stored token gives. */
export function grantOf(record: LiveToken): LiveGrant {
  return {
    tokenId: record.id,
    stationId: record.stationId,
    mountId: record.mountId,
    userId: record.userId,
    priority: record.priority,
  };
}

function unauthorized(reason: string, message: string): GrimnirError {
  return new GrimnirError("UNAUTHORIZED", message, { details: { reason } });
}
