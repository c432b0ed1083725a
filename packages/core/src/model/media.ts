import type { StationScoped } from "./entity.js";

/** Where a media item is in its analysis lifecycle. */
export type AnalysisStatus = "pending" | "analysing" | "done" | "failed";

/** One playable audio file in a station's library. */
export interface MediaItem extends StationScoped {
  title: string;
  artist?: string;
  album?: string;
  genre?: string;
  year?: number;
  /** Beats per minute. */
  bpm?: number;
  /** Station-defined 0..5 rating. */
  rating?: number;
  /** Free-form labels ("new", "jingle", "id"…); smart blocks filter on them. */
  tags: string[];
  /** Custom fields imported or set by the station. */
  fields: Record<string, string | number | boolean>;
  /** Duration of the whole file, ms. */
  durationMs: number;
  /** Where audible audio starts, ms from file start. */
  cueInMs: number;
  /** Where audible audio ends, ms from file start. */
  cueOutMs: number;
  /** End of the instrumental intro (talk-up point), ms from file start. */
  introMs?: number;
  /** Start of the outro (where the next item may start), ms from file start. */
  outroMs?: number;
  /** Integrated loudness, LUFS (EBU R128). */
  loudnessLufs?: number;
  /** Loudness range, LU. */
  loudnessRangeLu?: number;
  /** True peak, dBTP. */
  truePeakDbtp?: number;
  /** Key of the file in the station's storage backend. */
  storageKey: string;
  /** Hex SHA-256 of the file's bytes; de-duplicates ingest. */
  contentHash: string;
  codec?: string;
  sampleRateHz?: number;
  channels?: number;
  analysisStatus: AnalysisStatus;
  /** Why analysis failed, when `analysisStatus` is "failed". */
  analysisError?: string;
  /** When the item entered the library, epoch ms (the "added date" filter). */
  addedAt: number;
}

/** Audible length of an item: cue-out minus cue-in, ms. */
export function playableDurationMs(item: Pick<MediaItem, "cueInMs" | "cueOutMs">): number {
  return Math.max(0, item.cueOutMs - item.cueInMs);
}
