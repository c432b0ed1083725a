/**
 * `@grimnir/library` — the media library: ingest, tag reading, EBU R128
 * loudness, true peak and cue analysis, and the analysis queue.
 *
 * @packageDocumentation
 */

// --- analysis ---
export { kWeightingFilter, kWeightingPowerGain } from "./analysis/k-weighting.js";
export type { Biquad, KWeightingFilter } from "./analysis/k-weighting.js";
export {
  LoudnessHistogram,
  ABSOLUTE_GATE_LUFS,
  energyToLufs,
  lufsToEnergy,
} from "./analysis/loudness-histogram.js";
export { TruePeakMeter, interpolatorPhases } from "./analysis/true-peak.js";
export type { TruePeakOptions } from "./analysis/true-peak.js";
export { LoudnessAnalyzer, defaultChannelWeights } from "./analysis/loudness-analyzer.js";
export type {
  LoudnessAnalyzerOptions,
  LoudnessResult,
  MarkerOptions,
} from "./analysis/loudness-analyzer.js";
export { analyzeFile } from "./analysis/analyze-file.js";
export type { AnalyzeFileOptions, FileAnalysis } from "./analysis/analyze-file.js";

// --- decode ---
export { decodeFile, parseSinkCaps, GSTREAMER_APT_INSTALL } from "./decode/gstreamer-decoder.js";
export { readMp3Gapless } from "./decode/mp3-gapless.js";
export type {
  PcmFormat,
  PcmSink,
  DecodeOptions,
  DecodeFailure,
} from "./decode/gstreamer-decoder.js";

// --- storage ---
export type { MediaStorage, StoredObject, LocalCopy } from "./storage/media-storage.js";
export { LocalStorage, validateStorageKey } from "./storage/local-storage.js";

// --- ingest ---
export { contentHash } from "./ingest/content-hash.js";
export { readTags } from "./ingest/read-tags.js";
export type { AudioTags, TagReadResult } from "./ingest/read-tags.js";
export {
  ingestFiles,
  ingestDirectory,
  listFiles,
  storageKeyFor,
  AUDIO_EXTENSIONS,
} from "./ingest/ingest.js";
export type {
  IngestOptions,
  IngestProgress,
  IngestFailure,
  IngestReport,
} from "./ingest/ingest.js";

// --- analysis queue ---
export { AnalysisQueue } from "./queue/analysis-queue.js";
export type {
  AnalysisQueueOptions,
  AnalysisProgress,
  AnalysisListener,
} from "./queue/analysis-queue.js";
