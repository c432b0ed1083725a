// Importers benchmark: `node benchmarks/importers.bench.mjs [--write]`.
// Starts a private PostgreSQL, loads a LibreTime database of 1,000 tracks, 20
// playlists and 30 shows (the fixture schema plus generated rows), and times
// LibreTimeImporter.apply() into core's MemoryStore and into the PostgreSQL
// Store (without audio analysis), then a second, idempotent run. Target < 10 s.
// With --write the "Importers" section of benchmarks/RESULTS.md is replaced.
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir, cpus, totalmem, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "tsup";
import { createRequire } from "node:module";

const loadAtStart = loadavg()[0].toFixed(1);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = mkdtempSync(join(tmpdir(), "grimnir-bench-"));
const entry = join(out, "entry.ts");
writeFileSync(
  entry,
  [
    `export { LibreTimeImporter } from ${JSON.stringify(join(root, "packages/importers/src/index.ts"))};`,
    `export { MemoryStore } from ${JSON.stringify(join(root, "packages/core/src/index.ts"))};`,
    `export { PostgresStore } from ${JSON.stringify(join(root, "packages/store-pg/src/index.ts"))};`,
    `export { startPgTestServer } from ${JSON.stringify(join(root, "packages/testkit/src/postgres.ts"))};`,
  ].join("\n"),
);
await build({
  entry: { importers: entry },
  outDir: out,
  format: ["esm"],
  platform: "node",
  target: "node20",
  bundle: true,
  // pg and better-sqlite3 stay external, loaded from store-pg's node_modules by absolute path (plugin below).
  dts: false,
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  silent: true,
  esbuildOptions(options) {
    options.conditions = ["source"];
    const requireFromStore = createRequire(join(root, "packages/store-pg/package.json"));
    options.plugins = [
      {
        name: "external-by-path",
        setup(b) {
          b.onResolve({ filter: /^(pg|better-sqlite3)$/ }, (args) => ({
            path: requireFromStore.resolve(args.path),
            external: true,
          }));
        },
      },
    ];
  },
});
const mod = await import(pathToFileURL(join(out, "importers.js")).href);
const { LibreTimeImporter, MemoryStore, PostgresStore, startPgTestServer } = mod;
const pg = createRequire(join(root, "packages/importers/package.json"))("pg");

const FILES = 1000;
const PLAYLISTS = 20;
const SHOWS = 30;
function generatedSql() {
  // The fixture inserts explicit ids; move the sequences past them.
  const rows = [
    "SELECT setval('cc_show_days_id_seq', 1000), setval('cc_show_instances_id_seq', 1000), setval('cc_playlistcontents_id_seq', 1000);",
  ];
  const genres = ["Rock", "Pop", "Jazz", "Soul", "Folk"];
  const files = [];
  for (let i = 1; i <= FILES; i++) {
    const id = 1000 + i;
    files.push(
      `(${id}, 'track${i}.mp3', 'audio/mpeg', 'imported/1/a${i % 97}/track${i}.mp3', 0, '2024-01-01 00:00:00', '${String(i).padStart(32, "0")}', 'Track ${i}', 'Artist ${i % 97}', 'Album ${i % 300}', '${genres[i % 5]}', '${1970 + (i % 50)}', ${80 + (i % 90)}, '00:03:${String(i % 60).padStart(2, "0")}', '00:00:00.5', '00:03:00', ${(i % 10) - 5}, 44100, 2, false, true)`,
    );
  }
  rows.push(
    `INSERT INTO cc_files (id, name, mime, filepath, import_status, utime, md5, track_title, artist_name, album_title, genre, year, bpm, length, cuein, cueout, replay_gain, sample_rate, channels, hidden, file_exists) VALUES ${files.join(",\n")};`,
  );
  const playlists = [];
  const contents = [];
  for (let p = 1; p <= PLAYLISTS; p++) {
    playlists.push(`(${100 + p}, 'Generated ${p}', NULL)`);
    for (let k = 0; k < 25; k++)
      contents.push(`(${100 + p}, ${1001 + ((p * 37 + k * 11) % FILES)}, 0, ${k})`);
  }
  rows.push(`INSERT INTO cc_playlist (id, name, description) VALUES ${playlists.join(",")};`);
  rows.push(
    `INSERT INTO cc_playlistcontents (playlist_id, file_id, type, position) VALUES ${contents.join(",")};`,
  );
  const shows = [];
  const days = [];
  const instances = [];
  for (let s = 1; s <= SHOWS; s++) {
    const id = 100 + s;
    shows.push(`(${id}, 'Generated show ${s}', true, ${100 + ((s % PLAYLISTS) + 1)})`);
    days.push(
      `('2024-03-0${(s % 7) + 1}', NULL, '${String(s % 24).padStart(2, "0")}:00:00', 'America/New_York', '01:00', ${s % 7}, ${s % 3 === 0 ? 1 : 0}, ${id})`,
    );
    // Instances are stored in UTC, as LibreTime does: local New York wall time converted by PostgreSQL.
    const local = `'2024-03-0${(s % 7) + 1} ${String(s % 24).padStart(2, "0")}:00:00'::timestamp`;
    for (let w = 0; w < 20; w++)
      instances.push(
        `((${local} + interval '${w * 7} days') AT TIME ZONE 'America/New_York' AT TIME ZONE 'UTC', (${local} + interval '${w * 7} days' + interval '1 hour') AT TIME ZONE 'America/New_York' AT TIME ZONE 'UTC', ${id})`,
      );
  }
  rows.push(
    `INSERT INTO cc_show (id, name, has_autoplaylist, autoplaylist_id) VALUES ${shows.join(",")};`,
  );
  rows.push(
    `INSERT INTO cc_show_days (first_show, last_show, start_time, timezone, duration, day, repeat_type, show_id) VALUES ${days.join(",")};`,
  );
  rows.push(`INSERT INTO cc_show_instances (starts, ends, show_id) VALUES ${instances.join(",")};`);
  return rows.join("\n");
}

