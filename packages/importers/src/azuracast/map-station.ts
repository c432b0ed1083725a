import { stat } from "node:fs/promises";
import { join } from "node:path";
import { LOCKED_PASSWORD, isHttpUrl, mergeUser, webstreamDefaults } from "../defaults.js";
import {
  NameRegistry,
  reject,
  type MappedEntity,
  type MappedValue,
  type MappingResult,
} from "../mapped-entity.js";
import { keepAnalysis } from "../libretime/map-files.js";
import { usernameTaken } from "../libretime/map-users.js";
import { compact, toNumber, toText } from "../values.js";
import { RRULE_DAYS, isKnownZone } from "../zone.js";
import type { AcObject } from "./client.js";

/** Stable Grimnir ids of AzuraCast records, scoped by station. */
export const acId = {
  station: (sid: unknown): string => `ac-station-${String(sid)}`,
  mount: (sid: unknown, id: unknown): string => `ac-${String(sid)}-mount-${String(id)}`,
  media: (sid: unknown, id: unknown): string => `ac-${String(sid)}-media-${String(id)}`,
  playlist: (sid: unknown, id: unknown): string => `ac-${String(sid)}-playlist-${String(id)}`,
  playlistClock: (sid: unknown, id: unknown): string =>
    `ac-${String(sid)}-playlist-${String(id)}-clock`,
  schedule: (sid: unknown, id: unknown): string => `ac-${String(sid)}-schedule-${String(id)}`,
  streamer: (sid: unknown, id: unknown): string => `ac-${String(sid)}-streamer-${String(id)}`,
  liveClock: (sid: unknown): string => `ac-${String(sid)}-live-clock`,
  rotation: (sid: unknown): string => `ac-${String(sid)}-rotation`,
};

/** Tag given to media of standard (weighted) playlists; the rotation smart block selects it. */
export const ROTATION_TAG = "azuracast-rotation";
/** Custom field holding the highest weight of the standard playlists an item is in (1–25). */
export const WEIGHT_FIELD = "azuracast_weight";

/** Everything read from AzuraCast for one station. */
export interface AcStationData {
  station: AcObject;
  mounts: AcObject[];
  files: AcObject[];
  playlists: AcObject[];
  streamers: AcObject[];
  /** Sections that could not be read, with the reason. */
  unreadable: Array<{ section: string; reason: string }>;
}

const FORMATS: Record<string, string> = { mp3: "mp3", aac: "aac", ogg: "vorbis", opus: "opus" };
const PLAYLIST_TYPES = new Set([
  "default",
  "once_per_x_songs",
  "once_per_x_minutes",
  "once_per_hour",
  "custom",
  "advanced",
]);

function seconds(value: unknown): number | undefined {
  const n = toNumber(value);
  return n === undefined ? undefined : Math.round(n * 1000);
}

function meta(file: AcObject, key: string): unknown {
  const extra = file.extra_metadata;
  if (typeof extra === "object" && extra !== null && key in extra) return (extra as AcObject)[key];
  return file[key];
}

function hhmm(value: unknown): number | undefined {
  const n = toNumber(value);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n > 2400 || n % 100 > 59)
    return undefined;
  return Math.floor(n / 100) * 60 + (n % 100);
}

