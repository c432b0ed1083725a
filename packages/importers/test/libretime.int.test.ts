import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore, type ImportAction, type ImportProgress, type Store } from "@grimnir/core";
import { showOccurrences } from "@grimnir/scheduler";
import { PostgresStore } from "@grimnir/store-pg";
import { LibreTimeImporter, SOURCE_ACTION_KIND, ltInstanceContentId } from "../src/index.js";
import { requireBinaries } from "@grimnir/testkit";
import {
  PRESENT_FILES,
  startLibreTimeFixture,
  type LibreTimeFixture,
} from "./libretime-fixture.js";

let fx: LibreTimeFixture;
let url: string;

beforeAll(async () => {
  fx = await startLibreTimeFixture();
  url = await fx.database();
});

afterAll(async () => {
  await fx?.stop();
});

/** A property of `target`, methods bound to it (for proxies of store objects with private fields). */
function bound(target: object, key: string | symbol): unknown {
  const value: unknown = Reflect.get(target, key);
  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

function find(actions: ImportAction[], kind: string, id: string): ImportAction | undefined {
  return actions.find((a) => a.sourceKind === kind && a.sourceId === id);
}

describe("LibreTimeImporter against a LibreTime database in PostgreSQL", () => {
  it("plans every record with a reason and writes nothing", async () => {
    const store = new MemoryStore();
    const plan = await new LibreTimeImporter({ url, store, mediaRoot: fx.mediaRoot }).plan();
    expect(plan.source).toBe("libretime");
    expect(await store.stations.list()).toEqual([]);
    expect(plan.summary.create).toBeGreaterThan(20);
    expect(find(plan.actions, "file", "6")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining("hidden"),
    });
    expect(find(plan.actions, "file", "7")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining("missing"),
    });
    expect(find(plan.actions, "file", "8")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining("still being imported"),
    });
    expect(find(plan.actions, "file", "9")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining(join(fx.mediaRoot, "imported/1/Lost/lost.mp3")),
    });
    expect(find(plan.actions, "user", "5")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining('unknown type "Z"'),
    });
    expect(find(plan.actions, "webstream", "2")).toMatchObject({ action: "unmappable" });
    expect(find(plan.actions, "show_days", "6")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining("unknown repeat_type 9"),
    });
    expect(find(plan.actions, "show_instance", "7")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining("rebroadcast"),
    });
    const criteria = plan.actions
      .filter((a) => a.sourceKind === "block_criterion")
      .map((a) => a.reason);
    expect(criteria).toEqual(
      expect.arrayContaining([
        expect.stringContaining("last played time is not a media field"),
        expect.stringContaining('unknown modifier "sounds like"'),
        expect.stringContaining('value "fast" is not a number'),
        expect.stringContaining("time remaining in show"),
        expect.stringContaining('sort "mostrecentplay"'),
      ]),
    );
    expect(find(plan.actions, "block", "2")?.reason).toContain('approximated as "contains"');
  });

  it("imports files, playlists, blocks, webstreams, users and shows field by field", async () => {
    const store = new MemoryStore();
    const progress: ImportProgress[] = [];
    const report = await new LibreTimeImporter({ url, store, mediaRoot: fx.mediaRoot }).apply({
      onProgress: (p) => progress.push(p),
    });
    expect(report.failures).toEqual([]);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(["read", "plan", "apply"]));
    expect(progress.at(-1)).toMatchObject({ phase: "apply" });
    expect(progress.at(-1)!.done).toBe(progress.at(-1)!.total);

    const station = await store.stations.get("lt-station");
    expect(station).toMatchObject({
      name: "Radio Fixture",
      timezone: "America/New_York",
      description: "Community radio",
      active: true,
    });
    expect(await store.media.count("lt-station")).toBe(5);

    const one = await store.media.get("lt-station", "lt-file-1");
    expect(one).toMatchObject({
      title: "One",
      artist: "Alpha",
      album: "First",
      genre: "Rock",
      year: 1994,
      bpm: 120,
      rating: 4,
      tags: ["mus"],
      durationMs: 205_500,
      cueInMs: 1_250,
      cueOutMs: 200_000,
      loudnessLufs: -14.5,
      storageKey: "imported/1/Alpha/First/one.mp3",
      contentHash: "libretime-md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      codec: "mp3",
      sampleRateHz: 44100,
      channels: 2,
      analysisStatus: "pending",
      addedAt: Date.UTC(2024, 0, 5, 10),
    });
    expect(one!.fields).toEqual({
      libretime_id: 1,
      composer: "Composer A",
      label: "Label X",
      isrc: "USABC1234567",
      mood: "happy",
      mime: "audio/mpeg",
      track_number: 1,
      bit_rate: 320000,
      track_type: "MUS",
    });
    const three = await store.media.get("lt-station", "lt-file-3");
    expect(three).toMatchObject({ title: "three.mp3", cueOutMs: 150_000, loudnessLufs: -19 });
    expect(three!.year).toBeUndefined();
    expect(find(report.actions, "file", "3")?.reason).toContain('year "unknown" is not a year');
    const five = await store.media.get("lt-station", "lt-file-5");
    expect(five).toMatchObject({ cueOutMs: 300_000, codec: "flac" });
    expect(find(report.actions, "file", "5")?.reason).toContain(
      "cue out 540000 ms outside the file",
    );
    expect((await store.media.get("lt-station", "lt-file-4"))!.tags).toEqual(["jin"]);

    const morning = await store.playlists.get("lt-station", "lt-playlist-1");
    expect(morning).toMatchObject({
      name: "Morning Mix",
      mode: "ordered",
      description: "weekday mornings",
    });
    expect(morning!.items).toEqual(["lt-file-2", "lt-file-1", "lt-file-3", "lt-file-4"]);
    const reason = find(report.actions, "playlist", "1")!.reason!;
    expect(reason).toContain("smart block lt-block-2");
    expect(reason).toContain("webstream 1");
    expect(reason).toContain("file 7 (not imported)");
    expect(reason).toContain("per-entry fades");
    expect(await store.playlists.get("lt-station", "lt-playlist-2")).toMatchObject({
      name: "Morning Mix (2)",
      items: ["lt-file-5"],
    });
    expect(await store.playlists.get("lt-station", "lt-block-1")).toMatchObject({
      name: "Static Set",
      items: ["lt-file-3", "lt-file-4"],
    });

    const rock = await store.smartBlocks.get("lt-station", "lt-block-2");
    expect(rock).toMatchObject({
      name: "Rock Hour",
      sort: { by: "field", field: "addedAt", direction: "desc" },
      limit: { kind: "duration", durationMs: 3_600_000, toleranceMs: 0 },
      quotas: [],
      fill: { kind: "none" },
    });
    expect(rock!.filters).toEqual([
      { field: "genre", op: "contains", value: "rock" },
      { field: "artist", op: "in", values: ["Alpha", "Gamma"] },
      { field: "year", op: "range", min: 1990, max: 1999 },
      { field: "durationMs", op: "range", min: 120_001 },
      // Midnight 1 January 2020 in New York is 05:00 UTC.
      { field: "addedAt", op: "range", min: Date.UTC(2020, 0, 1, 5) + 1 },
      { field: "title", op: "contains", value: "The" },
      { field: "field:label", op: "not_equals", value: "Label Y" },
    ]);
    expect(await store.smartBlocks.get("lt-station", "lt-block-3")).toMatchObject({
      filters: [],
      sort: { by: "random" },
      limit: { kind: "duration", durationMs: 1_800_000 },
    });

    expect(await store.webstreams.get("lt-station", "lt-webstream-1")).toMatchObject({
      name: "Partner FM",
      urls: ["https://stream.example.org/partner.mp3"],
      currentIndex: 0,
    });
    expect(await store.webstreams.list("lt-station")).toHaveLength(1);

    expect(await store.users.findByUsername("admin")).toMatchObject({
      id: "lt-user-1",
      displayName: "Ada Admin",
      email: "admin@example.org",
      roles: [{ stationId: "lt-station", role: "admin" }],
      disabled: false,
    });
    expect((await store.users.get("lt-user-2"))!.roles).toEqual([
      { stationId: "lt-station", role: "manager" },
    ]);
    expect((await store.users.get("lt-user-3"))!.roles).toEqual([
      { stationId: "lt-station", role: "dj" },
    ]);
    expect((await store.users.get("lt-user-4"))!.roles).toEqual([]);
    expect((await store.users.get("lt-user-1"))!.passwordHash).not.toContain(
      "21232f297a57a5a743894a0e4a801fc3",
    );

    expect(await store.shows.get("lt-station", "lt-show-1")).toMatchObject({
      name: "Morning Show",
      startLocal: "2024-03-04T07:00:00",
      rrule: "FREQ=WEEKLY;BYDAY=MO,WE,FR",
      durationMs: 7_200_000,
      clockId: "lt-show-1-clock",
      exceptDates: ["2024-03-13"],
      description: "wake up",
    });
    expect(await store.clocks.get("lt-station", "lt-show-1-clock")).toMatchObject({
      slots: [{ kind: "playlist", offsetMs: 0, refId: "lt-playlist-1" }],
    });
    expect(await store.shows.get("lt-station", "lt-instance-6")).toMatchObject({
      name: "Morning Show (2024-03-15)",
      startLocal: "2024-03-15T09:00:00",
      durationMs: 7_200_000,
    });
    expect(await store.shows.get("lt-station", "lt-show-2")).toMatchObject({
      name: "Euro Night",
      // 22:00 in Berlin (CET, UTC+1) on 16 March is 17:00 in New York (EDT, UTC−4).
      startLocal: "2024-03-16T17:00:00",
      rrule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SA;UNTIL=20240531T235959",
      durationMs: 3_600_000,
    });
    expect(find(report.actions, "show", "2")!.reason).toContain("converted from Europe/Berlin");
    expect(await store.shows.get("lt-station", "lt-show-3")).toMatchObject({
      live: true,
      djUserId: "lt-user-3",
      rrule: "FREQ=MONTHLY;BYDAY=2TU",
      durationMs: 5_400_000,
    });
    expect(await store.clocks.get("lt-station", "lt-show-3-clock")).toMatchObject({
      slots: [{ kind: "live" }],
    });
    expect(await store.shows.get("lt-station", "lt-show-5")).toMatchObject({
      startLocal: "2024-11-03T01:30:00",
    });
    expect((await store.shows.get("lt-station", "lt-show-5"))!.rrule).toBeUndefined();
    expect(await store.shows.get("lt-station", "lt-show-6")).toMatchObject({
      name: "Morning Show (2)",
      rrule: "FREQ=MONTHLY;BYMONTHDAY=15",
    });
    expect(await store.shows.get("lt-station", "lt-show-4")).toBeUndefined();
  });

  it("keeps the Morning Show at 07:00 New York time across the March DST change", async () => {
    const store = new MemoryStore();
    await new LibreTimeImporter({ url, store }).apply();
    const show = (await store.shows.get("lt-station", "lt-show-1"))!;
    const diagnostics: Parameters<typeof showOccurrences>[4] = [];
    const starts = showOccurrences(
      show,
      "America/New_York",
      Date.UTC(2024, 2, 1),
      Date.UTC(2024, 2, 16),
      diagnostics,
    ).map((o) => new Date(o.startsAt).toISOString());
    expect(diagnostics).toEqual([]);
    expect(starts).toEqual([
      "2024-03-04T12:00:00.000Z",
      "2024-03-06T12:00:00.000Z",
      "2024-03-08T12:00:00.000Z",
      "2024-03-11T11:00:00.000Z",
      // 13 March was deleted in LibreTime.
      "2024-03-15T11:00:00.000Z",
    ]);
  });

  it("creates nothing new on a second run and updates only what changed at the source", async () => {
    const store = await PostgresStore.open(await fx.server.createDatabase("grimnir_idempotent"));
    const source = await fx.database();
    try {
      const first = await new LibreTimeImporter({ url: source, store }).apply();
      expect(first.failures).toEqual([]);
      const counts = async (s: Store) => [
        await s.media.count("lt-station"),
        (await s.playlists.list("lt-station")).length,
        (await s.shows.list("lt-station")).length,
        (await s.users.list()).length,
      ];
      const before = await counts(store);

      const second = await new LibreTimeImporter({ url: source, store }).apply();
      expect(second.failures).toEqual([]);
      expect(second.summary.create).toBe(0);
      expect(second.summary.update).toBe(0);
      expect(await counts(store)).toEqual(before);

      await fx.sql(
        source,
        "UPDATE cc_files SET track_title = 'One (Remastered)' WHERE id = 1; UPDATE cc_show_days SET duration = '03:00' WHERE show_id = 1;",
      );
      const third = await new LibreTimeImporter({ url: source, store }).apply();
      expect(third.summary).toMatchObject({ create: 0, update: 2 });
      expect(find(third.actions, "file", "1")).toMatchObject({
        action: "update",
        reason: expect.stringContaining("changed: title"),
      });
      expect(find(third.actions, "show", "1")).toMatchObject({
        action: "update",
        reason: expect.stringContaining("durationMs"),
      });
      const one = (await store.media.get("lt-station", "lt-file-1"))!;
      expect(one).toMatchObject({ title: "One (Remastered)", version: 2 });
      expect(await counts(store)).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it("keeps the library's analysis and a user's new password on a re-run", async () => {
    const store = new MemoryStore();
    await new LibreTimeImporter({ url, store }).apply();
    const item = (await store.media.get("lt-station", "lt-file-1"))!;
    await store.media.update({
      ...item,
      analysisStatus: "done",
      loudnessLufs: -13.2,
      cueOutMs: 199_000,
    });
    const user = (await store.users.get("lt-user-3"))!;
    await store.users.update({
      ...user,
      passwordHash: "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
      roles: [...user.roles, { stationId: "other", role: "dj" }],
    });
    const again = await new LibreTimeImporter({ url, store }).apply();
    expect(again.summary).toMatchObject({ create: 0, update: 0 });
    expect(await store.media.get("lt-station", "lt-file-1")).toMatchObject({
      analysisStatus: "done",
      loudnessLufs: -13.2,
      cueOutMs: 199_000,
    });
    expect((await store.users.get("lt-user-3"))!.passwordHash).toBe(
      "$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA",
    );
  });

  it("skips a user whose login name is taken and finishes a half-done earlier import", async () => {
    const store = new MemoryStore();
    await store.users.create({ username: "taken", passwordHash: "x", roles: [], disabled: false });
    // A half-finished earlier run: only the station and one file made it.
    const full = new LibreTimeImporter({ url, store });
    const plan = await full.plan();
    expect(find(plan.actions, "user", "6")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining('login name "taken" already belongs'),
    });
    const controller = new AbortController();
    const transaction = store.transaction.bind(store);
    // Abort right after the first file is written (inside the batch's transaction).
    store.transaction = async (fn) =>
      transaction((tx) => {
        const media = new Proxy(tx.media, {
          get: (target, key) =>
            key === "create"
              ? async (input: Parameters<typeof target.create>[0]) => {
                  const item = await target.create(input);
                  controller.abort();
                  return item;
                }
              : bound(target, key),
        });
        return fn(new Proxy(tx, { get: (t, key) => (key === "media" ? media : bound(t, key)) }));
      });
    const partial = await full.apply({ signal: controller.signal });
    store.transaction = transaction;
    // What was written before the abort is committed: the station, users and the first file.
    expect(await store.media.count("lt-station")).toBe(1);
    expect(partial.failures.length).toBeGreaterThan(0);
    expect(partial.failures[0]!.error).toContain("aborted");
    const resumed = await new LibreTimeImporter({ url, store }).apply();
    expect(resumed.failures).toEqual([]);
    expect(resumed.summary.create).toBe(partial.failures.length);
    // Without a media root the importer cannot see that file 9 is missing on disk.
    expect(await store.media.count("lt-station")).toBe(6);
  });

  it("writes nothing of an entity whose write fails and imports the rest", async () => {
    const store = new MemoryStore();
    // A show clock id already used by another station makes that show's write fail.
    await store.stations.create({
      id: "elsewhere",
      name: "Elsewhere",
      timezone: "UTC",
      active: true,
    });
    await store.clocks.create({
      id: "lt-show-3-clock",
      stationId: "elsewhere",
      name: "taken",
      slots: [],
    });
    const report = await new LibreTimeImporter({ url, store }).apply();
    const failed = report.failures.map((f) => `${f.action.sourceKind} ${f.action.sourceId}`);
    expect(failed).toEqual(["show 3"]);
    expect(await store.shows.get("lt-station", "lt-show-3")).toBeUndefined();
    expect(await store.shows.get("lt-station", "lt-show-1")).toBeDefined();
  });

  it("copies the audio files when asked and hashes them", async () => {
    const store = new MemoryStore();
    const to = mkdtempSync(join(tmpdir(), "grimnir-lt-copy-"));
    try {
      const report = await new LibreTimeImporter({
        url,
        store,
        mediaRoot: fx.mediaRoot,
        copyMedia: { to },
      }).apply();
      expect(report.failures).toEqual([]);
      expect(readFileSync(join(to, "imported/1/Alpha/First/one.mp3"), "utf8")).toBe(
        "audio bytes of imported/1/Alpha/First/one.mp3",
      );
      expect((await store.media.get("lt-station", "lt-file-1"))!.contentHash).toMatch(
        /^[0-9a-f]{64}$/,
      );
    } finally {
      rmSync(to, { recursive: true, force: true });
    }
  });

  it("imports into an existing station and uses its time zone", async () => {
    const store = new MemoryStore();
    await store.stations.create({
      id: "main",
      name: "Main",
      timezone: "Europe/London",
      active: true,
    });
    await new LibreTimeImporter({ url, store, stationId: "main" }).apply();
    expect(await store.stations.get("main")).toMatchObject({ name: "Main", version: 1 });
    // 07:00 New York (EST) on 4 March is 12:00 in London.
    expect(await store.shows.get("main", "lt-show-1")).toMatchObject({
      startLocal: "2024-03-04T12:00:00",
    });
  });

  it("reports an unreachable database, wrong credentials and a non-LibreTime database as one clear line", async () => {
    const store = new MemoryStore();
    const down = await new LibreTimeImporter({
      url: "postgres://grimnir:secret@127.0.0.1:1/libretime",
      store,
    }).apply();
    expect(down.actions).toHaveLength(1);
    expect(down.actions[0]).toMatchObject({
      sourceKind: SOURCE_ACTION_KIND,
      action: "skip",
      reason: expect.stringContaining("cannot read the LibreTime database"),
    });
    expect(down.actions[0]!.sourceId).not.toContain("secret");
    expect(down.failures).toHaveLength(1);

    const wrongUrl = url.replace("grimnir@", "nosuchuser@");
    const wrong = await new LibreTimeImporter({ url: wrongUrl, store }).plan();
    expect(wrong.actions[0]).toMatchObject({
      sourceKind: SOURCE_ACTION_KIND,
      action: "skip",
      reason: expect.stringContaining("rejected the credentials"),
    });

    const empty = await fx.server.createDatabase("not_libretime");
    const notLt = await new LibreTimeImporter({ url: empty, store }).plan();
    expect(notLt.actions[0]).toMatchObject({
      sourceKind: SOURCE_ACTION_KIND,
      reason: expect.stringContaining("table cc_subjs is missing"),
    });
    expect(await store.stations.list()).toEqual([]);
  });
});

