import { isGrimnirError, type ImportContext } from "@grimnir/core";
import { LocalStorage, type MediaStorage } from "@grimnir/library";
import { BaseImporter, type BaseImporterOptions } from "../importer-base.js";
import type { MappingResult } from "../mapped-entity.js";
import type { ProgressReporter } from "../progress.js";
import { AzuraCastClient, type FetchLike } from "./client.js";
import { attachDownloads } from "./download-media.js";
import { mapAzuraCastStation, type AcStationData } from "./map-station.js";

/** Options of {@link AzuraCastImporter}. */
export interface AzuraCastImporterOptions extends BaseImporterOptions {
  /** AzuraCast's address, e.g. "https://radio.example.org". */
  baseUrl: string;
  /** An API key (sent as `X-API-Key`); station management or administrator rights. */
  apiKey: string;
  /** Import only this AzuraCast station (numeric id or short name); default all. */
  station?: string;
  /** Where AzuraCast's station media directory is mounted; files are checked to exist there. Not with `download`. */
  mediaRoot?: string;
  /**
   * Download every media file through the API (`GET
   * /api/station/{id}/file/{media}/play`) into `storage`, under
   * content-addressed keys (`<station>/ab/<sha256>.ext`), and record the
   * SHA-256 as the item's `contentHash`. A re-run downloads only files that
   * are new, changed in AzuraCast (`mtime`) or missing from the storage.
   * Without it, items reference AzuraCast's paths (`storageKey` = its path).
   */
  download?: { storage: MediaStorage };
  /** Station time zone when AzuraCast's API does not report one (IANA name). */
  timezone?: string;
  /** `fetch` to use (default the global one). */
  fetch?: FetchLike;
}

/**
 * Imports stations from AzuraCast's REST API: for each station its mounts,
 * media, playlists, streamers and their schedules (see
 * `mapAzuraCastStation`). Ids are derived from AzuraCast ids
 * (`ac-1-media-42`), so `apply` is idempotent. A section the key may not read
 * (e.g. streamers) is reported and the rest imported. With `download`, the
 * audio is fetched through the API while applying; a file AzuraCast cannot
 * serve (404) fails that item alone.
 */
export class AzuraCastImporter extends BaseImporter {
  /** Always "azuracast". */
  readonly source = "azuracast";
  readonly #options: AzuraCastImporterOptions;
  readonly #client: AzuraCastClient;
  readonly #storage: MediaStorage | undefined;

  /** An importer for the AzuraCast at `options.baseUrl`; nothing is fetched until `plan` or `apply`. */
  constructor(options: AzuraCastImporterOptions) {
    super(options);
    if (options.download !== undefined && options.mediaRoot !== undefined)
      throw new TypeError(
        "AzuraCastImporter: give either mediaRoot (files mapped from a path) or download (files fetched through the API), not both",
      );
    this.#options = options;
    this.#client = new AzuraCastClient(options.baseUrl, options.apiKey, options.fetch);
    this.#storage =
      options.download?.storage ??
      (options.mediaRoot === undefined ? undefined : new LocalStorage(options.mediaRoot));
    this.checkAnalyzeOption("give mediaRoot (AzuraCast's media mounted) or download");
  }

  protected analysisStorage(): MediaStorage | undefined {
    return this.#storage;
  }

  protected describeSource(): string {
    return this.#options.baseUrl;
  }

  protected async map(progress: ProgressReporter, context: ImportContext): Promise<MappingResult> {
    const stations = (await this.#client.list("/stations", context.signal)).filter(
      (s) =>
        this.#options.station === undefined ||
        String(s.id) === this.#options.station ||
        s.shortcode === this.#options.station,
    );
    const result: MappingResult = { entities: [], rejected: [] };
    let done = 0;
    progress.report("read", 0, stations.length);
    for (const station of stations) {
      const data: AcStationData = {
        station,
        mounts: [],
        files: [],
        playlists: [],
        streamers: [],
        unreadable: [],
      };
      for (const section of ["mounts", "files", "playlists", "streamers"] as const) {
        try {
          data[section] = await this.#client.list(
            `/station/${String(station.id)}/${section}`,
            context.signal,
          );
        } catch (error) {
          // The whole source failing (bad key) stops the run; one forbidden section is reported.
          if (isGrimnirError(error, "UNAUTHORIZED") || !isGrimnirError(error)) throw error;
          data.unreadable.push({ section, reason: error.message });
        }
      }
      const mapped = await mapAzuraCastStation(data, {
        ...(this.#options.mediaRoot !== undefined && { mediaRoot: this.#options.mediaRoot }),
        ...(this.#options.timezone !== undefined && { timezone: this.#options.timezone }),
      });
      if (this.#options.download !== undefined)
        await attachDownloads(mapped, data.files, String(station.id), {
          client: this.#client,
          storage: this.#options.download.storage,
          store: this.store,
          ...(context.signal !== undefined && { signal: context.signal }),
        });
      result.entities.push(...mapped.entities);
      result.rejected.push(...mapped.rejected);
      done += 1;
      progress.report("read", done, stations.length);
    }
    if (this.#options.station !== undefined && stations.length === 0)
      result.rejected.push({
        sourceKind: "station",
        sourceId: this.#options.station,
        action: "skip",
        reason: `AzuraCast has no station "${this.#options.station}"`,
      });
    return result;
  }
}
