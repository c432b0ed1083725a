/**
 * Building blocks of the API's JSON Schemas (2020-12) and the schemas every
 * route shares: record envelopes, create/replace/patch bodies, error bodies,
 * station query strings and the `id` path parameter.
 */

/** A JSON Schema object as used by the route table. */
export type Schema = Record<string, unknown>;

/** A string schema of `minLength` to `maxLength` characters (default 0 to 200). */
export const stringSchema = (maxLength = 200, minLength = 0): Schema => ({
  type: "string",
  minLength,
  maxLength,
});
/** An integer schema of at least `minimum` (default 0) and, when given, at most `maximum`. */
export const integerSchema = (minimum = 0, maximum?: number): Schema =>
  maximum === undefined ? { type: "integer", minimum } : { type: "integer", minimum, maximum };
/** A non-negative integer of milliseconds (a duration, offset or epoch time), described. */
export const millisecondsSchema = (description: string, maximum?: number): Schema => ({
  ...integerSchema(0, maximum),
  description,
});
/** A closed object schema: `properties`, the `required` ones, nothing else. */
export const objectSchema = (
  properties: Record<string, Schema>,
  required: string[] = [],
): Schema => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});

const str = stringSchema;
const int = integerSchema;
const ms = millisecondsSchema;
const obj = objectSchema;

/** Fields every stored record has (server-managed). */
export const entityProps: Record<string, Schema> = {
  id: str(200, 1),
  version: { ...int(1), description: "optimistic-concurrency version" },
  createdAt: ms("creation time, epoch ms"),
  updatedAt: ms("last update time, epoch ms"),
};

/** A writable resource: its content fields and which are required on create. */
export interface ResourceSchema {
  /** Name in the OpenAPI components (e.g. "Playlist"). */
  name: string;
  /** Writable fields. */
  properties: Record<string, Schema>;
  /** Fields a create must give. */
  required: string[];
  /** True when the record belongs to a station. */
  stationScoped: boolean;
  /** Server-managed fields shown in responses but never written by clients. */
  readOnly?: Record<string, Schema>;
}

/** The stored record as returned by the API. */
export function recordSchema(resource: ResourceSchema): Schema {
  return {
    type: "object",
    properties: {
      ...entityProps,
      ...(resource.stationScoped ? { stationId: str(200, 1) } : {}),
      ...resource.properties,
      ...resource.readOnly,
    },
    required: ["id", "version", "createdAt", "updatedAt", ...resource.required],
  };
}

/** Body of a create: the content fields, an optional client-chosen id. */
export function createBodySchema(resource: ResourceSchema): Schema {
  return obj(
    { id: { ...str(200, 1), pattern: "^[A-Za-z0-9._:-]+$" }, ...resource.properties },
    resource.required,
  );
}

/** Body of a PUT: the full content plus the version it was read at. */
export function replaceBodySchema(resource: ResourceSchema): Schema {
  return obj({ version: int(1), ...resource.properties }, ["version", ...resource.required]);
}

/** Body of a PATCH: any content fields plus the version it was read at. */
export function patchBodySchema(resource: ResourceSchema): Schema {
  return { ...obj({ version: int(1), ...resource.properties }, ["version"]), minProperties: 2 };
}

/** The JSON body of every error response. */
export const errorBodySchema: Schema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: {
          type: "string",
          description: "stable machine-readable code (VALIDATION, NOT_FOUND, CONFLICT…)",
        },
        message: { type: "string", description: "what was expected, for humans" },
        details: {
          type: "object",
          description: "structured context: pointer (RFC 6901), field, location…",
        },
      },
      required: ["code", "message", "details"],
    },
  },
  required: ["error"],
};

/** Query of every station-scoped route: the station, and paging for lists. */
export const stationQuery: Schema = obj({ stationId: str(200, 1) }, ["stationId"]);

/** Query of station-scoped list routes. */
export const stationListQuery: Schema = obj(
  { stationId: str(200, 1), limit: int(1, 1000), offset: int(0) },
  ["stationId"],
);

/** Path parameter `id`. */
export const idParams: Schema = obj({ id: str(200, 1) }, ["id"]);

/** Query of DELETE routes: the station and, optionally, the version read. */
export const deleteQuery: Schema = obj({ stationId: str(200, 1), version: int(1) }, ["stationId"]);
