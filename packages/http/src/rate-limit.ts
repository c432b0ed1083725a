/** One token bucket's shape: `capacity` tokens, refilled at `refillPerSec`. */
export interface BucketLimit {
  /** Largest burst, requests. */
  capacity: number;
  /** Sustained rate, requests per second. */
  refillPerSec: number;
}

/** Rate-limit settings of {@link createApi}; each request spends one token from each bucket that applies. */
export interface RateLimitOptions {
  /** False turns rate limiting off (default true). */
  enabled?: boolean;
  /** Per client IP (default 600 burst, 300/s). */
  perIp?: BucketLimit;
  /** Per bearer token (default 300 burst, 100/s). */
  perToken?: BucketLimit;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets keyed by a string. Memory stays bounded: buckets that have
 * refilled completely are forgotten (they are indistinguishable from new ones).
 */
export class TokenBuckets {
  readonly #limit: BucketLimit;
  readonly #buckets = new Map<string, Bucket>();
  readonly #now: () => number;
  #sinceSweep = 0;

  constructor(limit: BucketLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#now = now;
  }

  /** Spend one token for `key`: 0 when allowed, otherwise the seconds to wait (≥ 1). */
  take(key: string): number {
    const now = this.#now();
    const { capacity, refillPerSec } = this.#limit;
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(
      capacity,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * refillPerSec,
    );
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    if (++this.#sinceSweep >= 10_000) this.#sweep(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSec));
  }

  #sweep(now: number): void {
    this.#sinceSweep = 0;
    const { capacity, refillPerSec } = this.#limit;
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) / 1000) * refillPerSec >= capacity)
        this.#buckets.delete(key);
    }
  }
}
