import type { FadeCurve } from "@grimnir/core";
import { fadeInGain } from "../fade-curve.js";

/**
 * Where the live layer reads a live input from: interleaved stereo float PCM
 * at the mixer's rate, arriving in real time from a source the engine does not
 * pace (a DJ's stream). Unlike a file's `PcmSource` it never ends while routed:
 * a dropped input stops delivering (and `running` turns false while its
 * decoder is down) until it comes back.
 */
export interface LiveSource {
  /** The input's URI, as routed. */
  readonly uri: string;
  /** Frames received and not yet read. */
  availableFrames(): number;
  /** Copy up to `frames` frames into `out` from frame `offsetFrames`; returns the frames copied. */
  read(out: Float32Array, offsetFrames: number, frames: number): number;
  /** Drop up to `frames` of the oldest frames (latency bound); returns the frames dropped. */
  skip(frames: number): number;
  /** False while no decoder runs for the input (it exited and waits to be retried). */
  readonly running: boolean;
  /** Why the input last stopped, when it did. */
  readonly lastError: string | undefined;
  /** Stop the input and release its decoder; idempotent. */
  close(): void;
}

/** Where a routed live input stands: waiting for its first audio, delivering, or dropped out. */
export type LiveInputState = "connecting" | "connected" | "disconnected";

/** Timing of the live layer, frames at the mixer rate. */
export interface LiveLayerTiming {
  /** Audio an input must have buffered before it sounds (and after every dropout): the target latency. */
  startFrames: number;
  /** When more than this is buffered, the oldest audio is dropped down to `startFrames`. */
  maxFrames: number;
  /** An input that delivers nothing for this long is reported disconnected. */
  dropoutFrames: number;
  /** Ramp used when an input sounds again after a dropout. */
  rampFrames: number;
}

/** What the live layer reports; `offset` is the frame offset inside the block being rendered. */
export interface LiveLayerListener {
  /** First audio of a route on air (once per routed input). */
  started(uri: string, offset: number): void;
  /** Audio flows (first time and after each dropout). */
  connected(uri: string, offset: number): void;
  /** The input stopped delivering audio (decoder exit or nothing for `dropoutFrames`). */
  disconnected(uri: string, offset: number, reason: string): void;
  /** The input left the layer (faded out or dropped). */
  ended(uri: string, offset: number): void;
}

/** A route taking the air from the program: from `offset` in the block, over `frames` along `curve`. */
export interface LiveTakeover {
  offset: number;
  frames: number;
  curve: FadeCurve;
}

interface Fade {
  /** Output frame where the fade starts. */
  start: number;
  frames: number;
  curve: FadeCurve;
}

/** One routed input in the layer. */
interface LiveChannel {
  source: LiveSource;
  state: LiveInputState;
  /** True once the channel has sounded: a later "connected" is a reconnect. */
  everConnected: boolean;
  /** True while connected but empty: silence until `startFrames` are buffered again. */
  rebuffering: boolean;
  /** Output frame since which nothing was delivered (while connected). */
  missingSince: number | undefined;
  /** Takeover fade when the channel first sounds. */
  fadeInFrames: number;
  curve: FadeCurve;
  fadeIn: Fade | undefined;
  fadeOut: Fade | undefined;
}

/**
 * The live layer of a mixer: at most one input on air plus one coming in (a
 * second RouteLive) or going out. Works on the output clock and never pauses,
 * so an input keeps being read (and stays current) while an emergency mutes
 * it. Missing input audio is silence, never a wait: the output clock does not
 * depend on a live input. Latency is held near `startFrames`: each input
 * sounds once that much is buffered, and audio beyond `maxFrames` is dropped.
 */
export class LiveLayer {
  readonly #timing: LiveLayerTiming;
  readonly #listener: LiveLayerListener;
  #channels: LiveChannel[] = [];

  /** An empty layer. */
  constructor(timing: LiveLayerTiming, listener: LiveLayerListener) {
    this.#timing = timing;
    this.#listener = listener;
  }

