/**
 * Starts a private PostgreSQL 15 for integration tests: `initdb` into a temp
 * dir, a free loopback port, trust auth, stopped (and deleted) by `stop()`.
 * Runs the server as the `postgres` user when the tests run as root, because
 * PostgreSQL refuses to run as root.
 */
import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort } from "./processes.js";

const run = promisify(execFile);

/** A running private PostgreSQL server. */
export interface PgTestServer {
  /** `postgres://grimnir@127.0.0.1:<port>/grimnir`. */
  url: string;
  port: number;
  /** Create a fresh empty database on this server and return its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stop the server immediately and delete its data directory. */
  stop(): Promise<void>;
}

/** Where the PostgreSQL binaries are; `PG_BIN` overrides. */
export function pgBinDir(): string {
  return process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
}

/** Start a private server. Throws (never skips) when PostgreSQL is not installed. */
export async function startPgTestServer(): Promise<PgTestServer> {
  const bin = pgBinDir();
  if (!existsSync(join(bin, "initdb")) || !existsSync(join(bin, "pg_ctl"))) {
    throw new Error(
      `PostgreSQL 15 binaries not found in ${bin}: run \`apt-get update && apt-get install -y postgresql\` (or set PG_BIN)`,
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "grimnir-pg-"));
  const data = join(dir, "data");
  if (asRoot) {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const as = (cmd: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args])
      : run(join(bin, cmd), args);

  await as("initdb", [
    "-D",
    data,
    "-U",
    "grimnir",
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C.UTF-8",
    "-N",
  ]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=100",
    "-c shared_buffers=32MB",
    // The server is never crashed in tests (only clients are killed), so skipping fsync
    // changes nothing a client can observe and keeps the suite fast on slow disks.
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
  ].join(" ");
  const log = join(dir, "server.log");
  try {
    await as("pg_ctl", ["-D", data, "-o", options, "-l", log, "-w", "-t", "30", "start"]);
  } catch (cause) {
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL failed to start on port ${port}:\n${text}`, { cause });
  }
  const base = `postgres://grimnir@127.0.0.1:${port}`;
  await as("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "grimnir", "grimnir"]);
  let stopped = false;
  return {
    url: `${base}/grimnir`,
    port,
    async createDatabase(name: string) {
      await as("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "grimnir", name]);
      return `${base}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
