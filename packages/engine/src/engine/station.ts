import type { FadeCurve, PlayRequest } from "@grimnir/core";
import { GrimnirError } from "@grimnir/core";
import {
  startDecoder,
  toDecoderUri,
  type DecoderOptions,
  type StreamTags,
} from "../gst/decoder.js";
import type { WarmDecoderPool } from "../gst/warm-decoder.js";
import { GstLiveInput, parseInputUri } from "../gst/live-input.js";
import { Priority } from "@grimnir/core";
import {
  startEncoder,
  type Encoding,
  type OutputCodec,
  type EncoderProcess,
  type HlsTarget,
  type IcecastTarget,
} from "../gst/encoder.js";
import { Recorder, type RecordingTarget } from "../outputs/recorder.js";
import type { MixerItem } from "../mixer/deck.js";
import { Mixer, type MixerEvent } from "../mixer/mixer.js";
import type { DspChain, DspNodeTelemetry } from "../dsp/chain.js";
import { LiveDspChain } from "../dsp/live-chain.js";
import type { PcmBuffer } from "../mixer/pcm-buffer.js";
import type { HttpStreamMount } from "../outputs/http-stream.js";

/** Something that happened on a station, as sent on StreamTelemetry. */
export interface StationEvent {
  stationId: string;
  /** Engine clock, epoch ms. */
  at: number;
  /**
   * item_started | item_ended | source_failure | underrun | silence | audio_restored |
   * emergency_started | emergency_ended | output_failure | dsp_failure |
   * live_started (first live sample in the mix; `at` is when it is due on air) |
   * live_connected | live_disconnected (`message` says why) | live_ended |
   * metadata (a webstream item's title tag changed: `itemId`, `title`, `artist`)
   */
  type: string;
  itemId?: string;
  /** The live input a `live_*` event is about. */
  inputUri?: string;
  message?: string;
  /** Position in the item, ms from file start. */
  positionMs?: number;
  reason?: string;
  /**
   * On `emergency_started` (sent when the emergency's first frame is written
   * to the encoder): ms from the InsertEmergency call to that write.
   */
  latencyMs?: number;
  /** On `metadata`: the stream's new title tag (a webstream's ICY `StreamTitle`). */
  title?: string;
  /** On `metadata`: the stream's artist tag, when it has one. */
  artist?: string;
}

/** A station's outputs after validation. */
export interface StationOutputs {
  /** Icecast mounts, each with its codec and bitrate (kbit/s). */
  icecast: { name: string; target: IcecastTarget; codec: OutputCodec; bitrateKbps: number }[];
  /** Built-in HTTP stream mounts (codec and bitrate are the mount's). */
  http: { name: string; mount: HttpStreamMount }[];
  /** HLS outputs (MP3 branches of the station's encoder at `bitrateKbps`). */
  hls: (HlsTarget & { bitrateKbps: number })[];
  /** Aircheck recordings (written from the processed PCM, not the MP3). */
  recordings: RecordingTarget[];
}

/** Timing of a station's real-time loop. */
export interface StationTiming {
  sampleRate: number;
  /** Mixed audio kept written ahead of real time into the encoder, ms. */
  leadMs: number;
}

interface Preloaded {
  uri: string;
  buffer: PcmBuffer;
}

/**
 * One station inside the engine: its mixer, the decoders feeding it and the
 * single encoder process every output of the station hangs off. The engine
 * calls {@link Station.pump} on a timer; the station renders exactly as many
 * frames as real time (plus the lead) requires.
 */
export class Station {
  readonly id: string;
  readonly mixer: Mixer;
  readonly #timing: StationTiming;
  readonly #emit: (event: StationEvent) => void;
  readonly #t0: number;
  readonly #epoch0: number;
  #encoder: EncoderProcess | undefined;
  #outputs: StationOutputs = { icecast: [], http: [], hls: [], recordings: [] };
  #recorders: Recorder[] = [];
  /** Rendered blocks not yet due in real time, for recorders (≤ the lead). */
  #recent: { frame: number; block: Float32Array }[] = [];
  #itemInfo = new Map<string, { title?: string; artist?: string }>();
  #preloaded = new Map<string, Preloaded>();
  #uris = new Map<string, string>();
  #title: string | undefined;
  #closed = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #dsp: LiveDspChain | undefined;
  /** The emergency whose first frame is awaited, when its RPC came, and the held `emergency_started`. */
  #emergencyPending: { itemId: string; rpcAt: number; event?: StationEvent } | undefined;
  /** Pumps every 2 ms while an emergency waits for its first audio, so it is not held for the next tick. */
  #emergencyPump: NodeJS.Timeout | undefined;
  /** Latest title/artist a webstream item's decoder reported, by item id. */
  #streamTags = new Map<string, StreamTags>();
  /**
   * Decoders kept running for items that were not preloaded (set by the
   * engine); without it every such item starts a new decoder process.
   */
  warmDecoders: WarmDecoderPool | undefined;
  #livePriority: number = Priority.LiveOverride;

