import { reject, type MappedValue, type MappingResult } from "../mapped-entity.js";
import { intervalMs, toNumber, toText, utcMs } from "../values.js";
import { epochToLocal } from "../zone.js";
import { ltId } from "./ids.js";
import type { LtRow } from "./read-libretime.js";

/** Ids of the records one LibreTime show instance's own content becomes. */
export const ltInstanceContentId = {
  /** The Override covering the instance: `lt-instance-<id>-content`. */
  override: (id: unknown): string => `lt-instance-${String(id)}-content`,
  /** Its ordered Playlist: `lt-instance-<id>-playlist`. */
  playlist: (id: unknown): string => `lt-instance-${String(id)}-playlist`,
  /** Its Clock: `lt-instance-<id>-clock`. */
  clock: (id: unknown): string => `lt-instance-${String(id)}-clock`,
};

/** What the instance-content mapper needs to know about the rest of the import. */
export interface LtInstanceContentContext {
  stationId: string;
  /** Station zone, for the names (dates and times are stored as epoch ms). */
  zone: string;
  /** LibreTime file ids imported as media. */
  files: ReadonlySet<string>;
  /** Instances that ended before this time (epoch ms) are history: their content is left out. */
  since: number;
}

/**
 * cc_schedule → what LibreTime scheduled inside each show instance. Each
 * instance (not deleted, not a rebroadcast) with items becomes:
 *
 * - a Playlist `lt-instance-<id>-playlist` ("ordered") of its files, in
 *   LibreTime's order (`starts`, then `position`);
 * - a Clock `lt-instance-<id>-clock` with one playlist slot at :00;
 * - an Override `lt-instance-<id>-content` from the instance's start to its
 *   end (UTC epoch ms, so DST cannot move it) playing that clock: for that
 *   time range the instance's own content replaces the show's clock.
 *
 * Items LibreTime would not play (`playout_status` ≤ 0: past the show's
 * end or the file missing), files that were not imported, and webstream
 * items (Grimnir playlists hold media only) are left out with a note;
 * per-item cue/fade points that differ from the file's are reported, since a
 * playlist item plays with its MediaItem's cues. Instances that ended before
 * `since` are counted in one "skip" line.
 */
