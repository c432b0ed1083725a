import {
  GrimnirError,
  SystemTimeSource,
  isGrimnirError,
  type EventBus,
  type Store,
  type TimeSource,
  type Webstream,
  type WebstreamHealth,
} from "@grimnir/core";
import { defaultLiveLogger, type LiveLogger } from "./logger.js";
import { probeStream, type StreamProbeOptions, type StreamProbeResult } from "./stream-probe.js";

/** A change of the URL a webstream plays, as {@link WebstreamHealthChecker} reports it. */
export interface WebstreamSwitch {
  /** "failover" after failed probes, "recovered" back to the primary, "manual" by an operator. */
  kind: "failover" | "recovered" | "manual";
  fromIndex: number;
  toIndex: number;
  fromUrl: string;
  toUrl: string;
  reason: string;
}

/** What one health round did. */
export interface WebstreamCheckResult {
  /** The webstream as stored after the round. */
  webstream: Webstream;
  /** Probe of the URL in use at the start of the round. */
  probe: StreamProbeResult;
  /** Consecutive failed probes of the URL in use (0 after a success or a switch). */
  consecutiveFailures: number;
  /** The switch the round made, if any. */
  switched?: WebstreamSwitch;
}

/** Options of {@link WebstreamHealthChecker}. */
export interface WebstreamHealthCheckerOptions {
  store: Store;
  bus: EventBus;
  /** Clock for the failover grace (default system time). */
  time?: TimeSource;
  /** The probe (default {@link probeStream}); tests and custom transports replace it. */
  probe?: (url: string, options: StreamProbeOptions) => Promise<StreamProbeResult>;
  /** Redirects a probe follows (default 3). */
  maxRedirects?: number;
  /**
   * Called after a switch was stored and published; the engine starts playing
   * the new URL. A rejection is logged and published as `source_failure`.
   */
  onSwitch?: (webstream: Webstream, change: WebstreamSwitch) => void | Promise<void>;
  /** Where failures are logged (default: warnings and errors to stderr). */
  log?: LiveLogger;
}

interface StreamState {
  failures: number;
  /** When the failure threshold was first reached, epoch ms (for `failover.graceMs`). */
  thresholdAt?: number;
  timer?: NodeJS.Timeout;
  watching: boolean;
  queue: Promise<unknown>;
}

/**
 * Background health checks of relayed streams with failover chains (the
 * brief's health checker). Per webstream, every `health.intervalMs`:
 *
 * - probe the URL in use (`health.method`, `health.timeoutMs`, ≤ 3 redirects);
 * - a success resets the failure count (status `healthy`); with
 *   `failover.autoRecover`, a stream on a backup probes the primary and goes
 *   back to it as soon as it answers (`webstream.recovered`);
 * - one failure makes it `degraded`; after `health.failoverAfter` consecutive
 *   failures (and `failover.graceMs` more) it probes the other URLs in chain
 *   order, skips those that fail, and switches to the first healthy one
 *   (`webstream.failover`); when none answers it is `unhealthy` and stays put
 *   (`source_failure`).
 *
 * `currentIndex` and `status` are written through the store with the record's
 * version (a concurrent edit is re-read and the change re-applied). Rounds and
 * the manual {@link WebstreamHealthChecker.failover} / `reset` of one webstream
 * never interleave. It satisfies the HTTP package's `WebstreamPort`.
 */
export class WebstreamHealthChecker {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #time: TimeSource;
  readonly #probe: NonNullable<WebstreamHealthCheckerOptions["probe"]>;
  readonly #maxRedirects: number;
  readonly #onSwitch: WebstreamHealthCheckerOptions["onSwitch"];
  readonly #log: LiveLogger;
  readonly #streams = new Map<string, StreamState>();
  #closed = false;

