import { describe, expect, it } from "vitest";
import {
  PRIORITY_NAMES,
  Priority,
  canPreempt,
  isPriority,
  priorityName,
  resolveOnAir,
} from "./priority.js";
import type { PrioritySource } from "./priority.js";

const src = (id: string, priority: Priority, activatedAt = 0): PrioritySource => ({
  id,
  priority,
  activatedAt,
});

describe("priority ladder", () => {
  it("numbers the tiers exactly as the brief", () => {
    expect(Priority).toEqual({
      Emergency: 0,
      LiveOverride: 1,
      LiveScheduled: 2,
      Automation: 3,
      Fallback: 4,
    });
    expect(PRIORITY_NAMES.map((_, i) => priorityName(i as Priority))).toEqual([
      "emergency",
      "live_override",
      "live_scheduled",
      "automation",
      "fallback",
    ]);
    expect(() => priorityName(5 as Priority)).toThrow(RangeError);
    expect(isPriority(2)).toBe(true);
    expect(isPriority(2.5)).toBe(false);
    expect(isPriority("1")).toBe(false);
  });

  it("lets anything take an empty air", () => {
    expect(canPreempt(undefined, src("fb", Priority.Fallback))).toBe(true);
  });

  it("lets a strictly higher tier preempt and never a lower one", () => {
    for (let current = 0; current <= 4; current++) {
      for (let candidate = 0; candidate <= 4; candidate++) {
        if (candidate === current) continue;
        expect(canPreempt(src("a", current as Priority), src("b", candidate as Priority, 1))).toBe(
          candidate < current,
        );
      }
    }
  });

  it("lets a newer emergency or override replace its own tier, but not scheduled tiers", () => {
    expect(canPreempt(src("e1", 0, 10), src("e2", 0, 20))).toBe(true);
    expect(canPreempt(src("e1", 0, 20), src("e2", 0, 10))).toBe(false);
    expect(canPreempt(src("dj1", 1, 10), src("dj2", 1, 20))).toBe(true);
    expect(canPreempt(src("show1", 2, 10), src("show2", 2, 20))).toBe(false);
    expect(canPreempt(src("auto", 3, 10), src("auto2", 3, 20))).toBe(false);
    expect(canPreempt(src("fb", 4, 10), src("fb2", 4, 20))).toBe(false);
    expect(canPreempt(src("e1", 0, 10), src("e1", 0, 20))).toBe(false);
  });

  it("resolves who is on air from any set of sources, independent of input order", () => {
    const sources = [
      src("auto", 3, 0),
      src("fb", 4, 0),
      src("show", 2, 50),
      src("dj-a", 1, 100),
      src("dj-b", 1, 200),
    ];
    expect(resolveOnAir(sources)?.id).toBe("dj-b");
    expect(resolveOnAir([...sources].reverse())?.id).toBe("dj-b");
    expect(resolveOnAir([...sources, src("eas", 0, 10)])?.id).toBe("eas");
    expect(resolveOnAir([src("show-a", 2, 10), src("show-b", 2, 5)])?.id).toBe("show-b");
    expect(resolveOnAir([])).toBeUndefined();
  });
});
