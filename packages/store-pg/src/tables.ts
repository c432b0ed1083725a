import { GrimnirError } from "@grimnir/core";
import type {
  Clock,
  LiveSession,
  LiveToken,
  MediaItem,
  Mount,
  Override,
  PlayHistory,
  Playlist,
  ScheduleEntry,
  Show,
  SmartBlock,
  Station,
  User,
  Webstream,
  Entity,
} from "@grimnir/core";
import type { SqlExecutor, SqlValue } from "./driver.js";
import type { TableSpec } from "./records.js";
import { finiteNumber, foldText, indexedText } from "./validate.js";

function plain<T extends Entity>(table: string, kind: string, scoped = true): TableSpec<T> {
  return { table, kind, scoped };
}

/** Insert many rows of `width` values in chunks (keeps under both engines' parameter limits). */
async function insertMany(
  ex: SqlExecutor,
  head: string,
  width: number,
  rows: SqlValue[][],
): Promise<void> {
  const chunk = Math.floor(900 / width);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const tuple = `(${Array.from({ length: width }, () => "?").join(", ")})`;
    await ex.run(`${head} VALUES ${part.map(() => tuple).join(", ")}`, part.flat());
  }
}

function mediaColumns(m: MediaItem): Record<string, SqlValue> {
  const kind = "media";
  const fold = (v: string | undefined): string | null => (v === undefined ? null : foldText(v));
  if (!Array.isArray(m.tags) || m.tags.some((t) => typeof t !== "string")) {
    throw new GrimnirError("VALIDATION", "media tags must be an array of strings", {
      details: { kind, field: "tags" },
    });
  }
  m.tags.forEach((tag, i) => indexedText(tag, `tags/${i}`, kind));
  if (typeof m.fields !== "object" || m.fields === null || Array.isArray(m.fields)) {
    throw new GrimnirError("VALIDATION", "media fields must be an object of custom fields", {
      details: { kind, field: "fields" },
    });
  }
  for (const [name, value] of Object.entries(m.fields)) {
    indexedText(name, "fields (name)", kind);
    const ok =
      value === null ||
      typeof value === "string" ||
      typeof value === "boolean" ||
      (typeof value === "number" && Number.isFinite(value));
    if (!ok) {
      throw new GrimnirError(
        "VALIDATION",
        `media custom field ${JSON.stringify(name)} must be text, a finite number or a boolean`,
        {
          details: { kind, field: `fields/${name}` },
        },
      );
    }
  }
  finiteNumber(m.cueInMs, "cueInMs", kind);
  finiteNumber(m.cueOutMs, "cueOutMs", kind);
  indexedText(m.storageKey, "storageKey", kind);
  return {
    title_lc: foldText(indexedText(m.title, "title", kind)),
    artist_lc: fold(indexedText(m.artist, "artist", kind, true)),
    album_lc: fold(indexedText(m.album, "album", kind, true)),
    genre_lc: fold(indexedText(m.genre, "genre", kind, true)),
    year: finiteNumber(m.year, "year", kind, true) ?? null,
    bpm: finiteNumber(m.bpm, "bpm", kind, true) ?? null,
    rating: finiteNumber(m.rating, "rating", kind, true) ?? null,
    duration_ms: finiteNumber(m.durationMs, "durationMs", kind),
    added_at: finiteNumber(m.addedAt, "addedAt", kind),
    tag_count: m.tags.length,
    content_hash: indexedText(m.contentHash, "contentHash", kind),
    analysis_status: indexedText(m.analysisStatus, "analysisStatus", kind),
  };
}

async function writeMediaDerived(ex: SqlExecutor, m: MediaItem): Promise<void> {
  await ex.run("DELETE FROM media_tags WHERE media_id = ?", [m.id]);
  await ex.run("DELETE FROM media_fields WHERE media_id = ?", [m.id]);
  await insertMany(
    ex,
    "INSERT INTO media_tags (media_id, station_id, tag_lc)",
    3,
    m.tags.map((tag) => [m.id, m.stationId, foldText(tag)]),
  );
  const fields: SqlValue[][] = [];
  for (const [name, value] of Object.entries(m.fields)) {
    if (typeof value === "number") fields.push([m.id, m.stationId, name, 0, null, value, null]);
    else if (typeof value === "string")
      fields.push([m.id, m.stationId, name, 1, foldText(value), null, null]);
    else if (typeof value === "boolean")
      fields.push([m.id, m.stationId, name, 2, null, null, value ? 1 : 0]);
  }
  await insertMany(
    ex,
    "INSERT INTO media_fields (media_id, station_id, name, kind, text_lc, num, bool)",
    7,
    fields,
  );
}

/** Every table's spec. */
export const TABLES = {
  stations: plain<Station>("stations", "stations", false),
  users: {
    table: "users",
    kind: "users",
    scoped: false,
    columns: (u: User) => ({ username: indexedText(u.username, "username", "users") }),
  } satisfies TableSpec<User>,
  mounts: plain<Mount>("mounts", "mounts"),
  playlists: plain<Playlist>("playlists", "playlists"),
  smartBlocks: plain<SmartBlock>("smart_blocks", "smartBlocks"),
  clocks: plain<Clock>("clocks", "clocks"),
  shows: plain<Show>("shows", "shows"),
  overrides: plain<Override>("overrides", "overrides"),
  webstreams: plain<Webstream>("webstreams", "webstreams"),
  liveTokens: {
    table: "live_tokens",
    kind: "liveTokens",
    scoped: true,
    columns: (t: LiveToken) => ({
      token_hash: indexedText(t.tokenHash, "tokenHash", "liveTokens"),
    }),
  } satisfies TableSpec<LiveToken>,
  liveSessions: {
    table: "live_sessions",
    kind: "liveSessions",
    scoped: true,
    columns: (s: LiveSession) => ({
      state: indexedText(s.state, "state", "liveSessions"),
      connected_at: finiteNumber(s.connectedAt, "connectedAt", "liveSessions"),
    }),
  } satisfies TableSpec<LiveSession>,
  media: {
    table: "media",
    kind: "media",
    scoped: true,
    columns: mediaColumns,
    afterWrite: writeMediaDerived,
  } satisfies TableSpec<MediaItem>,
  schedule: {
    table: "schedule_entries",
    kind: "schedule",
    scoped: true,
    columns: (e: ScheduleEntry) => ({
      starts_at: finiteNumber(e.startsAt, "startsAt", "schedule"),
      ends_at: finiteNumber(e.endsAt, "endsAt", "schedule"),
    }),
  } satisfies TableSpec<ScheduleEntry>,
  playHistory: {
    table: "play_history",
    kind: "playHistory",
    scoped: true,
    columns: (p: PlayHistory) => ({
      started_at: finiteNumber(p.startedAt, "startedAt", "playHistory"),
      media_id: indexedText(p.mediaId, "mediaId", "playHistory", true) ?? null,
      artist: indexedText(p.artist, "artist", "playHistory", true) ?? null,
    }),
  } satisfies TableSpec<PlayHistory>,
} as const;