/** Items scheduled inside show instances (cc_schedule), and one instance across the November DST change. */
const SCHEDULE_SQL = `
INSERT INTO cc_show_instances (id, starts, ends, show_id, rebroadcast, instance_id, modified_instance) VALUES
  (9, '2024-11-03 05:30:00', '2024-11-03 06:30:00', 5, 0, NULL, false);
INSERT INTO cc_schedule (id, starts, ends, file_id, stream_id, cue_in, cue_out, fade_in, fade_out, instance_id, playout_status, position) VALUES
  (1, '2024-03-04 12:00:00', '2024-03-04 12:04:00', 2, NULL, '00:00:00', '00:04:00', '00:00:00', '00:00:00', 1, 1, 0),
  (9, '2024-03-11 12:10:18.75', '2024-03-11 12:12:38.75', 3, NULL, '00:00:10', '00:02:30', '00:00:00', '00:00:00', 4, 1, 4),
  (10, '2024-03-11 11:00:00', '2024-03-11 11:03:18.75', 1, NULL, '00:00:01.25', '00:03:20', '00:00:00', '00:00:00', 4, 1, 0),
  (11, '2024-03-11 11:03:18.75', '2024-03-11 11:07:18.75', 2, NULL, '00:00:00', '00:04:00', '00:00:00.5', '00:00:00', 4, 1, 1),
  (12, '2024-03-11 11:07:18.75', '2024-03-11 11:10:18.75', 6, NULL, '00:00:00', '00:03:00', '00:00:00', '00:00:00', 4, 1, 2),
  (13, '2024-03-11 11:10:18.75', '2024-03-11 12:10:18.75', NULL, 1, '00:00:00', '01:00:00', '00:00:00', '00:00:00', 4, 1, 3),
  (14, '2024-03-11 13:00:00', '2024-03-11 13:00:08', 4, NULL, '00:00:00', '00:00:08', '00:00:00', '00:00:00', 4, 0, 5),
  (20, '2024-11-03 05:30:00', '2024-11-03 05:30:08', 4, NULL, '00:00:00', '00:00:08', '00:00:00', '00:00:00', 9, 1, 0),
  (21, '2024-11-03 05:30:08', '2024-11-03 05:39:08', 5, NULL, '00:00:00', '00:09:00', '00:00:00', '00:00:00', 9, 1, 1),
  (30, '2024-03-13 11:00:00', '2024-03-13 11:03:18.75', 1, NULL, '00:00:01.25', '00:03:20', '00:00:00', '00:00:00', 5, 1, 0),
  (40, '2024-03-06 20:00:00', '2024-03-06 20:03:18.75', 1, NULL, '00:00:01.25', '00:03:20', '00:00:00', '00:00:00', 7, 1, 0);
`;

