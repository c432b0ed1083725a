import type { RotationRules } from "@grimnir/core";

/** The rotation rules in the order they are relaxed when a library cannot satisfy them all. */
export const RELAXATION_ORDER = ["album", "title", "artist", "track"] as const;

/** A rotation rule by name: album/title/artist separation or track repeat. */
export type RotationRuleName = (typeof RELAXATION_ORDER)[number];

/** What a rotation check needs to know about a play. */
export interface PlayIdentity {
  mediaId?: string;
  artist?: string;
  title?: string;
  album?: string;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** Lower-cased, trimmed; empty means "no value" (never separates). */
function normalise(text: string | undefined): string {
  return typeof text === "string" ? text.trim().toLowerCase() : "";
}

/** Title key: lower-cased without bracketed version suffixes ("Song (Radio Edit)" = "Song"). */
export function titleKey(title: string | undefined): string {
  return normalise(title)
    .replace(/\s*[([][^)\]]*[)\]]\s*/g, " ")
    .trim();
}

/** Normalised keys a play is separated by; "" means "no value" (never separates). */
export interface RotationKeys {
  track: string;
  artist: string;
  title: string;
  album: string;
}

/** Compute the rotation keys of a play once (lower-cased, title without version suffix). */
export function rotationKeys(play: PlayIdentity): RotationKeys {
  return {
    track: play.mediaId ?? "",
    artist: normalise(play.artist),
    title: titleKey(play.title),
    album: normalise(play.album),
  };
}

/**
 * Remembers when each track, artist, title and album last started (history,
 * frozen and already-planned entries) and tells which rotation rules a
 * candidate would break. Separation is measured start to start.
 */
export class RotationTracker {
  readonly #track = new Map<string, number>();
  readonly #artist = new Map<string, number>();
  readonly #title = new Map<string, number>();
  readonly #album = new Map<string, number>();

  /** Record that `play` started at `startedAt` (epoch ms); keeps the latest start per key. */
  record(play: PlayIdentity, startedAt: number): void {
    this.recordKeys(rotationKeys(play), startedAt);
  }

  /** {@link record} with precomputed keys. */
  recordKeys(keys: RotationKeys, startedAt: number): void {
    if (!Number.isFinite(startedAt)) return;
    const put = (map: Map<string, number>, key: string): void => {
      if (key === "") return;
      const previous = map.get(key);
      if (previous === undefined || previous < startedAt) map.set(key, startedAt);
    };
    put(this.#track, keys.track);
    put(this.#artist, keys.artist);
    put(this.#title, keys.title);
    put(this.#album, keys.album);
  }

  /** Last start of a track, epoch ms, or undefined when never played. */
  lastTrackPlay(mediaId: string): number | undefined {
    return this.#track.get(mediaId);
  }

  /**
   * How far down {@link RELAXATION_ORDER} one must relax to play `play` at
   * `at`: 0 = no rule broken, 1 = only album separation broken, … 4 = the
   * track itself repeats too soon.
   */
  requiredLevel(keys: RotationKeys, at: number, rules: RotationRules): number {
    if (tooSoon(this.#track, keys.track, at, ms(rules.trackRepeatHours, HOUR_MS))) return 4;
    if (tooSoon(this.#artist, keys.artist, at, ms(rules.artistSeparationMinutes, MINUTE_MS)))
      return 3;
    if (tooSoon(this.#title, keys.title, at, ms(rules.titleSeparationMinutes, MINUTE_MS))) return 2;
    if (tooSoon(this.#album, keys.album, at, ms(rules.albumSeparationMinutes, MINUTE_MS))) return 1;
    return 0;
  }

  /** The rules `play` at `at` breaks, in relaxation order. */
  brokenRules(keys: RotationKeys, at: number, rules: RotationRules): RotationRuleName[] {
    const broken: RotationRuleName[] = [];
    const only = (r: RotationRules): boolean => this.requiredLevel(keys, at, r) > 0;
    if (only({ albumSeparationMinutes: rules.albumSeparationMinutes })) broken.push("album");
    if (only({ titleSeparationMinutes: rules.titleSeparationMinutes })) broken.push("title");
    if (only({ artistSeparationMinutes: rules.artistSeparationMinutes })) broken.push("artist");
    if (only({ trackRepeatHours: rules.trackRepeatHours })) broken.push("track");
    return broken;
  }
}

/** True when `key` last played less than `windowMs` from `at` (either side). */
function tooSoon(
  map: Map<string, number>,
  key: string,
  at: number,
  windowMs: number | undefined,
): boolean {
  if (windowMs === undefined || key === "") return false;
  const last = map.get(key);
  return last !== undefined && at - last < windowMs && last - at < windowMs;
}

function ms(value: number | undefined, unit: number): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0
    ? value * unit
    : undefined;
}