  /** A checker that watches nothing yet; see {@link WebstreamHealthChecker.watch}. */
  constructor(options: WebstreamHealthCheckerOptions) {
    this.#store = options.store;
    this.#bus = options.bus;
    this.#time = options.time ?? new SystemTimeSource();
    this.#probe = options.probe ?? probeStream;
    this.#maxRedirects = options.maxRedirects ?? 3;
    this.#onSwitch = options.onSwitch;
    this.#log = options.log ?? defaultLiveLogger;
  }

  /** Start checking a webstream every `health.intervalMs` (first round now). Idempotent. */
  watch(stationId: string, webstreamId: string): void {
    if (this.#closed) throw new GrimnirError("CONFLICT", "webstream health checker is closed");
    const state = this.#state(stationId, webstreamId);
    if (state.watching) return;
    state.watching = true;
    const loop = (): void => {
      if (!state.watching) return;
      this.check(stationId, webstreamId).then(
        (result) => this.#schedule(state, loop, result.webstream.health.intervalMs),
        (err: unknown) => {
          if (isGrimnirError(err, "NOT_FOUND")) {
            state.watching = false;
            return;
          }
          this.#log("error", "webstream health round failed", {
            stationId,
            webstreamId,
            error: err instanceof Error ? err.message : String(err),
          });
          this.#schedule(state, loop, 1000);
        },
      );
    };
    loop();
  }

  /** Stop checking a webstream; its failure count is kept. */
  unwatch(stationId: string, webstreamId: string): void {
    const state = this.#streams.get(keyOf(stationId, webstreamId));
    if (state === undefined) return;
    state.watching = false;
    clearTimeout(state.timer);
  }

  /** Stop every watch and wait for running rounds. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const state of this.#streams.values()) {
      state.watching = false;
      clearTimeout(state.timer);
    }
    await Promise.allSettled([...this.#streams.values()].map((s) => s.queue));
  }

  /** Consecutive failed probes of the URL a webstream uses now. */
  consecutiveFailures(stationId: string, webstreamId: string): number {
    return this.#streams.get(keyOf(stationId, webstreamId))?.failures ?? 0;
  }

  /** Run one health round now (what the background loop runs). Rejects with `NOT_FOUND`. */
  check(stationId: string, webstreamId: string): Promise<WebstreamCheckResult> {
    return this.#serial(stationId, webstreamId, () => this.#round(stationId, webstreamId));
  }

  /**
   * Switch to the next URL in the chain that answers a probe (manual failover).
   * Rejects with `CONFLICT` when no other URL answers, `NOT_FOUND` when absent.
   */
  failover(stationId: string, webstreamId: string): Promise<Webstream> {
    return this.#serial(stationId, webstreamId, async () => {
      const ws = await this.#load(stationId, webstreamId);
      const target = await this.#firstHealthy(ws);
      if (target === undefined) {
        throw new GrimnirError("CONFLICT", `webstream ${ws.name} has no other URL that answers`, {
          details: { field: "urls", currentIndex: ws.currentIndex },
        });
      }
      const state = this.#state(stationId, webstreamId);
      state.failures = 0;
      state.thresholdAt = undefined;
      return this.#switch(ws, target, "manual", "manual failover");
    });
  }

  /** Go back to the primary URL now (manual reset); status from a probe of it. Rejects with `NOT_FOUND`. */
  reset(stationId: string, webstreamId: string): Promise<Webstream> {
    return this.#serial(stationId, webstreamId, async () => {
      const ws = await this.#load(stationId, webstreamId);
      const state = this.#state(stationId, webstreamId);
      state.failures = 0;
      state.thresholdAt = undefined;
      const probe = await this.#probeUrl(ws, ws.urls[0]!);
      const status: WebstreamHealth = probe.ok ? "healthy" : "degraded";
      if (ws.currentIndex === 0) return this.#persist(ws, { status });
      return this.#switch(ws, 0, "recovered", "reset to primary", status);
    });
  }

  async #round(stationId: string, webstreamId: string): Promise<WebstreamCheckResult> {
    const ws = await this.#load(stationId, webstreamId);
    const state = this.#state(stationId, webstreamId);
    const index = Math.min(ws.currentIndex, ws.urls.length - 1);
    const probe = await this.#probeUrl(ws, ws.urls[index]!);
    if (probe.ok) {
      state.failures = 0;
      state.thresholdAt = undefined;
      if (index !== 0 && ws.failover.autoRecover) {
        const primary = await this.#probeUrl(ws, ws.urls[0]!);
        if (primary.ok) {
          const webstream = await this.#switch(ws, 0, "recovered", "primary answers again");
          return {
            webstream,
            probe,
            consecutiveFailures: 0,
            switched: lastSwitch(ws, webstream, "recovered", "primary answers again"),
          };
        }
      }
      const webstream =
        ws.status === "healthy" ? ws : await this.#persist(ws, { status: "healthy" });
      return { webstream, probe, consecutiveFailures: 0 };
    }

    state.failures++;
    const threshold = Math.max(1, ws.health.failoverAfter || 3);
    this.#log("warn", "webstream probe failed", {
      stationId,
      webstreamId,
      url: ws.urls[index],
      reason: probe.reason,
      consecutiveFailures: state.failures,
    });
    if (state.failures < threshold) {
      const webstream =
        ws.status === "degraded" ? ws : await this.#persist(ws, { status: "degraded" });
      return { webstream, probe, consecutiveFailures: state.failures };
    }
    state.thresholdAt ??= this.#time.now();
    const canFailOver = ws.failover.enabled && ws.urls.length > 1;
    if (canFailOver && this.#time.now() - state.thresholdAt < ws.failover.graceMs) {
      const webstream =
        ws.status === "degraded" ? ws : await this.#persist(ws, { status: "degraded" });
      return { webstream, probe, consecutiveFailures: state.failures };
    }
    const target = canFailOver ? await this.#firstHealthy(ws) : undefined;
    if (target === undefined) {
      const webstream =
        ws.status === "unhealthy" ? ws : await this.#persist(ws, { status: "unhealthy" });
      if (ws.status !== "unhealthy") {
        await this.#bus.publish("source_failure", stationId, {
          source: `webstream:${webstreamId}`,
          reason: canFailOver
            ? `${ws.urls[index]} failed ${state.failures} probes (${probe.reason}) and no backup answers`
            : `${ws.urls[index]} failed ${state.failures} probes (${probe.reason})`,
          action: "retrying",
        });
      }
      return { webstream, probe, consecutiveFailures: state.failures };
    }
    const failures = state.failures;
    state.failures = 0;
    state.thresholdAt = undefined;
    const reason = `${failures} consecutive failed probes: ${probe.reason ?? "failed"}`;
    const webstream = await this.#switch(ws, target, "failover", reason);
    return {
      webstream,
      probe,
      consecutiveFailures: 0,
      switched: lastSwitch(ws, webstream, "failover", reason),
    };
  }

  /** First other URL in chain order (wrapping to the primary) that answers a probe. */
  async #firstHealthy(ws: Webstream): Promise<number | undefined> {
    for (let step = 1; step < ws.urls.length; step++) {
      const index = (ws.currentIndex + step) % ws.urls.length;
      const probe = await this.#probeUrl(ws, ws.urls[index]!);
      if (probe.ok) return index;
      this.#log("warn", "webstream backup skipped: it does not answer", {
        stationId: ws.stationId,
        webstreamId: ws.id,
        url: ws.urls[index],
        reason: probe.reason,
      });
    }
    return undefined;
  }

  async #switch(
    ws: Webstream,
    toIndex: number,
    kind: WebstreamSwitch["kind"],
    reason: string,
    status: WebstreamHealth = "healthy",
  ): Promise<Webstream> {
    const change: WebstreamSwitch = {
      kind,
      fromIndex: ws.currentIndex,
      toIndex,
      fromUrl: ws.urls[ws.currentIndex] ?? "",
      toUrl: ws.urls[toIndex]!,
      reason,
    };
    const updated = await this.#persist(ws, { currentIndex: toIndex, status });
    if (kind === "recovered") {
      await this.#bus.publish("webstream.recovered", ws.stationId, {
        webstreamId: ws.id,
        url: change.toUrl,
      });
    } else {
      await this.#bus.publish("webstream.failover", ws.stationId, {
        webstreamId: ws.id,
        fromUrl: change.fromUrl,
        toUrl: change.toUrl,
        reason,
      });
    }
    this.#log("info", `webstream ${kind}`, {
      stationId: ws.stationId,
      webstreamId: ws.id,
      ...change,
    });
    if (this.#onSwitch !== undefined) {
      try {
        await this.#onSwitch(updated, change);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#log("error", "webstream switch hook failed", { webstreamId: ws.id, error: message });
        await this.#bus.publish("source_failure", ws.stationId, {
          source: `webstream:${ws.id}`,
          reason: `could not play ${change.toUrl}: ${message}`,
          action: "fallback",
        });
      }
    }
    return updated;
  }

  /** Write `patch` with the record's version; on `CONFLICT` re-read and re-apply (twice at most). */
  async #persist(
    ws: Webstream,
    patch: Partial<Pick<Webstream, "currentIndex" | "status">>,
  ): Promise<Webstream> {
    let current = ws;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#store.webstreams.update({ ...current, ...patch });
      } catch (err) {
        if (!isGrimnirError(err, "CONFLICT") || attempt >= 2) throw err;
        current = await this.#load(ws.stationId, ws.id);
        if (patch.currentIndex !== undefined && patch.currentIndex >= current.urls.length)
          return current;
      }
    }
  }

  #probeUrl(ws: Webstream, url: string): Promise<StreamProbeResult> {
    return this.#probe(url, {
      method: ws.health.method,
      timeoutMs: ws.health.timeoutMs,
      maxRedirects: this.#maxRedirects,
    });
  }

  async #load(stationId: string, webstreamId: string): Promise<Webstream> {
    const ws = await this.#store.webstreams.get(stationId, webstreamId);
    if (ws === undefined) {
      throw new GrimnirError("NOT_FOUND", `webstream ${webstreamId} does not exist`, {
        details: { field: "webstreamId" },
      });
    }
    if (ws.urls.length === 0) {
      throw new GrimnirError("VALIDATION", `webstream ${ws.name} has no URLs`, {
        details: { field: "urls" },
      });
    }
    return ws;
  }

  #serial<T>(stationId: string, webstreamId: string, task: () => Promise<T>): Promise<T> {
    const state = this.#state(stationId, webstreamId);
    const result = state.queue.then(task);
    state.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  #schedule(state: StreamState, loop: () => void, ms: number): void {
    if (!state.watching) return;
    clearTimeout(state.timer);
    state.timer = setTimeout(loop, Math.max(50, ms));
  }

  #state(stationId: string, webstreamId: string): StreamState {
    const key = keyOf(stationId, webstreamId);
    let state = this.#streams.get(key);
    if (state === undefined) {
      state = { failures: 0, watching: false, queue: Promise.resolve() };
      this.#streams.set(key, state);
    }
    return state;
  }
}

function lastSwitch(
  before: Webstream,
  after: Webstream,
  kind: WebstreamSwitch["kind"],
  reason: string,
): WebstreamSwitch {
  return {
    kind,
    fromIndex: before.currentIndex,
    toIndex: after.currentIndex,
    fromUrl: before.urls[before.currentIndex] ?? "",
    toUrl: after.urls[after.currentIndex] ?? "",
    reason,
  };
}

function keyOf(stationId: string, webstreamId: string): string {
  return `${stationId}/${webstreamId}`;
}