/** AzuraCast schedule item → start, RRULE and length; a reason string when it cannot be mapped. */
export function mapScheduleItem(
  item: AcObject,
): { startLocal: string; rrule: string; durationMs: number; notes: string[] } | string {
  const start = hhmm(item.start_time);
  const end = hhmm(item.end_time);
  if (start === undefined || end === undefined)
    return `start_time/end_time ${String(item.start_time)}/${String(item.end_time)} are not HHMM times`;
  let minutes = end - start;
  if (minutes <= 0) minutes += 24 * 60;
  const notes: string[] = [];
  const startDate = toText(item.start_date)?.slice(0, 10);
  if (startDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(startDate))
    return `start_date "${startDate}" is not YYYY-MM-DD`;
  // Without a start date the rule starts on a fixed Monday so re-imports compare equal.
  const date = startDate ?? "2024-01-01";
  const time = `${String(Math.floor(start / 60)).padStart(2, "0")}:${String(start % 60).padStart(2, "0")}:00`;
  const days = Array.isArray(item.days) ? item.days.map((d) => Number(d)) : [];
  if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))
    return `days ${JSON.stringify(item.days)} must be 1 (Monday) … 7 (Sunday)`;
  const endDate = toText(item.end_date)?.slice(0, 10);
  const until = endDate === undefined ? "" : `;UNTIL=${endDate.replaceAll("-", "")}T235959`;
  const rrule =
    days.length === 0
      ? `FREQ=DAILY${until}`
      : `FREQ=WEEKLY;BYDAY=${[...new Set(days)]
          .sort()
          .map((d) => RRULE_DAYS[d % 7])
          .join(",")}${until}`;
  if (item.loop_once === true)
    notes.push("loop_once (play the playlist once per window) has no equivalent");
  return { startLocal: `${date}T${time}`, rrule, durationMs: minutes * 60_000, notes };
}

/**
 * Map one AzuraCast station: the station, mounts (as Grimnir HTTP outputs),
 * media (custom fields, cue and fade points), playlists (standard ones feed a
 * weighted rotation smart block; scheduled ones become Shows; once-per-hour a
 * Clock; remote streams Webstreams; advanced ones are reported) and streamers
 * (DJ users with their live Shows).
 */
