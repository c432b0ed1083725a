import { describe, expect, it } from "vitest";
import type { Topic } from "@grimnir/core";
import { Outbox } from "./outbox.js";
import { backoffDelay } from "./delivery.js";

interface Item {
  topic: Topic;
  n: number;
}

const item = (topic: Topic, n: number): Item => ({ topic, n });

function drain(outbox: Outbox<Item>): string[] {
  const out: string[] = [];
  for (let i = outbox.shift(); i !== undefined; i = outbox.shift()) out.push(`${i.topic}:${i.n}`);
  return out;
}

describe("Outbox", () => {
  it("gives items back in publish order across telemetry and other topics", () => {
    const outbox = new Outbox<Item>(10);
    outbox.push(item("metrics", 1));
    outbox.push(item("now_playing", 2));
    outbox.push(item("buffer_health", 3));
    outbox.push(item("dj.connect", 4));
    expect(outbox.size).toBe(4);
    expect(drain(outbox)).toEqual([
      "metrics:1",
      "now_playing:2",
      "buffer_health:3",
      "dj.connect:4",
    ]);
    expect(outbox.dropped).toBe(0);
  });

  it("drops the oldest telemetry first when full", () => {
    const outbox = new Outbox<Item>(3);
    outbox.push(item("now_playing", 1));
    outbox.push(item("metrics", 2));
    outbox.push(item("buffer_health", 3));
    expect(outbox.push(item("now_playing", 4))).toEqual(item("metrics", 2));
    expect(outbox.push(item("source_failure", 5))).toEqual(item("buffer_health", 3));
    expect(outbox.dropped).toBe(2);
    expect(drain(outbox)).toEqual(["now_playing:1", "now_playing:4", "source_failure:5"]);
  });

  it("drops the oldest event of any topic once no telemetry is left", () => {
    const outbox = new Outbox<Item>(2);
    outbox.push(item("now_playing", 1));
    outbox.push(item("dj.connect", 2));
    expect(outbox.push(item("dj.disconnect", 3))).toEqual(item("now_playing", 1));
    expect(outbox.dropped).toBe(1);
    expect(drain(outbox)).toEqual(["dj.connect:2", "dj.disconnect:3"]);
  });

  it("drops a new telemetry sample rather than an older non-telemetry event", () => {
    const outbox = new Outbox<Item>(2);
    outbox.push(item("now_playing", 1));
    outbox.push(item("priority.changed", 2));
    expect(outbox.push(item("metrics", 3))).toEqual(item("metrics", 3));
    expect(outbox.dropped).toBe(1);
    expect(drain(outbox)).toEqual(["now_playing:1", "priority.changed:2"]);
  });

  it("never grows past capacity under a flood and counts every drop", () => {
    const outbox = new Outbox<Item>(100);
    for (let n = 0; n < 10_000; n++) outbox.push(item(n % 10 === 0 ? "now_playing" : "metrics", n));
    expect(outbox.size).toBe(100);
    expect(outbox.dropped).toBe(9_900);
    const kept = drain(outbox);
    // All 1000 now_playing events cannot fit; telemetry went first, so only now_playing remain.
    expect(kept.every((k) => k.startsWith("now_playing:"))).toBe(true);
    expect(kept.at(-1)).toBe("now_playing:9990");
  });

  it("puts a failed batch back in front of events queued meanwhile", () => {
    const outbox = new Outbox<Item>(10);
    outbox.push(item("now_playing", 1));
    outbox.push(item("metrics", 2));
    const taken = [outbox.shift()!, outbox.shift()!];
    outbox.push(item("dj.connect", 3));
    outbox.putBack(taken);
    expect(drain(outbox)).toEqual(["now_playing:1", "metrics:2", "dj.connect:3"]);
  });

  it("drops everything with capacity 0 and refuses a negative capacity", () => {
    const outbox = new Outbox<Item>(0);
    outbox.push(item("now_playing", 1));
    expect(outbox.size).toBe(0);
    expect(outbox.dropped).toBe(1);
    expect(() => new Outbox<Item>(-1)).toThrow(RangeError);
  });
});

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap, with half of it jittered", () => {
    const opts = { initialDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
  });
});
