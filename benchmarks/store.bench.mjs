// Store benchmark (issue 8): smart-block candidate query, schedule window lookup and
// media search on SqliteStore and PostgresStore over BENCH_MEDIA media rows (default
// 100,000) and BENCH_HISTORY play-history rows (default 1,000,000).
//
//   node benchmarks/store.bench.mjs [--write]  # SQLite in a temp file + a private PostgreSQL 15
//   BENCH_MEDIA=20000 BENCH_HISTORY=200000 node benchmarks/store.bench.mjs
//
// Needs Debian `postgresql` (scripts/pg-test-server.sh starts it). With --write, replaces the
// "Store" section of benchmarks/RESULTS.md. Rows are bulk-loaded with SQL (the load is not what is measured);
// the queries go through the public Store API.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = join(root, "packages", "store-pg");
const require = createRequire(join(pkg, "package.json"));
const { build } = require("esbuild");

const MEDIA = Number(process.env.BENCH_MEDIA ?? 100_000);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const STATION = "bench-station";
const DAY = 86_400_000;
const NOW = 1_750_000_000_000;

async function loadStorePackage() {
  const outdir = join(pkg, "node_modules", ".cache", "grimnir-store-pg");
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, "bench-store.mjs");
  await build({
    entryPoints: [join(pkg, "src", "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["source"],
    external: ["pg", "better-sqlite3"],
    logLevel: "silent",
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENRES = [
  "pop",
  "rock",
  "jazz",
  "electronic",
  "hiphop",
  "classical",
  "folk",
  "soul",
  "metal",
  "reggae",
];
const WORDS = [
  "love",
  "night",
  "dance",
  "heart",
  "fire",
  "rain",
  "summer",
  "blue",
  "dream",
  "road",
  "light",
  "home",
];

async function insertRows(ex, head, width, rows) {
  const chunk = Math.floor(900 / width);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const tuple = `(${Array.from({ length: width }, () => "?").join(", ")})`;
    await ex.run(`${head} VALUES ${part.map(() => tuple).join(", ")}`, part.flat());
  }
}

async function load(store) {
  const random = prng(42);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const mediaIds = [];
  const batch = 5000;
  for (let start = 0; start < MEDIA; start += batch) {
    const media = [];
    const tags = [];
    for (let i = start; i < Math.min(MEDIA, start + batch); i++) {
      const id = `m-${String(i).padStart(7, "0")}`;
      mediaIds.push(id);
      const title = `${pick(WORDS)} ${pick(WORDS)} ${i}`;
      const artist = `artist ${i % 5000}`;
      const album = `album ${i % 12000}`;
      const genre = pick(GENRES);
      const bpm = 60 + Math.floor(random() * 120);
      const doc = {
        title,
        artist,
        album,
        genre,
        bpm,
        tags: ["bench"],
        fields: {},
        durationMs: 200_000,
        cueInMs: 0,
        cueOutMs: 200_000,
        storageKey: `${id}.mp3`,
        contentHash: id,
        analysisStatus: "done",
        addedAt: NOW - i,
      };
      media.push([
        id,
        STATION,
        title,
        artist,
        album,
        genre,
        1990 + (i % 30),
        bpm,
        3,
        200_000,
        NOW - i,
        1,
        id,
        "done",
        1,
        NOW,
        NOW,
        JSON.stringify(doc),
      ]);
      tags.push([id, STATION, "bench"]);
    }
    await store.driver.transaction(async (ex) => {
      await insertRows(
        ex,
        "INSERT INTO media (id, station_id, title_lc, artist_lc, album_lc, genre_lc, year, bpm, rating, duration_ms, added_at, tag_count, content_hash, analysis_status, version, created_at, updated_at, doc)",
        18,
        media,
      );
      await insertRows(ex, "INSERT INTO media_tags (media_id, station_id, tag_lc)", 3, tags);
    });
  }
  for (let start = 0; start < HISTORY; start += 20_000) {
    const rows = [];
    for (let i = start; i < Math.min(HISTORY, start + 20_000); i++) {
      const mediaId = mediaIds[Math.floor(random() * mediaIds.length)];
      const startedAt = NOW - Math.floor((i / HISTORY) * 365 * DAY);
      rows.push([
        `h-${i}`,
        STATION,
        startedAt,
        mediaId,
        "artist",
        1,
        startedAt,
        startedAt,
        JSON.stringify({ mediaId, startedAt, priority: 3 }),
      ]);
    }
    await store.driver.transaction((ex) =>
      insertRows(
        ex,
        "INSERT INTO play_history (id, station_id, started_at, media_id, artist, version, created_at, updated_at, doc)",
        9,
        rows,
      ),
    );
  }
  // 14 days of 4-minute entries around NOW.
  const entries = [];
  for (let t = NOW - 7 * DAY, i = 0; t < NOW + 7 * DAY; t += 240_000, i++) {
    entries.push([
      `s-${i}`,
      STATION,
      t,
      t + 240_000,
      1,
      NOW,
      NOW,
      JSON.stringify({
        startsAt: t,
        endsAt: t + 240_000,
        kind: "silence",
        timing: "hard",
        source: {},
      }),
    ]);
  }
  await store.driver.transaction((ex) =>
    insertRows(
      ex,
      "INSERT INTO schedule_entries (id, station_id, starts_at, ends_at, version, created_at, updated_at, doc)",
      8,
      entries,
    ),
  );
  // PostgreSQL: what autovacuum does after a bulk load (statistics and the visibility map,
  // which index-only scans need); SQLite: statistics.
  await store.driver.withExecutor((ex) =>
    ex.run(store.driver.dialect === "postgres" ? "VACUUM ANALYZE" : "ANALYZE"),
  );
}

/** PIDs of the PostgreSQL server's processes (postmaster and its backends), when readable. */
let serverPids = () => [];

/** CPU time of `pids` so far, ms (from /proc; clock ticks of 10 ms). */
function serverCpuMs() {
  let ticks = 0;
  for (const pid of serverPids()) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The backend exited between listing and reading: its time is lost to both readings.
    }
  }
  return ticks * 10;
}

/**
 * Wall time per call (p50, p95) and CPU time per call (mean over the runs): this
 * process's (the SQLite engine and the Node side) plus, for PostgreSQL, the server's.
 * On a shared, oversubscribed machine wall time includes waiting for a CPU; CPU time
 * shows the work a query costs.
 */
async function time(fn) {
  await fn();
  const samples = [];
  const cpuStart = process.cpuUsage();
  const serverStart = serverCpuMs();
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const cpu = process.cpuUsage(cpuStart);
  const serverMs = serverCpuMs() - serverStart;
  samples.sort((a, b) => a - b);
  return {
    p50: samples[Math.floor(samples.length / 2)],
    p95: samples[Math.floor(samples.length * 0.95) - 1] ?? samples.at(-1),
    cpu: ((cpu.user + cpu.system) / 1000 + serverMs) / RUNS,
  };
}

async function measure(store) {
  const random = prng(7);
  return {
    "smart-block candidates (genre + bpm range + not played in 24 h)": await time(async () => {
      const genre = GENRES[Math.floor(random() * GENRES.length)];
      const candidates = await store.media.query(STATION, {
        filters: [
          { field: "genre", op: "equals", value: genre },
          { field: "bpm", op: "range", min: 100, max: 130 },
        ],
        limit: 1000,
      });
      const last = await store.playHistory.lastPlayed(
        STATION,
        candidates.map((m) => m.id),
      );
      return candidates.filter((m) => (last.get(m.id) ?? 0) < NOW - DAY);
    }),
    "schedule window (1 h)": await time(() => {
      const from = NOW + Math.floor(random() * 24) * 3_600_000;
      return store.schedule.window(STATION, { from, to: from + 3_600_000 });
    }),
    "media search (text, 100 rows)": await time(() =>
      store.media.query(STATION, { text: WORDS[Math.floor(random() * WORDS.length)], limit: 100 }),
    ),
  };
}

const { SqliteStore, PostgresStore } = await loadStorePackage();
const results = {};
const loads = {};
const dir = mkdtempSync(join(tmpdir(), "grimnir-bench-"));
let pgState;
try {
  let t = Date.now();
  const sqlite = await SqliteStore.open(join(dir, "bench.db"));
  await load(sqlite);
  console.log(`sqlite loaded in ${Date.now() - t} ms`);
  loads.sqlite = loadavg()[0];
  results.sqlite = await measure(sqlite);
  await sqlite.close();

  const script = join(root, "scripts", "pg-test-server.sh");
  pgState = join(tmpdir(), `grimnir-bench-pg-${process.pid}`);
  const env = { ...process.env, GRIMNIR_PG_STATE: pgState };
  const out = execFileSync(script, ["start"], { env }).toString();
  const url = /GRIMNIR_PG_URL=(\S+)/.exec(out)[1];
  const postmaster = Number(
    readFileSync(join(pgState, "data", "postmaster.pid"), "utf8").split("\n")[0],
  );
  serverPids = () =>
    readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
          const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
          return Number(pid) === postmaster || ppid === postmaster;
        } catch {
          return false;
        }
      });
  t = Date.now();
  const postgres = await PostgresStore.open(url);
  await load(postgres);
  console.log(`postgres loaded in ${Date.now() - t} ms`);
  loads.postgres = loadavg()[0];
  results.postgres = await measure(postgres);
  await postgres.close();
  execFileSync(script, ["stop"], { env });
  pgState = undefined;
} finally {
  if (pgState !== undefined && existsSync(pgState))
    execFileSync(join(root, "scripts", "pg-test-server.sh"), ["stop"], {
      env: { ...process.env, GRIMNIR_PG_STATE: pgState },
    });
  rmSync(dir, { recursive: true, force: true });
}

