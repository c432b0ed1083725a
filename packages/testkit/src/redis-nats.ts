import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { freePort } from "./processes.js";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

const INSTALL_HINT = "run apt-get install -y redis-server nats-server";

/** A private server process on a loopback port, restartable on the same port and data. */
export interface TestServer {
  /** Client URL, e.g. `redis://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Stop the process (SIGTERM, then SIGKILL) and start it again on the same port. */
  restart(): Promise<void>;
  /** Stop the process and wait for it to exit; the server can be started again with `start`. */
  kill(): Promise<void>;
  /** Start a stopped server again on the same port and wait until it accepts connections. */
  start(): Promise<void>;
  /** The running process (for SIGSTOP-style tests). */
  readonly process: ChildProcess | undefined;
  /** Stop for good and remove temporary files. Idempotent. */
  stop(): Promise<void>;
}

/** Start `redis-server` on a free loopback port, without persistence. */
export async function startRedis(): Promise<TestServer> {
  const bin = findBinary("redis-server");
  const port = await freePort();
  return startServer("redis", port, `redis://127.0.0.1:${port}`, undefined, () =>
    spawn(
      bin,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    ),
  );
}

/** Start `nats-server` with JetStream on a free loopback port, storing in a private temp dir. */
export async function startNats(): Promise<TestServer> {
  const bin = findBinary("nats-server");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "grimnir-nats-"));
  return startServer("nats", port, `nats://127.0.0.1:${port}`, dir, () =>
    spawn(bin, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

/** Locate `name` on PATH or in the Debian system directories; throws with the install hint. */
export function findBinary(name: string): string {
  const dirs = [
    ...(process.env.PATH ?? "").split(delimiter),
    "/usr/sbin",
    "/usr/bin",
    "/usr/local/bin",
    "/sbin",
  ];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code !== "ENOENT" &&
        (error as NodeJS.ErrnoException).code !== "EACCES"
      ) {
        throw error;
      }
    }
  }
  throw new Error(`${name} not found on PATH or in /usr/sbin, /usr/bin: ${INSTALL_HINT}`);
}

async function startServer(
  label: string,
  port: number,
  url: string,
  dataDir: string | undefined,
  launch: () => ChildProcess,
): Promise<TestServer> {
  let child: ChildProcess | undefined;
  let output = "";
  let stopped = false;

  const start = async (): Promise<void> => {
    output = "";
    const proc = launch();
    child = proc;
    proc.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<string>((resolve) =>
      proc.once("exit", (code) => resolve(`exit ${code}`)),
    );
    const outcome = await Promise.race([
      waitForPort(port, 10_000, label).then(() => "listening"),
      exited,
    ]);
    if (outcome !== "listening") {
      throw new Error(`${label} stopped (${outcome}) before accepting connections:\n${output}`);
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGCONT");
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    port,
    get process() {
      return child;
    },
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`${label} did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
