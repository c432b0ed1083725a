import { Priority } from "@grimnir/core";
import type { ExecutorContext } from "./executor-context.js";
import type { EngineLink } from "./engine-link.js";
import type { FallbackItem } from "./executor-types.js";
import type { PlayHistoryLog } from "./play-history.js";

/**
 * Dead-air prevention audio: the configured fallback items, played in turn
 * at fallback priority (an item without a length loops by itself).
 */
export class FallbackAudio {
  readonly #ctx: ExecutorContext;
  readonly #engine: EngineLink;
  readonly #history: PlayHistoryLog;

  /** Fallback of the station of `ctx`. */
  constructor(ctx: ExecutorContext, engine: EngineLink, history: PlayHistoryLog) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.#history = history;
  }

  /** Start fallback item `index` (modulo the list) with a crossfade; false when it did not start. */
  async start(crossfadeMs: number, index: number): Promise<boolean> {
    const ctx = this.#ctx;
    const items = ctx.o.fallback;
    const item: FallbackItem | undefined = items[index % items.length];
    if (item === undefined) return false;
    const now = ctx.time.now();
    try {
      await this.#engine.call("play", () =>
        ctx.o.engine.play(ctx.stationId, {
          itemId: `fallback:${index % items.length}`,
          uri: item.uri,
          crossfadeMs,
          curve: ctx.o.curve,
          ...(item.title === undefined ? {} : { title: item.title }),
          ...(item.artist === undefined ? {} : { artist: item.artist }),
        }),
      );
    } catch (error) {
      ctx.logger.error("fallback audio did not start", {
        stationId: ctx.stationId,
        uri: item.uri,
        error: String(error),
      });
      return false;
    }
    ctx.fallback = { index: index % items.length, startedAt: now };
    ctx.publish.nowPlaying({
      title: item.title,
      artist: item.artist,
      startedAt: now,
      durationMs: item.durationMs,
      priority: Priority.Fallback,
    });
    this.#history.onAir(`fallback:${index % items.length}`, {
      stationId: ctx.stationId,
      startedAt: now,
      priority: Priority.Fallback,
      ...(item.title === undefined ? {} : { title: item.title }),
      ...(item.artist === undefined ? {} : { artist: item.artist }),
    });
    return true;
  }

  /** Move to the next fallback item when the one on air has played its length. */
  async drive(): Promise<void> {
    const ctx = this.#ctx;
    const playing = ctx.fallback;
    if (playing === undefined) return;
    const item = ctx.o.fallback[playing.index];
    if (item?.durationMs === undefined) return;
    if (ctx.time.now() >= playing.startedAt + item.durationMs) {
      await this.start(ctx.o.crossfadeMs, playing.index + 1);
    }
  }
}