const targets = {
  "smart-block candidates (genre + bpm range + not played in 24 h)": 20,
  "schedule window (1 h)": 2,
  "media search (text, 100 rows)": 20,
};
const lines = [
  "",
  "## Store",
  "",
  `- command: \`${process.env.BENCH_MEDIA || process.env.BENCH_HISTORY ? `BENCH_MEDIA=${MEDIA} BENCH_HISTORY=${HISTORY} ` : ""}node benchmarks/store.bench.mjs --write\``,
  `- date: ${new Date().toISOString()}; load average (1 min, ${cpus().length} cores, shared machine) when SQLite was measured ${loads.sqlite.toFixed(1)}, PostgreSQL ${loads.postgres.toFixed(1)}, at end ${loadavg()[0].toFixed(1)}`,
  `- machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; PostgreSQL 15 (private, fsync on) and SQLite (WAL, synchronous=FULL), same run`,
  `- data: ${MEDIA.toLocaleString("en")} media, ${HISTORY.toLocaleString("en")} play-history rows, 14 days of schedule; ${RUNS} runs each after a warm-up`,
  "",
  "| query | target (p50) | SQLite p50 / p95 ms | SQLite CPU ms | PostgreSQL p50 / p95 ms | PostgreSQL CPU ms (client + server) | SQLite/PostgreSQL (p50) | target |",
  "|---|---|---|---|---|---|---|---|",
  ...Object.keys(targets).map((q) => {
    const s = results.sqlite[q];
    const p = results.postgres[q];
    const verdict = (r) => (r.p50 < targets[q] ? "met" : "missed");
    return `| ${q} | < ${targets[q]} ms | ${s.p50.toFixed(2)} / ${s.p95.toFixed(2)} | ${s.cpu.toFixed(2)} | ${p.p50.toFixed(2)} / ${p.p95.toFixed(2)} | ${p.cpu.toFixed(2)} | ${(s.p50 / p.p50).toFixed(2)} | SQLite ${verdict(s)}, PostgreSQL ${verdict(p)} |`;
  }),
  "",
  `CPU ms = CPU time per call (mean): this process (SQLite runs in it; the Node side for PostgreSQL) plus the PostgreSQL server's processes; it is the work a query costs.${
    Math.max(loads.sqlite, loads.postgres) > cpus().length
      ? " The load average was above the core count, so wall times include waiting for a CPU."
      : ""
  } The smart-block candidates are one media query (genre + bpm range, first 1,000 by id) and one lastPlayed call for those ids.`,
  "",
];
if (process.argv.includes("--write")) {
  // Replace this benchmark's own section, keeping the others.
  const file = join(root, "benchmarks", "RESULTS.md");
  const text = readFileSync(file, "utf8");
  const section = lines.join("\n").trim();
  const start = text.indexOf("\n## Store\n");
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}\n`);
  } else {
    const next = text.indexOf("\n## ", start + 1);
    writeFileSync(
      file,
      `${text.slice(0, start + 1)}${section}\n${next < 0 ? "" : text.slice(next)}`,
    );
  }
}
console.log(lines.join("\n"));
