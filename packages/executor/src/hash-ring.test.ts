import { describe, expect, it } from "vitest";
import { crc32 } from "./crc32.js";
import { HashRing, ringChurn } from "./hash-ring.js";

const stations = Array.from({ length: 3000 }, (_, i) => `station-${i}`);

describe("crc32", () => {
  it("matches the IEEE CRC-32 check values", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
    expect(crc32("The quick brown fox jumps over the lazy dog")).toBe(0x414fa339);
    expect(crc32(new TextEncoder().encode("grimnir"))).toBe(crc32("grimnir"));
  });
});

describe("HashRing", () => {
  it("places 500 virtual nodes per member and owns nothing when empty", () => {
    expect(new HashRing(["a", "b"]).size).toBe(1000);
    expect(new HashRing().owner("x")).toBeUndefined();
    expect(() => new HashRing([], { virtualNodes: 0 })).toThrow(RangeError);
  });

  it("assigns the same owner whatever order members were added in", () => {
    const one = new HashRing(["node-a", "node-b", "node-c"]);
    const two = new HashRing(["node-c", "node-a"]);
    two.add("node-b");
    for (const id of stations) expect(two.owner(id)).toBe(one.owner(id));
  });

  it("spreads 3000 stations over 3 instances within 15% of an even share", () => {
    const ring = new HashRing(["node-a", "node-b", "node-c"]);
    const counts = new Map<string, number>();
    for (const owner of ring.assign(stations).values())
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(1000 * 0.85);
      expect(count).toBeLessThan(1000 * 1.15);
    }
  });

  it("moves only about a quarter of stations, all to the newcomer, when a fourth instance joins", () => {
    const before = new HashRing(["node-a", "node-b", "node-c"]);
    const after = new HashRing(["node-a", "node-b", "node-c", "node-d"]);
    const churn = ringChurn(before, after, stations);
    expect(churn).toBeGreaterThan(0.18);
    expect(churn).toBeLessThan(0.32);
    for (const id of stations) {
      if (before.owner(id) !== after.owner(id)) expect(after.owner(id)).toBe("node-d");
    }
  });

  it("moves only the leaving instance's stations when one leaves", () => {
    const before = new HashRing(["node-a", "node-b", "node-c"]);
    const after = new HashRing(["node-a", "node-b", "node-c"]);
    expect(after.remove("node-b")).toBe(true);
    expect(after.remove("node-b")).toBe(false);
    const churn = ringChurn(before, after, stations);
    const share = stations.filter((id) => before.owner(id) === "node-b").length / stations.length;
    expect(churn).toBeCloseTo(share, 10);
    for (const id of stations) {
      if (before.owner(id) !== "node-b") expect(after.owner(id)).toBe(before.owner(id));
    }
  });

  it("reports whether setMembers changed anything", () => {
    const ring = new HashRing(["a", "b"]);
    expect(ring.setMembers(["b", "a"])).toBe(false);
    expect(ring.setMembers(["a"])).toBe(true);
    expect(ring.members).toEqual(["a"]);
  });
});
