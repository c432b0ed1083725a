import pg from "pg";
import { GrimnirError } from "@grimnir/core";
import { redactUrl } from "../values.js";

/** A row as read from LibreTime; columns vary between LibreTime versions, so all are optional. */
export type LtRow = Record<string, unknown>;

/** Every LibreTime table the importer reads, rows ordered by id. */
export interface LibreTimeData {
  prefs: LtRow[];
  users: LtRow[];
  trackTypes: LtRow[];
  files: LtRow[];
  playlists: LtRow[];
  playlistContents: LtRow[];
  blocks: LtRow[];
  blockContents: LtRow[];
  blockCriteria: LtRow[];
  webstreams: LtRow[];
  shows: LtRow[];
  showDays: LtRow[];
  showInstances: LtRow[];
  showHosts: LtRow[];
  /** cc_schedule: the items scheduled inside each show instance. */
  schedule: LtRow[];
}

const TABLES: Array<[keyof LibreTimeData, string, boolean]> = [
  ["prefs", "cc_pref", false],
  ["users", "cc_subjs", true],
  ["trackTypes", "cc_track_types", false],
  ["files", "cc_files", true],
  ["playlists", "cc_playlist", true],
  ["playlistContents", "cc_playlistcontents", true],
  ["blocks", "cc_block", false],
  ["blockContents", "cc_blockcontents", false],
  ["blockCriteria", "cc_blockcriteria", false],
  ["webstreams", "cc_webstream", false],
  ["shows", "cc_show", true],
  ["showDays", "cc_show_days", true],
  ["showInstances", "cc_show_instances", true],
  ["showHosts", "cc_show_hosts", false],
  ["schedule", "cc_schedule", false],
];

// Dates, times, timestamps and intervals stay text: LibreTime stores UTC
// timestamps without zone, which node-postgres would read as local time.
const RAW_TEXT_OIDS = new Set([1082, 1083, 1114, 1186]);
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (RAW_TEXT_OIDS.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

function connectionError(url: string, error: unknown): GrimnirError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "28P01" || code === "28000")
    return new GrimnirError(
      "UNAUTHORIZED",
      `LibreTime database at ${redactUrl(url)} rejected the credentials: ${message}`,
      {
        cause: error,
      },
    );
  return new GrimnirError(
    "STORE_UNAVAILABLE",
    `cannot read the LibreTime database at ${redactUrl(url)}: ${message}${typeof code === "string" ? ` (${code})` : ""}`,
    { cause: error },
  );
}

/**
 * Read every table of a LibreTime database (read-only, one snapshot
 * transaction). Throws `STORE_UNAVAILABLE` / `UNAUTHORIZED` when it cannot
 * connect, and `CONFIG_INVALID` when a required table is missing.
 */
export async function readLibreTime(url: string): Promise<LibreTimeData> {
  const client = new pg.Client({ connectionString: url, types, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    // A failed connect has already closed the socket; there is nothing to end.
    throw connectionError(url, error);
  }
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const data = {} as LibreTimeData;
    for (const [key, table, required] of TABLES) {
      const exists = await client.query("SELECT to_regclass($1) AS t", [`public.${table}`]);
      if (exists.rows[0]?.t === null) {
        if (required)
          throw new GrimnirError(
            "CONFIG_INVALID",
            `${redactUrl(url)} is not a LibreTime database: table ${table} is missing`,
            {
              details: { table },
            },
          );
        data[key] = [];
        continue;
      }
      data[key] = (await client.query(`SELECT * FROM ${table} ORDER BY 1`)).rows as LtRow[];
    }
    await client.query("COMMIT");
    return data;
  } catch (error) {
    if (error instanceof GrimnirError) throw error;
    throw connectionError(url, error);
  } finally {
    await client.end();
  }
}