export async function mapAzuraCastStation(
  data: AcStationData,
  options: { mediaRoot?: string; timezone?: string },
): Promise<MappingResult> {
  const sid = String(data.station.id);
  const stationId = acId.station(sid);
  const entities: MappedEntity[] = [];
  const rejected: MappingResult["rejected"] = data.unreadable.map((u) =>
    reject(u.section, sid, "skip", u.reason),
  );
  const names = new NameRegistry();
  const stationNotes: string[] = [];
  let zone = options.timezone ?? toText(data.station.timezone) ?? "UTC";
  if (!isKnownZone(zone)) {
    stationNotes.push(`time zone "${zone}" is unknown; UTC used`);
    zone = "UTC";
  } else if (options.timezone === undefined && toText(data.station.timezone) === undefined)
    stationNotes.push("AzuraCast did not report the station time zone; UTC used");
  entities.push({
    sourceKind: "station",
    sourceId: sid,
    records: [
      {
        repo: "stations",
        value: compact({
          id: stationId,
          name: toText(data.station.name) ?? `Station ${sid}`,
          timezone: zone,
          slug: toText(data.station.shortcode),
          description: toText(data.station.description),
          active: true,
        }) as MappedValue,
      },
    ],
    notes: stationNotes,
  });

  for (const mount of data.mounts) {
    const id = String(mount.id);
    const format = FORMATS[String(mount.autodj_format ?? "").toLowerCase()];
    if (format === undefined) {
      rejected.push(
        reject(
          "mount",
          `${sid}/${id}`,
          "unmappable",
          `format "${String(mount.autodj_format)}" is unknown; expected mp3, aac, ogg or opus`,
        ),
      );
      continue;
    }
    const path = String(mount.name ?? `mount-${id}`).replace(/^\/+/, "");
    const value: MappedValue = {
      id: acId.mount(sid, id),
      stationId,
      name: toText(mount.display_name) ?? path,
      outputs: [{ type: "http", path, format, bitrateKbps: toNumber(mount.autodj_bitrate) ?? 128 }],
    };
    entities.push({
      sourceKind: "mount",
      sourceId: `${sid}/${id}`,
      records: [{ repo: "mounts", value }],
      notes: ["served as Grimnir's own HTTP stream"],
    });
  }

  // Playlist membership and weights of each media file.
  const playlistById = new Map(data.playlists.map((p) => [String(p.id), p]));
  const members = new Map<string, string[]>();
  for (const file of data.files) {
    const list = Array.isArray(file.playlists) ? (file.playlists as AcObject[]) : [];
    for (const p of list)
      members.set(String(p.id), [...(members.get(String(p.id)) ?? []), String(file.id)]);
  }
  const isRotation = (p: AcObject): boolean =>
    p.type === "default" &&
    p.is_enabled !== false &&
    p.source !== "remote_url" &&
    (!Array.isArray(p.schedule_items) || p.schedule_items.length === 0);

  const imported = new Set<string>();
  for (const file of data.files) {
    const id = String(file.id);
    const path = toText(file.path);
    if (path === undefined) {
      rejected.push(reject("media", `${sid}/${id}`, "unmappable", "path is empty"));
      continue;
    }
    if (options.mediaRoot !== undefined) {
      const info = await stat(join(options.mediaRoot, path)).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT" || error.code === "ENOTDIR") return undefined;
          throw error;
        },
      );
      if (info === undefined) {
        rejected.push(
          reject(
            "media",
            `${sid}/${id}`,
            "skip",
            `audio file missing: ${join(options.mediaRoot, path)}`,
          ),
        );
        continue;
      }
    }
    const notes: string[] = [];
    const fields: Record<string, string | number | boolean> = { azuracast_id: Number(file.id) };
    const custom = file.custom_fields;
    if (typeof custom === "object" && custom !== null)
      for (const [k, v] of Object.entries(custom as AcObject))
        if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") fields[k] = v;
    const isrc = toText(file.isrc);
    if (isrc !== undefined) fields.isrc = isrc;
    const fadeIn = seconds(meta(file, "fade_in"));
    const fadeOut = seconds(meta(file, "fade_out"));
    const amplify = toNumber(meta(file, "amplify"));
    if (fadeIn !== undefined) fields.fade_in_ms = fadeIn;
    if (fadeOut !== undefined) fields.fade_out_ms = fadeOut;
    if (amplify !== undefined) fields.amplify_db = amplify;
    const tags: string[] = [];
    let weight = 0;
    for (const p of Array.isArray(file.playlists) ? (file.playlists as AcObject[]) : []) {
      const playlist = playlistById.get(String(p.id));
      if (playlist === undefined) continue;
      if (playlist.is_jingle === true && !tags.includes("jingle")) tags.push("jingle");
      if (isRotation(playlist)) weight = Math.max(weight, toNumber(playlist.weight) ?? 3);
    }
    if (weight > 0) {
      tags.push(ROTATION_TAG);
      fields[WEIGHT_FIELD] = weight;
    }
    const durationMs = seconds(file.length) ?? 0;
    const cueInMs = Math.max(0, seconds(meta(file, "cue_in")) ?? 0);
    let cueOutMs = seconds(meta(file, "cue_out")) ?? durationMs;
    if (cueOutMs <= cueInMs || cueOutMs > durationMs) {
      if (meta(file, "cue_out") !== null && meta(file, "cue_out") !== undefined)
        notes.push(`cue out ${cueOutMs} ms outside the file; set to its length`);
      cueOutMs = durationMs;
    }
    const crossStart = seconds(meta(file, "cross_start_next"));
    const uploaded = toNumber(file.uploaded_at) ?? toNumber(file.mtime);
    const value = compact({
      id: acId.media(sid, id),
      stationId,
      title: toText(file.title) ?? path.split("/").pop()!,
      artist: toText(file.artist),
      album: toText(file.album),
      genre: toText(file.genre),
      tags,
      fields,
      durationMs,
      cueInMs,
      cueOutMs,
      outroMs:
        crossStart !== undefined && crossStart > cueInMs && crossStart <= cueOutMs
          ? crossStart
          : undefined,
      storageKey: path,
      contentHash: `azuracast:${toText(file.unique_id) ?? id}`,
      analysisStatus: "pending",
      addedAt: uploaded === undefined ? 0 : uploaded * 1000,
    }) as MappedValue;
    imported.add(id);
    entities.push({
      sourceKind: "media",
      sourceId: `${sid}/${id}`,
      records: [{ repo: "media", value, merge: keepAnalysis }],
      notes,
    });
  }

  let rotation = false;
  for (const playlist of data.playlists) {
    const id = String(playlist.id);
    const sourceId = `${sid}/${id}`;
    const type = String(playlist.type ?? "default");
    const name = toText(playlist.name) ?? `Playlist ${id}`;
    if (!PLAYLIST_TYPES.has(type)) {
      rejected.push(
        reject(
          "playlist",
          sourceId,
          "unmappable",
          `playlist "${name}" has unknown type "${type}"; expected default, once_per_x_songs, once_per_x_minutes, once_per_hour or custom`,
        ),
      );
      continue;
    }
    if (type === "custom" || type === "advanced") {
      rejected.push(
        reject(
          "playlist",
          sourceId,
          "unmappable",
          `playlist "${name}" is an advanced playlist, driven by custom Liquidsoap code; rebuild it as a clock`,
        ),
      );
      continue;
    }
    const notes: string[] = [];
    if (playlist.is_enabled === false) notes.push("disabled in AzuraCast");
    if (playlist.source === "remote_url") {
      const url = toText(playlist.remote_url) ?? "";
      if (playlist.remote_type !== "stream" && playlist.remote_type !== undefined) {
        rejected.push(
          reject(
            "playlist",
            sourceId,
            "unmappable",
            `remote playlist "${name}" of type "${String(playlist.remote_type)}" is not a stream`,
          ),
        );
        continue;
      }
      if (!isHttpUrl(url)) {
        rejected.push(
          reject(
            "playlist",
            sourceId,
            "unmappable",
            `remote playlist "${name}" url "${url}" is not http(s)`,
          ),
        );
        continue;
      }
      const named = names.claim("webstream", name);
      entities.push({
        sourceKind: "playlist",
        sourceId,
        records: [
          {
            repo: "webstreams",
            value: {
              id: acId.playlist(sid, id),
              stationId,
              name: named.name,
              urls: [url],
              ...webstreamDefaults(),
            },
          },
        ],
        notes: [
          ...notes,
          "remote stream imported as a webstream",
          ...(named.note === undefined ? [] : [named.note]),
        ],
      });
      continue;
    }
    const named = names.claim("playlist", name);
    if (named.note !== undefined) notes.push(named.note);
    const order = String(playlist.order ?? playlist.playback_order ?? "shuffle");
    const items = (members.get(id) ?? [])
      .filter((m) => imported.has(m))
      .map((m) => acId.media(sid, m));
    const dropped = (members.get(id) ?? []).length - items.length;
    if (dropped > 0) notes.push(`${dropped} item(s) dropped: media not imported`);
    const schedule = Array.isArray(playlist.schedule_items)
      ? (playlist.schedule_items as AcObject[])
      : [];
    if (type === "default" && schedule.length === 0) {
      notes.push(
        `standard playlist with weight ${String(playlist.weight ?? 3)}: its media carry tag "${ROTATION_TAG}" and field ${WEIGHT_FIELD} for the rotation smart block ${acId.rotation(sid)}`,
      );
      if (playlist.is_enabled !== false) rotation = true;
    }
    if (type === "once_per_x_songs")
      notes.push(
        `plays once every ${String(playlist.play_per_songs)} songs in AzuraCast: add it as a stopset in your clocks`,
      );
    if (type === "once_per_x_minutes")
      notes.push(
        `plays once every ${String(playlist.play_per_minutes)} minutes in AzuraCast: add it as a stopset in your clocks`,
      );
    const records: MappedEntity["records"] = [
      {
        repo: "playlists",
        value: {
          id: acId.playlist(sid, id),
          stationId,
          name: named.name,
          items,
          mode: order === "sequential" ? "ordered" : "shuffled",
        },
      },
    ];
    const minute = type === "once_per_hour" ? (toNumber(playlist.play_per_hour_minute) ?? 0) : 0;
    const clock: MappedValue = {
      id: acId.playlistClock(sid, id),
      stationId,
      name: `${named.name} clock`,
      slots: [
        {
          id: "playlist",
          kind: "playlist",
          offsetMs: Math.min(59, Math.max(0, minute)) * 60_000,
          refId: acId.playlist(sid, id),
        },
      ],
    };
    if (type === "once_per_hour") {
      records.push({ repo: "clocks", value: clock });
      notes.push(`once per hour at :${String(minute).padStart(2, "0")}: clock ${clock.id}`);
    }
    entities.push({ sourceKind: "playlist", sourceId, records, notes });
    for (const item of schedule) {
      const mapped = mapScheduleItem(item);
      const itemId = `${sid}/${String(item.id)}`;
      if (typeof mapped === "string") {
        rejected.push(
          reject("playlist_schedule", itemId, "unmappable", `playlist "${name}": ${mapped}`),
        );
        continue;
      }
      const show = {
        id: acId.schedule(sid, item.id),
        stationId,
        name: `${named.name} (scheduled)`,
        startLocal: mapped.startLocal,
        rrule: mapped.rrule,
        durationMs: mapped.durationMs,
        clockId: clock.id,
      };
      entities.push({
        sourceKind: "playlist_schedule",
        sourceId: itemId,
        records: [
          { repo: "shows", value: show },
          {
            repo: "clocks",
            value: { ...clock, slots: [{ ...(clock.slots as AcObject[])[0], offsetMs: 0 }] },
          },
        ],
        notes: mapped.notes,
      });
    }
  }
  if (rotation) {
    const value: MappedValue = {
      id: acId.rotation(sid),
      stationId,
      name: "General rotation",
      filters: [{ field: "tags", op: "contains", value: ROTATION_TAG }],
      sort: { by: "weighted", field: `field:${WEIGHT_FIELD}` },
      limit: { kind: "duration", durationMs: 3_600_000, toleranceMs: 0 },
      quotas: [],
      rotation: {},
      fill: { kind: "none" },
      description: "AzuraCast's standard playlists, picked by playlist weight",
    };
    entities.push({
      sourceKind: "rotation",
      sourceId: sid,
      records: [{ repo: "smartBlocks", value }],
      notes: ["approximates AzuraCast's weighted choice between standard playlists"],
    });
  }

  for (const streamer of data.streamers) {
    const id = String(streamer.id);
    const username = toText(streamer.streamer_username);
    if (username === undefined) {
      rejected.push(reject("streamer", `${sid}/${id}`, "unmappable", "streamer_username is empty"));
      continue;
    }
    const userId = acId.streamer(sid, id);
    const value = compact({
      id: userId,
      username,
      displayName: toText(streamer.display_name),
      passwordHash: LOCKED_PASSWORD,
      roles: [{ stationId, role: "dj" }],
      disabled: streamer.is_active === false,
    }) as MappedValue;
    entities.push({
      sourceKind: "streamer",
      sourceId: `${sid}/${id}`,
      records: [{ repo: "users", value, merge: mergeUser }],
      notes: ["password not migrated; issue the DJ a live token or set a password"],
      precheck: usernameTaken(username, userId),
    });
    const schedule = Array.isArray(streamer.schedule_items)
      ? (streamer.schedule_items as AcObject[])
      : [];
    for (const item of schedule) {
      const mapped = mapScheduleItem(item);
      const itemId = `${sid}/${String(item.id)}`;
      if (typeof mapped === "string") {
        rejected.push(
          reject("streamer_schedule", itemId, "unmappable", `streamer "${username}": ${mapped}`),
        );
        continue;
      }
      const show = {
        id: acId.schedule(sid, `s${String(item.id)}`),
        stationId,
        name: `${toText(streamer.display_name) ?? username} (live)`,
        startLocal: mapped.startLocal,
        rrule: mapped.rrule,
        durationMs: mapped.durationMs,
        clockId: acId.liveClock(sid),
        live: true,
        djUserId: userId,
      };
      const liveClock: MappedValue = {
        id: acId.liveClock(sid),
        stationId,
        name: "Live",
        slots: [{ id: "live", kind: "live", offsetMs: 0 }],
      };
      entities.push({
        sourceKind: "streamer_schedule",
        sourceId: itemId,
        records: [
          { repo: "shows", value: show },
          { repo: "clocks", value: liveClock },
        ],
        notes: mapped.notes,
      });
    }
  }
  return { entities, rejected };
}
