import type { DeckEndReason } from "./deck.js";
import type { LayerListener } from "./layer.js";
import type { LiveLayerListener } from "./live-layer.js";

/** Something the mixer reports; `frame` is the output sample clock (frames since the mixer started). */
export type MixerEvent =
  | { type: "item_started"; frame: number; itemId: string; layer: "program" | "emergency" }
  | {
      type: "item_ended";
      frame: number;
      itemId: string;
      layer: "program" | "emergency";
      reason: DeckEndReason;
      /** Position reached in the file, frames from file start. */
      positionFrames: number;
    }
  | { type: "source_failure"; frame: number; itemId: string; message: string }
  | { type: "underrun"; frame: number; itemId: string; missingFrames: number }
  | { type: "silence"; frame: number }
  | { type: "audio_restored"; frame: number }
  | { type: "emergency_started"; frame: number }
  | { type: "emergency_ended"; frame: number }
  /** First sample of a routed live input in the mix (once per RouteLive): the takeover begins here. */
  | { type: "live_started"; frame: number; inputUri: string }
  /** A live input delivers audio (first time and after each dropout). */
  | { type: "live_connected"; frame: number; inputUri: string }
  /** A live input stopped delivering (decoder exit or nothing for the dropout time); the layer plays silence. */
  | { type: "live_disconnected"; frame: number; inputUri: string; reason: string }
  /** A live input left the mix (faded out after Play/Stop or replaced by another input). */
  | { type: "live_ended"; frame: number; inputUri: string };

/** Where layer callbacks become {@link MixerEvent}s: the output clock of the block being rendered and the event handler. */
export interface MixerEventSink {
  /** Output frame `offset` frames into the block being rendered. */
  frameAt(offset: number): number;
  /** Deliver one event, synchronously. */
  emit(event: MixerEvent): void;
}

/**
 * Callbacks for a program or emergency layer that report its decks as
 * mixer events: `item_started`, `underrun`, and `item_ended` (preceded by
 * `source_failure`, with the decoder's message, when the deck failed).
 */
export function layerEvents(layer: "program" | "emergency", sink: MixerEventSink): LayerListener {
  return {
    started: (item, offset) =>
      sink.emit({ type: "item_started", frame: sink.frameAt(offset), itemId: item.itemId, layer }),
    ended: (deck, offset, reason) => {
      const frame = sink.frameAt(offset);
      if (reason === "failed") {
        const message = deck.item.source.error?.message ?? "decoder failed";
        sink.emit({ type: "source_failure", frame, itemId: deck.item.itemId, message });
      }
      sink.emit({
        type: "item_ended",
        frame,
        itemId: deck.item.itemId,
        layer,
        reason,
        positionFrames: deck.position,
      });
    },
    underrun: (item, offset, missingFrames) =>
      sink.emit({
        type: "underrun",
        frame: sink.frameAt(offset),
        itemId: item.itemId,
        missingFrames,
      }),
  };
}

/** Callbacks for the live layer that report its input as `live_*` mixer events. */
export function liveEvents(sink: MixerEventSink): LiveLayerListener {
  return {
    started: (inputUri, offset) =>
      sink.emit({ type: "live_started", frame: sink.frameAt(offset), inputUri }),
    connected: (inputUri, offset) =>
      sink.emit({ type: "live_connected", frame: sink.frameAt(offset), inputUri }),
    disconnected: (inputUri, offset, reason) =>
      sink.emit({ type: "live_disconnected", frame: sink.frameAt(offset), inputUri, reason }),
    ended: (inputUri, offset) =>
      sink.emit({ type: "live_ended", frame: sink.frameAt(offset), inputUri }),
  };
}
