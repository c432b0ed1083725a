/**
 * JSON Schemas of stations and what they broadcast: the station, its mounts
 * (with their outputs) and its media library.
 */

import {
  integerSchema as int,
  millisecondsSchema as ms,
  objectSchema as obj,
  stringSchema as str,
  type ResourceSchema,
  type Schema,
} from "./schemas-common.js";

/** Stations. */
export const stationResource: ResourceSchema = {
  name: "Station",
  stationScoped: false,
  properties: {
    name: str(200, 1),
    timezone: { ...str(64, 1), description: "IANA time zone name, e.g. Europe/Oslo" },
    slug: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
    description: str(2000),
    active: { type: "boolean", default: true },
  },
  required: ["name", "timezone"],
};

const audioFormat: Schema = { enum: ["mp3", "aac", "opus", "vorbis"] };
const bitrate: Schema = int(8, 512);
const output: Schema = {
  type: "object",
  required: ["type"],
  discriminator: { propertyName: "type" },
  oneOf: [
    obj(
      {
        type: { const: "icecast" },
        url: { type: "string", pattern: "^icecast://", maxLength: 2000 },
        format: audioFormat,
        bitrateKbps: bitrate,
      },
      ["type", "url", "format", "bitrateKbps"],
    ),
    obj({ type: { const: "http" }, path: str(200, 1), format: audioFormat, bitrateKbps: bitrate }, [
      "type",
      "path",
      "format",
      "bitrateKbps",
    ]),
    obj(
      {
        type: { const: "hls" },
        path: str(1000, 1),
        segmentDurationSec: int(1, 60),
        playlistLength: int(1, 1000),
        format: audioFormat,
        bitrateKbps: bitrate,
      },
      ["type", "path", "segmentDurationSec"],
    ),
    obj(
      {
        type: { const: "recording" },
        path: str(1000, 1),
        rotationDays: int(1, 3650),
        fileMinutes: int(1, 1440),
        format: audioFormat,
        bitrateKbps: bitrate,
      },
      ["type", "path", "rotationDays"],
    ),
  ],
};

/** Mounts: a named mix with its outputs. */
export const mountResource: ResourceSchema = {
  name: "Mount",
  stationScoped: true,
  properties: { name: str(200, 1), outputs: { type: "array", items: output, maxItems: 32 } },
  required: ["name", "outputs"],
};

/** Media items; created by ingest, so only the editable tags are writable. */
export const mediaResource: ResourceSchema = {
  name: "MediaItem",
  stationScoped: true,
  properties: {
    title: str(500, 1),
    artist: str(500),
    album: str(500),
    genre: str(200),
    year: int(0, 9999),
    bpm: { type: "number", minimum: 0, maximum: 1000 },
    rating: { type: "number", minimum: 0, maximum: 5 },
    tags: { type: "array", items: str(100, 1), maxItems: 200 },
    fields: {
      type: "object",
      maxProperties: 200,
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
    cueInMs: ms("where audible audio starts, ms from file start"),
    cueOutMs: ms("where audible audio ends, ms from file start"),
    introMs: ms("end of the intro, ms from file start"),
    outroMs: ms("start of the outro, ms from file start"),
  },
  required: ["title"],
  readOnly: {
    durationMs: ms("duration of the file, ms"),
    loudnessLufs: { type: "number", description: "integrated loudness, LUFS" },
    truePeakDbtp: { type: "number", description: "true peak, dBTP" },
    storageKey: { type: "string" },
    contentHash: { type: "string" },
    analysisStatus: { enum: ["pending", "analysing", "done", "failed"] },
    analysisError: { type: "string" },
    addedAt: ms("when the item entered the library, epoch ms"),
  },
};
