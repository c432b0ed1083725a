import type { MediaItem } from "@grimnir/core";
import { Prng, deriveSeed } from "./prng.js";

const GENRES = ["Indie", "Rock", "Pop", "Electronic", "Jazz", "Soul", "Folk", "Hip-Hop"] as const;
const WORDS_A = [
  "Silver",
  "Midnight",
  "Electric",
  "Quiet",
  "Golden",
  "Broken",
  "Northern",
  "Paper",
  "Velvet",
  "Neon",
  "Hollow",
  "Crimson",
  "Wild",
  "Distant",
  "Glass",
  "Summer",
];
const WORDS_B = [
  "Harbor",
  "Lights",
  "Rivers",
  "Engines",
  "Garden",
  "Signals",
  "Horizon",
  "Echoes",
  "Streets",
  "Machines",
  "Coast",
  "Satellites",
  "Tides",
  "Avenue",
  "Hearts",
  "Static",
];
const TITLE_WORDS = [
  "Love",
  "Run",
  "Fire",
  "Ocean",
  "Dream",
  "Falling",
  "Home",
  "Stars",
  "Tonight",
  "Shadow",
  "Drive",
  "Rain",
  "Gold",
  "Young",
  "Forever",
  "Wire",
  "Letters",
  "Morning",
  "Fever",
  "Bloom",
];
/** 2024-01-01T00:00:00Z: the generated "added" dates count back from here so output never depends on today. */
const EPOCH = 1_704_067_200_000;

/** Options of {@link generateDemoLibrary}. */
export interface DemoLibraryOptions {
  /** Number of distinct artists (default: count / 8, at least 1). */
  artists?: number;
  /** Station id stamped on every item (default "demo"). */
  stationId?: string;
  /** Share of music tagged "new", 0..1 (default 0.2). */
  newShare?: number;
  /** Number of station IDs / jingles added besides the music (default count / 40). */
  jingles?: number;
}

/**
 * A deterministic, realistic-looking library: `count` music tracks (2.5–6 min,
 * 8 genres, years 1970–2025, bpm, rating, about 20 % tagged "new", albums of
 * ~10 tracks per artist) plus short station IDs / jingles tagged "jingle" and
 * "id". Same `(count, seed, options)` → identical items. Ids are
 * "track-000001"…, "jingle-001"….
 */
export function generateDemoLibrary(
  count: number,
  seed: number,
  options: DemoLibraryOptions = {},
): MediaItem[] {
  const prng = new Prng(deriveSeed(seed, "demo-library"));
  const n = Math.max(0, Math.floor(count));
  const artistCount = Math.max(1, Math.floor(options.artists ?? Math.max(1, n / 8)));
  const stationId = options.stationId ?? "demo";
  const newShare = options.newShare ?? 0.2;
  const jingleCount = Math.max(0, Math.floor(options.jingles ?? Math.max(2, n / 40)));
  const artistNames = Array.from({ length: artistCount }, (_, i) => {
    const a = WORDS_A[i % WORDS_A.length]!;
    const b = WORDS_B[Math.floor(i / WORDS_A.length) % WORDS_B.length]!;
    const round = Math.floor(i / (WORDS_A.length * WORDS_B.length));
    return round === 0 ? `The ${a} ${b}` : `The ${a} ${b} ${round + 1}`;
  });
  const artistGenre = artistNames.map(() => GENRES[prng.int(GENRES.length)]!);
  const pad = (i: number, width: number): string => String(i).padStart(width, "0");
  const items: MediaItem[] = [];
  const perArtist = new Array<number>(artistCount).fill(0);
  for (let i = 0; i < n; i++) {
    const artistIndex = prng.int(artistCount);
    const nth = perArtist[artistIndex]!++;
    const artist = artistNames[artistIndex]!;
    const durationMs = 150_000 + prng.int(210_001);
    const cueInMs = prng.int(800);
    const cueOutMs = durationMs - prng.int(1_500);
    const title = `${TITLE_WORDS[prng.int(TITLE_WORDS.length)]} ${TITLE_WORDS[prng.int(TITLE_WORDS.length)]}${nth > 0 ? ` ${nth + 1}` : ""}`;
    const isNew = prng.next() < newShare;
    const id = `track-${pad(i + 1, 6)}`;
    items.push({
      id,
      version: 1,
      createdAt: EPOCH,
      updatedAt: EPOCH,
      stationId,
      title,
      artist,
      album: `${artist.replace(/^The /, "")} Vol. ${Math.floor(nth / 10) + 1}`,
      genre: artistGenre[artistIndex]!,
      year: isNew ? 2025 : 1970 + prng.int(55),
      bpm: 70 + prng.int(100),
      rating: prng.int(6),
      tags: isNew ? ["music", "new"] : ["music"],
      fields: {},
      durationMs,
      cueInMs,
      cueOutMs,
      introMs: cueInMs + 5_000 + prng.int(15_000),
      outroMs: cueOutMs - 5_000 - prng.int(10_000),
      loudnessLufs: -14 + Math.round((prng.next() * 6 - 3) * 10) / 10,
      storageKey: `demo/${id}.mp3`,
      contentHash: deriveSeed(seed, id).toString(16).padStart(8, "0").repeat(8),
      codec: "mp3",
      sampleRateHz: 44_100,
      channels: 2,
      analysisStatus: "done",
      addedAt: EPOCH - (isNew ? prng.int(30) : 30 + prng.int(3_000)) * 86_400_000,
    });
  }
  for (let j = 0; j < jingleCount; j++) {
    const id = `jingle-${pad(j + 1, 3)}`;
    const durationMs = 5_000 + prng.int(25_001);
    items.push({
      id,
      version: 1,
      createdAt: EPOCH,
      updatedAt: EPOCH,
      stationId,
      title: j % 3 === 0 ? `Station ID ${j + 1}` : `Jingle ${j + 1}`,
      artist: "Grimnir Radio",
      tags: j % 3 === 0 ? ["jingle", "id"] : ["jingle"],
      fields: {},
      durationMs,
      cueInMs: 0,
      cueOutMs: durationMs,
      storageKey: `demo/${id}.mp3`,
      contentHash: deriveSeed(seed, id).toString(16).padStart(8, "0").repeat(8),
      codec: "mp3",
      sampleRateHz: 44_100,
      channels: 2,
      analysisStatus: "done",
      addedAt: EPOCH - 400 * 86_400_000,
    });
  }
  return items;
}
