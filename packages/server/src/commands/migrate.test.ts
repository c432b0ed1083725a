import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runMigrate } from "./migrate.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function capture(): { io: Parameters<typeof runMigrate>[2]; out: () => string; err: () => string } {
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

describe("grimnir migrate", () => {
  it("lists pending migrations, applies them once, then reports the schema up to date", async () => {
    const dir = mkdtempSync(join(tmpdir(), "grimnir-migrate-"));
    dirs.push(dir);
    const url = `sqlite:${join(dir, "g.db")}`;
    const status = capture();
    expect(await runMigrate(url, { status: true }, status.io)).toBe(0);
    expect(status.out()).toMatch(/^0001 .*: pending$/m);
    const first = capture();
    expect(await runMigrate(url, {}, first.io)).toBe(0);
    expect(first.out()).toMatch(/applied \d+ migration\(s\): 1/);
    const second = capture();
    expect(await runMigrate(url, {}, second.io)).toBe(0);
    expect(second.out()).toMatch(/schema is up to date/);
    expect(second.out()).not.toMatch(/pending/);
  });

  it("refuses an unreachable PostgreSQL with a one-line reason and exit 1", async () => {
    const c = capture();
    expect(await runMigrate("postgres://nobody@127.0.0.1:1/none", {}, c.io)).toBe(1);
    expect(c.err()).toMatch(/^grimnir migrate: /);
    expect(c.err().trim().split("\n")).toHaveLength(1);
  });
});
