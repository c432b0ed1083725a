import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { MediaEngine, Store } from "@grimnir/core";
import type { StationEvent } from "@grimnir/engine";
import { StationExecutor, type ExecutorEvent, type ExecutorLogger, type StationExecutorOptions } from "../src/index.js";
import {
  firstRun,
  listen,
  longestSilence,
  makeTone,
  requireBinaries,
  sleep,
  startIcecast,
  startOnAirStation,
  switchableStore,
  tempDir,
  toneLevels,
  toneRuns,
  toneTimeline,
  waitFor,
  type Icecast,
  type OnAirStation,
} from "./on-air-helpers.js";

/** Decoded listener audio is analysed in 10 ms windows. */
const WINDOW_MS = 10;

/** A logger that keeps what it was told, printed when an assertion needs context. */
function recordingLogger(): ExecutorLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (): string => new Date().toISOString().slice(17, 23);
  return {
    lines,
    warn: (message, context) => lines.push(`${at()} warn ${message} ${JSON.stringify(context ?? {})}`),
    error: (message, context) => lines.push(`${at()} error ${message} ${JSON.stringify(context ?? {})}`),
  };
}

/** An engine call the executor made: method, item, requested start, wall times sent and answered (epoch ms). */
interface EngineCall {
  method: string;
  itemId?: string;
  atMs?: number;
  sentAt: number;
  answeredAt?: number;
  error?: string;
}

/** `engine` with every call recorded into `calls`. */
function recordCalls(engine: MediaEngine, calls: EngineCall[]): MediaEngine {
  return new Proxy(engine, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const request = args[1] as { itemId?: string; atMs?: number } | undefined;
        const call: EngineCall = { method: String(prop), sentAt: Date.now() };
        if (typeof request === "object" && request !== null && "itemId" in request) {
          call.itemId = request.itemId;
          if (request.atMs !== undefined) call.atMs = request.atMs;
        }
        if (prop !== "status") calls.push(call);
        const result = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        return result.then(
          (v) => {
            call.answeredAt = Date.now();
            return v;
          },
          (error: unknown) => {
            call.answeredAt = Date.now();
            call.error = String(error);
            throw error;
          },
        );
      };
    },
  });
}

