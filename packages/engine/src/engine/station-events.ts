import { Priority } from "@grimnir/core";
import type { MixerEvent } from "../mixer/mixer-events.js";
import type { CueEntry } from "../outputs/recorder.js";

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

/** What a station knows about an item it played: its URI and now-playing metadata. */
export interface ItemInfo {
  uri?: string;
  title?: string;
  artist?: string;
}

/** A cue-log line without its timing (`at`, `offsetMs`), which the recorder adds. */
export type CueLine = Omit<CueEntry, "at" | "offsetMs">;

/**
 * The station event for a mixer event on station `stationId`, due on air at
 * epoch ms `at`: `item_started` carries its layer as `reason`, `item_ended`
 * its reason and position (ms, at `sampleRate` Hz), `underrun` the missing
 * frames and `live_disconnected` its reason as `message`.
 */
export function stationEventOf(
  stationId: string,
  event: MixerEvent,
  at: number,
  sampleRate: number,
): StationEvent {
  const base = { stationId, at, type: event.type };
  switch (event.type) {
    case "item_started":
      return { ...base, itemId: event.itemId, reason: event.layer };
    case "item_ended":
      return {
        ...base,
        itemId: event.itemId,
        reason: event.reason,
        positionMs: (event.positionFrames * 1000) / sampleRate,
      };
    case "source_failure":
      return { ...base, itemId: event.itemId, message: event.message };
    case "underrun":
      return { ...base, itemId: event.itemId, message: `${event.missingFrames} frames missing` };
    case "live_disconnected":
      return { ...base, inputUri: event.inputUri, message: event.reason };
    case "live_started":
    case "live_connected":
    case "live_ended":
      return { ...base, inputUri: event.inputUri };
    default:
      return base;
  }
}

/**
 * The cue-log line for a mixer event: items carry their URI and metadata from
 * `infoOf` and their layer as source and priority (automation or emergency);
 * live events carry the input URI, source `live` and `livePriority`.
 */
export function cueLineOf(
  event: MixerEvent,
  infoOf: (itemId: string) => ItemInfo,
  livePriority: number,
): CueLine {
  if ("inputUri" in event) {
    return {
      type: event.type,
      uri: event.inputUri,
      source: "live",
      priority: livePriority,
      ...(event.type === "live_disconnected" ? { reason: event.reason } : {}),
    };
  }
  const layer = "layer" in event ? event.layer : undefined;
  const itemId = "itemId" in event ? event.itemId : undefined;
  return {
    type: event.type,
    ...(itemId === undefined ? {} : { itemId, ...infoOf(itemId) }),
    ...(layer === undefined
      ? {}
      : {
          source: layer === "program" ? "automation" : "emergency",
          priority: layer === "program" ? Priority.Automation : Priority.Emergency,
        }),
    ...(event.type === "item_ended" ? { reason: event.reason } : {}),
  };
}