  /** The input routed now (the newest not on its way out), if any. */
  get current(): { uri: string; state: LiveInputState } | undefined {
    const ch = this.#routed();
    return ch && { uri: ch.source.uri, state: ch.state };
  }

  /** True when an input of the layer has sounded and is not fading out: live owns the air. */
  get onAir(): boolean {
    return this.#channels.some((c) => c.everConnected && !c.fadeOut);
  }

  /** True when nothing is routed and nothing fades out. */
  get idle(): boolean {
    return this.#channels.length === 0;
  }

  /**
   * Route `source`: it sounds once it has buffered audio, fading in over
   * `fadeFrames` while the input on air (if any) fades out over the same
   * frames. An input routed before that never sounded is dropped.
   */
  route(source: LiveSource, fadeFrames: number, curve: FadeCurve): void {
    for (const ch of this.#channels) {
      if (!ch.everConnected && !ch.fadeOut) ch.fadeOut = { start: -1, frames: 0, curve };
    }
    this.#channels.push({
      source,
      state: "connecting",
      everConnected: false,
      rebuffering: true,
      missingSince: undefined,
      fadeInFrames: fadeFrames,
      curve,
      fadeIn: undefined,
      fadeOut: undefined,
    });
  }

  /** Fade every input out from output frame `atFrame` over `frames` (at least the ramp), then close them. */
  end(atFrame: number, frames: number, curve: FadeCurve): void {
    const length = Math.max(frames, this.#timing.rampFrames);
    for (const ch of this.#channels) {
      // An input that never sounded has nothing to fade.
      const fade = ch.everConnected ? { start: atFrame, frames: length, curve } : undefined;
      if (!ch.fadeOut || (fade && fade.start + fade.frames < ch.fadeOut.start + ch.fadeOut.frames))
        ch.fadeOut = fade ?? { start: -1, frames: 0, curve };
    }
  }

  /** Close every input at once (mixer shutdown). */
  close(): void {
    for (const ch of this.#channels) ch.source.close();
    this.#channels = [];
  }

  /**
   * Add `frames` frames of the layer to interleaved stereo `out` (from offset
   * 0), for the block starting at output frame `blockStart`. Returns where a
   * route took the air from the program in this block (the program must fade
   * out from that offset over the route's fade), if one did.
   */
  render(
    out: Float32Array,
    frames: number,
    blockStart: number,
    scratch: Float32Array,
  ): LiveTakeover | undefined {
    let takeover: LiveTakeover | undefined;
    for (const ch of [...this.#channels]) {
      const at = this.#renderChannel(ch, out, frames, blockStart, scratch);
      if (at !== undefined) takeover ??= at;
    }
    return takeover;
  }

  #routed(): LiveChannel | undefined {
    for (let i = this.#channels.length - 1; i >= 0; i--)
      if (!this.#channels[i]!.fadeOut) return this.#channels[i];
    return undefined;
  }

  /** Render one channel; returns the offset where it took the air from the program, if it did. */
  #renderChannel(
    ch: LiveChannel,
    out: Float32Array,
    frames: number,
    blockStart: number,
    scratch: Float32Array,
  ): LiveTakeover | undefined {
    const t = this.#timing;
    let takeover: LiveTakeover | undefined;
    let pos = 0;
    while (pos < frames) {
      const now = blockStart + pos;
      if (ch.fadeOut && now >= ch.fadeOut.start + ch.fadeOut.frames) {
        this.#drop(ch, pos);
        return takeover;
      }
      // Bound the latency: a source delivering faster than real time (a server's burst) is skipped ahead.
      const available = ch.source.availableFrames();
      if (available > t.maxFrames) ch.source.skip(available - t.startFrames);
      if (ch.rebuffering) {
        // At least one frame: an empty input never counts as buffered.
        if (ch.source.availableFrames() >= Math.max(1, t.startFrames)) {
          ch.rebuffering = false;
          ch.missingSince = undefined;
          if (ch.state !== "connected") {
            ch.state = "connected";
            this.#listener.connected(ch.source.uri, pos);
          }
          if (!ch.everConnected) {
            ch.everConnected = true;
            this.#listener.started(ch.source.uri, pos);
            // The input on air (if any) crossfades into this one; otherwise it takes the air from the program.
            const onAir = this.#channels.filter((c) => c !== ch && c.everConnected && !c.fadeOut);
            for (const other of onAir)
              other.fadeOut = { start: now, frames: ch.fadeInFrames, curve: ch.curve };
            if (onAir.length === 0)
              takeover = { offset: pos, frames: ch.fadeInFrames, curve: ch.curve };
            if (ch.fadeInFrames > 0)
              ch.fadeIn = { start: now, frames: ch.fadeInFrames, curve: ch.curve };
          } else if (t.rampFrames > 0) {
            ch.fadeIn = { start: now, frames: t.rampFrames, curve: "linear" };
          }
          continue;
        }
        pos = this.#waitMissing(ch, pos, frames, blockStart);
        continue;
      }
      let limit = frames - pos;
      if (ch.fadeOut) limit = Math.min(limit, ch.fadeOut.start + ch.fadeOut.frames - now);
      const n = ch.source.read(scratch, 0, limit);
      for (let i = 0; i < n; i++) {
        const g = gainAt(ch, now + i);
        const o = (pos + i) * 2;
        out[o] = out[o]! + scratch[i * 2]! * g;
        out[o + 1] = out[o + 1]! + scratch[i * 2 + 1]! * g;
      }
      pos += n;
      if (n > 0) ch.missingSince = undefined;
      if (pos < frames && n < limit) {
        // Ran dry: silence until it has buffered its latency again, or until it counts as dropped.
        ch.rebuffering = true;
        ch.missingSince ??= blockStart + pos;
      }
    }
    return takeover;
  }

  /**
   * Silence while `ch` waits for audio from offset `pos`; reports a dropout on
   * its exact frame. Returns the offset to continue at.
   */
  #waitMissing(ch: LiveChannel, pos: number, frames: number, blockStart: number): number {
    let end = frames;
    if (ch.fadeOut)
      end = Math.min(end, Math.max(pos + 1, ch.fadeOut.start + ch.fadeOut.frames - blockStart));
    if (ch.state !== "connected") return end;
    if (!ch.source.running) {
      this.#disconnect(ch, pos, ch.source.lastError ?? "the input's decoder stopped");
      return end;
    }
    const since = ch.missingSince ?? blockStart + pos;
    ch.missingSince = since;
    const dropAt = since + this.#timing.dropoutFrames - blockStart;
    if (dropAt < end) {
      this.#disconnect(
        ch,
        Math.max(pos, dropAt),
        `no audio for ${Math.round(this.#timing.dropoutFrames)} frames`,
      );
    }
    return end;
  }

  #disconnect(ch: LiveChannel, offset: number, reason: string): void {
    ch.state = "disconnected";
    ch.missingSince = undefined;
    this.#listener.disconnected(ch.source.uri, offset, reason);
  }

  #drop(ch: LiveChannel, offset: number): void {
    ch.source.close();
    this.#channels = this.#channels.filter((c) => c !== ch);
    if (ch.everConnected) this.#listener.ended(ch.source.uri, offset);
  }
}

function gainAt(ch: LiveChannel, frame: number): number {
  let g = 1;
  if (ch.fadeIn) {
    const t = (frame - ch.fadeIn.start) / ch.fadeIn.frames;
    if (t >= 1) ch.fadeIn = undefined;
    else g *= fadeInGain(ch.fadeIn.curve, t);
  }
  if (ch.fadeOut && frame >= ch.fadeOut.start)
    g *= fadeInGain(ch.fadeOut.curve, 1 - (frame - ch.fadeOut.start) / ch.fadeOut.frames);
  return g;
}
