import { describe, expect, it } from "vitest";
import { ManualTimeSource, SystemTimeSource } from "./time.js";

describe("ManualTimeSource", () => {
  it("wakes sleepers in deadline order only when time passes their deadline", async () => {
    const time = new ManualTimeSource(1_000);
    const woke: string[] = [];
    void time.sleep(300).then(() => woke.push("b"));
    void time.sleep(100).then(() => woke.push("a"));
    void time.sleep(1_000).then(() => woke.push("c"));
    time.advance(99);
    await Promise.resolve();
    expect(woke).toEqual([]);
    time.advance(250);
    await new Promise((r) => setImmediate(r));
    expect(woke).toEqual(["a", "b"]);
    expect(time.now()).toBe(1_349);
    expect(() => time.set(0)).toThrow(/backwards/);
  });
});

describe("SystemTimeSource", () => {
  it("reads the wall clock", () => {
    const before = Date.now();
    const now = new SystemTimeSource().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
