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

/** The station a section is mapped for: AzuraCast's id (`sid`) and the Grimnir station id. */
export interface AcStationRef {
  sid: string;
  stationId: string;
}
