import type { DialectName } from "./driver.js";

/**
 * One forward-only schema change. Statements are written once with tokens the
 * dialect fills in (`{{TEXT}}`, `{{NUM}}`…) plus optional per-dialect extras;
 * the checksum covers the exact statements a dialect runs.
 */
export interface Migration {
  /** 1, 2, 3… in order; never reused. */
  readonly version: number;
  /** What it does, for `grimnir migrate --status`. */
  readonly name: string;
  /** Statements run in order inside the migration transaction. */
  statements(dialect: DialectName): string[];
}

const TOKENS: Record<DialectName, Record<string, string>> = {
  // "C" collation: byte order, the same order as SQLite's BINARY and as JS code-unit compares.
  postgres: {
    TEXT: 'TEXT COLLATE "C"',
    NUM: "DOUBLE PRECISION",
    INT: "INTEGER",
    MEDIA_KEY: 'id TEXT COLLATE "C" PRIMARY KEY',
  },
  // An explicit INTEGER PRIMARY KEY keeps rowids stable across VACUUM (the FTS index refers to them).
  sqlite: {
    TEXT: "TEXT",
    NUM: "REAL",
    INT: "INTEGER",
    MEDIA_KEY: "rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE",
  },
};

function render(dialect: DialectName, sql: string): string {
  return sql.replace(/\{\{(\w+)\}\}/g, (_m, token: string) => {
    const value = TOKENS[dialect][token];
    if (value === undefined) throw new Error(`unknown schema token ${token}`);
    return value;
  });
}

/** Columns every record table has. */
const ENTITY = `version {{INT}} NOT NULL, created_at {{NUM}} NOT NULL, updated_at {{NUM}} NOT NULL, doc TEXT NOT NULL`;

/** Station-scoped tables that only need get/list by station. */
const PLAIN_STATION_TABLES = [
  "mounts",
  "playlists",
  "smart_blocks",
  "clocks",
  "shows",
  "overrides",
  "webstreams",
];

const INITIAL: string[] = [
  `CREATE TABLE stations (id {{TEXT}} PRIMARY KEY, ${ENTITY})`,
  `CREATE TABLE users (id {{TEXT}} PRIMARY KEY, username {{TEXT}} NOT NULL UNIQUE, ${ENTITY})`,
  ...PLAIN_STATION_TABLES.flatMap((table) => [
    `CREATE TABLE ${table} (id {{TEXT}} PRIMARY KEY, station_id {{TEXT}} NOT NULL, ${ENTITY})`,
    `CREATE INDEX ${table}_station ON ${table} (station_id, id)`,
  ]),
  `CREATE TABLE live_tokens (id {{TEXT}} PRIMARY KEY, station_id {{TEXT}} NOT NULL, token_hash {{TEXT}} NOT NULL, ${ENTITY})`,
  `CREATE INDEX live_tokens_station ON live_tokens (station_id, id)`,
  `CREATE INDEX live_tokens_hash ON live_tokens (token_hash, id)`,
  `CREATE TABLE live_sessions (id {{TEXT}} PRIMARY KEY, station_id {{TEXT}} NOT NULL, state {{TEXT}} NOT NULL, connected_at {{NUM}} NOT NULL, ${ENTITY})`,
  `CREATE INDEX live_sessions_station ON live_sessions (station_id, id)`,
  `CREATE INDEX live_sessions_state ON live_sessions (station_id, state, connected_at)`,
  `CREATE TABLE media (
    {{MEDIA_KEY}},
    station_id {{TEXT}} NOT NULL,
    title_lc {{TEXT}} NOT NULL,
    artist_lc {{TEXT}},
    album_lc {{TEXT}},
    genre_lc {{TEXT}},
    year {{NUM}},
    bpm {{NUM}},
    rating {{NUM}},
    duration_ms {{NUM}} NOT NULL,
    added_at {{NUM}} NOT NULL,
    tag_count {{INT}} NOT NULL,
    content_hash {{TEXT}} NOT NULL,
    analysis_status {{TEXT}} NOT NULL,
    ${ENTITY})`,
  `CREATE INDEX media_station ON media (station_id, id)`,
  `CREATE INDEX media_genre_bpm ON media (station_id, genre_lc, bpm)`,
  `CREATE INDEX media_artist ON media (station_id, artist_lc)`,
  `CREATE INDEX media_title ON media (station_id, title_lc)`,
  `CREATE INDEX media_album ON media (station_id, album_lc)`,
  `CREATE INDEX media_year ON media (station_id, year)`,
  `CREATE INDEX media_bpm ON media (station_id, bpm)`,
  `CREATE INDEX media_rating ON media (station_id, rating)`,
  `CREATE INDEX media_duration ON media (station_id, duration_ms)`,
  `CREATE INDEX media_added ON media (station_id, added_at)`,
  `CREATE INDEX media_hash ON media (station_id, content_hash)`,
  `CREATE INDEX media_status ON media (station_id, analysis_status)`,
  `CREATE TABLE media_tags (
    media_id {{TEXT}} NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    station_id {{TEXT}} NOT NULL,
    tag_lc {{TEXT}} NOT NULL)`,
  `CREATE INDEX media_tags_media ON media_tags (media_id, tag_lc)`,
  `CREATE INDEX media_tags_station ON media_tags (station_id, tag_lc, media_id)`,
  // One row per present custom field; kind orders mixed types: 0 number, 1 text, 2 boolean.
  `CREATE TABLE media_fields (
    media_id {{TEXT}} NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    station_id {{TEXT}} NOT NULL,
    name {{TEXT}} NOT NULL,
    kind {{INT}} NOT NULL,
    text_lc {{TEXT}},
    num {{NUM}},
    bool {{INT}},
    PRIMARY KEY (media_id, name))`,
  `CREATE INDEX media_fields_num ON media_fields (station_id, name, num)`,
  `CREATE TABLE schedule_entries (id {{TEXT}} PRIMARY KEY, station_id {{TEXT}} NOT NULL, starts_at {{NUM}} NOT NULL, ends_at {{NUM}} NOT NULL, ${ENTITY})`,
  `CREATE INDEX schedule_station_start ON schedule_entries (station_id, starts_at, id)`,
  `CREATE INDEX schedule_station_end ON schedule_entries (station_id, ends_at)`,
  `CREATE TABLE play_history (id {{TEXT}} PRIMARY KEY, station_id {{TEXT}} NOT NULL, started_at {{NUM}} NOT NULL, media_id {{TEXT}}, artist {{TEXT}}, ${ENTITY})`,
  `CREATE INDEX play_history_station_time ON play_history (station_id, started_at, id)`,
  `CREATE INDEX play_history_media ON play_history (station_id, media_id, started_at)`,
  `CREATE INDEX play_history_artist ON play_history (station_id, artist, started_at)`,
  `CREATE TABLE executor_states (station_id {{TEXT}} PRIMARY KEY, ${ENTITY})`,
];

