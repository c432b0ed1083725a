import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DspGraph, PlayRequest } from "@grimnir/core";
import { GrimnirError, Priority } from "@grimnir/core";
import type { OutputSpec } from "../engine/audio-engine.js";
import { EngineClient } from "./engine-client.js";

/** What the supervisor reports. */
export type SupervisorEvent =
  | { type: "started"; pid: number; at: number }
  | { type: "unhealthy"; reason: string; at: number }
  | {
      type: "restarted";
      pid: number;
      /** Why the engine was restarted, e.g. `engine exited (code null, signal SIGKILL)`. */
      reason: string;
      restarts: number;
      at: number;
      resumed: { stationId: string; itemId: string; positionMs: number }[];
    }
  | { type: "fatal"; reason: string; at: number };

/** {@link EngineSupervisor} options; intervals are configurable so tests can run fast. */
export interface SupervisorOptions {
  /** gRPC port the engine listens on (9091 by default). */
  port?: number;
  /** Command to run; `node <package>/dist/engine-main.js` by default. */
  command?: string;
  /** Arguments before `--port`; the engine script by default. */
  args?: string[];
  /** GetStatus period, ms (5000). */
  healthIntervalMs?: number;
  /** Restart when no GetStatus succeeded for this long, ms (15000). */
  heartbeatTimeoutMs?: number;
  /** At most this many restarts… (5) */
  maxRestarts?: number;
  /** …within this window, ms (300000); one more is fatal. */
  restartWindowMs?: number;
  /** How long a fresh engine may take to answer GetStatus, ms (15000). */
  startTimeoutMs?: number;
  /** Receives started / unhealthy / restarted / fatal events. */
  onEvent?: (event: SupervisorEvent) => void;
}

interface StationMemory {
  graph?: DspGraph;
  outputs?: OutputSpec[];
  plays: Map<string, PlayRequest>;
  /** Last seen current item and position, with the time it was seen (epoch ms). */
  current?: { itemId: string; positionMs: number; seenAt: number };
  /** The live input routed (and not ended by a Play since), re-routed after a restart. */
  live?: { inputUri: string; priority: Priority };
}

/** The built engine script next to this module (dist/engine-main.js). */
function defaultEngineScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [
    join(here, "engine-main.js"),
    join(here, "..", "..", "dist", "engine-main.js"),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(here, "engine-main.js");
}

/**
 * Runs `grimnir-engine` as a child process and keeps it alive: GetStatus
 * every `healthIntervalMs`, restart when the process exits or no heartbeat
 * came for `heartbeatTimeoutMs`, at most `maxRestarts` in `restartWindowMs`
 * (then a `fatal` event and no more restarts). After a restart it re-applies
 * every station's graph and outputs and resumes the current item at its last
 * known position, or routes the station's live input again when live was on. Use {@link EngineSupervisor.engine} as the `MediaEngine`
 * so it can remember what to re-apply.
 */
