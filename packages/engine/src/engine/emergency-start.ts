import type { StationClock } from "./station-clock.js";
import type { StationEvent } from "./station-events.js";

/** The emergency whose first frame is awaited, when its RPC came, and the held `emergency_started`. */
interface Pending {
  itemId: string;
  /** `performance.now()` of the InsertEmergency call, ms. */
  rpcAt: number;
  event?: StationEvent;
}

/**
 * Reports an emergency's start when it is on air rather than when it was
 * asked for: the mixer's `emergency_started` is held until the emergency
 * item's first frame has been written to the encoder, then sent with the
 * frame's due time and `latencyMs`, the time since the InsertEmergency call.
 * While it waits, the station is pumped every 2 ms so the first audio is not
 * held for the engine's next render tick.
 */
export class EmergencyStart {
  readonly #clock: StationClock;
  readonly #emit: (event: StationEvent) => void;
  #pending: Pending | undefined;
  /** Pumps every 2 ms while an emergency waits for its first audio. */
  #pump: NodeJS.Timeout | undefined;
  #closed = false;

  /** Reports through `emit`, timing frames on `clock`. */
  constructor(clock: StationClock, emit: (event: StationEvent) => void) {
    this.#clock = clock;
    this.#emit = emit;
  }

  /**
   * Await item `itemId`'s first frame (an InsertEmergency call at
   * `performance.now()` time `rpcAt`); an `emergency_started` already held
   * for an earlier item stays held for this one.
   */
  expect(itemId: string, rpcAt: number): void {
    this.#pending = { itemId, rpcAt, event: this.#pending?.event };
  }

  /** Call `pump` every 2 ms until the awaited item `itemId` sounds, another is awaited, or this closes. */
  pumpUntilSounding(itemId: string, pump: () => void): void {
    clearInterval(this.#pump);
    this.#pump = setInterval(() => {
      if (this.#closed || this.#pending?.itemId !== itemId) {
        clearInterval(this.#pump);
        this.#pump = undefined;
      } else pump();
    }, 2);
  }

  /** Offer the mixer's `emergency_started`; true when it is held for the awaited item's first frame. */
  hold(event: StationEvent): boolean {
    if (!this.#pending || this.#pending.event) return false;
    this.#pending.event = event;
    return true;
  }

  /**
   * A block starting at output frame `frame` went to the encoder while
   * `soundingId` was the emergency on air: once that is the awaited item, send
   * its held start.
   */
  written(frame: number, soundingId: string | undefined): void {
    const pending = this.#pending;
    if (!pending || soundingId !== pending.itemId) return;
    this.#pending = undefined;
    clearInterval(this.#pump);
    this.#pump = undefined;
    if (pending.event) {
      this.#emit({
        ...pending.event,
        at: this.#clock.epochOf(frame),
        itemId: pending.itemId,
        latencyMs: performance.now() - pending.rpcAt,
      });
    }
  }

  /** Item `itemId` ended: if it was awaited it never sounded (it failed), so its held start is sent now. */
  ended(itemId: string): void {
    if (this.#pending?.itemId !== itemId) return;
    const held = this.#pending.event;
    this.#pending = undefined;
    if (held) this.#emit({ ...held, itemId });
  }

  /** Stop pumping for good (the station closed). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#pump);
  }
}
