import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(ROOT, "packages/server/dist/cli.js");

/** Run the built `grimnir` binary from the repository root. */
function grimnir(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("grimnir CLI (built)", () => {
  beforeAll(() => {
    // The dist CLI imports @grimnir/core's dist, so both are built, core first.
    execFileSync("pnpm", ["--filter", "@grimnir/core", "build"], { cwd: ROOT, stdio: "pipe" });
    execFileSync("pnpm", ["--filter", "@grimnir/server", "build"], { cwd: ROOT, stdio: "pipe" });
  });

  it("keeps the shebang so the bin runs directly", () => {
    expect(readFileSync(CLI, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("prints the version from package.json", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "packages/server/package.json"), "utf8")) as {
      version: string;
    };
    const result = grimnir("--version");
    expect(result).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
  });

  it("validates the brief's example and exits 0", () => {
    expect(
      grimnir("validate", "examples/stations/wgmr.yaml", "examples/stations/demo.yaml"),
    ).toEqual({
      status: 0,
      stdout:
        'examples/stations/wgmr.yaml: valid (station "WGMR FM", 1 mount, 3 outputs, 4 DSP nodes)\n' +
        'examples/stations/demo.yaml: valid (station "Grimnir Demo Radio", 1 mount, 1 output, 2 DSP nodes)\n',
      stderr: "",
    });
  });

  it("prints file:line:col: message for each problem and exits 1", () => {
    const bad = join(mkdtempSync(join(tmpdir(), "grimnir-cli-")), "bad.yaml");
    const wgmr = readFileSync(join(ROOT, "examples/stations/wgmr.yaml"), "utf8");
    writeFileSync(
      bad,
      wgmr.replace("ratio: 3.0", "ratio: 40").replace("format: mp3", "format: wav"),
    );
    const result = grimnir("validate", bad);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `${bad}:13:17: mounts[0].outputs[0].format must be one of "mp3", "aac", "opus", "vorbis" (got "wav")\n` +
        `${bad}:36:14: dsp_graph.nodes[2].ratio must be <= 20 (got 40)\n`,
    );
  });

  it("reports a missing file and exits 1", () => {
    expect(grimnir("validate", "nope.yaml")).toEqual({
      status: 1,
      stdout: "",
      stderr: 'grimnir: cannot read station configuration "nope.yaml": no such file\n',
    });
  });

  it("exits 1 with usage help when no file is given", () => {
    const result = grimnir("validate");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("missing required argument 'file'");
  });
});
