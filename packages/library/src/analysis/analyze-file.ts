import { decodeFile, type DecodeOptions } from "../decode/gstreamer-decoder.js";
import { MP3_DECODER_DELAY } from "@grimnir/core";
import { readMp3Gapless } from "../decode/mp3-gapless.js";
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
  /**
   * For an MP3 with a LAME tag: the decoded samples (per channel) left out at
   * the start (encoder delay + 529 decoder delay) and at the end (padding),
   * so every measurement, cue point and the duration are on the gapless
   * timeline, the samples ffmpeg and gapless players decode.
   */
  gaplessTrim?: { startFrames: number; endFrames: number };
}

/** The frames of the decode to analyse, [start, start + length). */
interface Window {
  start: number;
  length: number;
}

/**
 * Whether this system's GStreamer already trims MP3 encoder delay and
 * padding (newer releases may); learnt from the first MP3 with a LAME tag.
 */
let decoderTrimsMp3: boolean | undefined;

async function measure(
  file: string,
  options: AnalyzeFileOptions,
  window: Window | undefined,
): Promise<{ result: LoudnessResult; decoded: number }> {
  let analyzer: LoudnessAnalyzer | undefined;
  let channels = 1;
  let position = 0;
  await decodeFile(
    file,
    {
      format(f) {
        channels = f.channels;
        analyzer = new LoudnessAnalyzer({
          sampleRateHz: f.sampleRateHz,
          channels: f.channels,
          channelWeights: f.channelWeights,
          cueThresholdDbfs: options.cueThresholdDbfs,
          markers: options.markers,
        });
      },
      data(samples) {
        const frames = samples.length / channels;
        const from = position;
        position += frames;
        if (window === undefined) return analyzer!.push(samples);
        const a = Math.max(window.start, from) - from;
        const b = Math.min(window.start + window.length, position) - from;
        if (b > a) analyzer!.push(samples.subarray(a * channels, b * channels));
      },
    },
    options,
  );
  return { result: analyzer!.finish(), decoded: position };
}

/**
 * Decode `file` with GStreamer and measure it with {@link LoudnessAnalyzer}
 * as the PCM streams in (constant memory). For an MP3 with a LAME tag the
 * encoder delay and padding are left out of the analysis (see
 * {@link FileAnalysis.gaplessTrim}), so cue points and duration match the
 * audio itself rather than GStreamer 1.22's untrimmed decode. Rejects with
 * the decoder's typed errors (see {@link decodeFile}).
 */
export async function analyzeFile(
  file: string,
  options: AnalyzeFileOptions = {},
): Promise<FileAnalysis> {
  const gapless = await readMp3Gapless(file);
  if (gapless === undefined || decoderTrimsMp3 === true)
    return { file, ...(await measure(file, options, undefined)).result };
  const untrimmed = gapless.frames * gapless.samplesPerFrame;
  const start = gapless.encoderDelay + MP3_DECODER_DELAY;
  const length = untrimmed - gapless.encoderDelay - gapless.padding;
  const { result, decoded } = await measure(file, options, { start, length });
  if (decoded === length && decoded !== untrimmed) {
    // This GStreamer trimmed the file itself: what was skipped was audio. Measure it whole.
    decoderTrimsMp3 = true;
    return { file, ...(await measure(file, options, undefined)).result };
  }
  if (decoded === untrimmed) decoderTrimsMp3 = false;
  const endFrames = Math.max(0, decoded - start - result.frames);
  return { file, ...result, gaplessTrim: { startFrames: start, endFrames } };
}
