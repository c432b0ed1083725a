import type { Entity, StationScoped } from "./entity.js";

/** A radio station: the unit of planning, playout and isolation. */
export interface Station extends Entity {
  name: string;
  /** IANA time zone name (e.g. "America/New_York"); shows and clocks are planned in it. */
  timezone: string;
  /** Short URL-safe name used in stream paths (`/stream/<slug>.mp3`). */
  slug?: string;
  description?: string;
  /** When false the station is configured but not driven by any executor. */
  active: boolean;
}

/** Audio codecs an output can encode. */
export type AudioFormat = "mp3" | "aac" | "opus" | "vorbis";

/** Push to an Icecast server as a source client. */
export interface IcecastOutput {
  type: "icecast";
  /** `icecast://user:password@host:port/mount`. */
  url: string;
  format: AudioFormat;
  bitrateKbps: number;
}

/** Grimnir's own HTTP stream (with ICY metadata) at `/stream/<mount path>`. */
export interface HttpStreamOutput {
  type: "http";
  /** Path under the server's stream prefix, e.g. "demo.mp3". */
  path: string;
  format: AudioFormat;
  bitrateKbps: number;
}

/** HTTP Live Streaming segments written to a directory. */
export interface HlsOutput {
  type: "hls";
  path: string;
  /** Target segment length in seconds. */
  segmentDurationSec: number;
  /** Segments kept in the live playlist. */
  playlistLength?: number;
  format?: AudioFormat;
  bitrateKbps?: number;
}

/** Rotating compliance/aircheck recording. */
export interface RecordingOutput {
  type: "recording";
  path: string;
  /** Days of recordings to keep before deletion. */
  rotationDays: number;
  /** Length of each file in minutes. */
  fileMinutes?: number;
  format?: AudioFormat;
  bitrateKbps?: number;
}

/** One encoder fork of a mount's mix. */
export type Output = IcecastOutput | HttpStreamOutput | HlsOutput | RecordingOutput;

/** A named mix of a station with one or more outputs. */
export interface Mount extends StationScoped {
  name: string;
  outputs: Output[];
}