export class EngineSupervisor {
  readonly port: number;
  readonly #options: Required<Omit<SupervisorOptions, "onEvent" | "port">> & {
    onEvent: (e: SupervisorEvent) => void;
  };
  readonly #stations = new Map<string, StationMemory>();
  readonly #restarts: number[] = [];
  #child: ChildProcess | undefined;
  #client: EngineClient;
  #timer: NodeJS.Timeout | undefined;
  #lastOk = 0;
  #stopped = false;
  #restarting = false;
  #fatal = false;

  /** Configure; nothing runs until {@link EngineSupervisor.start}. */
  constructor(options: SupervisorOptions = {}) {
    this.port = options.port ?? 9091;
    this.#options = {
      command: options.command ?? process.execPath,
      args: options.args ?? [defaultEngineScript()],
      healthIntervalMs: options.healthIntervalMs ?? 5000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 15_000,
      maxRestarts: options.maxRestarts ?? 5,
      restartWindowMs: options.restartWindowMs ?? 300_000,
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
      onEvent: options.onEvent ?? (() => undefined),
    };
    this.#client = new EngineClient({
      address: `127.0.0.1:${this.port}`,
      deadlineMs: Math.min(5000, this.#options.heartbeatTimeoutMs),
    });
  }

  /** The client to use; calls through it are remembered for re-application after a restart. */
  get engine(): EngineClient {
    return this.#client;
  }

  /** Pid of the running engine. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Start the engine and wait until it answers GetStatus. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#spawn();
    this.#timer = setInterval(() => void this.#check(), this.#options.healthIntervalMs);
  }

  /** Remember and apply a station's graph. */
  async loadGraph(stationId: string, graph: DspGraph): Promise<void> {
    this.#memory(stationId).graph = graph;
    await this.#client.loadGraph(stationId, graph);
  }

  /** Remember and apply a station's outputs. */
  async configureOutputs(stationId: string, outputs: OutputSpec[]): Promise<void> {
    this.#memory(stationId).outputs = outputs;
    await this.#client.configureOutputs(stationId, outputs);
  }

  /** Remember and send a RouteLive (so the input is routed again after a crash). */
  async routeLive(
    stationId: string,
    options: { inputUri: string; priority: Priority; fadeInMs?: number },
  ): Promise<void> {
    this.#memory(stationId).live = { inputUri: options.inputUri, priority: options.priority };
    await this.#client.routeLive(stationId, options);
  }

  /** Remember and send a Play (so the item can be resumed after a crash); a Play ends live. */
  async play(stationId: string, request: PlayRequest): Promise<void> {
    const memory = this.#memory(stationId);
    memory.live = undefined;
    memory.plays.set(request.itemId, request);
    if (memory.plays.size > 50) memory.plays.delete(memory.plays.keys().next().value!);
    await this.#client.play(stationId, request);
  }

  /** Stop supervising and terminate the engine. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    const child = this.#child;
    this.#child = undefined;
    this.#client.close();
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await new Promise((r) => child.once("close", r));
      clearTimeout(killer);
    }
  }

  #memory(stationId: string): StationMemory {
    let memory = this.#stations.get(stationId);
    if (!memory) {
      memory = { plays: new Map() };
      this.#stations.set(stationId, memory);
    }
    return memory;
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      this.#options.command,
      [...this.#options.args, "--port", String(this.port)],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    this.#child = child;
    child.on("exit", (code, signal) => {
      if (this.#child !== child || this.#stopped) return;
      void this.#restart(`engine exited (code ${code}, signal ${signal})`);
    });
    const deadline = Date.now() + this.#options.startTimeoutMs;
    for (;;) {
      try {
        await this.#client.status();
        break;
      } catch (err) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new GrimnirError(
            "ENGINE_UNAVAILABLE",
            `engine did not answer GetStatus within ${this.#options.startTimeoutMs} ms`,
            { cause: err },
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.#lastOk = Date.now();
    this.#options.onEvent({ type: "started", pid: child.pid!, at: Date.now() });
  }

  async #check(): Promise<void> {
    if (this.#restarting || this.#stopped || this.#fatal) return;
    try {
      const status = await this.#client.fullStatus();
      this.#lastOk = Date.now();
      for (const s of status.stations) {
        const memory = this.#memory(s.stationId);
        if (s.liveInputUri !== undefined) {
          memory.live = {
            inputUri: s.liveInputUri,
            priority: memory.live?.priority ?? Priority.LiveOverride,
          };
        } else memory.live = undefined;
        if (s.currentItemId !== undefined && s.positionMs !== undefined) {
          this.#memory(s.stationId).current = {
            itemId: s.currentItemId,
            positionMs: s.positionMs,
            seenAt: this.#lastOk,
          };
        }
      }
    } catch (err) {
      const silentFor = Date.now() - this.#lastOk;
      this.#options.onEvent({ type: "unhealthy", reason: (err as Error).message, at: Date.now() });
      if (silentFor >= this.#options.heartbeatTimeoutMs)
        await this.#restart(`no heartbeat for ${silentFor} ms`);
    }
  }

  async #restart(reason: string): Promise<void> {
    if (this.#restarting || this.#stopped || this.#fatal) return;
    this.#restarting = true;
    const now = Date.now();
    while (this.#restarts.length > 0 && now - this.#restarts[0]! > this.#options.restartWindowMs)
      this.#restarts.shift();
    if (this.#restarts.length >= this.#options.maxRestarts) {
      this.#fatal = true;
      this.#restarting = false;
      clearInterval(this.#timer);
      this.#options.onEvent({
        type: "fatal",
        reason: `${reason}; ${this.#restarts.length} restarts within ${this.#options.restartWindowMs} ms already, giving up`,
        at: now,
      });
      return;
    }
    this.#restarts.push(now);
    const old = this.#child;
    this.#child = undefined;
    if (old && old.exitCode === null) old.kill("SIGKILL");
    try {
      await this.#spawn();
      const resumed = await this.#reapply();
      this.#options.onEvent({
        type: "restarted",
        pid: this.#child!.pid!,
        reason,
        restarts: this.#restarts.length,
        at: Date.now(),
        resumed,
      });
    } catch (err) {
      this.#options.onEvent({
        type: "unhealthy",
        reason: `restart failed: ${(err as Error).message}`,
        at: Date.now(),
      });
    } finally {
      this.#restarting = false;
    }
  }

  async #reapply(): Promise<{ stationId: string; itemId: string; positionMs: number }[]> {
    const resumed: { stationId: string; itemId: string; positionMs: number }[] = [];
    for (const [stationId, memory] of this.#stations) {
      if (memory.graph) await this.#client.loadGraph(stationId, memory.graph);
      if (memory.outputs) await this.#client.configureOutputs(stationId, memory.outputs);
      if (memory.live) {
        // Live was on air: route the input again rather than resuming the program item.
        await this.#client.routeLive(stationId, { ...memory.live, fadeInMs: 100 });
        continue;
      }
      const current = memory.current;
      const request = current ? memory.plays.get(current.itemId) : undefined;
      if (current && request) {
        // The item kept playing until the crash; estimate where it would be now.
        const positionMs = Math.max(0, current.positionMs + (Date.now() - current.seenAt));
        if (request.endMs === undefined || positionMs < request.endMs) {
          await this.#client.play(stationId, {
            ...request,
            startMs: positionMs,
            atMs: undefined,
            crossfadeMs: 0,
            fadeInMs: 100,
          });
          resumed.push({ stationId, itemId: current.itemId, positionMs });
        }
      }
    }
    return resumed;
  }
}
