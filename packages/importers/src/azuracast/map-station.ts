import {
  reject,
  type MappedEntity,
  type MappedValue,
  type MappingResult,
} from "../mapped-entity.js";
import { compact, toText } from "../values.js";
import { isKnownZone } from "../zone.js";
import type { AcObject } from "./client.js";
import { acId, type AcStationRef } from "./ids.js";
import { mapMedia } from "./map-media.js";
import { mapMounts } from "./map-mounts.js";
import { mapPlaylists } from "./map-playlists.js";
import { mapStreamers } from "./map-streamers.js";

export { ROTATION_TAG, WEIGHT_FIELD } from "./ids.js";

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

/**
 * The station record: its name (or "Station <id>"), short code, description
 * and time zone — `timezone` when given, else AzuraCast's, else UTC; an
 * unknown zone becomes UTC with a note.
 */
function mapStationRecord(
  { sid, stationId }: AcStationRef,
  station: AcObject,
  timezone: string | undefined,
): MappedEntity {
  const notes: string[] = [];
  let zone = timezone ?? toText(station.timezone) ?? "UTC";
  if (!isKnownZone(zone)) {
    notes.push(`time zone "${zone}" is unknown; UTC used`);
    zone = "UTC";
  } else if (timezone === undefined && toText(station.timezone) === undefined)
    notes.push("AzuraCast did not report the station time zone; UTC used");
  const value = compact({
    id: stationId,
    name: toText(station.name) ?? `Station ${sid}`,
    timezone: zone,
    slug: toText(station.shortcode),
    description: toText(station.description),
    active: true,
  }) as MappedValue;
  return { sourceKind: "station", sourceId: sid, records: [{ repo: "stations", value }], notes };
}

/**
 * Map one AzuraCast station: the station, mounts (as Grimnir HTTP outputs),
 * media (custom fields, cue and fade points), playlists (standard ones feed a
 * weighted rotation smart block; scheduled ones become Shows; once-per-hour a
 * Clock; remote streams Webstreams; advanced ones are reported) and streamers
 * (DJ users with their live Shows). Entities come in that order; sections
 * that could not be read are reported first among the rejected.
 */
export async function mapAzuraCastStation(
  data: AcStationData,
  options: { mediaRoot?: string; timezone?: string },
): Promise<MappingResult> {
  const sid = String(data.station.id);
  const station: AcStationRef = { sid, stationId: acId.station(sid) };
  const rejected: MappingResult["rejected"] = data.unreadable.map((u) =>
    reject(u.section, sid, "skip", u.reason),
  );
  const entities = [mapStationRecord(station, data.station, options.timezone)];
  const mounts = mapMounts(station, data.mounts);
  const media = await mapMedia(station, data.files, data.playlists, options.mediaRoot);
  const playlists = mapPlaylists(station, data.playlists, data.files, media.imported);
  const streamers = mapStreamers(station, data.streamers);
  for (const section of [mounts, media, playlists, streamers]) {
    entities.push(...section.entities);
    rejected.push(...section.rejected);
  }
  return { entities, rejected };
}
