/**
 * `@grimnir/live` — live DJ input (one-time tokens, sessions, the Icecast-compatible
 * harbor, SRT/RTP input URIs) and webstream relay health checking with failover chains.
 *
 * @packageDocumentation
 */

export {
  LIVE_TOKEN_BYTES,
  generateLiveToken,
  decodeLiveToken,
  hashLiveToken,
  constantTimeEqual,
} from "./credentials.js";
export type { LiveTokenEncoding } from "./credentials.js";
export { defaultLiveLogger } from "./logger.js";
export type { LiveLogger, LiveLogLevel } from "./logger.js";
export { LiveService } from "./live-service.js";
export { splitSong } from "./song-title.js";
export type { LiveGrant, GeneratedLiveToken } from "./live-tokens.js";
export type {
  LiveConnectRequest,
  LiveConnectResult,
  LiveSessionEnd,
  LiveServiceOptions,
} from "./live-service-options.js";
export { Harbor } from "./harbor.js";
export type { HarborOptions, HarborMetadataUpdate, HarborRefusal } from "./harbor-options.js";
export type { HarborMountInfo } from "./harbor-mounts.js";
export {
  sniffAudio,
  containerOfContentType,
  CONTAINER_CONTENT_TYPE,
  SNIFF_BYTES,
} from "./sniff.js";
export type { LiveContainer, SniffResult } from "./sniff.js";
export { OggHeaderCapture } from "./ogg-headers.js";
export { probeStream } from "./stream-probe.js";
export type { StreamProbeOptions, StreamProbeResult } from "./stream-probe.js";
export { WebstreamHealthChecker } from "./webstream-health-checker.js";
export type {
  WebstreamHealthCheckerOptions,
  WebstreamCheckResult,
  WebstreamSwitch,
} from "./webstream-health-checker.js";
export { parseIcyMetadata, encodeIcyMetadata, IcyDemuxer, readIcyTitle } from "./icy.js";
export type { IcyMetadata } from "./icy.js";
export {
  srtInputUri,
  rtpInputUri,
  parseLiveInputUri,
  rtpCaps,
  gstSourceDescription,
} from "./input-uri.js";
export type { LiveInput, SrtInput, RtpInput, HttpInput } from "./input-uri.js";
