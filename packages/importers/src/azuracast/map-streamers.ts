import { LOCKED_PASSWORD, mergeUser } from "../defaults.js";
import { usernameTaken } from "../libretime/map-users.js";
import { reject, type MappedValue, type MappingResult } from "../mapped-entity.js";
import { compact, toText } from "../values.js";
import type { AcObject } from "./client.js";
import { acId, type AcStationRef } from "./ids.js";
import { mapStreamerSchedule, scheduleItemsOf } from "./map-schedule-items.js";

/**
 * AzuraCast streamers → DJ users of the station (password locked, disabled
 * when inactive, skipped when the login name belongs to another user), each
 * followed by the live Shows of its schedule; a streamer without a username
 * is rejected.
 */
export function mapStreamers(station: AcStationRef, streamers: AcObject[]): MappingResult {
  const { sid, stationId } = station;
  const { entities, rejected }: MappingResult = { entities: [], rejected: [] };
  for (const streamer of streamers) {
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
    const shows = mapStreamerSchedule(station, scheduleItemsOf(streamer), {
      username,
      displayName: toText(streamer.display_name),
      djUserId: userId,
    });
    entities.push(...shows.entities);
    rejected.push(...shows.rejected);
  }
  return { entities, rejected };
}
