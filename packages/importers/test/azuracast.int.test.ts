import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore, type ImportAction } from "@grimnir/core";
import { LocalStorage } from "@grimnir/library";
import { showOccurrences } from "@grimnir/scheduler";
import { requireBinaries, tempDir, type TempDir } from "@grimnir/testkit";
import {
  AzuraCastImporter,
  MTIME_FIELD,
  ROTATION_TAG,
  SOURCE_ACTION_KIND,
  WEIGHT_FIELD,
} from "../src/index.js";
import { startAzuraCastServer, type AzuraCastTestServer } from "./azuracast-server.js";

let api: AzuraCastTestServer;

beforeAll(async () => {
  api = await startAzuraCastServer();
});

afterAll(async () => {
  await api?.close();
});

function find(actions: ImportAction[], kind: string, id: string): ImportAction | undefined {
  return actions.find((a) => a.sourceKind === kind && a.sourceId === id);
}

async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe("AzuraCastImporter against a local AzuraCast API", () => {
  it("imports stations, mounts, media, playlists and streamers field by field", async () => {
    const store = new MemoryStore();
    const report = await new AzuraCastImporter({
      baseUrl: api.baseUrl,
      apiKey: api.apiKey,
      store,
    }).apply();
    expect(report.failures).toEqual([]);
    expect(api.requests).toContain("/api/station/1/files");

    expect(await store.stations.get("ac-station-1")).toMatchObject({
      name: "Indie Wave",
      slug: "indie_wave",
      timezone: "Europe/Berlin",
      description: "Independent music",
    });
    expect(await store.stations.get("ac-station-2")).toMatchObject({
      name: "Talk Radio",
      timezone: "UTC",
    });
    expect(find(report.actions, "station", "2")!.reason).toContain(
      "did not report the station time zone",
    );
    expect(find(report.actions, "streamers", "2")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining("HTTP 403"),
    });

    expect(await store.mounts.get("ac-station-1", "ac-1-mount-1")).toMatchObject({
      name: "Indie Wave 128k MP3",
      outputs: [{ type: "http", path: "radio.mp3", format: "mp3", bitrateKbps: 128 }],
    });
    expect(find(report.actions, "mount", "1/2")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining('format "flac"'),
    });

    expect(await store.media.count("ac-station-1")).toBe(3);
    const one = (await store.media.get("ac-station-1", "ac-1-media-1"))!;
    expect(one).toMatchObject({
      title: "Song One",
      artist: "Artist One",
      album: "Album",
      genre: "Indie",
      durationMs: 210_500,
      cueInMs: 1_500,
      cueOutMs: 200_000,
      outroMs: 195_000,
      storageKey: "Artist One/Album/song-one.mp3",
      contentHash: "azuracast:a1b2c3d4e5f6a1b2c3d4e5f6",
      analysisStatus: "pending",
      addedAt: 1_704_067_200_000,
      tags: [ROTATION_TAG],
    });
    expect(one.fields).toEqual({
      azuracast_id: 1,
      mood: "calm",
      explicit: false,
      energy: 7,
      isrc: "GBXYZ2400001",
      fade_in_ms: 2_000,
      fade_out_ms: 3_000,
      amplify_db: -1.5,
      [WEIGHT_FIELD]: 5,
    });
    expect(await store.media.get("ac-station-1", "ac-1-media-2")).toMatchObject({
      tags: ["jingle"],
      cueInMs: 0,
      cueOutMs: 6_000,
      addedAt: 1_704_153_600_000,
    });
    expect(find(report.actions, "media", "1/3")!.reason).toContain(
      "cue out 999000 ms outside the file",
    );
    expect(find(report.actions, "media", "1/4")).toMatchObject({
      action: "unmappable",
      reason: "path is empty",
    });

    expect(await store.playlists.get("ac-station-1", "ac-1-playlist-1")).toMatchObject({
      name: "Daytime",
      mode: "shuffled",
      items: ["ac-1-media-1", "ac-1-media-3"],
    });
    expect(find(report.actions, "playlist", "1/1")!.reason).toContain("weight 5");
    expect(await store.playlists.get("ac-station-1", "ac-1-playlist-2")).toMatchObject({
      name: "Jingles",
      items: ["ac-1-media-2"],
    });
    expect(find(report.actions, "playlist", "1/2")!.reason).toContain("once every 4 songs");
    expect(await store.clocks.get("ac-station-1", "ac-1-playlist-3-clock")).toMatchObject({
      slots: [{ kind: "playlist", offsetMs: 300_000, refId: "ac-1-playlist-3" }],
    });
    expect(find(report.actions, "playlist", "1/5")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining("advanced playlist"),
    });
    expect(await store.webstreams.get("ac-station-1", "ac-1-playlist-6")).toMatchObject({
      name: "Partner Relay",
      urls: ["https://relay.example.org/live.mp3"],
    });
    expect(find(report.actions, "playlist", "1/7")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining('unknown type "random_walk"'),
    });
    expect(await store.playlists.get("ac-station-1", "ac-1-playlist-8")).toMatchObject({
      name: "Daytime (2)",
    });
    expect(find(report.actions, "playlist", "1/8")!.reason).toContain("disabled in AzuraCast");

    expect(await store.smartBlocks.get("ac-station-1", "ac-1-rotation")).toMatchObject({
      filters: [{ field: "tags", op: "contains", value: ROTATION_TAG }],
      sort: { by: "weighted", field: `field:${WEIGHT_FIELD}` },
    });

    expect(await store.shows.get("ac-station-1", "ac-1-schedule-10")).toMatchObject({
      name: "Evening (scheduled)",
      startLocal: "2024-03-01T18:00:00",
      rrule: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
      durationMs: 10_800_000,
      clockId: "ac-1-playlist-4-clock",
    });
    expect(await store.shows.get("ac-station-1", "ac-1-schedule-11")).toMatchObject({
      startLocal: "2024-01-01T23:00:00",
      rrule: "FREQ=DAILY;UNTIL=20241231T235959",
      durationMs: 3 * 3_600_000,
    });
    expect(find(report.actions, "playlist_schedule", "1/11")!.reason).toContain("loop_once");
    expect(find(report.actions, "playlist_schedule", "1/12")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining("not HHMM"),
    });

    expect(await store.users.findByUsername("dj_mike")).toMatchObject({
      id: "ac-1-streamer-1",
      displayName: "DJ Mike",
      roles: [{ stationId: "ac-station-1", role: "dj" }],
      disabled: false,
    });
    expect(await store.users.findByUsername("dj_old")).toMatchObject({ disabled: true });
    expect(await store.shows.get("ac-station-1", "ac-1-schedule-s20")).toMatchObject({
      live: true,
      djUserId: "ac-1-streamer-1",
      rrule: "FREQ=WEEKLY;BYDAY=FR",
      durationMs: 7_200_000,
      clockId: "ac-1-live-clock",
    });
    expect(await store.clocks.get("ac-station-1", "ac-1-live-clock")).toMatchObject({
      slots: [{ kind: "live" }],
    });
    expect(find(report.actions, "streamer_schedule", "1/21")).toMatchObject({
      action: "unmappable",
      reason: expect.stringContaining("1 (Monday)"),
    });
  });

  it("keeps the scheduled Evening playlist at 18:00 Berlin time across the March DST change", async () => {
    const store = new MemoryStore();
    await new AzuraCastImporter({
      baseUrl: api.baseUrl,
      apiKey: api.apiKey,
      store,
      station: "indie_wave",
    }).apply();
    expect(await store.stations.get("ac-station-2")).toBeUndefined();
    const show = (await store.shows.get("ac-station-1", "ac-1-schedule-10"))!;
    const diagnostics: Parameters<typeof showOccurrences>[4] = [];
    const starts = showOccurrences(
      show,
      "Europe/Berlin",
      Date.UTC(2024, 2, 28),
      Date.UTC(2024, 3, 2),
      diagnostics,
    ).map((o) => new Date(o.startsAt).toISOString());
    expect(diagnostics).toEqual([]);
    // CET (UTC+1) until Sunday 31 March, CEST (UTC+2) after.
    expect(starts).toEqual([
      "2024-03-28T17:00:00.000Z",
      "2024-03-29T17:00:00.000Z",
      "2024-04-01T16:00:00.000Z",
    ]);
  });

  it("creates nothing new on a second run and updates a changed track", async () => {
    const store = new MemoryStore();
    await new AzuraCastImporter({ baseUrl: api.baseUrl, apiKey: api.apiKey, store }).apply();
    const again = await new AzuraCastImporter({
      baseUrl: api.baseUrl,
      apiKey: api.apiKey,
      store,
    }).apply();
    expect(again.failures).toEqual([]);
    expect(again.summary).toMatchObject({ create: 0, update: 0 });

    const files = api.routes["/api/station/1/files"] as Array<Record<string, unknown>>;
    const original = files[0]!.title;
    files[0]!.title = "Song One (Edit)";
    try {
      const third = await new AzuraCastImporter({
        baseUrl: api.baseUrl,
        apiKey: api.apiKey,
        store,
      }).apply();
      expect(third.summary).toMatchObject({ create: 0, update: 1 });
      expect(find(third.actions, "media", "1/1")).toMatchObject({
        action: "update",
        reason: "changed: title",
      });
    } finally {
      files[0]!.title = original;
    }
  });

  it("reports a wrong API key and an unreachable server as one line and writes nothing", async () => {
    const store = new MemoryStore();
    const wrong = await new AzuraCastImporter({
      baseUrl: api.baseUrl,
      apiKey: "nope",
      store,
    }).apply();
    expect(wrong.actions).toEqual([
      {
        sourceKind: SOURCE_ACTION_KIND,
        sourceId: api.baseUrl,
        action: "skip",
        reason: expect.stringContaining("rejected the API key (HTTP 401"),
      },
    ]);
    expect(wrong.failures).toHaveLength(1);
    const down = await new AzuraCastImporter({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      apiKey: "k",
      store,
    }).plan();
    expect(down.actions[0]).toMatchObject({
      sourceKind: SOURCE_ACTION_KIND,
      reason: expect.stringContaining("cannot reach AzuraCast"),
    });
    expect(await store.stations.list()).toEqual([]);
  });

  it("uses an injected fetch and checks media files under a media root", async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    const plan = await new AzuraCastImporter({
      baseUrl: api.baseUrl,
      apiKey: api.apiKey,
      store,
      station: "1",
      mediaRoot: "/nonexistent-media-root",
      fetch: async (url, init) => {
        seen.push(url);
        return fetch(url, init);
      },
    }).plan();
    expect(seen[0]).toBe(`${api.baseUrl}/api/stations`);
    expect(find(plan.actions, "media", "1/1")).toMatchObject({
      action: "skip",
      reason: expect.stringContaining(
        "audio file missing: /nonexistent-media-root/Artist One/Album/song-one.mp3",
      ),
    });
  });
});

