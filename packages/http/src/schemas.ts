/**
 * JSON Schemas (2020-12) of the API's bodies and records. The same objects
 * validate requests and become the OpenAPI document's schemas.
 */

/** A JSON Schema object as used by the route table. */
export type Schema = Record<string, unknown>;

const str = (maxLength = 200, minLength = 0): Schema => ({ type: "string", minLength, maxLength });
const int = (minimum = 0, maximum?: number): Schema =>
  maximum === undefined ? { type: "integer", minimum } : { type: "integer", minimum, maximum };
const ms = (description: string, maximum?: number): Schema => ({ ...int(0, maximum), description });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});

/** Fields every stored record has (server-managed). */
const entityProps: Record<string, Schema> = {
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

// --- stations and users -------------------------------------------------

/** Stations. */
export const stationResource: ResourceSchema = {
  name: "Station",
  stationScoped: false,
  properties: {
    name: str(200, 1),
    timezone: { ...str(64, 1), description: "IANA time zone name, e.g. Europe/Oslo" },
    slug: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
    description: str(2000),
    active: { type: "boolean", default: true },
  },
  required: ["name", "timezone"],
};

const roleGrant = obj(
  {
    stationId: {
      ...str(200, 1),
      description: 'station id, or "*" for every station (admins only)',
    },
    role: { enum: ["admin", "manager", "dj"] },
  },
  ["stationId", "role"],
);

/** Users as the API shows them (never the password hash). */
export const userResource: ResourceSchema = {
  name: "User",
  stationScoped: false,
  properties: {
    username: { type: "string", pattern: "^[A-Za-z0-9._@-]{1,64}$" },
    displayName: str(200),
    email: str(320),
    roles: { type: "array", items: roleGrant, maxItems: 1000 },
    disabled: { type: "boolean", default: false },
  },
  required: ["username", "roles"],
};

/** Password field of user bodies: 8 to 1024 characters. */
export const passwordSchema: Schema = str(1024, 8);

// --- station-scoped configuration --------------------------------------

const audioFormat: Schema = { enum: ["mp3", "aac", "opus", "vorbis"] };
const bitrate: Schema = int(8, 512);
const output: Schema = {
  type: "object",
  required: ["type"],
  discriminator: { propertyName: "type" },
  oneOf: [
    obj(
      {
        type: { const: "icecast" },
        url: { type: "string", pattern: "^icecast://", maxLength: 2000 },
        format: audioFormat,
        bitrateKbps: bitrate,
      },
      ["type", "url", "format", "bitrateKbps"],
    ),
    obj({ type: { const: "http" }, path: str(200, 1), format: audioFormat, bitrateKbps: bitrate }, [
      "type",
      "path",
      "format",
      "bitrateKbps",
    ]),
    obj(
      {
        type: { const: "hls" },
        path: str(1000, 1),
        segmentDurationSec: int(1, 60),
        playlistLength: int(1, 1000),
        format: audioFormat,
        bitrateKbps: bitrate,
      },
      ["type", "path", "segmentDurationSec"],
    ),
    obj(
      {
        type: { const: "recording" },
        path: str(1000, 1),
        rotationDays: int(1, 3650),
        fileMinutes: int(1, 1440),
        format: audioFormat,
        bitrateKbps: bitrate,
      },
      ["type", "path", "rotationDays"],
    ),
  ],
};

/** Mounts: a named mix with its outputs. */
export const mountResource: ResourceSchema = {
  name: "Mount",
  stationScoped: true,
  properties: { name: str(200, 1), outputs: { type: "array", items: output, maxItems: 32 } },
  required: ["name", "outputs"],
};

/** Media items; created by ingest, so only the editable tags are writable. */
export const mediaResource: ResourceSchema = {
  name: "MediaItem",
  stationScoped: true,
  properties: {
    title: str(500, 1),
    artist: str(500),
    album: str(500),
    genre: str(200),
    year: int(0, 9999),
    bpm: { type: "number", minimum: 0, maximum: 1000 },
    rating: { type: "number", minimum: 0, maximum: 5 },
    tags: { type: "array", items: str(100, 1), maxItems: 200 },
    fields: {
      type: "object",
      maxProperties: 200,
      additionalProperties: { type: ["string", "number", "boolean"] },
    },
    cueInMs: ms("where audible audio starts, ms from file start"),
    cueOutMs: ms("where audible audio ends, ms from file start"),
    introMs: ms("end of the intro, ms from file start"),
    outroMs: ms("start of the outro, ms from file start"),
  },
  required: ["title"],
  readOnly: {
    durationMs: ms("duration of the file, ms"),
    loudnessLufs: { type: "number", description: "integrated loudness, LUFS" },
    truePeakDbtp: { type: "number", description: "true peak, dBTP" },
    storageKey: { type: "string" },
    contentHash: { type: "string" },
    analysisStatus: { enum: ["pending", "analysing", "done", "failed"] },
    analysisError: { type: "string" },
    addedAt: ms("when the item entered the library, epoch ms"),
  },
};

/** Playlists. */
export const playlistResource: ResourceSchema = {
  name: "Playlist",
  stationScoped: true,
  properties: {
    name: str(200, 1),
    items: { type: "array", items: str(200, 1), maxItems: 10_000 },
    mode: { enum: ["ordered", "shuffled"] },
    description: str(2000),
  },
  required: ["name", "items", "mode"],
};

const mediaField: Schema = {
  type: "string",
  pattern: "^(artist|title|album|genre|year|bpm|durationMs|rating|tags|addedAt|field:.{1,100})$",
};
const filterValue: Schema = { type: ["string", "number", "boolean"] };
const mediaFilter: Schema = {
  type: "object",
  required: ["field", "op"],
  oneOf: [
    obj({ field: mediaField, op: { enum: ["equals", "not_equals"] }, value: filterValue }, [
      "field",
      "op",
      "value",
    ]),
    obj({ field: mediaField, op: { enum: ["contains", "not_contains"] }, value: str(500) }, [
      "field",
      "op",
      "value",
    ]),
    obj(
      {
        field: mediaField,
        op: { enum: ["in", "not_in"] },
        values: { type: "array", items: filterValue, maxItems: 1000 },
      },
      ["field", "op", "values"],
    ),
    obj(
      {
        field: mediaField,
        op: { const: "range" },
        min: { type: "number" },
        max: { type: "number" },
      },
      ["field", "op"],
    ),
  ],
};
const filters: Schema = { type: "array", items: mediaFilter, maxItems: 100 };

/** Smart blocks. */
export const smartBlockResource: ResourceSchema = {
  name: "SmartBlock",
  stationScoped: true,
  properties: {
    name: str(200, 1),
    filters,
    sort: {
      type: "object",
      required: ["by"],
      oneOf: [
        obj({ by: { enum: ["random", "least_recently_played"] } }, ["by"]),
        obj({ by: { const: "weighted" }, field: mediaField }, ["by", "field"]),
        obj({ by: { const: "field" }, field: mediaField, direction: { enum: ["asc", "desc"] } }, [
          "by",
          "field",
          "direction",
        ]),
      ],
    },
    limit: {
      type: "object",
      required: ["kind"],
      oneOf: [
        obj({ kind: { const: "count" }, count: int(1, 10_000) }, ["kind", "count"]),
        obj({ kind: { const: "duration" }, durationMs: int(1), toleranceMs: int(0) }, [
          "kind",
          "durationMs",
          "toleranceMs",
        ]),
      ],
    },
    quotas: {
      type: "array",
      maxItems: 50,
      items: obj(
        { name: str(200, 1), filters, percent: { type: "number", minimum: 0, maximum: 100 } },
        ["name", "filters", "percent"],
      ),
    },
    rotation: obj({
      trackRepeatHours: { type: "number", minimum: 0 },
      artistSeparationMinutes: { type: "number", minimum: 0 },
      titleSeparationMinutes: { type: "number", minimum: 0 },
      albumSeparationMinutes: { type: "number", minimum: 0 },
    }),
    fill: {
      type: "object",
      required: ["kind"],
      oneOf: [
        obj({ kind: { enum: ["none", "trim"] } }, ["kind"]),
        obj({ kind: { const: "filler" }, smartBlockId: str(200, 1) }, ["kind", "smartBlockId"]),
        obj({ kind: { const: "fade" }, fadeMs: int(0, 60_000) }, ["kind", "fadeMs"]),
      ],
    },
    description: str(2000),
  },
  required: ["name", "filters", "sort", "limit", "quotas", "rotation", "fill"],
};

const clockSlot = obj(
  {
    id: str(200, 1),
    kind: { enum: ["smart_block", "playlist", "stopset", "webstream", "live", "hard_event"] },
    offsetMs: ms("offset from the top of the hour, ms", 3_599_999),
    durationMs: int(1, 3_600_000),
    refId: str(200, 1),
    mediaIds: { type: "array", items: str(200, 1), maxItems: 100 },
    timing: { enum: ["hard", "soft"] },
    fadeMs: int(0, 60_000),
  },
  ["id", "kind", "offsetMs"],
);

/** Clocks (hour templates). */
export const clockResource: ResourceSchema = {
  name: "Clock",
  stationScoped: true,
  properties: {
    name: str(200, 1),
    slots: { type: "array", items: clockSlot, maxItems: 500 },
    description: str(2000),
  },
  required: ["name", "slots"],
};

/** Shows (recurring programmes). */
export const showResource: ResourceSchema = {
  name: "Show",
  stationScoped: true,
  properties: {
    name: str(200, 1),
    startLocal: {
      type: "string",
      pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$",
      description: "first occurrence, local wall time in the station zone",
    },
    rrule: { ...str(1000, 1), description: "RFC 5545 RRULE body, e.g. FREQ=WEEKLY;BYDAY=MO" },
    durationMs: int(60_000, 7 * 24 * 3_600_000),
    clockId: str(200, 1),
    exceptDates: {
      type: "array",
      items: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
      maxItems: 1000,
    },
    live: { type: "boolean" },
    djUserId: str(200, 1),
    description: str(2000),
  },
  required: ["name", "startLocal", "durationMs", "clockId"],
};

/** Webstreams (relayed HTTP/Icecast streams with failover). */
export const webstreamResource: ResourceSchema = {
  name: "Webstream",
  stationScoped: true,
  properties: {
    name: str(200, 1),
    urls: {
      type: "array",
      minItems: 1,
      maxItems: 10,
      items: { type: "string", pattern: "^https?://", maxLength: 2000 },
      description: "primary URL first, then backups in failover order",
    },
    health: {
      ...obj({
        intervalMs: int(1000, 3_600_000),
        timeoutMs: int(100, 60_000),
        method: { enum: ["HEAD", "GET"] },
        failoverAfter: int(1, 100),
      }),
      default: { intervalMs: 10_000, timeoutMs: 5_000, method: "HEAD", failoverAfter: 3 },
    },
    failover: {
      ...obj({
        enabled: { type: "boolean" },
        graceMs: int(0, 600_000),
        autoRecover: { type: "boolean" },
      }),
      default: { enabled: true, graceMs: 5_000, autoRecover: true },
    },
    bufferMs: { ...int(0, 60_000), default: 2_000 },
    metadata: {
      ...obj({ passthrough: { type: "boolean" }, override: str(500) }),
      default: { passthrough: true },
    },
  },
  required: ["name", "urls"],
  readOnly: {
    currentIndex: { ...int(0), description: "index into urls currently in use" },
    status: { enum: ["healthy", "degraded", "unhealthy"] },
  },
};

/** Live sessions (read-only over the API; the live service writes them). */
export const liveSessionSchema: Schema = {
  type: "object",
  properties: {
    ...entityProps,
    stationId: str(200, 1),
    mountId: str(),
    userId: str(),
    tokenId: str(),
    state: { enum: ["connected", "active", "disconnected"] },
    priority: { enum: [1, 2] },
    inputUri: str(2000),
    connectedAt: ms("epoch ms"),
    disconnectedAt: ms("epoch ms"),
    metadata: str(2000),
  },
  required: ["id", "stationId", "mountId", "userId", "state", "priority", "connectedAt"],
};

/** A planned timeline entry. */
export const scheduleEntrySchema: Schema = {
  type: "object",
  properties: {
    ...entityProps,
    stationId: str(200, 1),
    startsAt: ms("planned start, epoch ms"),
    endsAt: ms("planned end, epoch ms (exclusive)"),
    kind: { enum: ["media", "webstream", "live", "stopset", "silence"] },
    mediaId: str(),
    webstreamId: str(),
    timing: { enum: ["hard", "soft"] },
    fadeInMs: int(0),
    fadeOutMs: int(0),
    source: { type: "object" },
    title: { type: "string" },
    artist: { type: "string" },
  },
  required: ["id", "stationId", "startsAt", "endsAt", "kind", "timing"],
};

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

/** Build a closed object schema. */
export const objectSchema = obj;
/** A bounded string schema. */
export const stringSchema = str;
/** A bounded integer schema. */
export const integerSchema = int;
