import { Priority } from "@grimnir/core";
import { AUTOMATION_SOURCE_ID, FALLBACK_SOURCE_ID, isLiveTier } from "./priority-service.js";
import type { ActiveSource } from "./priority-service.js";
import { sourceKey } from "./executor-context.js";
import type { ExecutorContext } from "./executor-context.js";
import type { EngineLink } from "./engine-link.js";
import type { Automation } from "./automation.js";
import type { FallbackAudio } from "./fallback-audio.js";
import type { FailoverMonitor } from "./failover.js";
import type { MediaResolution } from "./media-resolution.js";
import type { PlayHistoryLog } from "./play-history.js";

/**
 * The air: keeps the derived sources (automation, fallback) up to date, makes
 * the engine play the highest active tier with the right fade (emergency
 * insert, live preemption with `preemptFadeMs`, failback with
 * `resumeCrossfadeMs`) and drives whichever of automation or fallback holds
 * the air.
 */
export class AirSwitch {
  readonly #ctx: ExecutorContext;
  readonly #engine: EngineLink;
  readonly #automation: Automation;
  readonly #fallback: FallbackAudio;
  readonly #failover: FailoverMonitor;
  readonly #media: MediaResolution;
  readonly #history: PlayHistoryLog;

  /** The air of the station of `ctx`, switched between its parts. */
  constructor(parts: {
    ctx: ExecutorContext;
    engine: EngineLink;
    automation: Automation;
    fallback: FallbackAudio;
    failover: FailoverMonitor;
    media: MediaResolution;
    history: PlayHistoryLog;
  }) {
    this.#ctx = parts.ctx;
    this.#engine = parts.engine;
    this.#automation = parts.automation;
    this.#fallback = parts.fallback;
    this.#failover = parts.failover;
    this.#media = parts.media;
    this.#history = parts.history;
  }

  /** Bring derived sources up to date and make the engine play what should be on air. */
  async reconcile(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx.running) return;
    // An emergency insert is on its way to the engine; the next tick picks up from there.
    if (ctx.urgentSwitches > 0) return;
    this.#updateDerivedSources();
    const target = ctx.priority.onAir;
    // Never stop the air because the Store is down, nor because the engine answered a
    // status check late (with no fallback to switch to, a stop would only cut good audio):
    // what plays keeps playing until they answer again.
    const keepAir =
      target === undefined &&
      ctx.applied?.id === AUTOMATION_SOURCE_ID &&
      (this.#storeTrouble() || ctx.causes.has("engine"));
    if (!keepAir && sourceKey(target) !== sourceKey(ctx.applied)) {
      const kept = ctx.current;
      // Automation is back while its item never left the air (kept through a Store or engine hiccup): carry on.
      if (
        target?.id === AUTOMATION_SOURCE_ID &&
        ctx.applied?.id === AUTOMATION_SOURCE_ID &&
        kept !== undefined &&
        !ctx.failedEntries.has(kept.entry.id)
      ) {
        ctx.applied = target;
      } else {
        await this.switchTo(target, false);
      }
    }
    const now = ctx.time.now();
    if (ctx.fadeDone !== undefined && now >= ctx.fadeDone.at) {
      const to = ctx.fadeDone.to;
      ctx.fadeDone = undefined;
      ctx.transition(to, "fade complete");
    }
    if (ctx.applied?.id === AUTOMATION_SOURCE_ID) await this.#automation.drive();
    else if (ctx.applied?.id === FALLBACK_SOURCE_ID) await this.#fallback.drive();
  }