describe("LibreTime show instances' own content (cc_schedule)", () => {
  it("becomes an override with its own ordered playlist per coming instance, at exact UTC times across DST", async () => {
    const store = await PostgresStore.open(await fx.server.createDatabase("grimnir_instances"));
    const source = await fx.database(SCHEDULE_SQL);
    // Instances ending before 5 March 2024 are history (instance 1).
    const since = Date.UTC(2024, 2, 5);
    try {
      const report = await new LibreTimeImporter({
        url: source,
        store,
        instanceContentSince: since,
      }).apply();
      expect(report.failures).toEqual([]);

      // Morning Show, Monday 11 March: 07:00–09:00 New York (EDT, the day after the change) = 11:00–13:00Z.
      expect(await store.overrides.get("lt-station", "lt-instance-4-content")).toMatchObject({
        name: "Morning Show (2024-03-11 07:00)",
        startsAt: Date.UTC(2024, 2, 11, 11),
        endsAt: Date.UTC(2024, 2, 11, 13),
        clockId: "lt-instance-4-clock",
        reason: "LibreTime show instance 4 with 3 scheduled item(s)",
      });
      // LibreTime's order (by start time, not row id); the hidden file, the webstream
      // and the item past the instance's end are left out.
      expect(await store.playlists.get("lt-station", "lt-instance-4-playlist")).toMatchObject({
        items: ["lt-file-1", "lt-file-2", "lt-file-3"],
        mode: "ordered",
      });
      expect(await store.clocks.get("lt-station", "lt-instance-4-clock")).toMatchObject({
        slots: [{ id: "content", kind: "playlist", offsetMs: 0, refId: "lt-instance-4-playlist" }],
      });
      const reason = find(report.actions, "instance_content", "4")!.reason!;
      expect(reason).toContain("item 12 left out: file 6 was not imported");
      expect(reason).toContain("item 13 (webstream 1) left out");
      expect(reason).toContain("item 14 left out: LibreTime would not play it");
      expect(reason).toContain("item 9: its own cue points (00:00:10–00:02:30) are not kept");
      expect(reason).toContain("item 11: its fades are not kept");

      // Special, 3 November 01:30 EDT: one real hour later the wall clock reads 01:30 EST again.
      const special = (await store.overrides.get("lt-station", "lt-instance-9-content"))!;
      expect(special).toMatchObject({
        name: "Special (2024-11-03 01:30)",
        startsAt: Date.UTC(2024, 10, 3, 5, 30),
        endsAt: Date.UTC(2024, 10, 3, 6, 30),
        clockId: "lt-instance-9-clock",
      });
      expect(special.endsAt - special.startsAt).toBe(3_600_000);
      expect((await store.playlists.get("lt-station", "lt-instance-9-playlist"))!.items).toEqual([
        "lt-file-4",
        "lt-file-5",
      ]);

      expect(find(report.actions, "instance_content", "5")).toMatchObject({
        action: "skip",
        reason: expect.stringContaining("deleted in LibreTime"),
      });
      expect(find(report.actions, "instance_content", "past")).toMatchObject({
        action: "skip",
        reason: expect.stringMatching(
          /^1 show instance\(s\) with scheduled items ended before 2024-03-05/,
        ),
      });
      // Rebroadcasts are reported by the show mapper; their items are not imported.
      expect(find(report.actions, "instance_content", "7")).toBeUndefined();
      expect(
        await store.overrides.get("lt-station", ltInstanceContentId.override(1)),
      ).toBeUndefined();
      expect(await store.overrides.list("lt-station")).toHaveLength(2);

      const again = await new LibreTimeImporter({
        url: source,
        store,
        instanceContentSince: since,
      }).apply();
      expect(again.summary).toMatchObject({ create: 0, update: 0 });
    } finally {
      await store.close();
    }
  });
});

