import type { FadeCurve } from "@grimnir/core";
import { dbToGain, gainToDb } from "../fade-curve.js";
import type { MixerItem } from "./deck.js";
import { linearRamp, rampGain, type GainRamp } from "./gain-ramp.js";
import { Layer } from "./layer.js";
import {
  LiveLayer,
  type LiveInputState,
  type LiveLayerTiming,
  type LiveSource,
} from "./live-layer.js";
import { LevelMeter, type LevelReading } from "./meters.js";
import { mixBlock, type MixStems } from "./mix-block.js";
import { layerEvents, liveEvents, type MixerEvent, type MixerEventSink } from "./mixer-events.js";
import { SilenceDetector } from "./silence-detector.js";

// Re-exported: the package index and the DSP chain import the mixer's types from here.
export type { MixerEvent, MixStems };

/** How {@link Mixer.schedule} starts an item; frames are on the output sample clock. */
export interface ScheduleOptions {
  /** Output frame to start at (for crossfades: where the crossfade begins); as soon as possible when absent. */
  atFrame?: number;
  /** `undefined` = gapless after what plays; 0 = cut; > 0 = crossfade length, frames. */
  crossfadeFrames?: number;
  /** Fade shape for the crossfade and the item's fade-in; linear by default. */
  curve?: FadeCurve;
}

/**
 * Processing in the mixer's output path (the station's DSP chain): called once
 * per rendered block, after the master gain and before metering and silence
 * detection, so telemetry and outputs see the processed signal.
 */
export interface MixProcessor {
  /** Process `mix` (interleaved stereo) in place; `stems` hold the same block per layer. */
  process(mix: Float32Array, stems: MixStems): void;
}

/** Mixer construction options. */
export interface MixerOptions {
  /** Hz; 44100 by default. */
  sampleRate?: number;
  /** Ramp used when an emergency preempts the program and when the program resumes, frames (10 ms by default). */
  preemptFadeFrames?: number;
  /** Silence threshold, dBFS (−50 by default). */
  silenceThresholdDb?: number;
  /** Silence duration before it is reported, frames (15 s by default). */
  silenceFrames?: number;
  /**
   * Decoded audio an item needs before it first sounds, frames (0 by default). Until then it
   * waits in silence rather than stuttering while its decoder starts; preloaded items start at once.
   */
  startBufferFrames?: number;
  /**
   * The same for emergency items, frames (`startBufferFrames` by default): an
   * emergency should sound as soon as its decoder has a few ms ready.
   */
  emergencyStartBufferFrames?: number;
  /**
   * Live input timing, frames: `startFrames` buffered before an input sounds
   * (the target latency, 300 ms by default), `maxFrames` above which old audio
   * is dropped (500 ms), `dropoutFrames` without audio before `live_disconnected`
   * (500 ms), `rampFrames` when an input sounds again after a dropout (the
   * preemption ramp).
   */
  live?: Partial<LiveLayerTiming>;
  /** Receives every event synchronously during {@link Mixer.render}. */
  onEvent?: (event: MixerEvent) => void;
}

/** Snapshot of the mixer for status and telemetry. */
export interface MixerStatus {
  /** Output frames rendered so far. */
  frame: number;
  /** `live` once a routed live input has taken the air (even while it is dropped out). */
  state: "idle" | "playing" | "live" | "emergency";
  /** The program item on air (none while live is on air). */
  currentItemId?: string;
  /** Position in the current item, frames from file start. */
  positionFrames?: number;
  currentTitle?: string;
  currentArtist?: string;
  /** Ids of program items waiting to start, in order. */
  queued: string[];
  /** Blocks in which a sounding item had no decoded audio ready. */
  underruns: number;
  /** True while the silence detector reports dead air. */
  silent: boolean;
  /** URI of the routed live input, if any. */
  liveInputUri?: string;
  /** Where the routed live input stands. */
  liveState?: LiveInputState;
}

