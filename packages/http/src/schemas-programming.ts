/**
 * JSON Schemas of programming: playlists, smart blocks, clocks, shows and
 * the planned timeline they produce.
 */

import {
  entityProps,
  integerSchema as int,
  millisecondsSchema as ms,
  objectSchema as obj,
  stringSchema as str,
  type ResourceSchema,
  type Schema,
} from "./schemas-common.js";

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
