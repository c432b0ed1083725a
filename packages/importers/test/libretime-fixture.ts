/** A private PostgreSQL with LibreTime fixture databases, and a media root holding some of its files. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { startPgTestServer, type PgTestServer } from "@grimnir/testkit";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "libretime.sql");

/** Files of the fixture present on disk (file 9 is deliberately absent). */
export const PRESENT_FILES = [
  "imported/1/Alpha/First/one.mp3",
  "imported/1/Beta/Second/two.ogg",
  "imported/1/Gamma/three.mp3",
  "imported/1/jingle.mp3",
  "imported/1/Delta/five.flac",
];

/** A running server plus helpers. */
export interface LibreTimeFixture {
  server: PgTestServer;
  /** A fresh database loaded with the fixture (plus `extraSql`), its URL. */
  database(extraSql?: string): Promise<string>;
  /** Run SQL against a database. */
  sql(url: string, text: string): Promise<void>;
  mediaRoot: string;
  stop(): Promise<void>;
}

let counter = 0;

/** Start the server and write the media root. */
export async function startLibreTimeFixture(): Promise<LibreTimeFixture> {
  const server = await startPgTestServer();
  const mediaRoot = mkdtempSync(join(tmpdir(), "grimnir-lt-media-"));
  for (const file of PRESENT_FILES) {
    mkdirSync(dirname(join(mediaRoot, file)), { recursive: true });
    writeFileSync(join(mediaRoot, file), `audio bytes of ${file}`);
  }
  const sql = async (url: string, text: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  const schema = readFileSync(FIXTURE, "utf8");
  return {
    server,
    mediaRoot,
    sql,
    async database(extraSql = "") {
      counter += 1;
      const url = await server.createDatabase(`libretime_${counter}`);
      await sql(url, schema + extraSql);
      return url;
    },
    async stop() {
      rmSync(mediaRoot, { recursive: true, force: true });
      await server.stop();
    },
  };
}
