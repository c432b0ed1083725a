import type { PlayRequest } from "@grimnir/core";
import { GrimnirError } from "@grimnir/core";
import {
  startDecoder,
  toDecoderUri,
  type DecoderOptions,
  type StreamTags,
} from "../gst/decoder.js";
import type { WarmDecoderPool } from "../gst/warm-decoder.js";
import type { MixerItem } from "../mixer/deck.js";
import type { PcmBuffer } from "../mixer/pcm-buffer.js";
import type { StationClock } from "./station-clock.js";
import type { ItemInfo, StationEvent } from "./station-events.js";

interface Preloaded {
  uri: string;
  buffer: PcmBuffer;
}

/** How {@link StationItems} reaches its station. */
export interface StationItemsContext {
  stationId: string;
  clock: StationClock;
  /** Reports `source_failure` for items that cannot be decoded. */
  emit: (event: StationEvent) => void;
  /** Running decoders to take an item's from when it was not preloaded; none: start a new one. */
  warmDecoders: () => WarmDecoderPool | undefined;
  /** A webstream item's decoder reported a title or artist different from its last one. */
  onStreamTags: (itemId: string, tags: StreamTags) => void;
}

/**
 * Where a station's items come from: it turns play requests into mixer items
 * fed by a decoder (one started by {@link StationItems.preload}, else a warm
 * one, else a new one), and remembers, for the last 1000 items, each one's URI
 * and now-playing metadata and, for the last 100 webstream items, their
 * latest stream tags.
 */
export class StationItems {
  readonly #context: StationItemsContext;
  #preloaded = new Map<string, Preloaded>();
  #uris = new Map<string, string>();
  #itemInfo = new Map<string, { title?: string; artist?: string }>();
  /** Latest title/artist a webstream item's decoder reported, by item id. */
  #streamTags = new Map<string, StreamTags>();
  #closed = false;

  /** Items of the station `context` describes; none preloaded yet. */
  constructor(context: StationItemsContext) {
    this.#context = context;
  }

  /** URI of an item the station played or holds. */
  uriOf(itemId: string): string | undefined {
    return this.#uris.get(itemId);
  }

  /** URI and now-playing metadata of an item the station played or holds (fields absent when unknown). */
  infoOf(itemId: string): ItemInfo {
    return { uri: this.#uris.get(itemId), ...this.#itemInfo.get(itemId) };
  }

  /** Latest stream tags a webstream item's decoder reported. */
  streamTagsOf(itemId: string): StreamTags | undefined {
    return this.#streamTags.get(itemId);
  }

  /** Id of the most recently preloaded item not yet played. */
  get preloadedItemId(): string | undefined {
    return [...this.#preloaded.keys()].at(-1);
  }

  /**
   * Start decoding an item (replacing an earlier preload of the same id);
   * resolves once audio is ready, rejects with `VALIDATION` naming `uri` when
   * it cannot be decoded (after a `source_failure` event) and with `INTERNAL`
   * when the decoder produced nothing within 10 s.
   */
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
      this.#context.emit({
        stationId: this.#context.stationId,
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

  /**
   * The mixer item for `request` (times converted to frames), fed by its
   * preloaded decoder when the URI matches, else a warm or new one. A URI no
   * decoder accepts is reported as `source_failure` and rethrown.
   */
  take(request: PlayRequest): MixerItem {
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
        this.#context.emit({
          stationId: this.#context.stationId,
          at: Date.now(),
          type: "source_failure",
          itemId: request.itemId,
          message: (err as Error).message,
        });
        throw err;
      }
      buffer =
        this.#context.warmDecoders()?.take(uri) ??
        startDecoder(uri, this.#decoderOptions(request.itemId, uri));
    }
    this.#uris.set(request.itemId, request.uri);
    if (this.#uris.size > 1000) this.#uris.delete(this.#uris.keys().next().value!);
    this.#itemInfo.set(request.itemId, { title: request.title, artist: request.artist });
    if (this.#itemInfo.size > 1000) this.#itemInfo.delete(this.#itemInfo.keys().next().value!);
    const frames = (ms: number | undefined): number | undefined =>
      ms === undefined ? undefined : this.#context.clock.frames(ms);
    return {
      itemId: request.itemId,
      source: buffer,
      cueInFrame: frames(request.startMs),
      cueOutFrame: frames(request.endMs),
      gainDb: request.gainDb,
      fadeInFrames: frames(request.fadeInMs),
      title: request.title,
      artist: request.artist,
    };
  }

  /** Stop every preloaded decoder; stream tags arriving later are ignored. */
  close(): void {
    this.#closed = true;
    for (const p of this.#preloaded.values()) p.buffer.close();
    this.#preloaded.clear();
  }

  /**
   * Decoder options for an item: webstreams (any URI but `file://`) report
   * their tags; each new title or artist goes to `onStreamTags`.
   */
  #decoderOptions(itemId: string, uri: string): DecoderOptions {
    const options: DecoderOptions = { sampleRate: this.#context.clock.sampleRate };
    if (uri.startsWith("file://")) return options;
    options.onTags = (tags) => {
      if (this.#closed) return;
      const last = this.#streamTags.get(itemId);
      if (last?.title === tags.title && last?.artist === tags.artist) return;
      this.#streamTags.set(itemId, tags);
      if (this.#streamTags.size > 100)
        this.#streamTags.delete(this.#streamTags.keys().next().value!);
      this.#context.onStreamTags(itemId, tags);
    };
    return options;
  }
}
