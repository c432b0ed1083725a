/**
 * `@grimnir/engine` — the media engine: the sample-accurate mixer, the
 * `grimnir-engine` gRPC process built on GStreamer, its typed client and the
 * supervisor that keeps it running.
 *
 * @packageDocumentation
 */
export {
  FADE_FLOOR_DB,
  dbToGain,
  gainToDb,
  fadeInGain,
  crossfadeGains,
  applyFade,
} from "./fade-curve.js";
export type { CrossfadeGains } from "./fade-curve.js";

// --- mixer ---
export { Mixer } from "./mixer/mixer.js";
export type {
  MixerEvent,
  MixerOptions,
  MixerStatus,
  ScheduleOptions,
  MixProcessor,
  MixStems,
} from "./mixer/mixer.js";
export type { MixerItem, DeckEndReason } from "./mixer/deck.js";
export type { LiveSource, LiveInputState, LiveLayerTiming } from "./mixer/live-layer.js";
export { PcmBuffer } from "./mixer/pcm-buffer.js";
export type { PcmSource } from "./mixer/pcm-buffer.js";
export { LevelMeter } from "./mixer/meters.js";
export type { LevelReading } from "./mixer/meters.js";
export { SilenceDetector } from "./mixer/silence-detector.js";
export type { SilenceChange } from "./mixer/silence-detector.js";

// --- DSP ---
export { DspChain } from "./dsp/chain.js";
export type { DspChainOptions, DspNodeTelemetry, DspSilenceSettings } from "./dsp/chain.js";
export { LiveDspChain } from "./dsp/live-chain.js";
export { NAMED_DSP_INPUTS, timeCoeff, GainReductionTracker } from "./dsp/node.js";
export type { DspContext, DspNodeReading, EngineDspNode } from "./dsp/node.js";
export { BUILTIN_DSP_IMPLEMENTATIONS } from "./dsp/builtin-nodes.js";
export type { BuiltinDspFactory } from "./dsp/builtin-nodes.js";
export { Compressor, compressorCurveDb } from "./dsp/compressor.js";
export { Limiter } from "./dsp/limiter.js";
export { LoudnessNormalizer } from "./dsp/loudness-normalize.js";
export { Agc } from "./dsp/agc.js";
export {
  Equalizer,
  equalizerSections,
  GRAPHIC10_CENTRES_HZ,
  GRAPHIC31_CENTRES_HZ,
} from "./dsp/equalizer.js";
export { Gate } from "./dsp/gate.js";
export { Duck } from "./dsp/duck.js";
export { Mix } from "./dsp/mix.js";
export { LevelMeterNode } from "./dsp/level-meter-node.js";
export { BiquadCascade, rbjBiquad, biquadResponseDb } from "./dsp/biquad.js";
export type { BiquadCoefficients, BiquadShape } from "./dsp/biquad.js";
export { TruePeakEstimator, measureTruePeakDb } from "./dsp/true-peak.js";

// --- engine process ---
export { AudioEngine, ENGINE_VERSION } from "./engine/audio-engine.js";
export type {
  AudioEngineOptions,
  AudioEngineStationStatus,
  EngineTelemetry,
  OutputSpec,
} from "./engine/audio-engine.js";
export { Station } from "./engine/station.js";
export type { StationEvent, StationOutputs, StationTiming } from "./engine/station.js";
export { validateGraph, PROCESSED_NODE_TYPES, UNPROCESSED_NODE_TYPES } from "./engine/graph.js";
export type { GraphSettings } from "./engine/graph.js";
export { startEngineServer } from "./grpc/server.js";
export type { EngineServer, EngineServerOptions } from "./grpc/server.js";
export { mediaEngineProtoPath } from "./grpc/proto.js";
export {
  HttpStreamServer,
  HttpStreamMount,
  icyMetadataBlock,
  ICY_METAINT,
  HTTP_STREAM_FORMATS,
} from "./outputs/http-stream.js";
export type { HttpStreamCodec } from "./outputs/http-stream.js";
export { parseIcecastUrl } from "./gst/encoder.js";
export { GstLiveInput, parseInputUri, gstLaunchArgs, liveInputPipeline } from "./gst/live-input.js";
export type { GstLiveInputOptions } from "./gst/live-input.js";
export type { IcecastTarget, HlsTarget, OutputCodec } from "./gst/encoder.js";
export { WarmDecoderPool, sniffWarmKind } from "./gst/warm-decoder.js";
export type { WarmDecoderKind, WarmDecoderPoolOptions } from "./gst/warm-decoder.js";
export { Recorder } from "./outputs/recorder.js";
export type { RecordingTarget, CueEntry } from "./outputs/recorder.js";

// --- client ---
export { EngineClient, fromServiceError } from "./client/engine-client.js";
export type {
  EngineClientOptions,
  EngineStreamHandlers,
  EngineFullStatus,
} from "./client/engine-client.js";
export { EngineSupervisor } from "./client/supervisor.js";
export type { SupervisorOptions, SupervisorEvent } from "./client/supervisor.js";
