import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Fail (never skip) when a binary a test needs is missing, naming the
 * `aptLine` that installs it. Binaries are looked up on PATH and in /usr/sbin.
 */
export function requireBinaries(aptLine: string, ...names: string[]): void {
  for (const name of names) {
    const found =
      spawnSync("sh", ["-c", `command -v ${name} || test -x /usr/sbin/${name}`]).status === 0;
    if (!found) throw new Error(`${name} is not installed; install it with:\n  ${aptLine}`);
  }
}

/** A free TCP port on 127.0.0.1 (released before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A temporary directory and how to remove it. */
export interface TempDir {
  /** Absolute path of the directory. */
  dir: string;
  /** Delete the directory and everything in it. */
  remove: () => void;
}

/** A world-writable temp dir (servers may drop privileges) and its cleanup. */
export function tempDir(prefix: string): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Poll `check` every `intervalMs` (default 50) until it returns something other
 * than undefined/false, or reject after `timeoutMs` naming `what` was awaited.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
