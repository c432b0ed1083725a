import { newId } from "../ids.js";
import type { NewEntity, StationScoped } from "../model/entity.js";
import type { MediaItem } from "../model/media.js";
import type { Mount } from "../model/station.js";
import type { Playlist } from "../model/playlist.js";
import type { SmartBlock } from "../model/smart-block.js";
import type { Clock } from "../model/clock.js";
import type { Show, Override } from "../model/show.js";
import type { Webstream } from "../model/webstream.js";
import type { LiveSession, LiveToken } from "../model/live.js";
import type { Repositories, StationRepository, Update } from "../contracts/store.js";

/** How the store suite exercises one station-scoped repository generically. */
export interface StationKindFixture<T extends StationScoped = StationScoped> {
  /** Repository name in {@link Repositories}. */
  readonly kind: string;
  /** The repository of this kind in `repos`. */
  repo(repos: Repositories): StationRepository<T>;
  /** A valid new record of `stationId`. */
  make(stationId: string): NewEntity<T>;
  /** The record with a visible change, ready for `update`. */
  change(record: T): Update<T>;
  /** A nested value of the record, to check that copies are not live references. */
  probe(record: T): unknown;
}

function fixture<T extends StationScoped>(f: StationKindFixture<T>): StationKindFixture {
  return f as unknown as StationKindFixture;
}

/** A valid media item of `stationId`; `overrides` replace any field. */
export function makeMedia(
  stationId: string,
  overrides: Partial<NewEntity<MediaItem>> = {},
): NewEntity<MediaItem> {
  return {
    stationId,
    title: "Untitled",
    tags: [],
    fields: {},
    durationMs: 180_000,
    cueInMs: 0,
    cueOutMs: 180_000,
    storageKey: `media/${newId()}.mp3`,
    contentHash: newId().replace(/-/g, ""),
    analysisStatus: "done",
    addedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** One fixture per station-scoped repository of a store. */
export const STATION_KINDS: readonly StationKindFixture[] = [
  fixture<Mount>({
    kind: "mounts",
    repo: (r) => r.mounts,
    make: (stationId) => ({
      stationId,
      name: "main",
      outputs: [{ type: "http", path: "main.mp3", format: "mp3", bitrateKbps: 128 }],
    }),
    change: (m) => ({ ...m, name: `${m.name} (changed)`, outputs: [] }),
    probe: (m) => m.outputs,
  }),
  fixture<MediaItem>({
    kind: "media",
    repo: (r) => r.media,
    make: (stationId) =>
      makeMedia(stationId, {
        title: "Song",
        artist: "Artist",
        tags: ["new"],
        fields: { mood: "up" },
      }),
    change: (m) => ({ ...m, title: `${m.title} (changed)`, tags: [...m.tags, "changed"] }),
    probe: (m) => [m.tags, m.fields],
  }),
  fixture<Playlist>({
    kind: "playlists",
    repo: (r) => r.playlists,
    make: (stationId) => ({ stationId, name: "Morning", items: ["a", "b"], mode: "ordered" }),
    change: (p) => ({ ...p, name: `${p.name} (changed)`, items: [...p.items, "c"] }),
    probe: (p) => p.items,
  }),
  fixture<SmartBlock>({
    kind: "smartBlocks",
    repo: (r) => r.smartBlocks,
    make: (stationId) => ({
      stationId,
      name: "Hits",
      filters: [{ field: "tags", op: "contains", value: "hit" }],
      sort: { by: "random" },
      limit: { kind: "count", count: 3 },
      quotas: [],
      rotation: { artistSeparationMinutes: 60 },
      fill: { kind: "none" },
    }),
    change: (b) => ({
      ...b,
      name: `${b.name} (changed)`,
      rotation: { artistSeparationMinutes: 30 },
    }),
    probe: (b) => [b.filters, b.rotation],
  }),
  fixture<Clock>({
    kind: "clocks",
    repo: (r) => r.clocks,
    make: (stationId) => ({
      stationId,
      name: "Hour",
      slots: [{ id: "s1", kind: "playlist", offsetMs: 0, refId: "p" }],
    }),
    change: (c) => ({ ...c, name: `${c.name} (changed)`, slots: [] }),
    probe: (c) => c.slots,
  }),
  fixture<Show>({
    kind: "shows",
    repo: (r) => r.shows,
    make: (stationId) => ({
      stationId,
      name: "Breakfast",
      startLocal: "2025-01-06T07:00:00",
      rrule: "FREQ=WEEKLY;BYDAY=MO",
      durationMs: 3_600_000,
      clockId: "clock-1",
      exceptDates: ["2025-01-13"],
    }),
    change: (s) => ({ ...s, name: `${s.name} (changed)`, exceptDates: [] }),
    probe: (s) => s.exceptDates,
  }),
  fixture<Override>({
    kind: "overrides",
    repo: (r) => r.overrides,
    make: (stationId) => ({
      stationId,
      name: "Holiday",
      startsAt: 1_000,
      endsAt: 2_000,
      reason: "xmas",
    }),
    change: (o) => ({ ...o, name: `${o.name} (changed)`, endsAt: 3_000 }),
    probe: (o) => o,
  }),
  fixture<Webstream>({
    kind: "webstreams",
    repo: (r) => r.webstreams,
    make: (stationId) => ({
      stationId,
      name: "Relay",
      urls: ["http://a.example/stream", "http://b.example/stream"],
      currentIndex: 0,
      health: { intervalMs: 5_000, timeoutMs: 2_000, method: "HEAD", failoverAfter: 3 },
      failover: { enabled: true, graceMs: 1_000, autoRecover: true },
      bufferMs: 2_000,
      metadata: { passthrough: true },
      status: "healthy",
    }),
    change: (w) => ({ ...w, name: `${w.name} (changed)`, currentIndex: 1, status: "degraded" }),
    probe: (w) => [w.urls, w.health],
  }),
  fixture<LiveToken>({
    kind: "liveTokens",
    repo: (r) => r.liveTokens,
    make: (stationId) => ({
      stationId,
      mountId: "mount-1",
      userId: "user-1",
      tokenHash: newId(),
      expiresAt: 2_000_000_000_000,
      priority: 1,
    }),
    change: (t) => ({ ...t, usedAt: 1_800_000_000_000 }),
    probe: (t) => t,
  }),
  fixture<LiveSession>({
    kind: "liveSessions",
    repo: (r) => r.liveSessions,
    make: (stationId) => ({
      stationId,
      mountId: "mount-1",
      userId: "user-1",
      state: "connected",
      priority: 2,
      connectedAt: 1_700_000_000_000,
    }),
    change: (s) => ({ ...s, state: "disconnected", disconnectedAt: 1_700_000_100_000 }),
    probe: (s) => s,
  }),
];
