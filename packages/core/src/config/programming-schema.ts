import type { JsonSchema } from "./json-schema.js";

const ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";

/** `MM:SS` (minutes may exceed 59 only to be reported as past the hour) or whole seconds. */
const MINUTES_SECONDS_PATTERN = "^[0-9]{1,3}:[0-5][0-9]$";

const HOURS_PATTERN = "^([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?$";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

function id(title: string, description: string): JsonSchema {
  return { type: "string", title, description, pattern: ID_PATTERN };
}

function ref(title: string, description: string): JsonSchema {
  return { type: "string", title, description, minLength: 1 };
}

function name(description: string): JsonSchema {
  return { type: "string", title: "Name", description, minLength: 1 };
}

const description: JsonSchema = {
  type: "string",
  title: "Description",
  description: "Free text for operators.",
};

function minutesSeconds(title: string, text: string): JsonSchema {
  return {
    type: ["string", "integer"],
    title,
    description: `${text} Written "MM:SS" (e.g. "30:00") or as whole seconds (e.g. 1800).`,
    pattern: MINUTES_SECONDS_PATTERN,
    minimum: 0,
  };
}

const mediaFilter: JsonSchema = {
  type: "object",
  title: "Filter",
  description:
    "One condition over a media field. `equals`/`not_equals` take `value`; `contains`/`not_contains` take a text `value` (membership for `tags`); `in`/`not_in` take `values`; `range` takes `min` and/or `max` (inclusive).",
  additionalProperties: false,
  required: ["field", "op"],
  properties: {
    field: {
      type: "string",
      title: "Field",
      description:
        "Media field: artist, title, album, genre, year, bpm, duration_ms, rating, tags, added_at (epoch ms), or `field:<name>` for a custom field.",
      pattern:
        "^(artist|title|album|genre|year|bpm|duration_ms|rating|tags|added_at|field:[A-Za-z0-9_.-]+)$",
    },
    op: {
      type: "string",
      title: "Operator",
      description: "How the field is compared.",
      enum: ["equals", "not_equals", "contains", "not_contains", "in", "not_in", "range"],
    },
    value: {
      type: ["string", "number", "boolean"],
      title: "Value",
      description: "Compared value of `equals`, `not_equals`, `contains`, `not_contains`.",
    },
    values: {
      type: "array",
      title: "Values",
      description: "Allowed (or, for `not_in`, excluded) values of `in` / `not_in`.",
      minItems: 1,
      items: {
        type: ["string", "number", "boolean"],
        title: "Value",
        description: "One value.",
      },
    },
    min: { type: "number", title: "Minimum", description: "Inclusive lower bound of `range`." },
    max: { type: "number", title: "Maximum", description: "Inclusive upper bound of `range`." },
  },
};

const filters: JsonSchema = {
  type: "array",
  title: "Filters",
  description: "Conditions a media item must all match (AND).",
  default: [],
  items: mediaFilter,
};

const clockSlot: JsonSchema = {
  type: "object",
  title: "Slot",
  description:
    "One part of the hour. `smart_block`, `playlist` and `webstream` slots name what they play in `ref`; a `stopset` or `hard_event` plays the media ids in `media`, or picks from the smart block in `ref`.",
  additionalProperties: false,
  required: ["id", "kind", "offset"],
  properties: {
    id: id("Slot id", "Identifier unique within the clock."),
    kind: {
      type: "string",
      title: "Kind",
      description: "What the slot plays.",
      enum: ["smart_block", "playlist", "stopset", "webstream", "live", "hard_event"],
    },
    offset: minutesSeconds(
      "Offset",
      "Where the slot starts, from the top of the hour; must be inside the hour.",
    ),
    duration: minutesSeconds(
      "Duration",
      "Planned length; the next slot's offset (or the hour end) bounds it when omitted.",
    ),
    ref: ref(
      "Reference",
      "Id of the smart block, playlist or webstream the slot plays (a smart block for stopsets and hard events).",
    ),
    media: {
      type: "array",
      title: "Media",
      description: "Media ids a stopset or hard event plays back to back.",
      minItems: 1,
      items: {
        type: "string",
        title: "Media id",
        description: "Id of a library item.",
        minLength: 1,
      },
    },
    timing: {
      type: "string",
      title: "Timing",
      description:
        "`hard` starts exactly at the offset, fading out what plays; `soft` waits for the current item to end. Hard events default to hard, other slots to soft.",
      enum: ["hard", "soft"],
    },
    fade_ms: {
      type: "integer",
      title: "Fade",
      description: "Fade applied to what plays when a hard slot cuts in, ms.",
      minimum: 0,
      maximum: 30000,
    },
  },
};

