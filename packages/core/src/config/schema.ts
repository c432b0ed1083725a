import type { JsonSchema } from "./json-schema.js";
import { programmingProperties } from "./programming-schema.js";

const ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";

const format: JsonSchema = {
  type: "string",
  title: "Codec",
  description: "Audio codec the output encodes.",
  enum: ["mp3", "aac", "opus", "vorbis"],
  default: "mp3",
};

const bitrate: JsonSchema = {
  type: "integer",
  title: "Bitrate",
  description: "Encoder bitrate, kbit/s.",
  minimum: 8,
  maximum: 640,
  default: 128,
};

function outputType(name: string, description: string): JsonSchema {
  return { const: name, title: "Output type", description };
}

/** `$id` of {@link stationConfigSchema}. */
export const STATION_CONFIG_SCHEMA_ID = "https://grimnir.dev/schemas/station-config.json";

/**
 * JSON Schema (2020-12) of a station configuration file (YAML or JSON). It is
 * the source of the configuration reference (`docs/configuration.md`): every
 * property has a title and a description with its unit. Objects reject
 * unknown keys so that typos are reported. DSP node parameters are not in this
 * schema: they depend on the node type and are checked against the DSP node
 * registry (see `dspNodes`).
 */
export const stationConfigSchema: JsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: STATION_CONFIG_SCHEMA_ID,
  title: "Grimnir station configuration",
  description:
    "Declarative description of one station: identity, output mounts, the DSP chain, failover, the priority ladder, and the programming the planner turns into a timeline (clocks, smart blocks, playlists, shows, overrides, clock assignment, webstreams).",
  type: "object",
  additionalProperties: false,
  required: ["station", "mounts", "failover"],
  properties: {
    station: {
      type: "object",
      title: "Station",
      description: "Identity of the station.",
      additionalProperties: false,
      required: ["id", "name", "timezone"],
      properties: {
        id: {
          type: "string",
          title: "Station id",
          description: "Stable identifier of the station (e.g. a UUID).",
          minLength: 1,
        },
        name: {
          type: "string",
          title: "Name",
          description: 'Display name, e.g. "WGMR FM".',
          minLength: 1,
        },
        timezone: {
          type: "string",
          title: "Time zone",
          description:
            'IANA time zone name (e.g. "America/New_York"); shows and clocks are planned in it.',
          minLength: 1,
        },
        slug: {
          type: "string",
          title: "Slug",
          description:
            "Short URL-safe name used in stream paths (lower-case letters, digits and dashes).",
          pattern: "^[a-z0-9][a-z0-9-]*$",
        },
        description: {
          type: "string",
          title: "Description",
          description: "Free text shown in directories and the API.",
        },
      },
    },
    mounts: {
      type: "array",
      title: "Mounts",
      description: "Named mixes of the station, each encoded to one or more outputs.",
      minItems: 1,
      items: {
        type: "object",
        title: "Mount",
        description: "A named mix with its outputs.",
        additionalProperties: false,
        required: ["id", "name", "outputs"],
        properties: {
          id: {
            type: "string",
            title: "Mount id",
            description: "Identifier unique within the station (letters, digits, `_`, `.`, `-`).",
            pattern: ID_PATTERN,
          },
          name: {
            type: "string",
            title: "Name",
            description: "Display name of the mount.",
            minLength: 1,
          },
          outputs: {
            type: "array",
            title: "Outputs",
            description:
              "Encoder forks of the mount's mix; the audio is decoded and processed once.",
            minItems: 1,
            items: {
              type: "object",
              title: "Output",
              description: "One output; `type` selects which fields apply.",
              required: ["type"],
              properties: {
                type: {
                  type: "string",
                  title: "Output type",
                  description: "Which kind of output: icecast, http, hls or recording.",
                },
              },
              discriminator: { propertyName: "type" },
              oneOf: [
                {
                  type: "object",
                  title: "icecast",
                  description: "Pushes the stream to an Icecast server as a source client.",
                  additionalProperties: false,
                  required: ["type", "url"],
                  properties: {
                    type: outputType("icecast", "Push to an Icecast server."),
                    url: {
                      type: "string",
                      title: "Icecast URL",
                      description:
                        "`icecast://user:password@host:port/mount` of the Icecast mount to feed.",
                      minLength: 1,
                    },
                    format,
                    bitrate_kbps: bitrate,
                  },
                },
                {
                  type: "object",
                  title: "http",
                  description:
                    "Grimnir's own HTTP stream (with ICY metadata) under the server's stream prefix.",
                  additionalProperties: false,
                  required: ["type", "path"],
                  properties: {
                    type: outputType("http", "Serve the stream over HTTP."),
                    path: {
                      type: "string",
                      title: "Stream path",
                      description:
                        'Path under the stream prefix, e.g. "demo.mp3" for `/stream/demo.mp3`.',
                      pattern: "^[A-Za-z0-9][A-Za-z0-9_./-]*$",
                    },
                    format,
                    bitrate_kbps: bitrate,
                  },
                },
                {
                  type: "object",
                  title: "hls",
                  description: "HTTP Live Streaming segments and playlist written to a directory.",
                  additionalProperties: false,
                  required: ["type", "path"],
                  properties: {
                    type: outputType("hls", "Write HLS segments."),
                    path: {
                      type: "string",
                      title: "Directory",
                      description: "Directory the segments and playlist are written to.",
                      minLength: 1,
                    },
                    segment_duration_sec: {
                      type: "number",
                      title: "Segment duration",
                      description: "Target segment length, s.",
                      minimum: 1,
                      maximum: 60,
                      default: 6,
                    },
                    playlist_length: {
                      type: "integer",
                      title: "Playlist length",
                      description: "Segments kept in the live playlist.",
                      minimum: 2,
                      maximum: 100,
                      default: 6,
                    },
                    format: { ...format, default: "aac" },
                    bitrate_kbps: bitrate,
                  },
                },
                {
                  type: "object",
                  title: "recording",
                  description: "Rotating compliance / aircheck recording to a directory.",
                  additionalProperties: false,
                  required: ["type", "path"],
                  properties: {
                    type: outputType("recording", "Record to files."),
                    path: {
                      type: "string",
                      title: "Directory",
                      description: "Directory recordings are written to.",
                      minLength: 1,
                    },
                    rotation_days: {
                      type: "integer",
                      title: "Retention",
                      description: "Days recordings are kept before deletion.",
                      minimum: 1,
                      maximum: 3650,
                      default: 30,
                    },
                    file_minutes: {
                      type: "integer",
                      title: "File length",
                      description: "Length of each recording file, minutes.",
                      minimum: 1,
                      maximum: 1440,
                      default: 60,
                    },
                    format,
                    bitrate_kbps: bitrate,
                  },
                },
              ],
            },
          },
        },
      },
    },
    dsp_graph: {
      type: "object",
      title: "DSP graph",
      description: "The station's processing chain, applied to the program in order.",
      additionalProperties: false,
      default: { nodes: [] },
      properties: {
        nodes: {
          type: "array",
          title: "Nodes",
          description:
            "Processing nodes in signal order. Each has a `type`, an optional `id`, and the type's parameters side by side (see DSP node types).",
          default: [],
          items: {
            type: "object",
            title: "DSP node",
            description: "A node: `type`, optional `id`, and the parameters of that type.",
            required: ["type"],
            properties: {
              type: {
                type: "string",
                title: "Node type",
                description: "A registered DSP node type, e.g. `compressor`.",
                minLength: 1,
              },
              id: {
                type: "string",
                title: "Node id",
                description:
                  "Identifier unique within the graph; `<type>-<position>` when omitted.",
                pattern: ID_PATTERN,
              },
            },
          },
        },
      },
    },
    failover: {
      type: "object",
      title: "Failover",
      description: "What keeps the station on air when sources fail.",
      additionalProperties: false,
      required: ["emergency_audio_path"],
      properties: {
        live_timeout_sec: {
          type: "number",
          title: "Live timeout",
          description:
            "How long a live source may be silent or disconnected before automation resumes, s.",
          minimum: 1,
          maximum: 3600,
          default: 30,
        },
        automation_fallback_enabled: {
          type: "boolean",
          title: "Automation fallback",
          description: "Fall back to the fallback playlist when the timeline has nothing to play.",
          default: true,
        },
        emergency_audio_path: {
          type: "string",
          title: "Emergency audio",
          description:
            "File played when everything else fails (dead-air prevention of last resort).",
          minLength: 1,
        },
        fallback_playlist: {
          type: "string",
          title: "Fallback playlist",
          description: "Id of the playlist played at fallback priority.",
          minLength: 1,
        },
      },
    },
    priorities: {
      type: "object",
      title: "Priorities",
      description:
        "The five-tier priority ladder (lower number wins). Fixed: stated here for readability, it must read emergency 0, live_override 1, live_scheduled 2, automation 3, fallback 4.",
      additionalProperties: false,
      required: ["emergency", "live_override", "live_scheduled", "automation", "fallback"],
      properties: {
        emergency: {
          type: "integer",
          title: "Emergency",
          description: "Emergency alerts (EAS); must be 0.",
          minimum: 0,
          maximum: 4,
        },
        live_override: {
          type: "integer",
          title: "Live override",
          description: "Manual DJ takeover; must be 1.",
          minimum: 0,
          maximum: 4,
        },
        live_scheduled: {
          type: "integer",
          title: "Live scheduled",
          description: "Booked live shows; must be 2.",
          minimum: 0,
          maximum: 4,
        },
        automation: {
          type: "integer",
          title: "Automation",
          description: "Playout from the timeline; must be 3.",
          minimum: 0,
          maximum: 4,
        },
        fallback: {
          type: "integer",
          title: "Fallback",
          description: "Dead-air prevention audio; must be 4.",
          minimum: 0,
          maximum: 4,
        },
      },
    },
    crossfade: {
      type: "object",
      title: "Crossfade",
      description: "Default transition between consecutive automation items.",
      additionalProperties: false,
      default: {},
      properties: {
        duration_ms: {
          type: "integer",
          title: "Duration",
          description: "Overlap of the outgoing and incoming items, ms (0 = cut).",
          minimum: 0,
          maximum: 30000,
          default: 2000,
        },
        curve: {
          type: "string",
          title: "Curve",
          description: "Shape of the gain ramps.",
          enum: ["linear", "log", "exp", "scurve"],
          default: "scurve",
        },
      },
    },
    loudness_target_lufs: {
      type: "number",
      title: "Loudness target",
      description: "Integrated loudness each item is gained to before the DSP chain, LUFS.",
      minimum: -70,
      maximum: 0,
      default: -16,
    },
    preload_sec: {
      type: "number",
      title: "Preload",
      description:
        "How long before its planned start the next item is preloaded (opened and decoded), s.",
      minimum: 1,
      maximum: 300,
      default: 30,
    },
    ...programmingProperties,
  },
};