describe("LibreTime import followed by analysis", () => {
  it("analyses the imported audio with GStreamer, reports progress and a failed file, and re-runs analyse nothing", async () => {
    requireBinaries("apt-get install -y ffmpeg gstreamer1.0-tools", "ffmpeg", "gst-launch-1.0");
    const root = mkdtempSync(join(tmpdir(), "grimnir-lt-audio-"));
    try {
      // 2 s stereo 1 kHz sine at −20 dBFS peak (−20.0 LUFS: −3.01 per channel at 0 dBFS);
      // five.flac starts with 0.5 s of silence.
      for (const file of PRESENT_FILES) {
        const path = join(root, file);
        mkdirSync(dirname(path), { recursive: true });
        if (file.endsWith("jingle.mp3")) {
          writeFileSync(path, "this jingle is not audio");
          continue;
        }
        const tone = file.endsWith(".flac")
          ? "if(gte(t,0.5),0.1*sin(2*PI*1000*t),0)"
          : "0.1*sin(2*PI*1000*t)";
        execFileSync("ffmpeg", [
          ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
          ...["-i", `aevalsrc=exprs='${tone}|${tone}':s=44100:d=2`, path],
        ]);
      }
      const source = await fx.database(
        "UPDATE cc_files SET length = '00:00:02', cuein = '00:00:00', cueout = '00:00:02';",
      );
      const store = new MemoryStore();
      const progress: ImportProgress[] = [];
      const run = () =>
        new LibreTimeImporter({
          url: source,
          store,
          mediaRoot: root,
          analyze: { concurrency: 2 },
        }).apply({ onProgress: (p) => progress.push(p) });
      const report = await run();
      expect(report.analysis).toEqual({ queued: 5, done: 4, failed: 1 });
      expect(report.failures).toEqual([
        {
          action: expect.objectContaining({ sourceKind: "file", sourceId: "4" }),
          error: expect.stringMatching(/^analysis failed: /),
        },
      ]);
      const analyse = progress.filter((p) => p.phase === "analyse");
      expect(analyse[0]).toEqual({ phase: "analyse", done: 0, total: 5 });
      expect(analyse.at(-1)).toEqual({ phase: "analyse", done: 5, total: 5 });

      const five = (await store.media.get("lt-station", "lt-file-5"))!;
      expect(five.analysisStatus).toBe("done");
      // Blocks overlapping the leading silence pull the gated loudness a little under −20 LUFS.
      expect(five.loudnessLufs).toBeGreaterThan(-21);
      expect(five.loudnessLufs).toBeLessThan(-20);
      expect(Math.abs(five.cueInMs - 500)).toBeLessThanOrEqual(20);
      expect(Math.abs(five.durationMs - 2000)).toBeLessThanOrEqual(30);
      for (const id of ["lt-file-1", "lt-file-2", "lt-file-3"]) {
        const item = (await store.media.get("lt-station", id))!;
        expect(item.analysisStatus).toBe("done");
        // The 2 s MP3s read ~0.4 LU under the tone (ffmpeg's ebur128 reads the same on them).
        expect(Math.abs(item.loudnessLufs! - -20.0)).toBeLessThan(0.6);
        expect(item.truePeakDbtp).toBeLessThan(-19);
      }
      expect(await store.media.get("lt-station", "lt-file-4")).toMatchObject({
        analysisStatus: "failed",
        analysisError: expect.any(String),
      });

      const again = await run();
      expect(again.analysis).toEqual({ queued: 0, done: 0, failed: 0 });
      expect(again.failures).toEqual([]);
      expect(again.summary).toMatchObject({ create: 0, update: 0 });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses analyze without access to the audio", () => {
    expect(() => new LibreTimeImporter({ url, store: new MemoryStore(), analyze: true })).toThrow(
      "LibreTimeImporter: analyze needs the audio files; give mediaRoot",
    );
  });
});
