/**
 * `@grimnir/testkit` (private) — what Grimnir's integration tests share: real
 * servers on private loopback ports, generated audio, and listener-side
 * analysis of what a stream actually carries.
 *
 * @packageDocumentation
 */
export { requireBinaries, freePort, tempDir, sleep, waitFor } from "./processes.js";
export type { TempDir } from "./processes.js";
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
export { startPgTestServer } from "./postgres.js";
export type { PgTestServer } from "./postgres.js";
export { startRedis, startNats, findBinary } from "./redis-nats.js";
export type { TestServer } from "./redis-nats.js";
