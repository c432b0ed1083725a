import { isHttpUrl, webstreamDefaults } from "../defaults.js";
import {
  NameRegistry,
  reject,
  type MappedEntity,
  type MappedValue,
  type MappingResult,
} from "../mapped-entity.js";
import { toNumber, toText } from "../values.js";
import type { AcObject } from "./client.js";
import { ROTATION_TAG, WEIGHT_FIELD, acId, type AcStationRef } from "./ids.js";
import { mapPlaylistSchedule, scheduleItemsOf } from "./map-schedule-items.js";

const PLAYLIST_TYPES = new Set([
  "default",
  "once_per_x_songs",
  "once_per_x_minutes",
  "once_per_hour",
  "custom",
  "advanced",
]);

/** Playlist id → ids of the files in it, in file order, from each file's `playlists`. */
function playlistMembers(files: AcObject[]): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const file of files) {
    const list = Array.isArray(file.playlists) ? (file.playlists as AcObject[]) : [];
    for (const p of list)
      members.set(String(p.id), [...(members.get(String(p.id)) ?? []), String(file.id)]);
  }
  return members;
}

/** The smart block standing for AzuraCast's weighted choice between standard playlists. */
function rotationBlock({ sid, stationId }: AcStationRef): MappedEntity {
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
  return {
    sourceKind: "rotation",
    sourceId: sid,
    records: [{ repo: "smartBlocks", value }],
    notes: ["approximates AzuraCast's weighted choice between standard playlists"],
  };
}

/**
 * AzuraCast playlists → Grimnir records: a remote stream becomes a webstream;
 * a song playlist a playlist of its `imported` media (sequential → ordered,
 * else shuffled), plus a clock when it plays once per hour and a Show per
 * schedule item; advanced and unknown types are rejected. Names are made
 * unique per kind. When an enabled standard playlist exists, the "General
 * rotation" smart block (by {@link ROTATION_TAG} and {@link WEIGHT_FIELD})
 * follows the playlists.
 */
export function mapPlaylists(
  station: AcStationRef,
  playlists: AcObject[],
  files: AcObject[],
  imported: ReadonlySet<string>,
): MappingResult {
  const { sid, stationId } = station;
  const { entities, rejected }: MappingResult = { entities: [], rejected: [] };
  const names = new NameRegistry();
  const members = playlistMembers(files);
  let rotation = false;
  for (const playlist of playlists) {
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
    const schedule = scheduleItemsOf(playlist);
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
    const shows = mapPlaylistSchedule(station, schedule, {
      name: named.name,
      sourceName: name,
      clock,
    });
    entities.push(...shows.entities);
    rejected.push(...shows.rejected);
  }
  if (rotation) entities.push(rotationBlock(station));
  return { entities, rejected };
}
