import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SERVER_DIR = fileURLToPath(new URL("../", import.meta.url));

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Copy the built server (dist, public, package.json) to a private folder inside
 * the package, so another test rebuilding dist/ cannot pull files from under a
 * running server; `@grimnir/*` still resolve through the package's node_modules.
 */
export function snapshotBuiltServer(): { cli: string; remove: () => void } {
  const cli = join(SERVER_DIR, "dist/cli.js");
  if (!existsSync(cli) || !existsSync(join(SERVER_DIR, "../http/dist/index.js"))) {
    throw new Error("the built server is missing: run `pnpm build` first (scripts/test.sh does)");
  }
  if (statSync(cli).mtimeMs < statSync(join(SERVER_DIR, "src/serve/server.ts")).mtimeMs) {
    throw new Error("packages/server/dist is older than src/: run `pnpm build` first");
  }
  const dir = mkdtempSync(join(SERVER_DIR, ".test-snapshot-"));
  cpSync(join(SERVER_DIR, "dist"), join(dir, "dist"), { recursive: true });
  cpSync(join(SERVER_DIR, "public"), join(dir, "public"), { recursive: true });
  cpSync(join(SERVER_DIR, "package.json"), join(dir, "package.json"));
  return {
    cli: join(dir, "dist/cli.js"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A `grimnir serve` child process started by {@link startServe}. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  dataDir: string;
  adminPassword: string;
  /** Everything it printed so far. */
  output: () => string;
  /** Resolves with the exit code (or signal name) once it exited. */
  exited: Promise<number | string>;
  /** SIGTERM (then SIGKILL after 20 s) and remove the data dir. */
  stop: () => Promise<number | string>;
}

/** Start the built `grimnir serve` on free loopback ports with a temporary data dir. */
export async function startServe(cli: string, extraArgs: string[] = []): Promise<ServeProcess> {
  const [port, enginePort, streamPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), "grimnir-serve-"));
  const adminPassword = "test-password-123";
  const child = spawn(
    process.execPath,
    [
      cli,
      "serve",
      "--data",
      dataDir,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--engine-port",
      String(enginePort),
      "--stream-port",
      String(streamPort),
      ...extraArgs,
    ],
    {
      env: { ...process.env, GRIMNIR_ADMIN_PASSWORD: adminPassword },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const stop = async (): Promise<number | string> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const result = await exited;
    clearTimeout(killer);
    rmSync(dataDir, { recursive: true, force: true });
    return result;
  };
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    adminPassword,
    output: () => output,
    exited,
    stop,
  };
}

/** Poll `fn` every `everyMs` until it returns a value other than undefined, or fail after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? "" : `: ${String(lastError)}`}`,
  );
}

/** Listen to `url` with ffmpeg for `seconds` and return the mean volume it measured, dB. */
export function listenMeanVolume(
  url: string,
  seconds: number,
): Promise<{ meanDb: number; title?: string }> {
  return new Promise((resolve, reject) => {
    const ff = spawn(
      "ffmpeg",
      [
        "-hide_banner",
        "-nostdin",
        "-i",
        url,
        "-t",
        String(seconds),
        "-af",
        "volumedetect",
        "-f",
        "null",
        "-",
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    ff.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => ff.kill("SIGKILL"), (seconds + 15) * 1000);
    ff.on("error", reject);
    ff.on("close", (code) => {
      clearTimeout(timer);
      const mean = /mean_volume: (-?[\d.]+|-inf) dB/.exec(err);
      if (code !== 0 || mean === null) {
        reject(new Error(`ffmpeg exited ${code}: ${err.slice(-500)}`));
        return;
      }
      const title = /StreamTitle\s*: (.*)/.exec(err)?.[1]?.trim();
      resolve({
        meanDb: mean[1] === "-inf" ? -Infinity : Number(mean[1]),
        ...(title === undefined ? {} : { title }),
      });
    });
  });
}