describe("on air end to end: StationExecutor → real grimnir engine → icecast2 → ffmpeg listener", () => {
  let icecast: Icecast;
  let media: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    requireBinaries("gst-launch-1.0", "ffmpeg", "icecast2");
    media = tempDir("grimnir-executor-on-air-");
    icecast = await startIcecast();
  });

  afterAll(async () => {
    await icecast?.stop();
    media?.remove();
  });

  /** A fresh engine and mount for one test, closed when the test ends. */
  async function station(stationId: string, engineOptions: { telemetryMs?: number } = {}): Promise<OnAirStation> {
    const s = await startOnAirStation(stationId, icecast, media.dir, engineOptions);
    onTestFinished(() => s.close());
    return s;
  }

  /** An executor driving `s` through its EngineClient, tuned for short test items; stopped when the test ends. */
  function executorFor(
    s: OnAirStation,
    options: Partial<StationExecutorOptions> & { store?: Store } = {},
  ): { executor: StationExecutor; events: ExecutorEvent[]; logger: ReturnType<typeof recordingLogger>; calls: EngineCall[] } {
    const events: ExecutorEvent[] = [];
    const logger = recordingLogger();
    const calls: EngineCall[] = [];
    const executor = new StationExecutor({
      stationId: s.stationId,
      engine: recordCalls(s.client, calls),
      store: s.memoryStore,
      bus: s.bus,
      logger,
      tickMs: 100,
      // Preload waits for the decoder; a loaded 2-core machine needs more than the 400 ms default.
      engineTimeoutMs: 2000,
      storeTimeoutMs: 300,
      busTimeoutMs: 300,
      resumeCrossfadeMs: 400,
      onEvent: (e) => events.push(e),
      ...options,
    });
    onTestFinished(() => executor.stop());
    return { executor, events, logger, calls };
  }

  /** Engine events of the station (item_started with the engine-clock time of its first frame…), recorded until the test ends. */
  async function engineEvents(s: OnAirStation): Promise<StationEvent[]> {
    const events: StationEvent[] = [];
    const sub = await s.client.subscribe(s.stationId, { onEvent: (e) => events.push(e) });
    onTestFinished(() => sub.unsubscribe());
    return events;
  }

  it("plays the tone timeline in planned order, cutting and crossfading on the planned boundaries", async () => {
    const s = await station("order");
    const engine = await engineEvents(s);
    const listener = listen(s.mountUrl, 19);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const base = Date.now() + 2500;
    const [a, b, c] = await s.plan(
      [
        { id: "a", freq: 440, slotMs: 5000, fileMs: 6000, timing: "soft" },
        // Hard-timed with a cut: a is 6 s long and is cut at 5 s.
        { id: "b", freq: 660, slotMs: 5000, fileMs: 6000, timing: "hard" },
        // Soft with a 1 s crossfade from b, which has 1 s of audio past its slot.
        { id: "c", freq: 880, slotMs: 5000, fileMs: 6000, timing: "soft", fadeInMs: 1000 },
      ],
      base,
    );
    const { executor, logger, calls } = executorFor(s);
    await executor.start();
    const audio = await listener.done;
    await executor.stop();

    const timeline = toneTimeline(audio, [440, 660, 880]);
    const runs = toneRuns(timeline).filter((r) => r.tone !== "silence");
    const context = JSON.stringify({ runs, log: logger.lines, engine: engine.map((e) => ({ ...e, at: e.at - base })), calls: calls.map((c) => ({ ...c, sentAt: c.sentAt - base, answeredAt: (c.answeredAt ?? 0) - base, atMs: (c.atMs ?? base) - base })) });
    expect(runs.map((r) => r.tone), context).toEqual([440, 660, 880]);
    const iA = firstRun(timeline, 440);
    const iB = firstRun(timeline, 660, 5, iA);
    const iC = firstRun(timeline, 880, 5, iB);
    // b is hard-timed 5 s after a; c crosses over half-way through its 1 s crossfade, 5.5 s after b.
    const aToB = (iB - iA) * WINDOW_MS;
    const bToCrossover = (iC - iB) * WINDOW_MS;
    expect(aToB, context).toBeGreaterThanOrEqual(4700);
    expect(aToB, context).toBeLessThanOrEqual(5050);
    expect(Math.abs(bToCrossover - 5500), context).toBeLessThanOrEqual(60);
    // No dead air anywhere from a's start to the end of c's slot.
    expect(longestSilence(timeline, iA, iC + 400), context).toBe(0);
    // A cut: a and b overlap for at most a window or two; a crossfade: b and c are both clearly audible for most of 1 s.
    const l440 = toneLevels(audio, 440);
    const l660 = toneLevels(audio, 660);
    const l880 = toneLevels(audio, 880);
    const both = (x: number[], y: number[], from: number, to: number): number =>
      x.slice(from, to).filter((v, i) => v > 0.05 && y[from + i]! > 0.05).length * WINDOW_MS;
    const cutOverlapMs = both(l440, l660, iB - 100, iB + 100);
    const crossfadeOverlapMs = both(l660, l880, iC - 100, iC + 100);
    expect(cutOverlapMs, context).toBeLessThanOrEqual(20);
    expect(crossfadeOverlapMs, context).toBeGreaterThanOrEqual(600);
    expect(crossfadeOverlapMs, context).toBeLessThanOrEqual(1050);
    // The engine started the hard-timed item on the frame of its planned time, and the soft one at the end of b's slot.
    const startOf = (id: string): number | undefined => engine.find((e) => e.type === "item_started" && e.itemId === id)?.at;
    expect(Math.abs(startOf("b")! - b!.startsAt)).toBeLessThanOrEqual(5);
    expect(Math.abs(startOf("c")! - c!.startsAt)).toBeLessThanOrEqual(5);
    console.log(
      `[on-air] order: a→b ${aToB} ms (plan 5000), b→crossover ${bToCrossover} ms (plan 5500), cut overlap ${cutOverlapMs} ms, crossfade overlap ${crossfadeOverlapMs} ms, ` +
        `engine start error b ${(startOf("b")! - b!.startsAt).toFixed(1)} ms, c ${(startOf("c")! - c!.startsAt).toFixed(1)} ms, a started ${(startOf("a")! - a!.startsAt).toFixed(1)} ms after plan`,
    );
  });
});
