/**
 * SQL-specific behaviour both stores must show (beyond core's conformance
 * suite): index use, cross-connection concurrency, migrations, bad input and
 * kill -9 durability. Registered once per dialect.
 */
import { describe, expect, it } from "vitest";
import { newId, type MediaFilter, type MediaItem } from "@grimnir/core";
import { makeMedia } from "@grimnir/core/testing";
import { runMigrations } from "../src/migrate.js";
import { MIGRATIONS } from "../src/schema.js";
import { migrate, openSqlStore } from "../src/open.js";
import type { SqlExecutor, SqlRow, SqlValue } from "../src/driver.js";
import type { SqlStore } from "../src/sql-store.js";
import { killMidBurst } from "./durability.js";

/** How the behaviour suite gets databases. */
export interface SqlTarget {
  /** URL of a new empty (unmigrated) database. */
  emptyUrl(): Promise<string>;
}

/**
 * The plan of `sql`. On PostgreSQL sequential scans are disabled for the check: the
 * test tables are small enough that a scan is cheaper, and the question is whether
 * an index serves the query's shape (the benchmark shows the plans at full size).
 */
async function explain(store: SqlStore, sql: string, params: (string | number)[]): Promise<string> {
  const postgres = store.driver.dialect === "postgres";
  const rows = await store.driver.transaction(async (ex) => {
    if (postgres) await ex.run("SET LOCAL enable_seqscan = off");
    return ex.all((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql, params);
  });
  return rows.map((row) => Object.values(row).join(" ")).join("\n");
}

/**
 * The statements `fn` makes the store issue outside a transaction, with their
 * parameters, so a plan check explains exactly what the store runs.
 */
async function issuedStatements(
  store: SqlStore,
  fn: () => Promise<unknown>,
): Promise<{ sql: string; params: SqlValue[] }[]> {
  const issued: { sql: string; params: SqlValue[] }[] = [];
  const driver = store.driver;
  const original = driver.withExecutor;
  const bound = original.bind(driver);
  driver.withExecutor = <T>(inner: (executor: SqlExecutor) => Promise<T>) =>
    bound((ex) =>
      inner({
        all: <R extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) => {
          issued.push({ sql, params: [...params] });
          return ex.all<R>(sql, params);
        },
        run: (sql, params = []) => {
          issued.push({ sql, params: [...params] });
          return ex.run(sql, params);
        },
      }),
    );
  try {
    await fn();
  } finally {
    driver.withExecutor = original;
  }
  return issued;
}

/** The plan of the one statement `fn` makes the store issue. */
async function explainIssued(store: SqlStore, fn: () => Promise<unknown>): Promise<string> {
  const issued = await issuedStatements(store, fn);
  expect(issued).toHaveLength(1);
  const [{ sql, params }] = issued as [{ sql: string; params: SqlValue[] }];
  return explain(store, sql, params as (string | number)[]);
}

const METACHARACTERS = [
  "Robert'); DROP TABLE media;--",
  `"quoted" \\ backslash % percent _ underscore`,
  "$1 ? :name @p0 ;",
  "NUL\u0000inside",
  "emoji 🎵 and ünïcödé",
];

