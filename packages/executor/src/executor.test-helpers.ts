import {
  GrimnirError,
  ManualTimeSource,
  MemoryBus,
  MemoryBusHub,
  MemoryStore,
} from "@grimnir/core";
import type { BusEvent, EventBus, ScheduleEntry, NewEntity, Store, Topic } from "@grimnir/core";
import { FakeMediaEngine } from "./testing/fake-engine.js";
import { StationExecutor } from "./station-executor.js";
import type { ExecutorEvent, StationExecutorOptions } from "./executor-types.js";
import type { ExecutorLogger } from "./logger.js";

/** Monday 2025-01-06 12:00:00 UTC. */
export const T0 = Date.UTC(2025, 0, 6, 12, 0, 0);
export const STATION = "station-1";

/** A media entry starting `startOffsetMs` after T0. */
export function entry(
  id: string,
  startOffsetMs: number,
  lengthMs: number,
  timing: "hard" | "soft" = "soft",
  extra: Partial<ScheduleEntry> = {},
): NewEntity<ScheduleEntry> {
  return {
    id,
    stationId: STATION,
    startsAt: T0 + startOffsetMs,
    endsAt: T0 + startOffsetMs + lengthMs,
    kind: "media",
    mediaId: `media-${id}`,
    timing,
    source: {},
    title: `Title ${id}`,
    artist: `Artist ${id}`,
    ...extra,
  };
}

/** A logger that keeps what it was told. */
export function recordingLogger(): ExecutorLogger & {
  lines: { level: string; message: string }[];
} {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
}

/** A Store whose repositories can be switched off: every call rejects with STORE_UNAVAILABLE while down. */
export function flakyStore(inner: Store): {
  store: Store;
  setDown(down: boolean): void;
  /** Calls refused while down. */
  rejected(): number;
} {
  let down = false;
  let rejected = 0;
  const wrap = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (!down) return (value as (...a: unknown[]) => unknown).apply(target, args);
          rejected++;
          return Promise.reject(new GrimnirError("STORE_UNAVAILABLE", "store is down (test)"));
        };
      },
    });
  const repos = new Map<PropertyKey, unknown>();
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value === "object" && value !== null) {
        if (!repos.has(prop)) repos.set(prop, wrap(value));
        return repos.get(prop);
      }
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store, setDown: (d) => (down = d), rejected: () => rejected };
}

/** A bus that can be switched off: publish and subscribe reject while down. */
export function flakyBus(inner: EventBus): { bus: EventBus; setDown(down: boolean): void } {
  let down = false;
  const bus: EventBus = {
    publish: (topic, stationId, payload) =>
      down
        ? Promise.reject(new GrimnirError("BUS_UNAVAILABLE", "bus is down (test)"))
        : inner.publish(topic, stationId, payload),
    subscribe: (topic, stationId, handler) =>
      down
        ? Promise.reject(new GrimnirError("BUS_UNAVAILABLE", "bus is down (test)"))
        : inner.subscribe(topic, stationId, handler),
    health: () => inner.health(),
    close: () => inner.close(),
  };
  return { bus, setDown: (d) => (down = d) };
}

/** Let queued promise callbacks and setImmediate tasks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Everything a test of one station needs. */
export interface Harness {
  time: ManualTimeSource;
  memoryStore: MemoryStore;
  store: Store;
  setStoreDown(down: boolean): void;
  bus: EventBus;
  setBusDown(down: boolean): void;
  engine: FakeMediaEngine;
  logger: ReturnType<typeof recordingLogger>;
  executor: StationExecutor;
  executorEvents: ExecutorEvent[];
  /** Events delivered by the bus, in order. */
  events: BusEvent[];
  eventsOf<K extends Topic>(topic: K): BusEvent<K>[];
  /** Advance time in tick steps, ticking the executor after each. */
  step(ms: number, tickMs?: number): Promise<void>;
  /** A fresh executor on the same store, bus and engine (a control-plane restart). */
  restart(options?: Partial<StationExecutorOptions>): Promise<StationExecutor>;
  /**
   * The control plane dies without stopping its executor (no final write, no
   * unsubscribe: it is simply never ticked again) and a fresh executor on the
   * same store, bus and engine starts.
   */
  crash(options?: Partial<StationExecutorOptions>): Promise<StationExecutor>;
}

/** Build a station with `entries` in its timeline; the executor is created but not started. */
export async function harness(
  entries: NewEntity<ScheduleEntry>[],
  options: Partial<StationExecutorOptions> = {},
): Promise<Harness> {
  const time = new ManualTimeSource(T0);
  const memoryStore = new MemoryStore({ timeSource: time });
  const flaky = flakyStore(memoryStore);
  const hub = new MemoryBusHub();
  const memoryBus = new MemoryBus({ hub, timeSource: time });
  const observer = new MemoryBus({ hub, timeSource: time });
  const fbus = flakyBus(memoryBus);
  const engine = new FakeMediaEngine(time);
  const logger = recordingLogger();
  const events: BusEvent[] = [];
  await observer.subscribe("*", "*", (event) => {
    events.push(event);
  });
  if (entries.length > 0) {
    const from = Math.min(...entries.map((e) => e.startsAt));
    const to = Math.max(...entries.map((e) => e.startsAt)) + 1;
    await memoryStore.schedule.replaceWindow(STATION, { from, to }, entries);
  }
  const executorEvents: ExecutorEvent[] = [];
  const make = (extra: Partial<StationExecutorOptions> = {}): StationExecutor =>
    new StationExecutor({
      stationId: STATION,
      engine,
      store: flaky.store,
      bus: fbus.bus,
      timeSource: time,
      logger,
      resolveEntry: async (e) => ({
        uri: `file:///media/${e.mediaId ?? e.id}.ogg`,
        startMs: 1000,
        title: e.title,
        artist: e.artist,
      }),
      fallback: [{ uri: "file:///media/fallback.ogg", durationMs: 60_000, title: "Fallback" }],
      engineTimeoutMs: 30,
      storeTimeoutMs: 30,
      busTimeoutMs: 30,
      onEvent: (event) => executorEvents.push(event),
      ...options,
      ...extra,
    });
  const h: Harness = {
    time,
    memoryStore,
    store: flaky.store,
    setStoreDown: flaky.setDown,
    bus: fbus.bus,
    setBusDown: fbus.setDown,
    engine,
    logger,
    executor: make(),
    executorEvents,
    events,
    eventsOf: <K extends Topic>(topic: K) =>
      events.filter((e): e is BusEvent<K> => e.topic === topic),
    async step(ms, tickMs = 250) {
      for (let elapsed = 0; elapsed < ms; elapsed += tickMs) {
        time.advance(Math.min(tickMs, ms - elapsed));
        await h.executor.tick();
      }
      await settle();
    },
    async restart(extra) {
      await h.executor.stop();
      h.executor = make(extra);
      await h.executor.start({ runLoop: false });
      await settle();
      return h.executor;
    },
    async crash(extra) {
      h.executor = make(extra);
      await h.executor.start({ runLoop: false });
      await settle();
      return h.executor;
    },
  };
  return h;
}
