import type { ImportContext, Station } from "@grimnir/core";
import { LocalStorage, type MediaStorage } from "@grimnir/library";
import { BaseImporter, type BaseImporterOptions } from "../importer-base.js";
import { NameRegistry, reject, type MappedEntity, type MappingResult } from "../mapped-entity.js";
import type { ProgressReporter } from "../progress.js";
import { redactUrl, toText } from "../values.js";
import { isKnownZone } from "../zone.js";
import { ltId } from "./ids.js";
import { mapFiles } from "./map-files.js";
import { mapInstanceContent } from "./map-instance-content.js";
import { mapPlaylistsAndBlocks } from "./map-playlists.js";
import { mapShows } from "./map-shows.js";
import { mapUsers, mapWebstreams } from "./map-users.js";
import { readLibreTime, type LtRow } from "./read-libretime.js";

/** Options of {@link LibreTimeImporter}. */
export interface LibreTimeImporterOptions extends BaseImporterOptions {
  /** `postgres://user:password@host:port/libretime` of LibreTime's database (read only). */
  url: string;
  /**
   * Station to import into. When it exists it is kept as is (its zone is used);
   * otherwise it is created from LibreTime's preferences. Default "lt-station".
   */
  stationId?: string;
  /** Name of a station created by the import (default LibreTime's `station_name` preference). */
  stationName?: string;
  /** LibreTime's storage directory; when given, every file is checked to exist there. */
  mediaRoot?: string;
  /** Copy the audio files (from `mediaRoot`) under `to`, keeping their relative paths; otherwise they are referenced in place. */
  copyMedia?: { to: string };
  /**
   * Show instances that ended before this time (epoch ms) are history: the
   * items scheduled in them (cc_schedule) are not imported. Default: the
   * start of the import (the importer's clock).
   */
  instanceContentSince?: number;
}

function pref(prefs: readonly LtRow[], key: string): string | undefined {
  return toText(
    prefs.find((p) => p.keystr === key && (p.subjid === null || p.subjid === undefined))?.valstr,
  );
}

/**
 * Imports a LibreTime station by reading its PostgreSQL database: files →
 * MediaItems, playlists and blocks → Playlists / SmartBlocks, shows →
 * Shows with Clocks, the items scheduled in each coming show instance →
 * an Override with its own playlist (see `mapInstanceContent`), webstreams, users. Ids are derived from LibreTime ids
 * (`lt-file-42`), so `apply` is idempotent and a re-run updates what changed.
 */
export class LibreTimeImporter extends BaseImporter {
  /** Always "libretime". */
  readonly source = "libretime";
  readonly #options: LibreTimeImporterOptions;
  readonly #storage: MediaStorage | undefined;

  /** An importer for the database at `options.url`; nothing is read until `plan` or `apply`. */
  constructor(options: LibreTimeImporterOptions) {
    super(options);
    if (options.copyMedia !== undefined && options.mediaRoot === undefined)
      throw new TypeError(
        "LibreTimeImporter: copyMedia needs mediaRoot (where LibreTime's files are)",
      );
    this.#options = options;
    const root = options.copyMedia?.to ?? options.mediaRoot;
    this.#storage = root === undefined ? undefined : new LocalStorage(root);
    this.checkAnalyzeOption("give mediaRoot (and optionally copyMedia)");
  }

  protected analysisStorage(): MediaStorage | undefined {
    return this.#storage;
  }

  protected describeSource(): string {
    return redactUrl(this.#options.url);
  }

  protected async map(progress: ProgressReporter, _context: ImportContext): Promise<MappingResult> {
    progress.report("read", 0, 1);
    const data = await readLibreTime(this.#options.url);
    progress.report("read", 1, 1);
    const stationId = this.#options.stationId ?? ltId.station();
    const existing = await this.store.stations.get(stationId);
    const entities: MappedEntity[] = [];
    const rejected: MappingResult["rejected"] = [];
    let zone: string;
    if (existing !== undefined) {
      zone = existing.timezone;
    } else {
      const ltZone = pref(data.prefs, "timezone") ?? "UTC";
      zone = isKnownZone(ltZone) ? ltZone : "UTC";
      if (zone !== ltZone)
        rejected.push(
          reject(
            "preference",
            "timezone",
            "unmappable",
            `station time zone "${ltZone}" is not an IANA zone; UTC used`,
          ),
        );
      const station: Omit<Station, "version" | "createdAt" | "updatedAt"> = {
        id: stationId,
        name: this.#options.stationName ?? pref(data.prefs, "station_name") ?? "LibreTime",
        timezone: zone,
        active: true,
      };
      const description = pref(data.prefs, "station_description");
      entities.push({
        sourceKind: "station",
        sourceId: "cc_pref",
        records: [
          {
            repo: "stations",
            value: description === undefined ? { ...station } : { ...station, description },
          },
        ],
        notes: [],
      });
    }
    const names = new NameRegistry();
    const users = mapUsers(data.users, stationId);
    const trackTypes = new Map(data.trackTypes.map((t) => [String(t.id), String(t.code)]));
    const files = await mapFiles(data.files, trackTypes, {
      stationId,
      ...(this.#options.mediaRoot !== undefined && { mediaRoot: this.#options.mediaRoot }),
      ...(this.#options.copyMedia !== undefined && { copyTo: this.#options.copyMedia.to }),
    });
    const lists = mapPlaylistsAndBlocks(
      data.playlists,
      data.playlistContents,
      data.blocks,
      data.blockContents,
      data.blockCriteria,
      {
        stationId,
        zone,
        names,
        files: files.imported,
      },
    );
    const webstreams = mapWebstreams(data.webstreams, stationId, names);
    const shows = mapShows(data.shows, data.showDays, data.showInstances, data.showHosts, {
      stationId,
      zone,
      names,
      playlists: lists.playlists,
      users: users.users,
    });
    const content = mapInstanceContent(data.schedule, data.showInstances, data.shows, data.files, {
      stationId,
      zone,
      files: files.imported,
      since: this.#options.instanceContentSince ?? this.time.now(),
    });
    for (const part of [users, files, lists, webstreams, shows, content]) {
      entities.push(...part.entities);
      rejected.push(...part.rejected);
    }
    return { entities, rejected };
  }
}
