/**
 * JSON Schemas (2020-12) of the API's bodies and records. The same objects
 * validate requests and become the OpenAPI document's schemas. One file per
 * resource group; this index is what the routes import.
 */

export {
  createBodySchema,
  deleteQuery,
  errorBodySchema,
  idParams,
  integerSchema,
  objectSchema,
  patchBodySchema,
  recordSchema,
  replaceBodySchema,
  stationListQuery,
  stationQuery,
  stringSchema,
} from "./schemas-common.js";
export type { ResourceSchema, Schema } from "./schemas-common.js";
export { passwordSchema, userResource } from "./schemas-users.js";
export { mediaResource, mountResource, stationResource } from "./schemas-stations.js";
export {
  clockResource,
  playlistResource,
  scheduleEntrySchema,
  showResource,
  smartBlockResource,
} from "./schemas-programming.js";
export { liveSessionSchema, webstreamResource } from "./schemas-live.js";
