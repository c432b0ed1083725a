import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runPlan } from "./plan.js";

const demo = (file: string): string =>
  fileURLToPath(new URL(`../../../../examples/demo-station/${file}`, import.meta.url));

function capture(): { io: Parameters<typeof runPlan>[1]; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
    },
    out: () => out,
    err: () => err,
  };
}

describe("grimnir plan", () => {
  it("plans the demo station from its YAML and library, with the hard ID exactly at the top of the hour", async () => {
    const c = capture();
    const code = await runPlan(
      {
        input: demo("station.yaml"),
        library: demo("library.json"),
        from: "2026-11-25T10:00:00-05:00",
        hours: 2,
        json: true,
      },
      c.io,
    );
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    const plan = JSON.parse(c.out()) as { entries: { startsAt: number; mediaId?: string }[] };
    const topOfHour = Date.parse("2026-11-25T11:00:00-05:00");
    expect(plan.entries.some((e) => e.startsAt === topOfHour && e.mediaId === "jingle-001")).toBe(
      true,
    );
    expect(plan.entries[0]!.startsAt).toBe(Date.parse("2026-11-25T10:00:00-05:00"));
  });

  it("prints the same JSON twice for the same inputs", async () => {
    const runs = await Promise.all(
      [1, 2].map(async () => {
        const c = capture();
        await runPlan(
          {
            input: demo("station.yaml"),
            library: demo("library.json"),
            from: 1_795_000_000_000,
            hours: 3,
            json: true,
          },
          c.io,
        );
        return c.out();
      }),
    );
    expect(runs[0]).toBe(runs[1]);
  });

  it("asks for the library when planning from YAML, and exits 2", async () => {
    const c = capture();
    expect(await runPlan({ input: demo("station.yaml"), from: 0 }, c.io)).toBe(2);
    expect(c.err()).toMatch(/needs --library FILE/);
  });

  it("reports configuration problems as file:line:col lines", async () => {
    const c = capture();
    const code = await runPlan(
      {
        input: fileURLToPath(new URL("../../test/fixtures/bad-station.yaml", import.meta.url)),
        library: demo("library.json"),
        from: 0,
      },
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err()).toMatch(/bad-station\.yaml:3:\d+: /);
  });
});
