/**
 * `@grimnir/testkit` (private) — what Grimnir's integration tests share: real
 * servers on private loopback ports, generated audio, and listener-side
 * analysis of what a stream actually carries.
 *
 * @packageDocumentation
 */
export { requireBinaries, freePort, tempDir, sleep, waitFor } from "./processes.js";
export {
  ANALYSIS_RATE,
  makeTone,
  goertzel,
  toneAmplitude,
  toneTimeline,
  firstRun,
  listen,
} from "./audio.js";
export type { Listener } from "./audio.js";
export { startIcecast } from "./icecast.js";
export type { Icecast } from "./icecast.js";
