/**
 * `@grimnir/engine` — the media engine's mixer maths (and, as it lands, the
 * engine process and its client).
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