const server = await startPgTestServer();
const results = [];
try {
  const source = await server.createDatabase("libretime_bench");
  const client = new pg.Client({ connectionString: source });
  client.on("error", (error) => console.error(`fixture loader connection: ${error.message}`));
  await client.connect();
  await client.query(
    readFileSync(join(root, "packages/importers/test/fixtures/libretime.sql"), "utf8"),
  );
  for (const statement of generatedSql().split(";\n")) await client.query(statement);
  await client.end();

  async function timed(label, store) {
    // When each phase of the first import started (ms from t0): read, plan, apply.
    const phaseStart = {};
    const t0 = performance.now();
    const first = await new LibreTimeImporter({ url: source, store }).apply({
      onProgress: (p) => (phaseStart[p.phase] ??= performance.now() - t0),
    });
    const t1 = performance.now();
    const second = await new LibreTimeImporter({ url: source, store }).apply();
    const t2 = performance.now();
    results.push({
      label,
      firstMs: t1 - t0,
      // read + map the source, compare with the store, write.
      phasesMs: [
        phaseStart.plan ?? NaN,
        (phaseStart.apply ?? NaN) - (phaseStart.plan ?? NaN),
        t1 - t0 - (phaseStart.apply ?? NaN),
      ],
      secondMs: t2 - t1,
      first: first.summary,
      failures: first.failures.length,
      second: second.summary,
    });
  }
  await timed("MemoryStore", new MemoryStore());
  const pgStore = await PostgresStore.open(await server.createDatabase("grimnir_bench"));
  try {
    await timed("PostgresStore", pgStore);
  } finally {
    await pgStore.close();
  }
} finally {
  await server.stop();
  rmSync(out, { recursive: true, force: true });
}

const lines = [
  "## Importers",
  "",
  `Command: \`node benchmarks/importers.bench.mjs --write\` — ${new Date().toISOString()} — ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadAtStart}, Node ${process.version}`,
  "",
  `LibreTime database (private PostgreSQL 15) with ${FILES} generated tracks + the test fixture, ${PLAYLISTS} generated playlists × 25 entries, ${SHOWS} generated shows × 20 instances; no audio analysis, files referenced in place. Target: first import < 10 s.`,
  "",
  "The importer plans against one listing per repository and station (not one lookup per record) and writes 100 entities per transaction; the phase columns split the first import: read + map the LibreTime database, plan (compare with the store), write.",
  "",
  "| target store | first import | read + map / plan / write | created | failed | second (idempotent) run | created / updated on 2nd run |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...results.map(
    (r) =>
      `| ${r.label} | **${(r.firstMs / 1000).toFixed(2)} s** | ${r.phasesMs.map((ms) => (ms / 1000).toFixed(2)).join(" / ")} s | ${r.first.create} | ${r.failures} | ${(r.secondMs / 1000).toFixed(2)} s | ${r.second.create} / ${r.second.update} |`,
  ),
  "",
  ...results.map(
    (r) =>
      `${r.label}: first import ${(r.firstMs / 1000).toFixed(2)} s — target < 10 s ${r.firstMs < 10_000 ? "met" : "missed"}${r.failures > 0 ? `, but ${r.failures} records failed` : ""}; second run ${r.second.create === 0 && r.second.update === 0 ? "created and updated nothing (idempotent)" : `created ${r.second.create} and updated ${r.second.update} (not idempotent)`}.`,
  ),
  "",
  `Load average (1 min) ${loadAtStart} at start, ${loadavg()[0].toFixed(1)} at end.`,
  "",
];
const section = lines.join("\n");
console.log(section);
if (process.argv.includes("--write")) {
  const file = join(root, "benchmarks/RESULTS.md");
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmark results\n\n";
  const re = /## Importers\n[\s\S]*?(?=\n## |$)/;
  writeFileSync(
    file,
    re.test(text) ? text.replace(re, section.trimEnd() + "\n") : `${text.trimEnd()}\n\n${section}`,
  );
}
const slow = results.some((r) => r.firstMs > 10_000);
process.exit(slow ? 1 : 0);
