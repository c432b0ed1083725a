/** Kill-9 durability check shared by the SQLite and PostgreSQL tests. */
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** Bundle the child (TypeScript, workspace sources) into a runnable .mjs next to the package's node_modules. */
async function bundleChild(): Promise<string> {
  const outdir = join(here, "..", "node_modules", ".cache", "grimnir-store-pg");
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "durability-child.mjs");
  await build({
    entryPoints: [join(here, "durability-child.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    external: ["pg", "better-sqlite3"],
    logLevel: "silent",
    // Bundled CommonJS dependencies (yaml) call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __grimnirRequire } from 'node:module'; const require = __grimnirRequire(import.meta.url);",
    },
  });
  return outfile;
}

/**
 * Run the child against `url`, SIGKILL it once it has acknowledged `acks`
 * writes, and resolve to the acknowledged ids.
 */
export async function killMidBurst(
  url: string,
  stationId: string,
  acks: number,
): Promise<string[]> {
  const script = await bundleChild();
  const child = spawn(process.execPath, [script, url, stationId], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acked: string[] = [];
  let buffer = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("ack ")) acked.push(line.slice(4));
      if (acked.length >= acks && child.exitCode === null && !child.killed) child.kill("SIGKILL");
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`durability child exited with ${code}: ${stderr}`));
    });
  });
  return acked;
}
