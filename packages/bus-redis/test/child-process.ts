/** Run a test script (TypeScript, workspace sources) as a real child process and read its JSON lines. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { waitFor } from "@grimnir/core/testing";

const here = dirname(fileURLToPath(import.meta.url));

/** Bundle `test/<name>.ts` into a runnable .mjs next to the package's node_modules (so ioredis/nats resolve). */
export async function bundleChild(name: string): Promise<string> {
  const outdir = join(here, "..", "node_modules", ".cache", "grimnir-bus-redis");
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `${name}.mjs`);
  await build({
    entryPoints: [join(here, `${name}.ts`)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    external: ["ioredis", "nats"],
    logLevel: "silent",
    banner: {
      js: "import { createRequire as __grimnirRequire } from 'node:module'; const require = __grimnirRequire(import.meta.url);",
    },
  });
  return outfile;
}

/** A line the child printed, parsed from JSON. */
export type ChildLine = Record<string, unknown> & { event: string };

/** A child process speaking one JSON object per stdout line. */
export class JsonLinesChild {
  readonly lines: ChildLine[] = [];
  readonly process: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = "";
  #buffer = "";

  constructor(script: string, args: string[]) {
    this.process = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    this.process.stderr.on("data", (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.process.stdout.on("data", (chunk: Buffer) => {
      this.#buffer += chunk.toString();
      const lines = this.#buffer.split("\n");
      this.#buffer = lines.pop() ?? "";
      for (const line of lines)
        if (line.trim() !== "") this.lines.push(JSON.parse(line) as ChildLine);
    });
    this.exited = new Promise((resolve) =>
      this.process.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** What the child wrote on stderr so far (for failure messages). */
  get stderr(): string {
    return this.#stderr;
  }

  /** Wait for a line matching `predicate` among those from index `from` on; fails early if the child exits. */
  async waitForLine(
    predicate: (line: ChildLine) => boolean,
    timeoutMs: number,
    what: string,
    from = 0,
  ): Promise<ChildLine> {
    let found: ChildLine | undefined;
    await waitFor(
      () => {
        found = this.lines.slice(from).find(predicate);
        if (found === undefined && this.process.exitCode !== null) {
          throw new Error(
            `child exited (${this.process.exitCode}) before ${what}: ${this.#stderr}`,
          );
        }
        return found !== undefined;
      },
      timeoutMs,
      10,
      `${what} (stderr: ${this.#stderr.slice(-500)})`,
    );
    return found!;
  }

  /** Write one line to the child's stdin. */
  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  /** Stop the child (SIGCONT first, so a stopped child can die) and wait for its exit. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGCONT");
    this.process.kill("SIGTERM");
    const timer = setTimeout(() => this.process.kill("SIGKILL"), 3000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Print one JSON line on stdout (child side). */
export function say(line: ChildLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
