import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createCli, serverVersion } from "../index.js";
import { runValidate } from "./validate.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const WGMR = relative(process.cwd(), join(ROOT, "examples/stations/wgmr.yaml"));
const DEMO = relative(process.cwd(), join(ROOT, "examples/stations/demo.yaml"));

function capture(): {
  io: { stdout: { write(t: string): void }; stderr: { write(t: string): void } };
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (t) => void out.push(t) }, stderr: { write: (t) => void err.push(t) } },
    out,
    err,
  };
}

function writeTemp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "grimnir-validate-")), name);
  writeFileSync(file, text);
  return file;
}

describe("runValidate", () => {
  it("summarizes the brief's example in one line and exits 0", async () => {
    const { io, out, err } = capture();
    expect(await runValidate([WGMR], io)).toBe(0);
    expect(out.join("")).toBe(
      `${WGMR}: valid (station "WGMR FM", 1 mount, 3 outputs, 4 DSP nodes)\n`,
    );
    expect(err).toEqual([]);
  });

  it("prints one line per valid file", async () => {
    const { io, out } = capture();
    expect(await runValidate([WGMR, DEMO], io)).toBe(0);
    expect(out.join("").split("\n")[1]).toBe(
      `${DEMO}: valid (station "Grimnir Demo Radio", 1 mount, 1 output, 2 DSP nodes)`,
    );
  });

  it("prints every problem as file:line:col to stderr and exits 1", async () => {
    const bad = writeTemp(
      "bad.yaml",
      "station:\n  id: x\n  name: X\n  timezone: Nowhere/Town\nmounts: []\nfailover:\n  emergency_audio_path: e.mp3\n",
    );
    const { io, out, err } = capture();
    expect(await runValidate([bad], io)).toBe(1);
    expect(out).toEqual([]);
    expect(err.join("")).toBe(
      `${bad}:4:13: station.timezone must be an IANA time zone name such as "America/New_York" (got "Nowhere/Town")\n` +
        `${bad}:5:9: mounts must have at least 1 item (got 0)\n`,
    );
  });

  it("reports a missing file clearly, still checks the others, and exits 1", async () => {
    const { io, out, err } = capture();
    expect(await runValidate(["does/not/exist.yaml", WGMR], io)).toBe(1);
    expect(err.join("")).toBe(
      'grimnir: cannot read station configuration "does/not/exist.yaml": no such file\n',
    );
    expect(out).toHaveLength(1);
  });
});

describe("createCli", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("runs validate and sets the exit code", async () => {
    const { io, out } = capture();
    await createCli(io).parseAsync(["validate", WGMR], { from: "user" });
    expect(process.exitCode).toBe(0);
    expect(out.join("")).toContain("valid (station");
  });

  it("prints the package version", async () => {
    const { io, out } = capture();
    const program = createCli(io).exitOverride();
    await expect(program.parseAsync(["--version"], { from: "user" })).rejects.toMatchObject({
      code: "commander.version",
    });
    expect(out.join("")).toBe(`${serverVersion()}\n`);
    expect(serverVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
