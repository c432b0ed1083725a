/**
 * `@grimnir/importers` — migrate a station into Grimnir from LibreTime (its
 * PostgreSQL database) and from AzuraCast (its REST API). Both implement
 * core's `Importer`: `plan()` is a dry run with reasons, `apply()` is
 * idempotent (ids derived from source ids), with progress events and a report.
 *
 * @packageDocumentation
 */
export { BaseImporter, SOURCE_ACTION_KIND } from "./importer-base.js";
export type { BaseImporterOptions } from "./importer-base.js";
export { NameRegistry, reject } from "./mapped-entity.js";
export type {
  MappedEntity,
  MappedValue,
  MappingResult,
  TargetRecord,
  TargetRepo,
} from "./mapped-entity.js";
export { ProgressReporter } from "./progress.js";
export type {
  ImportAnalysisOptions,
  ImportAnalysisSummary,
  ImporterReport,
} from "./analyze-imported.js";
export { LibreTimeImporter } from "./libretime/libretime-importer.js";
export type { LibreTimeImporterOptions } from "./libretime/libretime-importer.js";
export { REPLAY_GAIN_REFERENCE_LUFS } from "./libretime/map-files.js";
export { LT_REPEAT } from "./libretime/map-shows.js";
export { ltInstanceContentId } from "./libretime/map-instance-content.js";
export { formatReport } from "./format-report.js";
export { AzuraCastImporter } from "./azuracast/azuracast-importer.js";
export type { AzuraCastImporterOptions } from "./azuracast/azuracast-importer.js";
export type { FetchLike, FetchResponseLike, AcObject } from "./azuracast/client.js";
export { ROTATION_TAG, WEIGHT_FIELD } from "./azuracast/map-station.js";
export { MTIME_FIELD } from "./azuracast/download-media.js";