/**
 * The per-station stereo mixer: a deterministic function from scheduled items
 * to interleaved float PCM on a sample clock. It never blocks and never stops:
 * missing audio becomes silence (and an underrun), failed items end with a
 * `source_failure` event and the queue moves on. An emergency layer preempts
 * the program at once (short ramp) and the program resumes where it paused.
 * A live layer sits between them: a routed live input takes the air from the
 * program once it delivers audio (the program fades out, its queue is
 * dropped), an emergency mutes it, and a later `schedule` or `stop` ends it.
 */
export class Mixer {
  readonly sampleRate: number;
  readonly #program: Layer;
  readonly #emergency: Layer;
  readonly #live: LiveLayer;
  readonly #meter: LevelMeter;
  readonly #silence: SilenceDetector;
  readonly #preemptFrames: number;
  #onEvent: (event: MixerEvent) => void;
  #frame = 0;
  #blockStart = 0;
  #emergencyActive = false;
  #programRamp: GainRamp | undefined;
  /** Live layer gain: ramps to 0 while an emergency preempts it and back after. */
  #liveMute: GainRamp = linearRamp(1, 1, 0);
  #master: GainRamp = linearRamp(1, 1, 0);
  #underruns = 0;
  #scratch = new Float32Array(0);
  #programBuf = new Float32Array(0);
  #emergencyBuf = new Float32Array(0);
  #liveBuf = new Float32Array(0);
  #autoStem = new Float32Array(0);
  #emergencyStem = new Float32Array(0);
  #liveStem = new Float32Array(0);
  /** DSP applied to every block before metering; none by default. */
  processor: MixProcessor | undefined;

