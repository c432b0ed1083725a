import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { MediaEngine, Store } from "@grimnir/core";
import type { StationEvent } from "@grimnir/engine";
import {
  StationExecutor,
  type ExecutorEvent,
  type ExecutorLogger,
  type StationExecutorOptions,
} from "../src/index.js";
import {
  firstRun,
  listen,
  longestSilence,
  makeTone,
  requireBinaries,
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
    warn: (message, context) =>
      lines.push(`${at()} warn ${message} ${JSON.stringify(context ?? {})}`),
    error: (message, context) =>
      lines.push(`${at()} error ${message} ${JSON.stringify(context ?? {})}`),
  };
}

/** An engine call the executor made: method, item, requested start, wall times sent and answered (epoch ms). */
interface EngineCall {
  method: string;
  itemId?: string;
  atMs?: number;
  startMs?: number;
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
        const request = args[1] as { itemId?: string; atMs?: number; startMs?: number } | undefined;
        const call: EngineCall = { method: String(prop), sentAt: Date.now() };
        if (typeof request === "object" && request !== null && "itemId" in request) {
          call.itemId = request.itemId;
          if (request.atMs !== undefined) call.atMs = request.atMs;
          if (request.startMs !== undefined) call.startMs = request.startMs;
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
  async function station(
    stationId: string,
    engineOptions: { telemetryMs?: number } = {},
  ): Promise<OnAirStation> {
    const s = await startOnAirStation(stationId, icecast, media.dir, engineOptions);
    onTestFinished(() => s.close());
    return s;
  }

  /** An executor driving `s` through its EngineClient, tuned for short test items; stopped when the test ends. */
  function executorFor(
    s: OnAirStation,
    options: Partial<StationExecutorOptions> & { store?: Store } = {},
  ): {
    executor: StationExecutor;
    events: ExecutorEvent[];
    logger: ReturnType<typeof recordingLogger>;
    calls: EngineCall[];
  } {
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

  /** Wall time (epoch ms) of decoded window `i`, given that window `anchor` was heard at `anchorAt`. */
  const wallOf = (i: number, anchor: number, anchorAt: number): number =>
    anchorAt + (i - anchor) * WINDOW_MS;

  it("plays the tone timeline in planned order, cutting and crossfading on the planned boundaries", async () => {
    const s = await station("order");
    const engine = await engineEvents(s);
    const listener = listen(s.mountUrl, 19);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const base = Date.now() + 2500;
    const [, b, c] = await s.plan(
      [
        { id: "a", freq: 440, slotMs: 5000, fileMs: 6000, timing: "soft" },
        // A cut: a's file is 6 s long and is cut at the end of its 5 s slot.
        { id: "b", freq: 660, slotMs: 5000, fileMs: 6000, timing: "soft" },
        // A 1 s crossfade from b, which has 1 s of audio past its slot.
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
    const context = debugContext(base, { runs, logger, engine, calls });
    expect(
      runs.map((r) => r.tone),
      context,
    ).toEqual([440, 660, 880]);
    const iA = firstRun(timeline, 440);
    const iB = firstRun(timeline, 660, 5, iA);
    const iC = firstRun(timeline, 880, 5, iB);
    // b follows 5 s after a; c crosses over half-way through its 1 s crossfade, 5.5 s after b.
    const aToB = (iB - iA) * WINDOW_MS;
    const bToCrossover = (iC - iB) * WINDOW_MS;
    expect(Math.abs(aToB - 5000), context).toBeLessThanOrEqual(60);
    expect(Math.abs(bToCrossover - 5500), context).toBeLessThanOrEqual(60);
    // No dead air anywhere from a's start to the end of c's slot.
    expect(longestSilence(timeline, iA, iC + 400), context).toBe(0);
    // A cut: a and b overlap only for the 40 ms of the analysis window; a crossfade: b and c are both clearly audible for most of 1 s.
    const l440 = toneLevels(audio, 440);
    const l660 = toneLevels(audio, 660);
    const l880 = toneLevels(audio, 880);
    const both = (x: number[], y: number[], from: number, to: number): number =>
      x.slice(from, to).filter((v, i) => v > 0.05 && y[from + i]! > 0.05).length * WINDOW_MS;
    const cutOverlapMs = both(l440, l660, iB - 100, iB + 100);
    const crossfadeOverlapMs = both(l660, l880, iC - 100, iC + 100);
    expect(cutOverlapMs, context).toBeLessThanOrEqual(50);
    expect(crossfadeOverlapMs, context).toBeGreaterThanOrEqual(600);
    expect(crossfadeOverlapMs, context).toBeLessThanOrEqual(1050);
    // The engine started each item on the frame of its planned time.
    const startErrorB = startOf(engine, "b") - b!.startsAt;
    const startErrorC = startOf(engine, "c") - c!.startsAt;
    expect(Math.abs(startErrorB), context).toBeLessThanOrEqual(5);
    expect(Math.abs(startErrorC), context).toBeLessThanOrEqual(5);
    console.log(
      `[on-air] order: a→b ${aToB} ms (plan 5000), b→crossover ${bToCrossover} ms (plan 5500), cut overlap ${cutOverlapMs} ms, ` +
        `crossfade overlap ${crossfadeOverlapMs} ms, engine start error b ${startErrorB.toFixed(1)} ms, c ${startErrorC.toFixed(1)} ms`,
    );
  });

  it("starts a hard-timed item on the frame of its planned time", async () => {
    const s = await station("hard");
    const engine = await engineEvents(s);
    const listener = listen(s.mountUrl, 9);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const base = Date.now() + 2500;
    const [, b] = await s.plan(
      [
        { id: "a", freq: 440, slotMs: 3000, fileMs: 4000, timing: "soft" },
        { id: "b", freq: 660, slotMs: 2500, timing: "hard" },
      ],
      base,
    );
    const { executor, logger, calls } = executorFor(s);
    await executor.start();
    const audio = await listener.done;
    await executor.stop();
    const timeline = toneTimeline(audio, [440, 660]);
    const context = debugContext(base, { runs: toneRuns(timeline), logger, engine, calls });
    const iA = firstRun(timeline, 440);
    const iB = firstRun(timeline, 660, 5, iA);
    const startErrorB = startOf(engine, "b") - b!.startsAt;
    console.log(
      `[on-air] hard: engine start error ${startErrorB.toFixed(1)} ms, a→b at the listener ${(iB - iA) * WINDOW_MS} ms (plan 3000)`,
    );
    // Preloaded at T−30 s and handed over with atMs: the planned frame, not a tick plus a decoder start later.
    expect(Math.abs(startErrorB), context).toBeLessThanOrEqual(5);
    expect(Math.abs((iB - iA) * WINDOW_MS - 3000), context).toBeLessThanOrEqual(60);
  });

  it("puts an emergency insert on air and resumes the timeline at the item planned for now", async () => {
    const s = await station("emergency");
    const engine = await engineEvents(s);
    const encoderAt = watchEmergencyIntoEncoder(s);
    const listener = listen(s.mountUrl, 18);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const alert = makeTone(media.dir, "emergency-alert", 1320, 3);
    const base = Date.now() + 2500;
    const [, b, c] = await s.plan(
      [
        { id: "a", freq: 440, slotMs: 6000, timing: "soft" },
        { id: "b", freq: 660, slotMs: 6000, timing: "soft" },
        { id: "c", freq: 880, slotMs: 3000, timing: "soft" },
      ],
      base,
    );
    const { executor, logger, calls } = executorFor(s);
    await executor.start();
    // The alert starts in a's slot and outlasts it: the program must come back with b, not with a where it stopped.
    await waitFor(() => Date.now() >= base + 4000 || undefined, 10_000, "4 s into a");
    const insertAt = Date.now();
    await executor.insertEmergency({ id: "eas-1", uri: alert, title: "Emergency alert" });
    const insertAnsweredAt = Date.now();
    const stateAfterInsert = executor.state;
    // The operator ends the alert while it still plays (b is planned by then); the engine fails back when it has played.
    await waitFor(() => Date.now() >= b!.startsAt + 500 || undefined, 10_000, "b's slot");
    await executor.endEmergency("eas-1");
    const audio = await listener.done;
    await executor.stop();

    const timeline = toneTimeline(audio, [440, 660, 880, 1320]);
    const runs = toneRuns(timeline).filter((r) => r.tone !== "silence");
    const context = debugContext(base, { runs, logger, engine, calls, stateAfterInsert });
    const iE = firstRun(timeline, 1320);
    const iEEnd = runs.find((r) => r.tone === 1320)?.end ?? -1;
    const iAEnd = runs.find((r) => r.tone === 440)?.end ?? -1;
    const iB = firstRun(timeline, 660, 5, iEEnd - 5);
    const iC = firstRun(timeline, 880, 5, iB);
    const alertMs = (iEEnd - iE) * WINDOW_MS;
    const deadAirBeforeAlertMs = (iE - iAEnd) * WINDOW_MS;
    const backWithB = (iB - iEEnd) * WINDOW_MS;
    // Anchor the listener on c's start (soft, at b's planned end) to put the alert on the wall clock.
    const cStartedAt = startOf(engine, "c");
    const onAirLatency = wallOf(iE, iC, cStartedAt) - insertAt;
    const intoEncoder = encoderAt() === undefined ? undefined : encoderAt()! - insertAt;
    console.log(
      `[on-air] emergency: RPC ${insertAnsweredAt - insertAt} ms, call → first alert sample into the encoder ${intoEncoder} ms, ` +
        `call → alert on the station's output clock ${onAirLatency.toFixed(0)} ms, dead air between program and alert ${deadAirBeforeAlertMs} ms, ` +
        `alert heard ${alertMs} ms (3000), b on top ${backWithB} ms after the alert`,
    );
    // Runs of 300 ms or more: the resume crossfade's first half (stale a fading out) is checked below.
    expect(
      runs.filter((r) => r.end - r.start >= 30).map((r) => r.tone),
      context,
    ).toEqual([440, 1320, 660, 880]);
    // One InsertEmergency reached the engine, the alert played once, and the executor was in "emergency" when the call resolved.
    expect(calls.filter((call) => call.method === "insertEmergency").length, context).toBe(1);
    expect(Math.abs(alertMs - 3000), context).toBeLessThanOrEqual(100);
    expect(stateAfterInsert, context).toBe("emergency");
    // a does not come back: b is on top within the 400 ms resume crossfade (it crosses over half-way).
    expect(backWithB, context).toBeLessThanOrEqual(300);
    expect(
      timeline.slice(iEEnd, iB).filter((t) => t === 440).length * WINDOW_MS,
      context,
    ).toBeLessThanOrEqual(250);
    expect(deadAirBeforeAlertMs, context).toBeLessThanOrEqual(1000);
    expect(Math.abs(cStartedAt - c!.startsAt), context).toBeLessThanOrEqual(60);
    // Tolerant for a loaded machine; the issue's target is 100 ms into the encoder.
    expect(intoEncoder, context).toBeDefined();
    expect(intoEncoder!, context).toBeLessThanOrEqual(1000);
    expect(onAirLatency, context).toBeLessThanOrEqual(1200);
    // b was resumed from its planned offset (not from 0), and c followed at b's planned end.
    const resumedB = calls.find((call) => call.method === "play" && call.itemId === "b");
    expect(resumedB?.startMs, context).toBeGreaterThanOrEqual(400);
    expect(executor.state === "playing" || executor.state === "preloading", context).toBe(true);
  });

  it("goes to fallback audio when the planned item is silent and back to the schedule after it", async () => {
    const s = await station("silence", { telemetryMs: 250 });
    const engine = await engineEvents(s);
    const listener = listen(s.mountUrl, 18);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const fallback = makeTone(media.dir, "fallback", 550, 20);
    const base = Date.now() + 2500;
    const [, silent, c] = await s.plan(
      [
        { id: "a", freq: 440, slotMs: 4000, timing: "soft" },
        { id: "dead-air", freq: 0, slotMs: 7000, timing: "soft" },
        { id: "c", freq: 880, slotMs: 4000, timing: "soft" },
      ],
      base,
    );
    const silenceWindowMs = 1000;
    const { executor, events, logger, calls } = executorFor(s, {
      silenceWindowMs,
      fallback: [{ uri: fallback, title: "Fallback" }],
    });
    await executor.start();
    const audio = await listener.done;
    await executor.stop();

    const timeline = toneTimeline(audio, [440, 550, 880]);
    const runs = toneRuns(timeline);
    const context = debugContext(base, {
      runs,
      logger,
      engine,
      calls,
      events: events.map((e) => ({ ...e, at: e.at - base })),
    });
    const iA = firstRun(timeline, 440);
    // Fallback may fill the air before the timeline's first item; from a on, the plan is a, dead air → fallback, c.
    expect(
      runs.filter((r) => r.tone !== "silence" && r.start >= iA).map((r) => r.tone),
      context,
    ).toEqual([440, 550, 880]);
    const iSilence = firstRun(timeline, "silence", 5, iA);
    const iF = firstRun(timeline, 550, 5, iSilence);
    const iC = firstRun(timeline, 880, 5, iF);
    const failover = events.find((e) => e.type === "failover");
    expect(failover, context).toMatchObject({ cause: "silence", source: "dead-air" });
    // The silent item starts at its planned time: anchor the listener there.
    const silenceStartedAt = startOf(engine, "dead-air");
    expect(Math.abs(silenceStartedAt - silent!.startsAt), context).toBeLessThanOrEqual(60);
    const deadAirMs = (iF - iSilence) * WINDOW_MS;
    const fallbackAfterDetectionMs = wallOf(iF, iSilence, silenceStartedAt) - failover!.at;
    console.log(
      `[on-air] silence: dead air at the listener ${deadAirMs} ms (window ${silenceWindowMs} ms, telemetry every 250 ms), ` +
        `fallback heard ${fallbackAfterDetectionMs.toFixed(0)} ms after detection, back to c ${((iC - iSilence) * WINDOW_MS - 7000).toFixed(0)} ms after its planned start`,
    );
    expect(deadAirMs, context).toBeGreaterThanOrEqual(silenceWindowMs);
    // The window, up to two telemetry periods to see it, and 1 s to get fallback on air.
    expect(deadAirMs, context).toBeLessThanOrEqual(silenceWindowMs + 500 + 1000);
    expect(fallbackAfterDetectionMs, context).toBeLessThanOrEqual(1000);
    // Back to the schedule when the silent item's slot is over: c within a tick and a start of its planned time.
    expect(
      Math.abs((iC - iSilence) * WINDOW_MS - (c!.startsAt - silent!.startsAt)),
      context,
    ).toBeLessThanOrEqual(500);
    expect(longestSilence(timeline, iF, iC + 200), context).toBe(0);
  });

  it("keeps the audio going from the in-memory timeline while the Store is down", async () => {
    const s = await station("store-down");
    const engine = await engineEvents(s);
    const listener = listen(s.mountUrl, 17);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const base = Date.now() + 2500;
    await s.plan(
      [
        { id: "a", freq: 440, slotMs: 3500, timing: "soft" },
        { id: "b", freq: 660, slotMs: 3500, timing: "soft" },
        { id: "c", freq: 880, slotMs: 3500, timing: "soft" },
        { id: "d", freq: 1320, slotMs: 3500, timing: "soft" },
      ],
      base,
    );
    const switchable = switchableStore(s.memoryStore);
    const { executor, logger, calls } = executorFor(s, {
      store: switchable.store,
      timelineRefreshEveryMs: 500,
      persistEveryMs: 500,
    });
    await executor.start();
    await waitFor(() => Date.now() >= base + 1000 || undefined, 10_000, "1 s into a");
    switchable.setDown(true);
    const audio = await listener.done;
    const stats = executor.stats;
    switchable.setDown(false);
    await executor.stop();

    const timeline = toneTimeline(audio, [440, 660, 880, 1320]);
    const runs = toneRuns(timeline).filter((r) => r.tone !== "silence");
    const context = debugContext(base, {
      runs,
      logger,
      engine,
      calls,
      stats,
      rejected: switchable.rejected(),
    });
    console.log(
      `[on-air] store down: runs ${JSON.stringify(runs.map((r) => [r.tone, (r.end - r.start) * WINDOW_MS]))}, store calls rejected ${switchable.rejected()}, executor stats ${JSON.stringify(stats)}`,
    );
    expect(switchable.rejected(), context).toBeGreaterThan(0);
    expect(
      runs.map((r) => r.tone),
      context,
    ).toEqual([440, 660, 880, 1320]);
    const iA = firstRun(timeline, 440);
    const iD = firstRun(timeline, 1320, 5, iA);
    expect(Math.abs((iD - iA) * WINDOW_MS - 3 * 3500), context).toBeLessThanOrEqual(60);
    expect(longestSilence(timeline, iA, iD + 300), context).toBe(0);
  });

  it("restarts the executor without a gap at the listener: the new instance reattaches to what the engine plays", async () => {
    const s = await station("restart");
    const engine = await engineEvents(s);
    const listener = listen(s.mountUrl, 14);
    await waitFor(() => listener.firstByteAt(), 5000, "first bytes at the listener");
    const base = Date.now() + 2500;
    await s.plan(
      [
        { id: "a", freq: 440, slotMs: 5000, timing: "soft" },
        { id: "b", freq: 660, slotMs: 5000, timing: "soft" },
      ],
      base,
    );
    const first = executorFor(s);
    await first.executor.start();
    await waitFor(() => Date.now() >= base + 3000 || undefined, 10_000, "3 s into a");
    await first.executor.stop();
    const second = executorFor(s);
    await second.executor.start();
    const reattached = second.events.find((e) => e.type === "reattached");
    const audio = await listener.done;
    await second.executor.stop();

    const timeline = toneTimeline(audio, [440, 660]);
    const runs = toneRuns(timeline).filter((r) => r.tone !== "silence");
    const context = debugContext(base, {
      runs,
      logger: second.logger,
      engine,
      calls: [...first.calls, ...second.calls],
    });
    expect(reattached, context).toMatchObject({ itemId: "a", state: "playing" });
    // The new instance did not touch a (no replay, no stop) while the program ran; it played b on time.
    expect(
      second.calls.filter(
        (c) =>
          c.sentAt < base + 9000 &&
          (c.itemId === "a" || c.method === "stop" || c.method === "insertEmergency"),
      ),
      context,
    ).toEqual([]);
    expect(
      runs.map((r) => r.tone),
      context,
    ).toEqual([440, 660]);
    const iA = firstRun(timeline, 440);
    const iB = firstRun(timeline, 660, 5, iA);
    expect(Math.abs((iB - iA) * WINDOW_MS - 5000), context).toBeLessThanOrEqual(60);
    expect(longestSilence(timeline, iA, iB + 300), context).toBe(0);
    console.log(
      `[on-air] restart: a→b ${(iB - iA) * WINDOW_MS} ms (plan 5000), longest silence between 0 ms, reattached to ${reattached?.type === "reattached" ? reattached.itemId : "-"}`,
    );
  });
});

/** Engine-clock time (epoch ms) of the first frame of `itemId`. */
function startOf(events: StationEvent[], itemId: string): number {
  const started = events.find((e) => e.type === "item_started" && e.itemId === itemId);
  if (started === undefined)
    throw new Error(
      `the engine never started ${itemId}: ${JSON.stringify(events.map((e) => [e.type, e.itemId]))}`,
    );
  return started.at;
}

/** When (epoch ms) the mixer first rendered emergency audio into a block, which the engine writes to the encoder at once. */
function watchEmergencyIntoEncoder(s: OnAirStation): () => number | undefined {
  const mixer = s.server.engine.station(s.stationId).mixer;
  const render = mixer.render.bind(mixer);
  let firstAt: number | undefined;
  mixer.render = (frames: number): Float32Array => {
    const out = render(frames);
    if (firstAt === undefined) {
      const status = mixer.status();
      if (status.state === "emergency" && (status.positionFrames ?? 0) > 0) firstAt = Date.now();
    }
    return out;
  };
  return () => firstAt;
}

/** Everything worth seeing when an on-air assertion fails, with times relative to `base`. */
function debugContext(
  base: number,
  parts: {
    runs: unknown;
    logger: { lines: string[] };
    engine: StationEvent[];
    calls: EngineCall[];
    [key: string]: unknown;
  },
): string {
  const { logger, engine, calls, ...rest } = parts;
  return JSON.stringify({
    ...rest,
    log: logger.lines,
    engine: engine.map(
      (e) =>
        `${(e.at - base).toFixed(0)} ${e.type} ${e.itemId ?? ""} ${e.reason ?? e.message ?? ""}`,
    ),
    calls: calls.map(
      (c) =>
        `${c.sentAt - base}→${(c.answeredAt ?? Number.NaN) - base} ${c.method} ${c.itemId ?? ""}${c.atMs === undefined ? "" : ` at ${c.atMs - base}`}${c.error === undefined ? "" : ` ${c.error}`}`,
    ),
  });
}
