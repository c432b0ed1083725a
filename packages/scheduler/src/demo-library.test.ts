import { describe, expect, it } from "vitest";
import { Prng, deriveSeed, generateDemoLibrary } from "./index.js";

describe("generateDemoLibrary", () => {
  it("is deterministic and realistic: 2.5–6 min tracks, new-tagged share, jingles and IDs", () => {
    const a = generateDemoLibrary(500, 11, { artists: 50 });
    expect(JSON.stringify(generateDemoLibrary(500, 11, { artists: 50 }))).toBe(JSON.stringify(a));
    const music = a.filter((m) => m.tags.includes("music"));
    expect(music).toHaveLength(500);
    for (const m of music) {
      expect(m.durationMs).toBeGreaterThanOrEqual(150_000);
      expect(m.durationMs).toBeLessThanOrEqual(360_000);
      expect(m.cueOutMs).toBeGreaterThan(m.cueInMs);
    }
    expect(new Set(music.map((m) => m.artist)).size).toBeLessThanOrEqual(50);
    const share = music.filter((m) => m.tags.includes("new")).length / music.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.3);
    expect(a.some((m) => m.tags.includes("id"))).toBe(true);
    expect(JSON.stringify(generateDemoLibrary(500, 12, { artists: 50 }))).not.toBe(
      JSON.stringify(a),
    );
  });
});

describe("Prng", () => {
  it("repeats its sequence for a seed and stays in [0, 1)", () => {
    const a = new Prng(deriveSeed(5, "x"));
    const b = new Prng(deriveSeed(5, "x"));
    for (let i = 0; i < 1000; i++) {
      const v = a.next();
      expect(v).toBe(b.next());
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    expect(deriveSeed(5, "x")).not.toBe(deriveSeed(5, "y"));
  });
});
