import type { FadeCurve, PlayRequest } from "@grimnir/core";
import { Priority } from "@grimnir/core";
import type { WarmDecoderPool } from "../gst/warm-decoder.js";
import { GstLiveInput, parseInputUri } from "../gst/live-input.js";
import { Mixer } from "../mixer/mixer.js";
import type { MixerEvent } from "../mixer/mixer-events.js";
import type { DspChain, DspNodeTelemetry } from "../dsp/chain.js";
import { LiveDspChain } from "../dsp/live-chain.js";
import { EmergencyStart } from "./emergency-start.js";
import { OutputFeed, type StationOutputs } from "./output-feed.js";
import { StationClock, type StationTiming } from "./station-clock.js";
import { cueLineOf, stationEventOf, type StationEvent } from "./station-events.js";
import { StationItems } from "./station-items.js";

// Re-exported: the package index, the gRPC server and the client import these from here.
export type { StationEvent, StationOutputs, StationTiming };

/**
 * One station inside the engine: its mixer, the decoders feeding it and the
 * single encoder process every output of the station hangs off. The engine
 * calls {@link Station.pump} on a timer; the station renders exactly as many
 * frames as real time (plus the lead) requires.
 */
export class Station {
  readonly id: string;
  readonly mixer: Mixer;
  readonly #clock: StationClock;
  readonly #emit: (event: StationEvent) => void;
  readonly #output: OutputFeed;
  readonly #items: StationItems;
  readonly #emergency: EmergencyStart;
  #dsp: LiveDspChain | undefined;
  #livePriority: number = Priority.LiveOverride;
  /**
   * Decoders kept running for items that were not preloaded (set by the
   * engine); without it every such item starts a new decoder process.
   */
  warmDecoders: WarmDecoderPool | undefined;