  /**
   * Tell the engine to put `target` on air, handling what leaves the air.
   * `urgent` (an emergency insert) skips the preemption fade and rethrows an
   * engine refusal to the caller.
   */
  async switchTo(target: ActiveSource | undefined, urgent: boolean): Promise<void> {
    const ctx = this.#ctx;
    const generation = ++ctx.switchGeneration;
    const previous = ctx.applied;
    const now = ctx.time.now();
    if (previous?.id === AUTOMATION_SOURCE_ID && target?.id !== AUTOMATION_SOURCE_ID)
      this.#automation.interrupt(now);
    if (previous?.id === FALLBACK_SOURCE_ID && target?.id !== FALLBACK_SOURCE_ID)
      ctx.fallback = undefined;
    const fromHigherTier = previous !== undefined && previous.priority < Priority.Automation;
    try {
      if (target === undefined) {
        // Never stop audio this executor did not start (e.g. reattached without a timeline).
        if (previous !== undefined) {
          await this.#engine.call("stop", () =>
            ctx.o.engine.stop(ctx.stationId, { fadeOutMs: ctx.o.preemptFadeMs }),
          );
        }
        if (generation !== ctx.switchGeneration) return;
        ctx.applied = undefined;
        this.#history.offAir(now);
        ctx.transition("idle", "nothing to play");
      } else if (target.priority === Priority.Emergency) {
        await this.#engine.call("insertEmergency", () =>
          ctx.o.engine.insertEmergency(ctx.stationId, {
            itemId: target.id,
            uri: target.uri ?? "",
            crossfadeMs: ctx.o.emergencyFadeMs,
            curve: ctx.o.curve,
            title: target.title,
          }),
        );
        if (generation !== ctx.switchGeneration) return;
        ctx.applied = target;
        ctx.fadeDone = undefined;
        ctx.transition("emergency", `emergency ${target.id}`);
        this.#sourceOnAir(target, now);
      } else if (isLiveTier(target.priority)) {
        const fade = ctx.state === "playing" && !urgent;
        if (fade) ctx.transition("fading", `preempted by ${target.id}`);
        await this.#engine.call("routeLive", () =>
          ctx.o.engine.routeLive(ctx.stationId, {
            inputUri: target.uri ?? "",
            priority: target.priority,
            fadeInMs: ctx.o.preemptFadeMs,
          }),
        );
        if (generation !== ctx.switchGeneration) return;
        ctx.applied = target;
        if (ctx.state === "fading") ctx.fadeDone = { at: now + ctx.o.preemptFadeMs, to: "live" };
        else ctx.transition("live", `live ${target.id}`);
        this.#sourceOnAir(target, now);
      } else {
        const crossfadeMs = fromHigherTier ? ctx.o.resumeCrossfadeMs : undefined;
        if (fromHigherTier && ctx.state !== "fading")
          ctx.transition("fading", `failback to ${target.id}`);
        const started =
          target.id === AUTOMATION_SOURCE_ID
            ? await this.#automation.start(crossfadeMs)
            : await this.#fallback.start(crossfadeMs ?? 0, 0);
        if (generation !== ctx.switchGeneration) return;
        if (!started) {
          ctx.applied = undefined;
          return;
        }
        ctx.applied = target;
        // What played before automation left the air when automation's first item started.
        if (target.id === AUTOMATION_SOURCE_ID) this.#history.offAir(ctx.current?.startedAt ?? now);
        if (ctx.state === "fading") ctx.fadeDone = { at: now + (crossfadeMs ?? 0), to: "playing" };
        else ctx.transition("playing", target.id);
      }
    } catch (error) {
      if (generation === ctx.switchGeneration) ctx.applied = undefined;
      ctx.logger.error("could not switch the air", {
        stationId: ctx.stationId,
        target: target?.id,
        error: String(error),
      });
      if (urgent) throw error;
      return;
    }
    if (previous?.id !== target?.id && target !== undefined)
      ctx.publish.priorityChanged(previous?.priority, target.priority, target.id);
    ctx.persist();
  }

  /**
   * An emergency or live source on air at `at`: publish `now_playing` and
   * open its play history record at its tier.
   */
  #sourceOnAir(source: ActiveSource, at: number): void {
    const ctx = this.#ctx;
    ctx.publish.nowPlaying({
      title: source.title,
      artist: source.artist,
      startedAt: at,
      priority: source.priority,
    });
    this.#history.onAir(source.id, {
      stationId: ctx.stationId,
      startedAt: at,
      priority: source.priority,
      ...(source.title === undefined ? {} : { title: source.title }),
      ...(source.artist === undefined ? {} : { artist: source.artist }),
    });
  }

  /**
   * New metadata (title, artist) for the live source `id` on air: publish it
   * and, for the aircheck log, close the record of what it played before and
   * open one for this. False when `id` is not an active live source.
   */
  liveMetadata(id: string, metadata: { title?: string; artist?: string }): boolean {
    const ctx = this.#ctx;
    const source = ctx.priority.get(id);
    if (source === undefined || !isLiveTier(source.priority)) return false;
    if (metadata.title !== undefined) source.title = metadata.title;
    if (metadata.artist !== undefined) source.artist = metadata.artist;
    if (ctx.applied?.id !== id) return true;
    ctx.applied = source;
    this.#sourceOnAir(source, ctx.time.now());
    ctx.persist();
    return true;
  }

  /** Automation is active when the timeline has something playable now; fallback when configured. */
  #updateDerivedSources(): void {
    const ctx = this.#ctx;
    this.#failover.clearRecoveredCauses();
    const now = ctx.time.now();
    const automationUp = ctx.causes.size === 0 && this.#automation.candidate(now) !== undefined;
    const automation = ctx.priority.get(AUTOMATION_SOURCE_ID);
    if (automationUp && automation === undefined) {
      ctx.priority.activate({
        id: AUTOMATION_SOURCE_ID,
        priority: Priority.Automation,
        activatedAt: now,
      });
    } else if (!automationUp && automation !== undefined) {
      ctx.priority.deactivate(AUTOMATION_SOURCE_ID);
    }
    if (ctx.o.fallback.length > 0 && !ctx.priority.has(FALLBACK_SOURCE_ID)) {
      ctx.priority.activate({
        id: FALLBACK_SOURCE_ID,
        priority: Priority.Fallback,
        activatedAt: now,
      });
    }
  }

  /** True while the Store does not answer (timeline reads or media resolution). */
  #storeTrouble(): boolean {
    return this.#ctx.timeline.stale || this.#media.failing;
  }
}
