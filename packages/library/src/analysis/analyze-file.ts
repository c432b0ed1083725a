import { decodeFile, type DecodeOptions } from "../decode/gstreamer-decoder.js";
import { LoudnessAnalyzer, type LoudnessResult, type MarkerOptions } from "./loudness-analyzer.js";

/** Options of {@link analyzeFile}. */
export interface AnalyzeFileOptions extends DecodeOptions {
  /** Silence threshold for cue points, dBFS. Default −50. */
  cueThresholdDbfs?: number;
  /** Also estimate intro/outro markers. Default false. */
  markers?: boolean | MarkerOptions;
}

/** Measurements of one file: {@link LoudnessResult} plus the file analysed. */
export interface FileAnalysis extends LoudnessResult {
  /** The file, as given. */
  file: string;
}

/**
 * Decode `file` with GStreamer and measure it with {@link LoudnessAnalyzer}
 * as the PCM streams in (constant memory). Rejects with the decoder's typed
 * errors (see {@link decodeFile}).
 */
export async function analyzeFile(
  file: string,
  options: AnalyzeFileOptions = {},
): Promise<FileAnalysis> {
  let analyzer: LoudnessAnalyzer | undefined;
  await decodeFile(
    file,
    {
      format(f) {
        analyzer = new LoudnessAnalyzer({
          sampleRateHz: f.sampleRateHz,
          channels: f.channels,
          channelWeights: f.channelWeights,
          cueThresholdDbfs: options.cueThresholdDbfs,
          markers: options.markers,
        });
      },
      data(samples) {
        analyzer!.push(samples);
      },
    },
    options,
  );
  return { file, ...analyzer!.finish() };
}