  /** A silent mixer at frame 0; see {@link MixerOptions}. */
  constructor(options: MixerOptions = {}) {
    this.sampleRate = options.sampleRate ?? 44100;
    this.#preemptFrames = options.preemptFadeFrames ?? Math.round(this.sampleRate / 100);
    this.#onEvent = options.onEvent ?? (() => undefined);
    this.#meter = new LevelMeter(this.sampleRate);
    this.#silence = new SilenceDetector(
      options.silenceThresholdDb ?? -50,
      options.silenceFrames ?? this.sampleRate * 15,
    );
    const sink: MixerEventSink = {
      frameAt: (offset) => this.#blockStart + offset,
      emit: (event) => {
        if (event.type === "underrun") this.#underruns++;
        this.#onEvent(event);
      },
    };
    this.#program = new Layer(layerEvents("program", sink), options.startBufferFrames);
    this.#emergency = new Layer(
      layerEvents("emergency", sink),
      options.emergencyStartBufferFrames ?? options.startBufferFrames,
    );
    const ms = (n: number): number => Math.round((this.sampleRate * n) / 1000);
    this.#live = new LiveLayer(
      {
        startFrames: options.live?.startFrames ?? ms(300),
        maxFrames: options.live?.maxFrames ?? ms(500),
        dropoutFrames: options.live?.dropoutFrames ?? ms(500),
        rampFrames: options.live?.rampFrames ?? this.#preemptFrames,
      },
      liveEvents(sink),
    );
  }

  /** Output frames rendered so far: the station's sample clock. */
  get frame(): number {
    return this.#frame;
  }

  /** Replace the event callback. */
  set onEvent(handler: (event: MixerEvent) => void) {
    this.#onEvent = handler;
  }

  /** Id of the emergency item on air once it has produced audio (not while it waits for its decoder). */
  get emergencySoundingId(): string | undefined {
    const deck = this.#emergencyActive ? this.#emergency.current : undefined;
    return deck?.sounded ? deck.item.itemId : undefined;
  }

  /**
   * Queue a program item. Items start strictly in the order they were scheduled.
   * While a live input is routed this ends it (failback): with `crossfadeFrames`
   * > 0 live fades out while the item fades in over that length from `atFrame`
   * (or now); otherwise it is a cut with the short preemption ramp.
   */
  schedule(item: MixerItem, options: ScheduleOptions = {}): void {
    let crossfadeFrames = options.crossfadeFrames;
    if (!this.#live.idle) {
      const wasOnAir = this.#live.onAir;
      const fade = crossfadeFrames ?? 0;
      this.#live.end(
        Math.max(this.#frame, options.atFrame ?? this.#frame),
        fade,
        options.curve ?? "linear",
      );
      if (wasOnAir) {
        const fadeIn = fade > 0 ? fade : this.#preemptFrames;
        item = { ...item, fadeInFrames: Math.max(fadeIn, item.fadeInFrames ?? 0) };
        crossfadeFrames = fade;
      }
    }
    this.#program.queue.push({
      item,
      // Output clock → program clock: the program clock stands still during emergencies.
      at:
        options.atFrame === undefined
          ? undefined
          : this.#program.clock + (options.atFrame - this.#frame),
      crossfadeFrames,
      curve: options.curve ?? "linear",
    });
  }

  /**
   * Route a live input (see {@link LiveLayer.route}): once it has buffered its
   * start latency it fades in over `fadeFrames` while the program (or the
   * input on air) fades out over the same frames and the program queue is
   * dropped. The caller owns the no-op check for an input already routed.
   */
  routeLive(source: LiveSource, fadeFrames: number, curve: FadeCurve = "linear"): void {
    this.#live.route(source, fadeFrames, curve);
  }

  /** The routed live input and its state, if any. */
  get liveInput(): { uri: string; state: LiveInputState } | undefined {
    return this.#live.current;
  }

  /** Preempt the program with `item` now (or queue after an emergency already playing). */
  insertEmergency(item: MixerItem): void {
    this.#emergency.queue.push({
      item: { ...item, fadeInFrames: item.fadeInFrames ?? this.#preemptFrames },
      crossfadeFrames: undefined,
      curve: "linear",
    });
    if (!this.#emergencyActive) {
      this.#emergencyActive = true;
      this.#programRamp = linearRamp(1, 0, this.#preemptFrames);
      this.#liveMute = linearRamp(rampGain(this.#liveMute), 0, this.#preemptFrames);
      this.#onEvent({ type: "emergency_started", frame: this.#frame });
    }
  }

  /** Fade the program out over `fadeFrames` and drop its queue; a live input fades out too (at least the preemption ramp) and is released. */
  stop(fadeFrames = 0, curve: FadeCurve = "linear"): void {
    this.#program.stop(fadeFrames, curve);
    this.#live.end(this.#frame, fadeFrames, curve);
  }

  /** Ramp the master gain to `targetDb` over `frames` along `curve`. */
  fade(targetDb: number, frames: number, curve: FadeCurve = "linear"): void {
    const now = rampGain(this.#master);
    this.#master = { from: now, to: dbToGain(targetDb), frames, done: 0, curve };
  }

  /** Current master gain, dB. */
  get masterGainDb(): number {
    return gainToDb(rampGain(this.#master));
  }

  /** Change silence detection: threshold dBFS, duration frames. */
  configureSilence(thresholdDb: number, frames: number): void {
    this.#silence.configure(thresholdDb, frames);
  }

  /** Levels since the last call and current loudness; see {@link LevelMeter.take}. */
  takeLevels(): LevelReading {
    return this.#meter.take();
  }

  /** What plays now. */
  status(): MixerStatus {
    const live = this.#live.onAir;
    const layer = this.#emergencyActive ? this.#emergency : this.#program;
    const deck = live && !this.#emergencyActive ? undefined : layer.current;
    const input = this.#live.current;
    return {
      frame: this.#frame,
      state: this.#emergencyActive ? "emergency" : live ? "live" : deck ? "playing" : "idle",
      currentItemId: deck?.item.itemId,
      positionFrames: deck?.position,
      currentTitle: deck?.item.title,
      currentArtist: deck?.item.artist,
      queued: this.#program.queue.map((e) => e.item.itemId),
      underruns: this.#underruns,
      silent: this.#silence.silent,
      liveInputUri: input?.uri,
      liveState: input?.state,
    };
  }

  /** Release every source (decoders) the mixer holds. */
  close(): void {
    for (const layer of [this.#program, this.#emergency]) {
      for (const deck of layer.decks) deck.item.source.close();
      for (const entry of layer.queue) entry.item.source.close();
      layer.decks = [];
      layer.queue = [];
    }
    this.#live.close();
  }

  /** Render the next `frames` frames of interleaved stereo and advance the clock. */
  render(frames: number): Float32Array {
    this.#ensure(frames);
    const out = new Float32Array(frames * 2);
    const pbuf = this.#programBuf.subarray(0, frames * 2);
    const ebuf = this.#emergencyBuf.subarray(0, frames * 2);
    const lbuf = this.#liveBuf.subarray(0, frames * 2);
    pbuf.fill(0);
    ebuf.fill(0);
    lbuf.fill(0);
    this.#blockStart = this.#frame;
    // Live first: it decides where (if anywhere) it takes the air from the program in this block.
    const takeover = this.#live.render(lbuf, frames, this.#frame, this.#scratch);
    let liveUp: GainRamp | undefined;
    let liveUpFrom = frames;

    // Program gain: 1, or a ramp down (preempted, then paused) / up (resuming after an emergency).
    let down: GainRamp | undefined;
    let up: GainRamp | undefined = this.#programRamp?.to === 1 ? this.#programRamp : undefined;
    let upFrom = 0;
    let programTo = frames;
    if (this.#emergencyActive) {
      down = this.#programRamp?.to === 0 ? this.#programRamp : undefined;
      up = undefined;
      const idleAt = this.#emergency.render(ebuf, 0, frames, this.#scratch);
      // The program keeps running only through its preemption ramp, then pauses in place.
      programTo = down ? Math.min(frames, down.frames - down.done) : 0;
      if (programTo > 0) this.#program.render(pbuf, 0, programTo, this.#scratch);
      // The program is muted: a takeover now simply ends it.
      if (takeover) this.#program.stop(0, "linear");
      if (idleAt !== undefined) {
        this.#emergencyActive = false;
        this.#onEvent({ type: "emergency_ended", frame: this.#frame + idleAt });
        upFrom = Math.max(idleAt, programTo);
        up = linearRamp(0, 1, this.#preemptFrames);
        this.#programRamp = up;
        this.#program.render(pbuf, upFrom, frames, this.#scratch);
        liveUpFrom = idleAt;
        liveUp = linearRamp(0, 1, this.#preemptFrames);
      }
    } else if (takeover) {
      this.#program.render(pbuf, 0, takeover.offset, this.#scratch);
      this.#program.stop(takeover.frames, takeover.curve);
      this.#program.render(pbuf, takeover.offset, frames, this.#scratch);
    } else {
      this.#program.render(pbuf, 0, frames, this.#scratch);
    }

    const stems = mixBlock(
      out,
      { automation: pbuf, emergency: ebuf, live: lbuf },
      { automation: this.#autoStem, emergency: this.#emergencyStem, live: this.#liveStem },
      frames,
      {
        programUp: up,
        programUpFrom: upFrom,
        programDown: down,
        programTo,
        liveMute: this.#liveMute,
        liveUp,
        liveUpFrom,
        master: this.#master,
      },
    );
    if (liveUp) this.#liveMute = liveUp;
    if (up && up.done >= up.frames) this.#programRamp = undefined;
    this.processor?.process(out, stems);

    this.#meter.process(out);
    for (const change of this.#silence.process(out, this.#frame)) {
      this.#onEvent({
        type: change.kind === "silence" ? "silence" : "audio_restored",
        frame: change.frame,
      });
    }
    this.#frame += frames;
    return out;
  }

  #ensure(frames: number): void {
    if (this.#scratch.length >= frames * 2) return;
    this.#scratch = new Float32Array(frames * 2);
    this.#programBuf = new Float32Array(frames * 2);
    this.#emergencyBuf = new Float32Array(frames * 2);
    this.#liveBuf = new Float32Array(frames * 2);
    this.#autoStem = new Float32Array(frames * 2);
    this.#emergencyStem = new Float32Array(frames * 2);
    this.#liveStem = new Float32Array(frames * 2);
  }
}