const SEARCH: Record<DialectName, string[]> = {
  postgres: [
    // pg_trgm is a trusted extension: the database owner may create it.
    `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
    `CREATE INDEX media_title_trgm ON media USING gin (title_lc gin_trgm_ops)`,
    `CREATE INDEX media_artist_trgm ON media USING gin (artist_lc gin_trgm_ops)`,
    `CREATE INDEX media_album_trgm ON media USING gin (album_lc gin_trgm_ops)`,
  ],
  sqlite: [
    // Over the lower-cased columns, case-sensitive: folding stays JavaScript's toLowerCase.
    `CREATE VIRTUAL TABLE media_search USING fts5(title_lc, artist_lc, album_lc, tokenize = 'trigram case_sensitive 1')`,
    `INSERT INTO media_search (rowid, title_lc, artist_lc, album_lc) SELECT rid, title_lc, artist_lc, album_lc FROM media`,
    `CREATE TRIGGER media_search_insert AFTER INSERT ON media BEGIN
      INSERT INTO media_search (rowid, title_lc, artist_lc, album_lc) VALUES (new.rid, new.title_lc, new.artist_lc, new.album_lc);
    END`,
    `CREATE TRIGGER media_search_delete AFTER DELETE ON media BEGIN
      DELETE FROM media_search WHERE rowid = old.rid;
    END`,
    `CREATE TRIGGER media_search_update AFTER UPDATE OF title_lc, artist_lc, album_lc ON media BEGIN
      DELETE FROM media_search WHERE rowid = old.rid;
      INSERT INTO media_search (rowid, title_lc, artist_lc, album_lc) VALUES (new.rid, new.title_lc, new.artist_lc, new.album_lc);
    END`,
  ],
};

/**
 * Entry length per station, so a schedule window can bound `starts_at` from below
 * (an entry overlapping `from` starts after `from` minus the longest entry) and scan
 * only the window's part of `schedule_station_start`; MAX over it is one index probe.
 */
const SCHEDULE_LENGTH: string[] = [
  `CREATE INDEX schedule_station_length ON schedule_entries (station_id, (ends_at - starts_at))`,
];

/**
 * Smart-block candidates (genre + bpm range, ordered by id) choose their page from
 * this index alone, id included; it supersedes `media_genre_bpm`.
 */
const MEDIA_GENRE_BPM_ID: string[] = [
  `CREATE INDEX media_genre_bpm_id ON media (station_id, genre_lc, bpm, id)`,
  `DROP INDEX media_genre_bpm`,
];

/**
 * Smart-block candidates (genre + bpm range, ordered by id) walk one genre of this index
 * in id order, test bpm on the index entry and stop at the page's end: no sort and no
 * second lookup of the page's keys. It supersedes `media_genre_bpm_id`. SQLite keeps
 * statistics per index, and without them it would rather range-scan `media_bpm` and sort.
 */
const MEDIA_GENRE_ID_BPM: Record<DialectName, string[]> = {
  postgres: [
    `CREATE INDEX media_genre_id_bpm ON media (station_id, genre_lc, id, bpm)`,
    `DROP INDEX media_genre_bpm_id`,
  ],
  sqlite: [
    `CREATE INDEX media_genre_id_bpm ON media (station_id, genre_lc, id, bpm)`,
    `DROP INDEX media_genre_bpm_id`,
    `ANALYZE media`,
  ],
};

/** Every migration, in version order. Append only: never edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "records, media, schedule, history and their indexes",
    statements: (dialect) => INITIAL.map((sql) => render(dialect, sql)),
  },
  {
    version: 2,
    name: "media text search (pg_trgm on PostgreSQL, FTS5 trigram on SQLite)",
    statements: (dialect) => SEARCH[dialect].map((sql) => render(dialect, sql)),
  },
  {
    version: 3,
    name: "schedule entry length index (bounded schedule window scans)",
    statements: (dialect) => SCHEDULE_LENGTH.map((sql) => render(dialect, sql)),
  },
  {
    version: 4,
    name: "media genre + bpm index carries the id (page chosen from the index)",
    statements: (dialect) => MEDIA_GENRE_BPM_ID.map((sql) => render(dialect, sql)),
  },
  {
    version: 5,
    name: "media genre index in id order (genre + bpm pages without a sort)",
    statements: (dialect) => MEDIA_GENRE_ID_BPM[dialect].map((sql) => render(dialect, sql)),
  },
];