  /** A station whose sample clock starts now. */
  constructor(id: string, timing: StationTiming, emit: (event: StationEvent) => void) {
    this.id = id;
    this.#timing = timing;
    this.#emit = emit;
    this.#t0 = performance.now();
    this.#epoch0 = Date.now();
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
    return this.#epoch0 + (frame * 1000) / this.#timing.sampleRate;
  }

  /** Output frame due at engine-clock epoch ms `epochMs`. */
  frameOf(epochMs: number): number {
    return Math.round(((epochMs - this.#epoch0) * this.#timing.sampleRate) / 1000);
  }

  /** Audio written ahead of real time into the encoder, ms. */
  get bufferDepthMs(): number {
    const elapsed = ((performance.now() - this.#t0) * this.#timing.sampleRate) / 1000;
    return Math.max(0, ((this.mixer.frame - elapsed) * 1000) / this.#timing.sampleRate);
  }

  /** URI of an item the station played or holds. */
  uriOf(itemId: string | undefined): string | undefined {
    return itemId === undefined ? undefined : this.#uris.get(itemId);
  }

  /** Id of a preloaded item not yet played. */
  get preloadedItemId(): string | undefined {
    return [...this.#preloaded.keys()].at(-1);
  }

  /** Current now-playing title sent to outputs. */
  get title(): string | undefined {
    return this.#title;
  }

  /** Render and send what real time requires now; called every few ms. */
  pump(): void {
    const due = Math.floor(((performance.now() - this.#t0) * this.#timing.sampleRate) / 1000);
    const target = due + Math.round((this.#timing.leadMs * this.#timing.sampleRate) / 1000);
    while (this.mixer.frame < target) {
      const frame = this.mixer.frame;
      const block = this.mixer.render(Math.min(2048, target - frame));
      this.#encoder?.write(block);
      this.#recent.push({ frame, block });
      const pending = this.#emergencyPending;
      if (pending && this.mixer.emergencySoundingId === pending.itemId) {
        this.#emergencyPending = undefined;
        clearInterval(this.#emergencyPump);
        this.#emergencyPump = undefined;
        if (pending.event) {
          this.#emit({
            ...pending.event,
            at: this.epochOf(frame),
            itemId: pending.itemId,
            latencyMs: performance.now() - pending.rpcAt,
          });
        }
      }
    }
    this.#feedRecorders(due);
  }

  /** Output frame due at the encoder now (real time, without the lead). */
  get dueFrame(): number {
    return Math.floor(((performance.now() - this.#t0) * this.#timing.sampleRate) / 1000);
  }

  /** Give recorders every rendered frame that is due by `due`, then forget blocks nobody needs. */
  #feedRecorders(due: number): void {
    for (const rec of this.#recorders) {
      for (const { frame, block } of this.#recent) {
        const frames = block.length / 2;
        if (frame + frames <= rec.frame || frame >= due) continue;
        rec.write(block.subarray(0, Math.min(frames, due - frame) * 2), frame);
      }
    }
    this.#recent = this.#recent.filter(({ frame, block }) => frame + block.length / 2 > due);
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
    this.#dsp.load(chain, this.#frames(crossfadeMs));
    const silence = chain.silence ?? { thresholdDb: -50, seconds: 15 };
    this.mixer.configureSilence(
      silence.thresholdDb,
      Math.round(silence.seconds * this.#timing.sampleRate),
    );
  }

  /** Telemetry of each node of the DSP chain on air (gain reduction, levels); empty without a graph. */
  dspReadings(): DspNodeTelemetry[] {
    return this.#dsp?.readings() ?? [];
  }

  /** Start decoding an item; resolves once audio is ready, rejects with a typed error when it cannot be decoded. */
  async preload(request: PlayRequest): Promise<void> {
    const uri = toDecoderUri(request.uri);
    this.#preloaded.get(request.itemId)?.buffer.close();
    const buffer = startDecoder(uri, this.#decoderOptions(request.itemId, uri));
    this.#preloaded.set(request.itemId, { uri, buffer });
    this.#uris.set(request.itemId, request.uri);
    for (let waited = 0; buffer.availableFrames() === 0 && !buffer.ended; waited += 10) {
      if (waited > 10_000)
        throw new GrimnirError("INTERNAL", `decoder produced no audio for ${uri} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (buffer.error) {
      this.#preloaded.delete(request.itemId);
      this.#emit({
        stationId: this.id,
        at: Date.now(),
        type: "source_failure",
        itemId: request.itemId,
        message: buffer.error.message,
      });
      throw new GrimnirError("VALIDATION", buffer.error.message, {
        details: { field: "uri", uri: request.uri },
      });
    }
  }

  /** Schedule an item on the program (see PlayRequest for crossfade / gapless / atMs semantics). */
  play(request: PlayRequest): void {
    const item = this.#item(request);
    this.mixer.schedule(item, {
      atFrame: request.atMs === undefined ? undefined : this.frameOf(request.atMs),
      crossfadeFrames:
        request.crossfadeMs === undefined ? undefined : this.#frames(request.crossfadeMs),
      curve: request.curve,
    });
  }

  /** Preempt the program with emergency audio now. */
  insertEmergency(request: PlayRequest): void {
    const rpcAt = performance.now();
    const item = this.#item(request);
    // `emergency_started` is held until this item's first frame reaches the encoder (see pump).
    this.#emergencyPending = {
      itemId: request.itemId,
      rpcAt,
      event: this.#emergencyPending?.event,
    };
    this.mixer.insertEmergency(item);
    clearInterval(this.#emergencyPump);
    this.#emergencyPump = setInterval(() => {
      if (this.#closed || this.#emergencyPending?.itemId !== request.itemId) {
        clearInterval(this.#emergencyPump);
        this.#emergencyPump = undefined;
      } else this.pump();
    }, 2);
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
      sampleRate: this.#timing.sampleRate,
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
    this.mixer.routeLive(source, this.#frames(fadeInMs));
  }

  /** Fade out what plays (live included) and drop the queue. */
  stop(fadeOutMs = 0): void {
    this.mixer.stop(this.#frames(fadeOutMs));
  }

  /** Ramp the master gain. */
  fade(targetDb: number, durationMs: number, curve: FadeCurve = "linear"): void {
    this.mixer.fade(targetDb, this.#frames(durationMs), curve);
  }

  /** Set now-playing metadata on every output. */
  setMetadata(title: string, artist?: string): void {
    const text = artist ? `${artist} - ${title}` : title;
    this.#title = text;
    for (const out of this.#outputs.http) out.mount.setTitle(text);
    for (const out of this.#outputs.icecast)
      void this.#pushIcecastTitle(out.name, out.target, text);
  }

  /**
   * Replace the outputs; restarts the station's single encoder with a tee to
   * all of them. Recordings that stay (same name and directory) continue
   * without a break; new ones start at the frame due now; removed ones end.
   */
  configureOutputs(outputs: StationOutputs): void {
    this.#outputs = outputs;
    const key = (t: RecordingTarget): string => `${t.name}\u0000${t.directory}`;
    const wanted = new Set(outputs.recordings.map(key));
    // A recording that ends gets everything due up to now, not only up to the last tick.
    this.#feedRecorders(this.dueFrame);
    for (const rec of this.#recorders) if (!wanted.has(key(rec.target))) void rec.close();
    const kept = this.#recorders.filter((r) => wanted.has(key(r.target)));
    const have = new Set(kept.map((r) => key(r.target)));
    const status = this.mixer.status();
    const playing = status.currentItemId;
    const nowPlaying =
      playing === undefined
        ? undefined
        : {
            itemId: playing,
            uri: this.#uris.get(playing),
            ...this.#itemInfo.get(playing),
            source: status.state === "emergency" ? "emergency" : "automation",
            priority: status.state === "emergency" ? Priority.Emergency : Priority.Automation,
          };
    for (const target of outputs.recordings) {
      if (have.has(key(target))) continue;
      kept.push(
        new Recorder(
          target,
          this.#timing.sampleRate,
          this.dueFrame,
          (f) => this.epochOf(f),
          (message) =>
            this.#emit({ stationId: this.id, at: Date.now(), type: "output_failure", message }),
          nowPlaying,
        ),
      );
    }
    this.#recorders = kept;
    if (this.#title !== undefined) for (const out of outputs.http) out.mount.setTitle(this.#title);
    this.#restartEncoder();
  }

  /** Outputs in use now. */
  get outputs(): StationOutputs {
    return this.#outputs;
  }

  /** End every recording (flushing what is due now); resolves when their files are complete. */
  async closeRecordings(): Promise<void> {
    this.#feedRecorders(this.dueFrame);
    const recorders = this.#recorders;
    this.#recorders = [];
    await Promise.all(recorders.map((r) => r.close()));
  }

  /** Stop the encoder and every decoder. */
  close(): void {
    void this.closeRecordings();
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#emergencyPump);
    this.#encoder?.stop();
    this.#encoder = undefined;
    this.mixer.close();
    this.#dsp?.dispose();
    for (const p of this.#preloaded.values()) p.buffer.close();
    this.#preloaded.clear();
  }

  #restartEncoder(): void {
    this.#encoder?.stop();
    this.#encoder = undefined;
    const { icecast, http, hls } = this.#outputs;
    if (icecast.length === 0 && http.length === 0 && hls.length === 0) return;
    // One encoder branch per distinct (codec, bitrate), all fed by the one mix.
    const encodings: Encoding[] = [];
    const httpOf: HttpStreamMount[][] = [];
    const branch = (codec: OutputCodec, bitrateKbps: number): number => {
      let k = encodings.findIndex((e) => e.codec === codec && e.bitrateKbps === bitrateKbps);
      if (k < 0) {
        k = encodings.push({ codec, bitrateKbps, icecast: [], hls: [], stream: false }) - 1;
        httpOf.push([]);
      }
      return k;
    };
    for (const out of icecast)
      encodings[branch(out.codec, out.bitrateKbps)]!.icecast.push(out.target);
    for (const out of hls) encodings[branch("mp3", out.bitrateKbps)]!.hls!.push(out);
    for (const out of http) {
      const k = branch(out.mount.codec, out.mount.bitrateKbps);
      encodings[k]!.stream = true;
      httpOf[k]!.push(out.mount);
    }
    const encoder = startEncoder(
      { sampleRate: this.#timing.sampleRate, encodings },
      (k, chunk) => {
        for (const mount of httpOf[k]!) mount.write(chunk);
      },
      (message) => {
        if (this.#encoder !== encoder || this.#closed) return;
        this.#encoder = undefined;
        this.#emit({ stationId: this.id, at: Date.now(), type: "output_failure", message });
        // The mix keeps running; the encoder comes back after a second.
        this.#restartTimer = setTimeout(() => {
          if (!this.#closed && this.#encoder === undefined) this.#restartEncoder();
        }, 1000);
      },
    );
    this.#encoder = encoder;
  }

  async #pushIcecastTitle(name: string, target: IcecastTarget, text: string): Promise<void> {
    const url = `http://${target.host}:${target.port}/admin/metadata?mount=${encodeURIComponent(target.mount)}&mode=updinfo&song=${encodeURIComponent(text)}`;
    const auth = Buffer.from(`${target.username}:${target.password}`).toString("base64");
    try {
      const res = await fetch(url, {
        headers: { Authorization: `Basic ${auth}` },
        signal: AbortSignal.timeout(3000),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      this.#emit({
        stationId: this.id,
        at: Date.now(),
        type: "output_failure",
        message: `metadata update for output ${name} failed: ${(err as Error).message}`,
      });
    }
  }

  #item(request: PlayRequest): MixerItem {
    const preloaded = this.#preloaded.get(request.itemId);
    this.#preloaded.delete(request.itemId);
    let buffer: PcmBuffer;
    if (
      preloaded &&
      (preloaded.uri === request.uri || this.#uris.get(request.itemId) === request.uri)
    ) {
      buffer = preloaded.buffer;
    } else {
      preloaded?.buffer.close();
      let uri: string;
      try {
        uri = toDecoderUri(request.uri);
      } catch (err) {
        this.#emit({
          stationId: this.id,
          at: Date.now(),
          type: "source_failure",
          itemId: request.itemId,
          message: (err as Error).message,
        });
        throw err;
      }
      buffer =
        this.warmDecoders?.take(uri) ??
        startDecoder(uri, this.#decoderOptions(request.itemId, uri));
    }
    this.#uris.set(request.itemId, request.uri);
    if (this.#uris.size > 1000) this.#uris.delete(this.#uris.keys().next().value!);
    this.#itemInfo.set(request.itemId, { title: request.title, artist: request.artist });
    if (this.#itemInfo.size > 1000) this.#itemInfo.delete(this.#itemInfo.keys().next().value!);
    return {
      itemId: request.itemId,
      source: buffer,
      cueInFrame: request.startMs === undefined ? undefined : this.#frames(request.startMs),
      cueOutFrame: request.endMs === undefined ? undefined : this.#frames(request.endMs),
      gainDb: request.gainDb,
      fadeInFrames: request.fadeInMs === undefined ? undefined : this.#frames(request.fadeInMs),
      title: request.title,
      artist: request.artist,
    };
  }

  /**
   * Decoder options for an item: webstreams (any URI but `file://`) report
   * their tags; each new title becomes a `metadata` event and, while the item
   * is on air, the outputs' now-playing title.
   */
  #decoderOptions(itemId: string, uri: string): DecoderOptions {
    const options: DecoderOptions = { sampleRate: this.#timing.sampleRate };
    if (uri.startsWith("file://")) return options;
    options.onTags = (tags) => {
      if (this.#closed) return;
      const last = this.#streamTags.get(itemId);
      if (last?.title === tags.title && last?.artist === tags.artist) return;
      this.#streamTags.set(itemId, tags);
      if (this.#streamTags.size > 100)
        this.#streamTags.delete(this.#streamTags.keys().next().value!);
      this.#emit({
        stationId: this.id,
        at: Date.now(),
        type: "metadata",
        itemId,
        title: tags.title,
        artist: tags.artist,
      });
      if (this.mixer.status().currentItemId === itemId) this.setMetadata(tags.title!, tags.artist);
    };
    return options;
  }

  #frames(ms: number): number {
    return Math.round((ms * this.#timing.sampleRate) / 1000);
  }

  #cue(event: MixerEvent): void {
    if (this.#recorders.length === 0) return;
    const layer = "layer" in event ? event.layer : undefined;
    const itemId = "itemId" in event ? event.itemId : undefined;
    if ("inputUri" in event) {
      const entry = {
        type: event.type,
        uri: event.inputUri,
        source: "live",
        priority: this.#livePriority,
        ...(event.type === "live_disconnected" ? { reason: event.reason } : {}),
      };
      for (const rec of this.#recorders) rec.cue(event.frame, entry);
      return;
    }
    const entry = {
      type: event.type,
      ...(itemId === undefined
        ? {}
        : { itemId, uri: this.#uris.get(itemId), ...this.#itemInfo.get(itemId) }),
      ...(layer === undefined
        ? {}
        : {
            source: layer === "program" ? "automation" : "emergency",
            priority: layer === "program" ? Priority.Automation : Priority.Emergency,
          }),
      ...(event.type === "item_ended" ? { reason: event.reason } : {}),
    };
    for (const rec of this.#recorders) rec.cue(event.frame, entry);
  }

  #onMixerEvent(event: MixerEvent): void {
    this.#cue(event);
    const base = { stationId: this.id, at: this.epochOf(event.frame), type: event.type };
    switch (event.type) {
      case "item_started": {
        const status = this.mixer.status();
        const streamed = this.#streamTags.get(event.itemId);
        if (status.currentItemId === event.itemId && streamed?.title) {
          this.setMetadata(streamed.title, streamed.artist);
        } else if (status.currentItemId === event.itemId && status.currentTitle) {
          this.setMetadata(status.currentTitle, status.currentArtist);
        }
        this.#emit({ ...base, itemId: event.itemId, reason: event.layer });
        return;
      }
      case "emergency_started":
        if (this.#emergencyPending && !this.#emergencyPending.event) {
          this.#emergencyPending.event = base;
          return;
        }
        this.#emit(base);
        return;
      case "item_ended":
        // An emergency that ends without ever sounding (failed) still reports its start.
        if (this.#emergencyPending?.itemId === event.itemId) {
          const held = this.#emergencyPending.event;
          this.#emergencyPending = undefined;
          if (held) this.#emit({ ...held, itemId: event.itemId });
        }
        this.#emit({
          ...base,
          itemId: event.itemId,
          reason: event.reason,
          positionMs: (event.positionFrames * 1000) / this.#timing.sampleRate,
        });
        return;
      case "source_failure":
        this.#emit({ ...base, itemId: event.itemId, message: event.message });
        return;
      case "underrun":
        this.#emit({
          ...base,
          itemId: event.itemId,
          message: `${event.missingFrames} frames missing`,
        });
        return;
      case "live_disconnected":
        this.#emit({ ...base, inputUri: event.inputUri, message: event.reason });
        return;
      case "live_started":
      case "live_connected":
      case "live_ended":
        this.#emit({ ...base, inputUri: event.inputUri });
        return;
      default:
        this.#emit(base);
    }
  }
}
