import type { TelemetrySample } from "@grimnir/core";
import { AUTOMATION_SOURCE_ID } from "./priority-service.js";
import type { ExecutorContext } from "./executor-context.js";
import type { EngineLink } from "./engine-link.js";
import type { Automation } from "./automation.js";
import type { PlayHistoryLog } from "./play-history.js";

/**
 * Failure detection: silence longer than `silenceWindowMs` on an automation
 * item, an engine that does not answer, an engine that lost the station's
 * audio (restart). Each cause takes automation off the air (the air switch
 * then puts fallback on) and clears when the timeline moves past the item or
 * the engine answers again.
 */
export class FailoverMonitor {
  readonly #ctx: ExecutorContext;
  readonly #engine: EngineLink;
  readonly #automation: Automation;
  readonly #history: PlayHistoryLog;
  #silentSince: number | undefined;
  #lastEngineCheck = Number.NEGATIVE_INFINITY;

  /** Failure detection for the station of `ctx`. */
  constructor(
    ctx: ExecutorContext,
    engine: EngineLink,
    automation: Automation,
    history: PlayHistoryLog,
  ) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.#automation = automation;
    this.#history = history;
  }

  /** A new item went on air: silence is counted afresh. */
  resetSilence(): void {
    this.#silentSince = undefined;
  }

  /** Publish a telemetry sample and fail over when automation has been silent too long. */
  onTelemetry(sample: TelemetrySample): void {
    const ctx = this.#ctx;
    ctx.lastHeartbeatAt = sample.at;
    ctx.publish.telemetry(sample);
    const current = ctx.current;
    if (ctx.applied?.id !== AUTOMATION_SOURCE_ID || current === undefined) {
      this.#silentSince = undefined;
      return;
    }
    const peak = Math.max(sample.levelLeftDb, sample.levelRightDb);
    if (peak >= ctx.o.silenceThresholdDb) {
      this.#silentSince = undefined;
      return;
    }
    this.#silentSince ??= sample.at;
    if (sample.at - this.#silentSince >= ctx.o.silenceWindowMs) {
      this.#silentSince = undefined;
      ctx.failover("silence", current.entry.id, `silence for ${ctx.o.silenceWindowMs} ms`);
      ctx.requestReconcile();
    }
  }

  /** Every `engineCheckEveryMs`: is the engine answering, and does it still play the station? */
  async checkEngine(): Promise<void> {
    const ctx = this.#ctx;
    const now = ctx.time.now();
    if (now - this.#lastEngineCheck < ctx.o.engineCheckEveryMs) return;
    this.#lastEngineCheck = now;
    const station = await this.#engine.station();
    if (station === undefined) return;
    if (ctx.causes.delete("engine")) {
      ctx.emit({ type: "recovered", stationId: ctx.stationId, at: now, cause: "engine" });
    }
    // The engine renders ahead and reports idle shortly before the item's planned
    // end: that is the item ending (the control loop moves on), not lost audio.
    const current = ctx.current;
    if (
      station.state === "idle" &&
      ctx.applied?.id === AUTOMATION_SOURCE_ID &&
      current !== undefined &&
      now >= current.endsAt - ctx.o.endToleranceMs
    ) {
      return;
    }
    // An engine that forgot the station (restart) gets what should be on air again, at position.
    if (station.state === "idle" && ctx.applied !== undefined) {
      ctx.logger.warn("engine lost the station's audio; resuming at position", {
        stationId: ctx.stationId,
        onAir: ctx.applied.id,
      });
      if (ctx.current !== undefined && ctx.current.startedAt > now) return;
      if (ctx.applied.id === AUTOMATION_SOURCE_ID) this.#automation.interrupt(now);
      else this.#history.offAir(now);
      ctx.interrupted = undefined;
      ctx.applied = undefined;
    }
  }

  /** Clear item-level causes once the timeline has moved past the item they concern. */
  clearRecoveredCauses(): void {
    const ctx = this.#ctx;
    for (const [cause, source] of [...ctx.causes]) {
      if (cause === "engine") continue;
      const planned = ctx.timeline.entryAt(ctx.time.now());
      if (planned?.id !== source) {
        ctx.causes.delete(cause);
        ctx.emit({ type: "recovered", stationId: ctx.stationId, at: ctx.time.now(), cause });
      }
    }
  }
}