const hourRule: JsonSchema = {
  type: "object",
  title: "Hour rule",
  description: "Plays `clock` in the listed local hours; later rules win over earlier ones.",
  additionalProperties: false,
  required: ["hours", "clock"],
  properties: {
    hours: {
      type: ["string", "integer"],
      title: "Hours",
      description:
        'Local hour (0–23) or inclusive range "7-18"; a range whose end is before its start wraps past midnight ("22-5").',
      pattern: HOURS_PATTERN,
      minimum: 0,
      maximum: 23,
    },
    clock: ref("Clock", "Id of the clock played in those hours."),
  },
};

/** Schema of the planning sections of a station file; merged into `stationConfigSchema`. */
export const programmingProperties: Record<string, JsonSchema> = {
  clocks: {
    type: "array",
    title: "Clocks",
    description: "Hour templates: what plays at which minute of an hour.",
    default: [],
    items: {
      type: "object",
      title: "Clock",
      description: "An hour template made of slots ordered by offset.",
      additionalProperties: false,
      required: ["id", "slots"],
      properties: {
        id: id("Clock id", "Identifier unique among clocks."),
        name: name("Display name; the id when omitted."),
        description,
        slots: {
          type: "array",
          title: "Slots",
          description: "The parts of the hour; slots at the same offset play in file order.",
          minItems: 1,
          items: clockSlot,
        },
      },
    },
  },
  smart_blocks: {
    type: "array",
    title: "Smart blocks",
    description: "Rule-driven selections of media with rotation rules.",
    default: [],
    items: {
      type: "object",
      title: "Smart block",
      description: "Filters, a sort, a limit, quotas, rotation rules and a fill rule.",
      additionalProperties: false,
      required: ["id"],
      properties: {
        id: id("Smart block id", "Identifier unique among smart blocks."),
        name: name("Display name; the id when omitted."),
        description,
        filters,
        sort: {
          type: "object",
          title: "Sort",
          description: "How candidates are ordered before limits apply.",
          additionalProperties: false,
          default: { by: "random" },
          required: ["by"],
          properties: {
            by: {
              type: "string",
              title: "Sort by",
              description:
                "`random` (seeded), `least_recently_played`, `weighted` (random weighted by `field`) or `field` (by `field` and `direction`).",
              enum: ["random", "least_recently_played", "weighted", "field"],
            },
            field: {
              type: "string",
              title: "Field",
              description: "Media field `weighted` and `field` sorts read (as in filters).",
              pattern:
                "^(artist|title|album|genre|year|bpm|duration_ms|rating|tags|added_at|field:[A-Za-z0-9_.-]+)$",
            },
            direction: {
              type: "string",
              title: "Direction",
              description: "Order of a `field` sort.",
              enum: ["asc", "desc"],
              default: "asc",
            },
          },
        },
        limit: {
          type: "object",
          title: "Limit",
          description:
            "How much the block produces each time a slot uses it: `count` items, or `duration_minutes` of audio within `tolerance_sec`. One hour when omitted.",
          additionalProperties: false,
          properties: {
            count: {
              type: "integer",
              title: "Count",
              description: "Number of items.",
              minimum: 1,
              maximum: 1000,
            },
            duration_minutes: {
              type: "number",
              title: "Duration",
              description: "Length of audio to produce, minutes.",
              exclusiveMinimum: 0,
              maximum: 1440,
            },
            tolerance_sec: {
              type: "number",
              title: "Tolerance",
              description: "How far the produced length may miss `duration_minutes`, s.",
              minimum: 0,
              maximum: 3600,
              default: 20,
            },
          },
        },
        quotas: {
          type: "array",
          title: "Quotas",
          description: 'Minimum shares of the picks, e.g. 30 % tagged "new".',
          default: [],
          items: {
            type: "object",
            title: "Quota",
            description: "At least `percent` % of the picks must match `filters`.",
            additionalProperties: false,
            required: ["name", "filters", "percent"],
            properties: {
              name: name("Quota name, shown in the timeline's reasons (`quota:<name>`)."),
              filters,
              percent: {
                type: "number",
                title: "Percent",
                description: "Minimum share of picks, %.",
                minimum: 0,
                maximum: 100,
              },
            },
          },
        },
        rotation: {
          type: "object",
          title: "Rotation",
          description:
            "Separation rules; relaxed in a documented order (see docs/planner.md) when the library cannot satisfy them.",
          additionalProperties: false,
          default: {},
          properties: {
            track_repeat_hours: {
              type: "number",
              title: "Track repeat",
              description: "No repeat of the same track within this time, hours.",
              minimum: 0,
              maximum: 8760,
            },
            artist_separation_minutes: {
              type: "number",
              title: "Artist separation",
              description: "Minimum time between two tracks by the same artist, minutes.",
              minimum: 0,
              maximum: 10080,
            },
            title_separation_minutes: {
              type: "number",
              title: "Title separation",
              description: "Minimum time between two plays of the same title, minutes.",
              minimum: 0,
              maximum: 10080,
            },
            album_separation_minutes: {
              type: "number",
              title: "Album separation",
              description: "Minimum time between two tracks from the same album, minutes.",
              minimum: 0,
              maximum: 10080,
            },
          },
        },
        fill: {
          type: "object",
          title: "Fill",
          description:
            "What happens when the block comes up short of its slot: `none`, `filler` (top up from the smart block `smart_block`), `trim` (cut the last item at the slot end) or `fade` (fade it out over `fade_ms`).",
          additionalProperties: false,
          default: { kind: "none" },
          required: ["kind"],
          properties: {
            kind: {
              type: "string",
              title: "Fill kind",
              description: "The fill rule.",
              enum: ["none", "filler", "trim", "fade"],
            },
            smart_block: ref("Filler block", "Smart block id topping up a `filler` fill."),
            fade_ms: {
              type: "integer",
              title: "Fade",
              description: "Fade-out length of a `fade` fill, ms.",
              minimum: 0,
              maximum: 30000,
              default: 3000,
            },
          },
        },
      },
    },
  },
  playlists: {
    type: "array",
    title: "Playlists",
    description: "Hand-made lists of media.",
    default: [],
    items: {
      type: "object",
      title: "Playlist",
      description: "Media ids played in order or in a seeded shuffle.",
      additionalProperties: false,
      required: ["id", "items"],
      properties: {
        id: id("Playlist id", "Identifier unique among playlists."),
        name: name("Display name; the id when omitted."),
        description,
        items: {
          type: "array",
          title: "Items",
          description: "Media ids in play order.",
          items: {
            type: "string",
            title: "Media id",
            description: "Id of a library item.",
            minLength: 1,
          },
        },
        mode: {
          type: "string",
          title: "Mode",
          description: "`ordered` plays `items` in order; `shuffled` in a seeded random order.",
          enum: ["ordered", "shuffled"],
          default: "ordered",
        },
      },
    },
  },
  shows: {
    type: "array",
    title: "Shows",
    description:
      "Recurring programmes in the station's time zone; they take precedence over the clock assignment.",
    default: [],
    items: {
      type: "object",
      title: "Show",
      description:
        "A clock played at the times an RFC 5545 rule gives, on local wall time (a 20:00 show stays at 20:00 across DST changes).",
      additionalProperties: false,
      required: ["id", "start_local", "duration_minutes", "clock"],
      properties: {
        id: id("Show id", "Identifier unique among shows."),
        name: name("Display name; the id when omitted."),
        description,
        start_local: {
          type: "string",
          title: "First start",
          description:
            'First occurrence, local wall time in the station zone without offset: "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS".',
          pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$",
        },
        rrule: {
          type: "string",
          title: "Recurrence",
          description:
            'RFC 5545 RRULE body, e.g. "FREQ=WEEKLY;BYDAY=FR"; omitted for a one-off show.',
          minLength: 1,
        },
        duration_minutes: {
          type: "number",
          title: "Duration",
          description: "Length of each occurrence, minutes.",
          exclusiveMinimum: 0,
          maximum: 10080,
        },
        clock: ref("Clock", "Id of the clock that fills each hour of the show."),
        except_dates: {
          type: "array",
          title: "Except dates",
          description: "Local dates (YYYY-MM-DD) the show does not air, e.g. holidays.",
          default: [],
          items: {
            type: "string",
            title: "Date",
            description: "Local date, YYYY-MM-DD.",
            pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
          },
        },
        live: {
          type: "boolean",
          title: "Live",
          description: "True when a presenter is expected live (the live-scheduled tier).",
          default: false,
        },
      },
    },
  },
  overrides: {
    type: "array",
    title: "Overrides",
    description: "One-off replacements of the plan for a time range (holidays, specials).",
    default: [],
    items: {
      type: "object",
      title: "Override",
      description: "Plays `clock` (or relays `webstream`) from `starts_at` to `ends_at`.",
      additionalProperties: false,
      required: ["id", "starts_at", "ends_at"],
      properties: {
        id: id("Override id", "Identifier unique among overrides."),
        name: name("Display name; the id when omitted."),
        starts_at: {
          type: "string",
          title: "Starts at",
          description: 'Start, ISO-8601 with offset, e.g. "2026-12-25T00:00:00-05:00".',
          minLength: 1,
        },
        ends_at: {
          type: "string",
          title: "Ends at",
          description: "End (exclusive), ISO-8601 with offset; after `starts_at`.",
          minLength: 1,
        },
        clock: ref("Clock", "Id of the clock played instead."),
        webstream: ref("Webstream", "Id of the webstream relayed instead."),
        reason: { type: "string", title: "Reason", description: "Why the plan is replaced." },
      },
    },
  },
  clock_assignment: {
    type: "object",
    title: "Clock assignment",
    description:
      "Which clock plays in an hour no show or override claims: the `by_hour_of_week` rule for that local hour, else the `by_hour_of_day` rule, else `default`.",
    additionalProperties: false,
    properties: {
      default: ref("Default clock", "Clock of every hour no rule names."),
      by_hour_of_day: {
        type: "array",
        title: "By hour of day",
        description: "Clock per local hour of every day.",
        default: [],
        items: hourRule,
      },
      by_hour_of_week: {
        type: "array",
        title: "By hour of week",
        description: "Clock per local hour of the listed weekdays.",
        default: [],
        items: {
          ...hourRule,
          title: "Weekly hour rule",
          description:
            "Plays `clock` in the listed local hours of the listed days (a wrapping range stays on the listed day); later rules win.",
          required: ["days", "hours", "clock"],
          properties: {
            days: {
              type: "array",
              title: "Days",
              description: "Local weekdays the rule applies to.",
              minItems: 1,
              items: {
                type: "string",
                title: "Day",
                description: "Weekday.",
                enum: [...WEEKDAYS],
              },
            },
            ...hourRule.properties,
          },
        },
      },
    },
  },
  webstreams: {
    type: "array",
    title: "Webstreams",
    description: "HTTP/Icecast streams relayed on air by `webstream` slots and overrides.",
    default: [],
    items: {
      type: "object",
      title: "Webstream",
      description: "A relayed stream with backup URLs.",
      additionalProperties: false,
      required: ["id", "urls"],
      properties: {
        id: id("Webstream id", "Identifier unique among webstreams."),
        name: name("Display name; the id when omitted."),
        urls: {
          type: "array",
          title: "URLs",
          description: "Primary URL first, then backups in failover order.",
          minItems: 1,
          items: { type: "string", title: "URL", description: "http(s) stream URL.", minLength: 1 },
        },
        buffer_ms: {
          type: "integer",
          title: "Buffer",
          description: "Audio buffered before play, ms.",
          minimum: 0,
          maximum: 60000,
          default: 2000,
        },
        metadata_passthrough: {
          type: "boolean",
          title: "Metadata passthrough",
          description: "Pass the stream's ICY title through as now playing.",
          default: true,
        },
      },
    },
  },
  planner: {
    type: "object",
    title: "Planner",
    description: "How the rolling timeline is planned.",
    additionalProperties: false,
    default: {},
    properties: {
      seed: {
        type: "integer",
        title: "Seed",
        description:
          "Seed of every random choice; same rules, library, history and seed give the same timeline.",
        minimum: 0,
        maximum: 4294967295,
        default: 1,
      },
      hours: {
        type: "integer",
        title: "Window",
        description: "Length of the rolling window, hours.",
        minimum: 1,
        maximum: 336,
        default: 48,
      },
      frozen_minutes: {
        type: "integer",
        title: "Frozen horizon",
        description:
          "Already-published entries starting within this time from the window start are kept unchanged by a regeneration, minutes.",
        minimum: 0,
        maximum: 1440,
        default: 15,
      },
      crossfade_ms: {
        type: "integer",
        title: "Crossfade",
        description:
          "Overlap planned between consecutive soft items, ms; `crossfade.duration_ms` when omitted.",
        minimum: 0,
        maximum: 30000,
      },
      tolerance_sec: {
        type: "number",
        title: "Fill tolerance",
        description:
          "How far an hour may end early or late before it is reported as under- or over-filled, s.",
        minimum: 0,
        maximum: 600,
        default: 30,
      },
    },
  },
};

/** Weekday keys of `by_hour_of_week` rules, Monday first (index = day of week, Monday 0). */
export const WEEKDAY_KEYS: readonly string[] = WEEKDAYS;
