import type { Store } from "@grimnir/core";
import type { ImportPort } from "@grimnir/http";
import { AzuraCastImporter, LibreTimeImporter } from "@grimnir/importers";

/**
 * The HTTP API's `imports` port over `@grimnir/importers`: a LibreTime
 * importer (its database URL, optional target station and media root) or an
 * AzuraCast importer (base URL, API key, optional station and media root),
 * writing into `store`.
 */
export function importersPort(store: Store): ImportPort {
  return {
    importer: (request) =>
      request.source === "libretime"
        ? new LibreTimeImporter({
            store,
            url: request.url,
            ...(request.station === undefined ? {} : { stationId: request.station }),
            ...(request.mediaRoot === undefined ? {} : { mediaRoot: request.mediaRoot }),
          })
        : new AzuraCastImporter({
            store,
            baseUrl: request.url,
            apiKey: request.apiKey ?? "",
            ...(request.station === undefined ? {} : { station: request.station }),
            ...(request.mediaRoot === undefined ? {} : { mediaRoot: request.mediaRoot }),
          }),
  };
}