export function mapInstanceContent(
  schedule: readonly LtRow[],
  instances: readonly LtRow[],
  shows: readonly LtRow[],
  files: readonly LtRow[],
  context: LtInstanceContentContext,
): MappingResult {
  const result: MappingResult = { entities: [], rejected: [] };
  const byInstance = new Map<string, LtRow[]>();
  for (const row of schedule) {
    const key = String(row.instance_id);
    byInstance.set(key, [...(byInstance.get(key) ?? []), row]);
  }
  const instanceById = new Map(instances.map((i) => [String(i.id), i]));
  const showName = new Map(shows.map((s) => [String(s.id), toText(s.name) ?? `Show ${s.id}`]));
  const fileById = new Map(files.map((f) => [String(f.id), f]));
  let past = 0;
  for (const [instanceId, rows] of byInstance) {
    const instance = instanceById.get(instanceId);
    const ids = rows.map((r) => String(r.id)).join(",");
    if (instance === undefined) {
      result.rejected.push(
        reject(
          "instance_content",
          instanceId,
          "unmappable",
          `cc_schedule rows ${ids} name show instance ${instanceId}, which does not exist`,
        ),
      );
      continue;
    }
    const starts = utcMs(instance.starts);
    const ends = utcMs(instance.ends);
    // Invalid ranges and rebroadcasts are already reported by the show mapper.
    if (starts === undefined || ends === undefined || ends <= starts) continue;
    if ((toNumber(instance.rebroadcast) ?? 0) !== 0) continue;
    if (instance.modified_instance === true) {
      result.rejected.push(
        reject(
          "instance_content",
          instanceId,
          "skip",
          "the instance was deleted in LibreTime; its scheduled items are not imported",
        ),
      );
      continue;
    }
    if (ends <= context.since) {
      past += 1;
      continue;
    }
    const ordered = [...rows].sort(
      (a, b) =>
        (utcMs(a.starts) ?? 0) - (utcMs(b.starts) ?? 0) ||
        (toNumber(a.position) ?? 0) - (toNumber(b.position) ?? 0) ||
        (toNumber(a.id) ?? 0) - (toNumber(b.id) ?? 0),
    );
    const items: string[] = [];
    const notes: string[] = [];
    for (const row of ordered) {
      const rowId = String(row.id);
      if ((toNumber(row.playout_status) ?? 1) <= 0) {
        notes.push(`item ${rowId} left out: LibreTime would not play it (playout_status ≤ 0)`);
        continue;
      }
      if (row.file_id === null || row.file_id === undefined) {
        notes.push(
          row.stream_id === null || row.stream_id === undefined
            ? `item ${rowId} left out: it names no file`
            : `item ${rowId} (webstream ${String(row.stream_id)}) left out: playlists hold media only; relay ${ltId.webstream(row.stream_id)} with an override of its own`,
        );
        continue;
      }
      const fileId = String(row.file_id);
      if (!context.files.has(fileId)) {
        notes.push(`item ${rowId} left out: file ${fileId} was not imported`);
        continue;
      }
      const file = fileById.get(fileId);
      const differs = (ours: unknown, theirs: unknown): boolean => {
        const a = intervalMs(ours);
        const b = intervalMs(theirs);
        return a !== undefined && b !== undefined && a !== b;
      };
      if (
        file !== undefined &&
        (differs(row.cue_in, file.cuein) || differs(row.cue_out, file.cueout))
      )
        notes.push(
          `item ${rowId}: its own cue points (${String(row.cue_in)}–${String(row.cue_out)}) are not kept; the file's are used`,
        );
      if ((intervalMs(row.fade_in) ?? 0) > 0 || (intervalMs(row.fade_out) ?? 0) > 0)
        notes.push(`item ${rowId}: its fades are not kept; the station's crossfade applies`);
      items.push(ltId.file(fileId));
    }
    const show = showName.get(String(instance.show_id)) ?? `Show ${String(instance.show_id)}`;
    if (items.length === 0) {
      result.rejected.push(
        reject(
          "instance_content",
          instanceId,
          "unmappable",
          `show "${show}" instance ${instanceId}: no item can be imported (${notes.join("; ")})`,
        ),
      );
      continue;
    }
    const local = epochToLocal(starts, context.zone);
    const label = `${show} (${local.slice(0, 10)} ${local.slice(11, 16)})`;
    const playlist: MappedValue = {
      id: ltInstanceContentId.playlist(instanceId),
      stationId: context.stationId,
      name: `${label} content`,
      items,
      mode: "ordered",
      description: `what LibreTime scheduled in show instance ${instanceId}`,
    };
    const clock: MappedValue = {
      id: ltInstanceContentId.clock(instanceId),
      stationId: context.stationId,
      name: `${label} clock`,
      slots: [{ id: "content", kind: "playlist", offsetMs: 0, refId: playlist.id }],
    };
    const override: MappedValue = {
      id: ltInstanceContentId.override(instanceId),
      stationId: context.stationId,
      name: label,
      startsAt: starts,
      endsAt: ends,
      clockId: clock.id,
      reason: `LibreTime show instance ${instanceId} with ${items.length} scheduled item(s)`,
    };
    result.entities.push({
      sourceKind: "instance_content",
      sourceId: instanceId,
      records: [
        { repo: "overrides", value: override },
        { repo: "playlists", value: playlist },
        { repo: "clocks", value: clock },
      ],
      notes,
    });
  }
  if (past > 0)
    result.rejected.push(
      reject(
        "instance_content",
        "past",
        "skip",
        `${past} show instance(s) with scheduled items ended before ${new Date(context.since).toISOString()}; history is not imported`,
      ),
    );
  return result;
}