describe("AzuraCastImporter downloading media through the API", () => {
  let dir: TempDir;
  const audio: Record<string, Buffer> = {};
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const play = (id: number) => `/api/station/1/file/${id}/play`;
  const plays = () => api.requests.filter((p) => p.endsWith("/play"));

  beforeAll(() => {
    requireBinaries("apt-get install -y ffmpeg", "ffmpeg");
    dir = tempDir("grimnir-ac-audio-");
    for (const [id, freq, seconds] of [
      [1, 440, 1.5],
      [2, 880, 0.8],
      [3, 660, 1],
    ] as const) {
      const file = join(dir.dir, `${id}.mp3`);
      execFileSync("ffmpeg", [
        ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
        ...["-i", `sine=frequency=${freq}:duration=${seconds}`, "-b:a", "64k", file],
      ]);
      audio[id] = readFileSync(file);
    }
  });

  afterAll(() => {
    for (const key of Object.keys(api.media)) delete api.media[key];
    dir?.remove();
  });

  it("stores each file under its SHA-256, reports a missing one, and re-runs download only what changed", async () => {
    api.media[play(1)] = audio[1]!;
    api.media[play(2)] = audio[2]!;
    const store = new MemoryStore();
    const storage = new LocalStorage(join(dir.dir, "media"));
    const importer = () =>
      new AzuraCastImporter({
        baseUrl: api.baseUrl,
        apiKey: api.apiKey,
        store,
        station: "1",
        download: { storage },
      });

    const plan = await importer().plan();
    expect(plays()).toEqual([]);
    expect(find(plan.actions, "media", "1/1")).toMatchObject({
      action: "create",
      reason: expect.stringContaining("downloaded from AzuraCast"),
    });

    const first = await importer().apply();
    expect(first.failures).toEqual([
      {
        action: expect.objectContaining({ sourceKind: "media", sourceId: "1/3" }),
        error: expect.stringMatching(
          /^NOT_FOUND: cannot download the audio of media 1\/3 .*HTTP 404/,
        ),
      },
    ]);
    for (const id of [1, 2] as const) {
      const item = (await store.media.get("ac-station-1", `ac-1-media-${id}`))!;
      const hash = sha(audio[id]!);
      expect(item.contentHash).toBe(hash);
      expect(item.storageKey).toBe(`ac-station-1/${hash.slice(0, 2)}/${hash}.mp3`);
      expect(readFileSync(storage.pathOf(item.storageKey)).equals(audio[id]!)).toBe(true);
      expect(item.analysisStatus).toBe("pending");
    }
    expect((await store.media.get("ac-station-1", "ac-1-media-1"))!.fields[MTIME_FIELD]).toBe(
      1_704_067_200,
    );
    // The item whose download failed is neither stored nor left in its playlist.
    expect(await store.media.get("ac-station-1", "ac-1-media-3")).toBeUndefined();
    expect((await store.playlists.get("ac-station-1", "ac-1-playlist-1"))!.items).toEqual([
      "ac-1-media-1",
    ]);

    // AzuraCast can now serve file 3: the re-run fetches it alone and completes the playlist.
    api.media[play(3)] = audio[3]!;
    let before = plays().length;
    const second = await importer().apply();
    expect(second.failures).toEqual([]);
    expect(plays().slice(before)).toEqual([play(3)]);
    expect((await store.media.get("ac-station-1", "ac-1-media-3"))!.contentHash).toBe(
      sha(audio[3]!),
    );
    expect((await store.playlists.get("ac-station-1", "ac-1-playlist-1"))!.items).toEqual([
      "ac-1-media-1",
      "ac-1-media-3",
    ]);

    before = plays().length;
    const third = await importer().apply();
    expect(plays().length).toBe(before);
    expect(third.summary).toMatchObject({ create: 0, update: 0 });
    expect(third.failures).toEqual([]);

    // A file deleted from the storage, and one changed in AzuraCast (new mtime), are fetched again.
    const two = (await store.media.get("ac-station-1", "ac-1-media-2"))!;
    rmSync(storage.pathOf(two.storageKey));
    const files = api.routes["/api/station/1/files"] as Array<Record<string, unknown>>;
    const mtime = files[0]!.mtime;
    files[0]!.mtime = 1_704_070_000;
    api.media[play(1)] = audio[3]!;
    try {
      before = plays().length;
      const fourth = await importer().apply();
      expect(fourth.failures).toEqual([]);
      expect(plays().slice(before).sort()).toEqual([play(1), play(2)]);
      expect(readFileSync(storage.pathOf(two.storageKey)).equals(audio[2]!)).toBe(true);
      const one = (await store.media.get("ac-station-1", "ac-1-media-1"))!;
      expect(one.contentHash).toBe(sha(audio[3]!));
      expect(one.fields[MTIME_FIELD]).toBe(1_704_070_000);
      expect(find(fourth.actions, "media", "1/1")).toMatchObject({ action: "update" });
    } finally {
      files[0]!.mtime = mtime;
    }
  });

  it("refuses a media root together with downloading", () => {
    expect(
      () =>
        new AzuraCastImporter({
          baseUrl: api.baseUrl,
          apiKey: api.apiKey,
          store: new MemoryStore(),
          mediaRoot: "/srv/media",
          download: { storage: new LocalStorage(dir.dir) },
        }),
    ).toThrow(/either mediaRoot .* or download/);
  });
});
