import type { EventBus, Subscription } from "@grimnir/core";

/** One minute of a station's loudness. */
export interface LoudnessMinute {
  /** Start of the minute, epoch ms. */
  at: number;
  /** Mean of the momentary loudness samples in the minute, LUFS (energy mean). */
  lufs: number;
  /** Highest peak level of either channel in the minute, dBFS. */
  peakDb: number;
  /** Telemetry samples averaged. */
  samples: number;
}

const MINUTE_MS = 60_000;
const KEEP_MS = 24 * 60 * MINUTE_MS;

/**
 * The last 24 h of each station's loudness, one point per minute, built from
 * the executor's 1 s `metrics` events on the bus. In memory only: a restart
 * starts an empty chart (the brief's long-term store for this is Prometheus).
 */
export class LoudnessHistory {
  readonly #minutes = new Map<string, (LoudnessMinute & { energy: number })[]>();
  #subscription: Subscription | undefined;

  /** Subscribe to `metrics` for every station. */
  async start(bus: EventBus): Promise<void> {
    this.#subscription ??= await bus.subscribe("metrics", "*", (event) => {
      this.record(
        event.stationId,
        event.at,
        event.payload.loudnessLufs,
        Math.max(event.payload.levelLeftDb, event.payload.levelRightDb),
      );
    });
  }

  /** Stop listening. */
  async stop(): Promise<void> {
    await this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }

  /** Add one sample (momentary LUFS and peak dBFS at `at`, epoch ms). Non-finite loudness counts as silence (−70 LUFS). */
  record(stationId: string, at: number, lufs: number, peakDb: number): void {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const list = this.#minutes.get(stationId) ?? [];
    this.#minutes.set(stationId, list);
    const loud = Number.isFinite(lufs) ? Math.max(-70, lufs) : -70;
    const peak = Number.isFinite(peakDb) ? peakDb : -120;
    let last = list[list.length - 1];
    if (last === undefined || last.at !== minute) {
      last = { at: minute, lufs: loud, peakDb: peak, samples: 0, energy: 0 };
      list.push(last);
      while (list.length > 0 && list[0]!.at < minute - KEEP_MS) list.shift();
    }
    last.energy += 10 ** (loud / 10);
    last.samples++;
    last.lufs = 10 * Math.log10(last.energy / last.samples);
    last.peakDb = Math.max(last.peakDb, peak);
  }

  /** The station's minutes within the last 24 h before `now`, oldest first. */
  series(stationId: string, now: number): LoudnessMinute[] {
    return (this.#minutes.get(stationId) ?? [])
      .filter((m) => m.at >= now - KEEP_MS)
      .map(({ at, lufs, peakDb, samples }) => ({ at, lufs, peakDb, samples }));
  }
}
