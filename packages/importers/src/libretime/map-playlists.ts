import {
  reject,
  type MappedValue,
  type MappingResult,
  type NameRegistry,
} from "../mapped-entity.js";
import { compact, intervalMs, toNumber, toText } from "../values.js";
import { ltId } from "./ids.js";
import { mapCriteria } from "./map-smart-blocks.js";
import type { LtRow } from "./read-libretime.js";

/** `cc_playlistcontents.type` values. */
const ENTRY_FILE = 0;
const ENTRY_WEBSTREAM = 1;
const ENTRY_BLOCK = 2;

/** What playlist and block mapping needs from the rest of the import. */
export interface LtListContext {
  stationId: string;
  zone: string;
  names: NameRegistry;
  /** LibreTime file ids that are imported as media. */
  files: ReadonlySet<string>;
}

function byPosition(a: LtRow, b: LtRow): number {
  return (toNumber(a.position) ?? 0) - (toNumber(b.position) ?? 0) || Number(a.id) - Number(b.id);
}

/**
 * cc_block → static blocks become ordered Playlists and dynamic blocks
 * SmartBlocks (both `lt-block-<id>`); cc_playlist → ordered Playlists
 * `lt-playlist-<id>` with static blocks expanded in place. Entries Grimnir
 * playlists cannot hold (webstreams, dynamic blocks, missing files) are
 * dropped and named in the reason; criteria that cannot be mapped are
 * reported as "unmappable" actions of kind "block_criterion".
 */
export function mapPlaylistsAndBlocks(
  playlists: readonly LtRow[],
  contents: readonly LtRow[],
  blocks: readonly LtRow[],
  blockContents: readonly LtRow[],
  criteria: readonly LtRow[],
  context: LtListContext,
): MappingResult & { playlists: Set<string> } {
  const result: MappingResult & { playlists: Set<string> } = {
    entities: [],
    rejected: [],
    playlists: new Set(),
  };
  const staticBlocks = new Map<string, { name: string; items: string[]; dropped: number }>();
  const dynamicBlocks = new Set<string>();

  for (const block of blocks) {
    const id = String(block.id);
    const notes: string[] = [];
    const named = context.names.claim(
      block.type === "static" ? "playlist" : "smart block",
      toText(block.name) ?? `Block ${id}`,
    );
    if (named.note !== undefined) notes.push(named.note);
    if (block.type === "static") {
      const rows = blockContents.filter((c) => String(c.block_id) === id).sort(byPosition);
      const items: string[] = [];
      const missing: string[] = [];
      for (const row of rows) {
        if (context.files.has(String(row.file_id))) items.push(ltId.file(row.file_id));
        else missing.push(String(row.file_id));
      }
      if (missing.length > 0)
        notes.push(
          `${missing.length} entr${missing.length === 1 ? "y" : "ies"} dropped: file(s) ${missing.join(", ")} not imported`,
        );
      notes.push("static block imported as an ordered playlist");
      staticBlocks.set(id, { name: named.name, items, dropped: missing.length });
      const value = compact({
        id: ltId.block(id),
        stationId: context.stationId,
        name: named.name,
        items,
        mode: "ordered",
        description: toText(block.description),
      }) as MappedValue;
      result.entities.push({
        sourceKind: "block",
        sourceId: id,
        records: [{ repo: "playlists", value }],
        notes,
      });
      continue;
    }
    if (block.type !== "dynamic" && block.type !== undefined && block.type !== null) {
      result.rejected.push(
        reject(
          "block",
          id,
          "unmappable",
          `block type "${String(block.type)}" is unknown; expected static or dynamic`,
        ),
      );
      continue;
    }
    const mapped = mapCriteria(
      criteria.filter((c) => String(c.block_id) === id),
      context.zone,
      intervalMs(block.length),
    );
    for (const line of mapped.unmappable)
      result.rejected.push(
        reject("block_criterion", id, "unmappable", `smart block "${named.name}": ${line}`),
      );
    const value = compact({
      id: ltId.block(id),
      stationId: context.stationId,
      name: named.name,
      filters: mapped.filters,
      sort: mapped.sort,
      limit: mapped.limit,
      quotas: [],
      rotation: {},
      fill: { kind: "none" },
      description: toText(block.description),
    }) as MappedValue;
    dynamicBlocks.add(id);
    result.entities.push({
      sourceKind: "block",
      sourceId: id,
      records: [{ repo: "smartBlocks", value }],
      notes: [...notes, ...mapped.notes],
    });
  }

  for (const playlist of playlists) {
    const id = String(playlist.id);
    const notes: string[] = [];
    const named = context.names.claim("playlist", toText(playlist.name) ?? `Playlist ${id}`);
    if (named.note !== undefined) notes.push(named.note);
    const items: string[] = [];
    const dropped: string[] = [];
    let customCues = 0;
    for (const row of contents.filter((c) => String(c.playlist_id) === id).sort(byPosition)) {
      const type = toNumber(row.type) ?? ENTRY_FILE;
      if (type === ENTRY_FILE) {
        if (context.files.has(String(row.file_id))) items.push(ltId.file(row.file_id));
        else dropped.push(`file ${String(row.file_id)} (not imported)`);
        if ((intervalMs(row.fadein) ?? 0) > 0 || (intervalMs(row.fadeout) ?? 0) > 0)
          customCues += 1;
      } else if (type === ENTRY_BLOCK) {
        const block = staticBlocks.get(String(row.block_id));
        if (block !== undefined) items.push(...block.items);
        else if (dynamicBlocks.has(String(row.block_id)))
          dropped.push(
            `smart block ${ltId.block(row.block_id)} (a playlist cannot hold a smart block; use a clock slot)`,
          );
        else dropped.push(`block ${String(row.block_id)} (not imported)`);
      } else if (type === ENTRY_WEBSTREAM) {
        dropped.push(
          `webstream ${String(row.stream_id)} (a playlist cannot hold a webstream; use a clock slot)`,
        );
      } else {
        dropped.push(`entry ${String(row.id)} of unknown type ${String(row.type)}`);
      }
    }
    if (dropped.length > 0) notes.push(`dropped: ${dropped.join("; ")}`);
    if (customCues > 0)
      notes.push(
        `${customCues} entr${customCues === 1 ? "y has" : "ies have"} per-entry fades that are not kept`,
      );
    const value = compact({
      id: ltId.playlist(id),
      stationId: context.stationId,
      name: named.name,
      items,
      mode: "ordered",
      description: toText(playlist.description),
    }) as MappedValue;
    result.playlists.add(id);
    result.entities.push({
      sourceKind: "playlist",
      sourceId: id,
      records: [{ repo: "playlists", value }],
      notes,
    });
  }
  return result;
}
