import { describe, expect, it } from "vitest";
import { TokenBuckets } from "./rate-limit.js";

describe("TokenBuckets", () => {
  it("allows a burst of capacity, then asks to wait until a token refills", () => {
    let now = 0;
    const buckets = new TokenBuckets({ capacity: 3, refillPerSec: 0.5 }, () => now);
    expect([buckets.take("ip"), buckets.take("ip"), buckets.take("ip")]).toEqual([0, 0, 0]);
    expect(buckets.take("ip")).toBe(2);
    expect(buckets.take("other")).toBe(0);
    now += 2000;
    expect(buckets.take("ip")).toBe(0);
  });
});