  /** A station whose sample clock starts now. */
  constructor(id: string, timing: StationTiming, emit: (event: StationEvent) => void) {
    this.id = id;
    this.#emit = emit;
    this.#clock = new StationClock(timing);
    this.#output = new OutputFeed(id, this.#clock, emit);
    this.#emergency = new EmergencyStart(this.#clock, emit);
    this.#items = new StationItems({
      stationId: id,
      clock: this.#clock,
      emit,
      warmDecoders: () => this.warmDecoders,
      // Each new title of a webstream is an event and, while the item is on air, the outputs' title.
      onStreamTags: (itemId, tags) => {
        this.#emit({
          stationId: this.id,
          at: Date.now(),
          type: "metadata",
          itemId,
          title: tags.title,
          artist: tags.artist,
        });
        if (this.mixer.status().currentItemId === itemId)
          this.setMetadata(tags.title!, tags.artist);
      },
    });
    this.mixer = new Mixer({
      sampleRate: timing.sampleRate,
      startBufferFrames: Math.round(timing.sampleRate * 0.3),
      // Live audio is held ~300 ms between arrival and air: the layer buffers that plus the render lead.
      live: {
        startFrames: Math.round((timing.sampleRate * (300 + timing.leadMs)) / 1000),
        maxFrames: Math.round((timing.sampleRate * (500 + timing.leadMs)) / 1000),
      },
      // An emergency sounds as soon as 20 ms are decoded (its decoder runs far faster than real time).
      emergencyStartBufferFrames: Math.round(timing.sampleRate * 0.02),
      onEvent: (e) => this.#onMixerEvent(e),
    });
  }

  /** Engine-clock epoch ms at which output frame `frame` is due at the encoder. */
  epochOf(frame: number): number {
    return this.#clock.epochOf(frame);
  }

  /** Output frame due at engine-clock epoch ms `epochMs`. */
  frameOf(epochMs: number): number {
    return this.#clock.frameOf(epochMs);
  }

  /** Audio written ahead of real time into the encoder, ms. */
  get bufferDepthMs(): number {
    return this.#clock.aheadMs(this.mixer.frame);
  }

  /** URI of an item the station played or holds. */
  uriOf(itemId: string | undefined): string | undefined {
    return itemId === undefined ? undefined : this.#items.uriOf(itemId);
  }

  /** Id of a preloaded item not yet played. */
  get preloadedItemId(): string | undefined {
    return this.#items.preloadedItemId;
  }

  /** Current now-playing title sent to outputs. */
  get title(): string | undefined {
    return this.#output.title;
  }

  /** Render and send what real time requires now; called every few ms. */
  pump(): void {
    const due = this.#clock.dueFrame;
    const target = due + this.#clock.leadFrames;
    while (this.mixer.frame < target) {
      const frame = this.mixer.frame;
      const block = this.mixer.render(Math.min(2048, target - frame));
      this.#output.write(frame, block);
      this.#emergency.written(frame, this.mixer.emergencySoundingId);
    }
    this.#output.feedRecorders(due);
  }

  /** Output frame due at the encoder now (real time, without the lead). */
  get dueFrame(): number {
    return this.#clock.dueFrame;
  }

  /**
   * Install a compiled DSP chain. On the first graph the chain is inserted in
   * the mixer's output path; a later one crossfades from the running chain
   * over `crossfadeMs` (both process the same audio meanwhile), so a live
   * change has neither a gap nor a click. The graph's silence detector
   * settings apply at once.
   */
  loadGraph(chain: DspChain, crossfadeMs = 50): void {
    chain.onNodeError = (nodeId, error) =>
      this.#emit({
        stationId: this.id,
        at: Date.now(),
        type: "dsp_failure",
        message: `DSP node "${nodeId}" failed and is bypassed: ${error.message}`,
      });
    if (!this.#dsp) {
      this.#dsp = new LiveDspChain();
      this.mixer.processor = this.#dsp;
    }
    this.#dsp.load(chain, this.#clock.frames(crossfadeMs));
    const silence = chain.silence ?? { thresholdDb: -50, seconds: 15 };
    this.mixer.configureSilence(
      silence.thresholdDb,
      Math.round(silence.seconds * this.#clock.sampleRate),
    );
  }

  /** Telemetry of each node of the DSP chain on air (gain reduction, levels); empty without a graph. */
  dspReadings(): DspNodeTelemetry[] {
    return this.#dsp?.readings() ?? [];
  }

  /** Start decoding an item; resolves once audio is ready, rejects with a typed error when it cannot be decoded. */
  preload(request: PlayRequest): Promise<void> {
    return this.#items.preload(request);
  }

  /** Schedule an item on the program (see PlayRequest for crossfade / gapless / atMs semantics). */
  play(request: PlayRequest): void {
    const item = this.#items.take(request);
    this.mixer.schedule(item, {
      atFrame: request.atMs === undefined ? undefined : this.frameOf(request.atMs),
      crossfadeFrames:
        request.crossfadeMs === undefined ? undefined : this.#clock.frames(request.crossfadeMs),
      curve: request.curve,
    });
  }

  /** Preempt the program with emergency audio now. */
  insertEmergency(request: PlayRequest): void {
    const rpcAt = performance.now();
    const item = this.#items.take(request);
    // `emergency_started` is held until this item's first frame reaches the encoder (see pump).
    this.#emergency.expect(request.itemId, rpcAt);
    this.mixer.insertEmergency(item);
    this.#emergency.pumpUntilSounding(request.itemId, () => this.pump());
  }

  /**
   * Route a live input: it takes the air once it delivers audio, fading in over
   * `fadeInMs` (500 by default) while the program (or the input on air) fades
   * out and the program queue is dropped. The same URI again changes nothing;
   * another URI crossfades between the inputs. A later `play` or `stop` ends
   * live. Throws `VALIDATION` naming `input_uri` for a URI that is not a live
   * input (`http(s)://`, `icecast://`, `srt://`, `rtp://`).
   */
  routeLive(inputUri: string, fadeInMs = 500, priority: number = Priority.LiveOverride): void {
    parseInputUri(inputUri);
    if (this.mixer.liveInput?.uri === inputUri) return;
    let reported = false;
    const source = new GstLiveInput(inputUri, {
      sampleRate: this.#clock.sampleRate,
      // An input that fails before it ever delivered is reported once; later dropouts come from the mixer.
      onFailure: (message) => {
        const live = this.mixer.liveInput;
        if (reported || live?.uri !== inputUri || live.state !== "connecting") return;
        reported = true;
        this.#emit({
          stationId: this.id,
          at: Date.now(),
          type: "live_disconnected",
          inputUri,
          message,
        });
      },
    });
    this.#livePriority = priority;
    this.mixer.routeLive(source, this.#clock.frames(fadeInMs));
  }

  /** Fade out what plays (live included) and drop the queue. */
  stop(fadeOutMs = 0): void {
    this.mixer.stop(this.#clock.frames(fadeOutMs));
  }

  /** Ramp the master gain. */
  fade(targetDb: number, durationMs: number, curve: FadeCurve = "linear"): void {
    this.mixer.fade(targetDb, this.#clock.frames(durationMs), curve);
  }

  /** Set now-playing metadata on every output. */
  setMetadata(title: string, artist?: string): void {
    this.#output.setTitle(artist ? `${artist} - ${title}` : title);
  }

  /**
   * Replace the outputs; restarts the station's single encoder with a tee to
   * all of them. Recordings that stay (same name and directory) continue
   * without a break; new ones start at the frame due now; removed ones end.
   */
  configureOutputs(outputs: StationOutputs): void {
    const status = this.mixer.status();
    const playing = status.currentItemId;
    const nowPlaying =
      playing === undefined
        ? undefined
        : {
            itemId: playing,
            ...this.#items.infoOf(playing),
            source: status.state === "emergency" ? "emergency" : "automation",
            priority: status.state === "emergency" ? Priority.Emergency : Priority.Automation,
          };
    this.#output.configure(outputs, nowPlaying);
  }

  /** Outputs in use now. */
  get outputs(): StationOutputs {
    return this.#output.outputs;
  }

  /** End every recording (flushing what is due now); resolves when their files are complete. */
  closeRecordings(): Promise<void> {
    return this.#output.closeRecordings();
  }

  /** Stop the encoder and every decoder. */
  close(): void {
    void this.closeRecordings();
    this.#output.close();
    this.#emergency.close();
    this.mixer.close();
    this.#dsp?.dispose();
    this.#items.close();
  }

  /** Put the item that just started on air into the outputs' now-playing title (its stream tags first). */
  #showOnAir(itemId: string): void {
    const status = this.mixer.status();
    if (status.currentItemId !== itemId) return;
    const streamed = this.#items.streamTagsOf(itemId);
    if (streamed?.title) this.setMetadata(streamed.title, streamed.artist);
    else if (status.currentTitle) this.setMetadata(status.currentTitle, status.currentArtist);
  }

  #onMixerEvent(event: MixerEvent): void {
    if (this.#output.recording) {
      const line = cueLineOf(event, (itemId) => this.#items.infoOf(itemId), this.#livePriority);
      this.#output.cue(event.frame, line);
    }
    const stationEvent = stationEventOf(
      this.id,
      event,
      this.epochOf(event.frame),
      this.#clock.sampleRate,
    );
    if (event.type === "item_started") this.#showOnAir(event.itemId);
    // Held until the emergency's first frame reaches the encoder (see EmergencyStart).
    else if (event.type === "emergency_started" && this.#emergency.hold(stationEvent)) return;
    else if (event.type === "item_ended") this.#emergency.ended(event.itemId);
    this.#emit(stationEvent);
  }
}
