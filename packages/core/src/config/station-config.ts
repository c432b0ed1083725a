import { PRIORITY_NAMES } from "../priority.js";
import type { Priority, PriorityName } from "../priority.js";
import type { DspGraph, FadeCurve } from "../contracts/engine.js";
import type { AudioFormat, Output } from "../model/station.js";
import type { DspNodeRegistry } from "../dsp/registry.js";
import type { ProgrammingConfig } from "./programming.js";
import type { ConfigProblem } from "./problems.js";
import { generatedNodeId, nodeParams } from "./station-checks.js";

/** The `station` section, camelCased. */
export interface StationSettings {
  /** Stable identifier of the station. */
  id: string;
  /** Display name. */
  name: string;
  /** IANA time zone name, checked against the runtime's zone database. */
  timezone: string;
  /** URL-safe short name used in stream paths. */
  slug?: string;
  /** Free text. */
  description?: string;
}

/** A mount as configured, camelCased; outputs use the domain's {@link Output} types. */
export interface MountConfig {
  /** Unique within the station. */
  id: string;
  /** Display name. */
  name: string;
  /** Encoder forks of the mount's mix. */
  outputs: Output[];
}

/** The `failover` section, camelCased. */
export interface FailoverConfig {
  /** s. */
  liveTimeoutSec: number;
  /** Play the fallback playlist when the timeline is empty. */
  automationFallbackEnabled: boolean;
  /** File played when everything else fails. */
  emergencyAudioPath: string;
  /** Playlist id played at fallback priority. */
  fallbackPlaylist?: string;
}

/** The `crossfade` section, camelCased. */
export interface CrossfadeConfig {
  /** ms; 0 means cut. */
  durationMs: number;
  /** Shape of the gain ramps. */
  curve: FadeCurve;
}

/**
 * A validated station configuration as the rest of Grimnir uses it: keys
 * camelCased, defaults filled in, DSP node ids assigned (`<type>-<position>`
 * when the file omits them). DSP node parameters keep the names their node
 * type declares (e.g. `threshold_db`) and have that type's defaults filled in.
 * The planning sections ({@link ProgrammingConfig}) are always present: empty
 * lists when the file has none; slot offsets, show durations and override
 * bounds converted to ms / epoch ms.
 */
export interface StationConfig extends ProgrammingConfig {
  /** Identity of the station. */
  station: StationSettings;
  /** Mounts with their outputs, in file order. */
  mounts: MountConfig[];
  /** The processing chain, in signal order. */
  dspGraph: DspGraph;
  /** Dead-air and live-timeout behaviour. */
  failover: FailoverConfig;
  /** Always the fixed ladder: emergency 0 … fallback 4. */
  priorities: Record<PriorityName, Priority>;
  /** Default transition between automation items. */
  crossfade: CrossfadeConfig;
  /** LUFS. */
  loudnessTargetLufs: number;
  /** s. */
  preloadSec: number;
}

/** What {@link parseStationConfig} and {@link loadStationConfig} return for a valid file. */
export interface StationConfigResult {
  /** The validated, camelCased configuration. */
  config: StationConfig;
  /** Non-fatal problems (severity "warning"); errors are thrown instead. */
  problems: ConfigProblem[];
}

/** Options of {@link parseStationConfig} and {@link loadStationConfig}. */
export interface LoadOptions {
  /** Registry DSP node types are checked against; defaults to the process-wide `dspNodes`. */
  dspNodes?: DspNodeRegistry;
}

/** The file's shape once the schema (with defaults) has passed. */
export interface RawConfig {
  station: { id: string; name: string; timezone: string; slug?: string; description?: string };
  mounts: { id: string; name: string; outputs: RawOutput[] }[];
  dsp_graph: { nodes: ({ type: string; id?: string } & Record<string, unknown>)[] };
  failover: {
    live_timeout_sec: number;
    automation_fallback_enabled: boolean;
    emergency_audio_path: string;
    fallback_playlist?: string;
  };
  crossfade: { duration_ms: number; curve: FadeCurve };
  loudness_target_lufs: number;
  preload_sec: number;
}

type RawOutput =
  | { type: "icecast"; url: string; format: AudioFormat; bitrate_kbps: number }
  | { type: "http"; path: string; format: AudioFormat; bitrate_kbps: number }
  | {
      type: "hls";
      path: string;
      segment_duration_sec: number;
      playlist_length: number;
      format: AudioFormat;
      bitrate_kbps: number;
    }
  | {
      type: "recording";
      path: string;
      rotation_days: number;
      file_minutes: number;
      format: AudioFormat;
      bitrate_kbps: number;
    };

function toOutput(raw: RawOutput): Output {
  switch (raw.type) {
    case "icecast":
      return { type: "icecast", url: raw.url, format: raw.format, bitrateKbps: raw.bitrate_kbps };
    case "http":
      return { type: "http", path: raw.path, format: raw.format, bitrateKbps: raw.bitrate_kbps };
    case "hls":
      return {
        type: "hls",
        path: raw.path,
        segmentDurationSec: raw.segment_duration_sec,
        playlistLength: raw.playlist_length,
        format: raw.format,
        bitrateKbps: raw.bitrate_kbps,
      };
    case "recording":
      return {
        type: "recording",
        path: raw.path,
        rotationDays: raw.rotation_days,
        fileMinutes: raw.file_minutes,
        format: raw.format,
        bitrateKbps: raw.bitrate_kbps,
      };
  }
}

/** The validated file (schema defaults applied) as the camelCased {@link StationConfig}, without its programming part. */
export function toStationConfig(
  raw: RawConfig,
  registry: DspNodeRegistry,
): Omit<StationConfig, keyof ProgrammingConfig> {
  const station: StationSettings = {
    id: raw.station.id,
    name: raw.station.name,
    timezone: raw.station.timezone,
  };
  if (raw.station.slug !== undefined) station.slug = raw.station.slug;
  if (raw.station.description !== undefined) station.description = raw.station.description;
  const failover: FailoverConfig = {
    liveTimeoutSec: raw.failover.live_timeout_sec,
    automationFallbackEnabled: raw.failover.automation_fallback_enabled,
    emergencyAudioPath: raw.failover.emergency_audio_path,
  };
  if (raw.failover.fallback_playlist !== undefined)
    failover.fallbackPlaylist = raw.failover.fallback_playlist;
  const priorities = Object.fromEntries(PRIORITY_NAMES.map((name, i) => [name, i])) as Record<
    PriorityName,
    Priority
  >;
  return {
    station,
    mounts: raw.mounts.map((mount) => ({
      id: mount.id,
      name: mount.name,
      outputs: mount.outputs.map(toOutput),
    })),
    dspGraph: {
      nodes: raw.dsp_graph.nodes.map((node, index) => ({
        id: node.id ?? generatedNodeId(node.type, index),
        type: node.type,
        params: registry.withDefaults({ type: node.type, params: nodeParams(node) }),
      })),
    },
    failover,
    priorities,
    crossfade: { durationMs: raw.crossfade.duration_ms, curve: raw.crossfade.curve },
    loudnessTargetLufs: raw.loudness_target_lufs,
    preloadSec: raw.preload_sec,
  };
}