/** Register the suite for one dialect. */
export function describeSqlBehaviour(name: string, target: () => SqlTarget): void {
  describe(`${name}: SQL behaviour`, () => {
    it("uses the station indexes for the planner's and API's hot queries", async () => {
      const store = await openSqlStore(await target().emptyUrl());
      try {
        const stationId = newId();
        // Enough rows, spread over stations, that a sequential scan would be the worse plan.
        await store.transaction(async (tx) => {
          for (let i = 0; i < 400; i++) {
            await tx.media.create(
              makeMedia(i % 2 === 0 ? stationId : newId(), {
                genre: i % 3 === 0 ? "pop" : "jazz",
                bpm: 60 + (i % 100),
              }),
            );
            await tx.playHistory.append({
              stationId: i % 2 === 0 ? stationId : newId(),
              startedAt: i * 1000,
              priority: 3,
              mediaId: newId(),
            });
          }
          await tx.schedule.replaceWindow(
            stationId,
            { from: 0, to: 1e9 },
            Array.from({ length: 200 }, (_, i) => ({
              stationId,
              startsAt: i * 1000,
              endsAt: i * 1000 + 1000,
              kind: "silence" as const,
              timing: "hard" as const,
              source: {},
            })),
          );
        });
        await store.driver.withExecutor((ex) =>
          ex.run(store.driver.dialect === "postgres" ? "ANALYZE" : "ANALYZE"),
        );
        const candidateFilters: MediaFilter[] = [
          { field: "genre", op: "equals", value: "pop" },
          { field: "bpm", op: "range", min: 100, max: 130 },
        ];
        const plans = {
          // A first page of smart-block candidates, as the store issues it. (Ten rows of a
          // few dozen matches, so that at this size too stopping early beats sorting.)
          candidates: await explainIssued(store, () =>
            store.media.query(stationId, { filters: candidateFilters, limit: 10 }),
          ),
          // A later page: its keys are chosen before any row is read.
          laterCandidates: await explainIssued(store, () =>
            store.media.query(stationId, { filters: candidateFilters, limit: 10, offset: 10 }),
          ),
          schedule: await explain(
            store,
            `SELECT id FROM schedule_entries WHERE station_id = ? AND starts_at < ? AND ends_at > ?
             AND starts_at >= ? - COALESCE((SELECT MAX(ends_at - starts_at) FROM schedule_entries WHERE station_id = ?), 0)
             ORDER BY starts_at, id`,
            [stationId, 50_000, 40_000, 40_000, stationId],
          ),
          lastPlayed: await explain(
            store,
            `SELECT u.id AS media_id, (SELECT MAX(h.started_at) FROM play_history h WHERE h.station_id = ? AND h.media_id = u.id) AS last FROM ${
              store.driver.dialect === "postgres"
                ? "unnest(CAST(? AS text[])) AS u(id)"
                : "(SELECT value AS id FROM json_each(?)) AS u"
            }`,
            [stationId, store.driver.dialect === "postgres" ? '{"a","b"}' : '["a","b"]'],
          ),
          history: await explain(
            store,
            "SELECT id FROM play_history WHERE station_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at, id",
            [stationId, 1000, 5000],
          ),
          token: await explain(
            store,
            "SELECT id FROM live_tokens WHERE token_hash = ? ORDER BY id LIMIT 1",
            ["h"],
          ),
          hash: await explain(
            store,
            "SELECT id FROM media WHERE station_id = ? AND content_hash = ?",
            [stationId, "h"],
          ),
        };
        const usesIndex =
          store.driver.dialect === "postgres"
            ? /Index|Bitmap/
            : /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/;
        for (const [query, plan] of Object.entries(plans)) {
          expect(plan, query).toMatch(usesIndex);
          expect(plan, query).not.toMatch(
            /Seq Scan|SCAN (m|media|schedule_entries|play_history|live_tokens)\b(?! USING)/,
          );
        }
        // The first page walks one genre in id order, testing bpm in the index: no sort.
        expect(plans.candidates).toMatch(
          store.driver.dialect === "postgres"
            ? /Index Scan using media_genre_id_bpm/
            : /SEARCH m USING INDEX media_genre_id_bpm \(station_id=\? AND genre_lc=\?\)/,
        );
        expect(plans.candidates).not.toMatch(/Sort|TEMP B-TREE/);
        // A later page's keys come from the same index; SQLite reads them from the index
        // alone, PostgreSQL does too once VACUUM has marked the pages all-visible (until
        // then, at this size, it prefers a bitmap of the index).
        expect(plans.laterCandidates).toMatch(
          store.driver.dialect === "postgres"
            ? /(Index (Only )?Scan using|Bitmap Index Scan on) media_genre_id_bpm/
            : /COVERING INDEX media_genre_id_bpm/,
        );
        // The window is bounded from below by the longest entry, found by one probe of its index.
        expect(plans.schedule).toMatch(/schedule_station_start/);
        expect(plans.schedule).toMatch(/schedule_station_length/);
        expect(plans.schedule).toMatch(
          store.driver.dialect === "postgres"
            ? /Index Cond: .*starts_at >= /
            : /schedule_station_start \(station_id=\? AND starts_at>\? AND starts_at<\?\)/,
        );
        expect(plans.lastPlayed).toMatch(/play_history_media/);
        expect(plans.history).toMatch(/play_history_station_time/);
        expect(plans.token).toMatch(/live_tokens_hash/);
        const search = await explain(
          store,
          store.driver.dialect === "postgres"
            ? "SELECT id FROM media m WHERE m.title_lc LIKE ? OR m.artist_lc LIKE ? OR m.album_lc LIKE ?"
            : "SELECT id FROM media m WHERE m.rid IN (SELECT rowid FROM media_search WHERE media_search MATCH ?)",
          store.driver.dialect === "postgres"
            ? ["%untitled%", "%untitled%", "%untitled%"]
            : ['"untitled"'],
        );
        expect(search).toMatch(
          store.driver.dialect === "postgres" ? /trgm/ : /VIRTUAL TABLE INDEX/,
        );
      } finally {
        await store.close();
      }
    });

    it("pages text search with many hits in id order, walking the station index instead of sorting every hit", async () => {
      const store = await openSqlStore(await target().emptyUrl());
      try {
        const stationId = newId();
        const other = newId();
        // About 1,150 hits (more than 20 per wanted row), some misses, and hits in another station.
        const mine: MediaItem[] = [];
        await store.transaction(async (tx) => {
          for (let i = 0; i < 1500; i++) {
            const item = await tx.media.create(
              makeMedia(i % 10 === 9 ? other : stationId, {
                title: i % 7 !== 3 ? `Anthem ${i}` : `Ballad ${i}`,
                artist: i % 50 === 0 ? "The Anthems" : "Someone",
              }),
            );
            if (item.stationId === stationId) mine.push(item);
          }
        });
        const matching = (needle: string) =>
          mine
            .filter((m) =>
              [m.title, m.artist, m.album].some((t) => t?.toLowerCase().includes(needle)),
            )
            .map((m) => m.id)
            .sort();
        const ids = matching("anthem");
        expect(ids.length).toBeGreaterThan(1000);
        // 30 rows wanted, over 1,000 hits: SQLite walks media_station (the "scan" join).
        const page = await store.media.query(stationId, { text: "anthem", limit: 20, offset: 10 });
        expect(page.map((m) => m.id)).toEqual(ids.slice(10, 30));
        const last = await store.media.query(stationId, {
          text: "ANTHEM",
          limit: 30,
          direction: "desc",
        });
        expect(last.map((m) => m.id)).toEqual(ids.slice(-30).reverse());
        // 1,000 rows wanted: SQLite fetches the hits by rowid and sorts them (the "lookup" join).
        const rare = await store.media.query(stationId, { text: "anthem 14", limit: 1000 });
        expect(rare.map((m) => m.id)).toEqual(matching("anthem 14"));
        expect(await store.media.count(stationId, { text: "anthem" })).toBe(ids.length);
        if (store.driver.dialect === "sqlite") {
          const plan = await explain(
            store,
            "SELECT m.id FROM media m WHERE m.station_id = ? AND +m.rid IN (SELECT rowid FROM media_search WHERE media_search MATCH ?) ORDER BY m.id LIMIT 40",
            [stationId, '"anthem"'],
          );
          expect(plan).toMatch(/media_station/);
          expect(plan).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
        }
      } finally {
        await store.close();
      }
    });

    it("lets exactly one of two writers on separate connections update the same row", async () => {
      const url = await target().emptyUrl();
      const one = await openSqlStore(url);
      const two = await openSqlStore(url);
      try {
        const stationId = newId();
        for (let round = 0; round < 5; round++) {
          const item = await one.media.create(makeMedia(stationId));
          const results = await Promise.allSettled([
            one.media.update({ ...item, title: "one" }),
            two.media.update({ ...item, title: "two" }),
          ]);
          expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
          const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
          expect(lost.reason, String((lost.reason as Error).cause)).toMatchObject({
            code: "CONFLICT",
          });
          expect((await two.media.get(stationId, item.id))?.version).toBe(2);
        }
      } finally {
        await one.close();
        await two.close();
      }
    });

    it("stores SQL metacharacters in every text field verbatim and finds them by filter and search", async () => {
      const store = await openSqlStore(await target().emptyUrl());
      try {
        const stationId = `station ' ; -- ${newId()}`;
        for (const text of METACHARACTERS) {
          const item = await store.media.create(
            makeMedia(stationId, {
              title: text,
              artist: text,
              album: text,
              genre: text,
              tags: [text],
              fields: { [text]: text },
            }),
          );
          expect(await store.media.get(stationId, item.id)).toEqual(item);
          const filters: MediaFilter[] = [
            { field: "artist", op: "equals", value: text },
            { field: "title", op: "contains", value: text.slice(0, 12) },
            { field: "tags", op: "in", values: [text] },
            { field: `field:${text}`, op: "equals", value: text.toUpperCase() },
          ];
          for (const filter of filters) {
            expect(
              (await store.media.query(stationId, { filters: [filter] })).map((m) => m.id),
              JSON.stringify(filter),
            ).toContain(item.id);
          }
          expect((await store.media.query(stationId, { text })).map((m) => m.id)).toContain(
            item.id,
          );
          const playlist = await store.playlists.create({
            id: `${text.replace(/\0/g, "")}-${newId()}`,
            stationId,
            name: text,
            items: [text],
            mode: "ordered",
          });
          expect(await store.playlists.get(stationId, playlist.id)).toEqual(playlist);
        }
        // Media ids with quotes, backslashes, braces and commas reach lastPlayed intact.
        const oddIds = [...METACHARACTERS, `{a,"b"}\\`, "NULL"].map((t) => t.replace(/\0/g, ""));
        for (const [k, mediaId] of oddIds.entries()) {
          await store.playHistory.append({ stationId, startedAt: 1000 + k, priority: 3, mediaId });
        }
        const many = [...oddIds, ...Array.from({ length: 1200 }, () => newId())];
        expect(await store.playHistory.lastPlayed(stationId, many)).toEqual(
          new Map(oddIds.map((id, k) => [id, 1000 + k])),
        );
        expect(await store.media.count(stationId)).toBe(METACHARACTERS.length);
        expect(
          await store.media.count(stationId, {
            filters: [{ field: "title", op: "contains", value: "%" }],
          }),
        ).toBe(1);
        expect(
          await store.media.count(stationId, {
            filters: [{ field: "title", op: "contains", value: "_" }],
          }),
        ).toBe(1);
      } finally {
        await store.close();
      }
    });

    it("rejects over-long, mistyped and missing values with VALIDATION and stores nothing", async () => {
      const store = await openSqlStore(await target().emptyUrl());
      try {
        const stationId = newId();
        const bad: unknown[] = [
          makeMedia(stationId, { title: "x".repeat(100_000) }),
          makeMedia(stationId, { tags: ["y".repeat(5_000)] }),
          makeMedia(stationId, { bpm: "fast" as unknown as number }),
          makeMedia(stationId, { durationMs: Number.NaN }),
          makeMedia(stationId, { tags: "new" as unknown as string[] }),
          makeMedia(stationId, { fields: { nested: { a: 1 } as unknown as string } }),
          { ...makeMedia(stationId), id: "z".repeat(1_000) },
          { ...makeMedia(stationId), stationId: 42 },
          null,
        ];
        for (const input of bad) {
          await expect(
            store.media.create(input as never),
            JSON.stringify(input)?.slice(0, 80),
          ).rejects.toMatchObject({ code: "VALIDATION" });
        }
        await expect(
          store.playHistory.list(stationId, { from: "yesterday" as unknown as number, to: 1 }),
        ).rejects.toMatchObject({
          code: "VALIDATION",
        });
        await expect(
          store.media.query(stationId, {
            filters: [{ field: "nope" as never, op: "equals", value: 1 }],
          }),
        ).rejects.toMatchObject({ code: "VALIDATION" });
        expect(await store.media.count(stationId)).toBe(0);
        // Long text that is not indexed is fine.
        const long = "é".repeat(200_000);
        const mount = await store.mounts.create({ stationId, name: long, outputs: [] });
        expect((await store.mounts.get(stationId, mount.id))?.name).toBe(long);
      } finally {
        await store.close();
      }
    });

    it("migrates an empty database and upgrades from every earlier version", async () => {
      for (let from = 0; from < MIGRATIONS.length; from++) {
        const url = await target().emptyUrl();
        const partial = await openSqlStore(url, { migrate: false });
        const first = await runMigrations(partial.driver, {
          migrations: MIGRATIONS.slice(0, from),
        });
        expect(first.applied).toEqual(MIGRATIONS.slice(0, from).map((m) => m.version));
        await partial.close();
        const status = await migrate(url, { status: true });
        expect(
          status.migrations.filter((m) => m.appliedAt === undefined).map((m) => m.version),
        ).toEqual(MIGRATIONS.slice(from).map((m) => m.version));
        const report = await migrate(url);
        expect(report.applied).toEqual(MIGRATIONS.slice(from).map((m) => m.version));
        expect((await migrate(url)).applied).toEqual([]);
        const store = await openSqlStore(url);
        const item = await store.media.create(makeMedia(newId(), { title: "after upgrade" }));
        expect(await store.media.query(item.stationId, { text: "upgrade" })).toEqual([item]);
        await store.close();
      }
    });

    it("refuses a database whose applied migration was tampered with, naming the migration", async () => {
      const url = await target().emptyUrl();
      const store = await openSqlStore(url);
      await store.driver.withExecutor((ex) =>
        ex.run("UPDATE grimnir_migrations SET checksum = ? WHERE version = 1", ["0".repeat(64)]),
      );
      await store.close();
      await expect(openSqlStore(url)).rejects.toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringMatching(/migration 1 .*was applied with checksum 0+ .*modified/),
        details: { version: 1 },
      });
      await expect(migrate(url, { status: true })).rejects.toMatchObject({
        code: "CONFIG_INVALID",
      });
      const edited = MIGRATIONS.map((m) =>
        m.version === 2 ? { ...m, statements: () => ["SELECT 1"] } : m,
      );
      const fresh = await openSqlStore(await target().emptyUrl());
      await expect(runMigrations(fresh.driver, { migrations: edited })).rejects.toMatchObject({
        code: "CONFIG_INVALID",
      });
      await fresh.close();
    });

    it("keeps every acknowledged write when the writing process is killed with SIGKILL", async () => {
      const url = await target().emptyUrl();
      await migrate(url);
      const stationId = newId();
      const acked = await killMidBurst(url, stationId, 150);
      expect(acked.length).toBeGreaterThanOrEqual(150);
      const store = await openSqlStore(url);
      try {
        const stored = new Set(
          (await store.playHistory.list(stationId, { from: 0, to: Number.MAX_SAFE_INTEGER })).map(
            (p) => p.id,
          ),
        );
        const lost = acked.filter((id) => !stored.has(id));
        expect(lost).toEqual([]);
      } finally {
        await store.close();
      }
    }, 60_000);
  });
}
