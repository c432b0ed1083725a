import { reject, type MappedValue, type MappingResult } from "../mapped-entity.js";
import { toNumber, toText } from "../values.js";
import type { AcObject } from "./client.js";
import { acId, type AcStationRef } from "./ids.js";

/** AzuraCast AutoDJ formats → Grimnir output formats. */
const FORMATS: Record<string, string> = { mp3: "mp3", aac: "aac", ogg: "vorbis", opus: "opus" };

/**
 * AzuraCast mounts → Grimnir mounts, each one HTTP output at the mount's path
 * (leading slashes dropped) in its AutoDJ format and bitrate (128 kbit/s when
 * none); a mount in a format other than mp3, aac, ogg or opus is rejected.
 */
export function mapMounts({ sid, stationId }: AcStationRef, mounts: AcObject[]): MappingResult {
  const result: MappingResult = { entities: [], rejected: [] };
  for (const mount of mounts) {
    const id = String(mount.id);
    const format = FORMATS[String(mount.autodj_format ?? "").toLowerCase()];
    if (format === undefined) {
      result.rejected.push(
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
    result.entities.push({
      sourceKind: "mount",
      sourceId: `${sid}/${id}`,
      records: [{ repo: "mounts", value }],
      notes: ["served as Grimnir's own HTTP stream"],
    });
  }
  return result;
}
