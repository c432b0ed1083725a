import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isGrimnirError } from "../errors.js";
import { formatProblem, loadStationConfig, parseStationConfig } from "./loader.js";
import type { ConfigProblem } from "./problems.js";

const EXAMPLES = fileURLToPath(new URL("../../../../examples/stations/", import.meta.url));

const BASE = `station:
  id: demo
  name: Demo
  timezone: UTC
mounts:
  - id: main
    name: Main
    outputs:
      - type: http
        path: demo.mp3
        format: mp3
        bitrate_kbps: 128
dsp_graph:
  nodes:
    - type: compressor
      ratio: 3
    - type: limiter
      threshold_db: -1
failover:
  emergency_audio_path: media/emergency.mp3
`;

/** Replace `search` (which must occur) in the base config. */
function edit(search: string, replacement: string, text = BASE): string {
  expect(text).toContain(search);
  return text.replace(search, replacement);
}

/** Every problem of an invalid config, formatted `file:line:col: message`. */
function problems(text: string): string[] {
  try {
    parseStationConfig(text, "station.yaml");
  } catch (error) {
    if (isGrimnirError(error, "CONFIG_INVALID")) {
      return (error.details.problems as ConfigProblem[]).map(formatProblem);
    }
    throw error;
  }
  throw new Error("expected the configuration to be invalid");
}

describe("parseStationConfig on malformed files", () => {
  it("reports an unterminated quoted string at its opening quote", () => {
    expect(problems(edit("  name: Demo\n", '  name: "Demo\n'))).toEqual([
      'station.yaml:3:9: unterminated quoted string: missing closing "',
    ]);
  });

  it("reports an unclosed flow sequence", () => {
    expect(problems(edit("bitrate_kbps: 128", "bitrate_kbps: [128"))).toEqual([
      "station.yaml:13:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("reports a tab used as indentation and every YAML error that follows from it", () => {
    expect(problems(edit("  name: Demo\n", "\tname: Demo\n"))).toEqual([
      "station.yaml:3:1: tabs are not allowed as indentation; indent with spaces",
      "station.yaml:3:8: Nested mappings are not allowed in compact mappings",
      "station.yaml:3:8: Implicit keys need to be on a single line",
    ]);
  });

  it("reports a key indented less than its siblings", () => {
    expect(problems(edit("  name: Demo\n", " name: Demo\n"))[0]).toBe(
      "station.yaml:3:1: All mapping items must start at the same column",
    );
  });

  it("reports a duplicated key with its name", () => {
    expect(problems(edit("  name: Demo\n", "  name: Demo\n  name: Other\n"))).toEqual([
      'station.yaml:4:3: duplicate key "name": map keys must be unique',
    ]);
  });

  it("reports a value of the wrong type at the value", () => {
    expect(problems(edit("bitrate_kbps: 128", "bitrate_kbps: fast"))).toEqual([
      'station.yaml:12:23: mounts[0].outputs[0].bitrate_kbps must be an integer (got "fast")',
    ]);
  });

  it("reports a negative bitrate", () => {
    expect(problems(edit("bitrate_kbps: 128", "bitrate_kbps: -64"))).toEqual([
      "station.yaml:12:23: mounts[0].outputs[0].bitrate_kbps must be >= 8 (got -64)",
    ]);
  });

  it("reports an unknown top-level key at the key, suggesting the likely one", () => {
    expect(problems(`${BASE}dsp:\n  nodes: []\n`)).toEqual([
      'station.yaml:21:1: unknown key "dsp" in the top level; did you mean "dsp_graph"?',
    ]);
  });

  it("reports a misspelt output field at the key", () => {
    expect(problems(edit("bitrate_kbps: 128", "bitrate: 128"))).toEqual([
      'station.yaml:12:9: unknown key "bitrate" in mounts[0].outputs[0]; did you mean "bitrate_kbps"?',
    ]);
  });

  it("lists every unknown key's alternatives when nothing is close", () => {
    expect(problems(edit("  timezone: UTC\n", "  timezone: UTC\n  frequency: 98.7\n"))).toEqual([
      'station.yaml:5:3: unknown key "frequency" in station; expected one of: id, name, timezone, slug, description',
    ]);
  });

  it("reports an unknown DSP node type and lists the known ones", () => {
    expect(problems(edit("type: compressor", "type: compresor"))).toEqual([
      'station.yaml:15:13: dsp_graph.nodes[0].type: unknown DSP node type "compresor"; known types: agc, compressor, duck, equalizer, gate, level_meter, limiter, loudness_normalize, mix, silence_detector, sink, source',
    ]);
  });

  it("reports a limiter threshold outside its dB range", () => {
    expect(problems(edit("threshold_db: -1", "threshold_db: -30"))).toEqual([
      "station.yaml:18:21: dsp_graph.nodes[1].threshold_db must be >= -20 (got -30)",
    ]);
  });

  it("reports a compressor ratio above 20:1", () => {
    expect(problems(edit("ratio: 3", "ratio: 40"))).toEqual([
      "station.yaml:16:14: dsp_graph.nodes[0].ratio must be <= 20 (got 40)",
    ]);
  });

  it("reports an unknown DSP parameter at its key", () => {
    expect(problems(edit("ratio: 3", "ratio: 3\n      ratioo: 4"))).toEqual([
      'station.yaml:17:7: unknown key "ratioo" in dsp_graph.nodes[0] (compressor); did you mean "ratio"?',
    ]);
  });

  it("reports a graphic equalizer with the wrong number of bands", () => {
    const text = edit(
      "- type: limiter",
      "- type: equalizer\n      mode: graphic10\n      gains: [1, 2, 3]\n    - type: limiter",
    );
    expect(problems(text)).toEqual([
      "station.yaml:19:14: dsp_graph.nodes[1].gains must have exactly 10 items (got 3)",
    ]);
  });

  it("reports a mix whose gains do not match its inputs", () => {
    const text = edit(
      "- type: limiter",
      "- type: mix\n      inputs: [automation, live]\n      gains_db: [0]\n    - type: limiter",
    );
    expect(problems(text)).toEqual([
      "station.yaml:19:17: dsp_graph.nodes[1].gains_db must have one gain per input (2), got 1",
    ]);
  });

  it("reports a time zone that is not an IANA name", () => {
    expect(problems(edit("timezone: UTC", "timezone: Mars/Olympus_Mons"))).toEqual([
      'station.yaml:4:13: station.timezone must be an IANA time zone name such as "America/New_York" (got "Mars/Olympus_Mons")',
    ]);
  });

  it("reports duplicate mount ids at the second one", () => {
    const text = edit(
      "dsp_graph:",
      "  - id: main\n    name: Backup\n    outputs:\n      - type: http\n        path: backup.mp3\ndsp_graph:",
    );
    expect(problems(text)).toEqual([
      'station.yaml:13:9: mounts[1].id "main" duplicates mounts[0].id; mount ids must be unique',
    ]);
  });

  it("reports duplicate DSP node ids", () => {
    const text = edit(
      "- type: limiter",
      "- type: limiter\n      id: comp",
      edit("- type: compressor", "- type: compressor\n      id: comp"),
    );
    expect(problems(text)).toEqual([
      'station.yaml:19:11: dsp_graph.nodes[1].id "comp" duplicates dsp_graph.nodes[0].id; DSP node ids must be unique',
    ]);
  });

  it("reports an explicit node id that collides with a generated one", () => {
    expect(problems(edit("- type: limiter", "- type: limiter\n      id: compressor-1"))).toEqual([
      'station.yaml:18:11: dsp_graph.nodes[1].id "compressor-1" duplicates the id generated for dsp_graph.nodes[0]; DSP node ids must be unique',
    ]);
  });

  it("reports two outputs writing the same path", () => {
    const text = edit(
      "        bitrate_kbps: 128\n",
      "        bitrate_kbps: 128\n      - type: http\n        path: demo.mp3\n",
    );
    expect(problems(text)).toEqual([
      'station.yaml:14:15: mounts[0].outputs[1].path "demo.mp3" duplicates mounts[0].outputs[0].path; each output needs its own path',
    ]);
  });

  it("reports every priority that breaks the fixed ladder", () => {
    const text = `${BASE}priorities:\n  emergency: 0\n  live_override: 2\n  live_scheduled: 1\n  automation: 3\n  fallback: 4\n`;
    const ladder =
      "the ladder is fixed: emergency 0, live_override 1, live_scheduled 2, automation 3, fallback 4";
    expect(problems(text)).toEqual([
      `station.yaml:23:18: priorities.live_override must be 1 (got 2); ${ladder}`,
      `station.yaml:24:19: priorities.live_scheduled must be 2 (got 1); ${ladder}`,
    ]);
  });

  it("reports a missing required field at the object that lacks it", () => {
    expect(problems(edit("  timezone: UTC\n", ""))).toEqual([
      "station.yaml:1:1: station.timezone is required",
    ]);
  });

  it("reports a missing required section at the top of the file", () => {
    expect(problems(edit("failover:\n  emergency_audio_path: media/emergency.mp3\n", ""))).toEqual([
      "station.yaml:1:1: failover is required",
    ]);
  });

  it("reports a codec that is not one of the supported formats", () => {
    expect(problems(edit("format: mp3", "format: wav"))).toEqual([
      'station.yaml:11:17: mounts[0].outputs[0].format must be one of "mp3", "aac", "opus", "vorbis" (got "wav")',
    ]);
  });

  it("reports an output type that does not exist", () => {
    expect(problems(edit("- type: http", "- type: rtmp"))).toEqual([
      'station.yaml:9:15: mounts[0].outputs[0].type must be one of "icecast", "http", "hls", "recording" (got "rtmp")',
    ]);
  });

  it("reports an Icecast URL without a scheme", () => {
    expect(
      problems(
        edit(
          "- type: http\n        path: demo.mp3",
          '- type: icecast\n        url: "localhost:8000"',
        ),
      ),
    ).toEqual([
      'station.yaml:10:14: mounts[0].outputs[0].url must be an Icecast URL like "icecast://source:password@host:8000/mount"; scheme must be icecast, http or https (got "localhost")',
    ]);
  });

  it("reports an Icecast URL without a mount and never prints its password", () => {
    const text = edit(
      "- type: http\n        path: demo.mp3",
      '- type: icecast\n        url: "icecast://source:hackme@localhost:8000/"',
    );
    const [problem] = problems(text);
    expect(problem).toBe(
      'station.yaml:10:14: mounts[0].outputs[0].url must be an Icecast URL like "icecast://source:password@host:8000/mount"; the mount path is missing (got "icecast://source:***@localhost:8000/")',
    );
    expect(problem).not.toContain("hackme");
  });

  it("reports an empty value where a string is required", () => {
    expect(problems(edit("timezone: UTC", "timezone:"))).toEqual([
      "station.yaml:4:12: station.timezone must be a string (got nothing)",
    ]);
  });

  it("reports an empty file", () => {
    expect(problems("")).toEqual([
      "station.yaml:1:1: the file is empty; expected a mapping with station, mounts and failover",
    ]);
  });

  it("reports a document that is not a mapping", () => {
    expect(problems("- a\n- b\n")).toEqual([
      "station.yaml:1:1: the top level must be a mapping (got a list of 2 items)",
    ]);
  });

  it("reports several problems at once, in file order", () => {
    const text = edit(
      "format: mp3",
      "format: flac",
      edit("ratio: 3", "ratio: 0.5", edit("timezone: UTC", "timezone: Nowhere/City")),
    );
    expect(problems(text)).toEqual([
      'station.yaml:4:13: station.timezone must be an IANA time zone name such as "America/New_York" (got "Nowhere/City")',
      'station.yaml:11:17: mounts[0].outputs[0].format must be one of "mp3", "aac", "opus", "vorbis" (got "flac")',
      "station.yaml:16:14: dsp_graph.nodes[0].ratio must be >= 1 (got 0.5)",
    ]);
  });

  it("throws CONFIG_INVALID whose message lists the problems and whose details locate the first", () => {
    let thrown: unknown;
    try {
      parseStationConfig(edit("ratio: 3", "ratio: 40"), "station.yaml");
    } catch (error) {
      thrown = error;
    }
    expect(isGrimnirError(thrown, "CONFIG_INVALID")).toBe(true);
    const error = thrown as { message: string; details: Record<string, unknown> };
    expect(error.message).toBe(
      "station.yaml is not a valid station configuration (1 problem):\nstation.yaml:16:14: dsp_graph.nodes[0].ratio must be <= 20 (got 40)",
    );
    expect(error.details).toMatchObject({
      file: "station.yaml",
      line: 16,
      column: 14,
      pointer: "/dsp_graph/nodes/0/ratio",
    });
  });
});

describe("parseStationConfig on valid files", () => {
  it("loads the design brief's WGMR example unchanged", async () => {
    const { config, problems: warnings } = await loadStationConfig(join(EXAMPLES, "wgmr.yaml"));
    expect(warnings).toEqual([]);
    expect(config.station).toEqual({ id: "uuid", name: "WGMR FM", timezone: "America/New_York" });
    expect(config.mounts).toHaveLength(1);
    expect(config.mounts[0]?.outputs.map((o) => o.type)).toEqual(["icecast", "hls", "recording"]);
    expect(config.dspGraph.nodes.map((n) => n.type)).toEqual([
      "loudness_normalize",
      "agc",
      "compressor",
      "limiter",
    ]);
    expect(config.priorities).toEqual({
      emergency: 0,
      live_override: 1,
      live_scheduled: 2,
      automation: 3,
      fallback: 4,
    });
  });

  it("loads the demo station with its HTTP output at demo.mp3", async () => {
    const { config } = await loadStationConfig(join(EXAMPLES, "demo.yaml"));
    expect(config.mounts[0]?.outputs).toEqual([
      { type: "http", path: "demo.mp3", format: "mp3", bitrateKbps: 128 },
    ]);
  });

  it("maps snake_case keys to the camelCase domain object and fills defaults", async () => {
    const { config } = await loadStationConfig(join(EXAMPLES, "wgmr.yaml"));
    expect(config.mounts[0]?.outputs).toEqual([
      {
        type: "icecast",
        url: "icecast://source:password@localhost:8000/stream",
        format: "mp3",
        bitrateKbps: 128,
      },
      {
        type: "hls",
        path: "/var/www/hls/wgmr",
        segmentDurationSec: 4,
        playlistLength: 6,
        format: "aac",
        bitrateKbps: 128,
      },
      {
        type: "recording",
        path: "/var/recordings/wgmr",
        rotationDays: 30,
        fileMinutes: 60,
        format: "mp3",
        bitrateKbps: 128,
      },
    ]);
    expect(config.failover).toEqual({
      liveTimeoutSec: 30,
      automationFallbackEnabled: true,
      emergencyAudioPath: "/media/emergency.mp3",
    });
    expect(config.crossfade).toEqual({ durationMs: 2000, curve: "scurve" });
    expect(config.loudnessTargetLufs).toBe(-16);
    expect(config.preloadSec).toBe(30);
    expect(config.dspGraph.nodes[2]).toEqual({
      id: "compressor-3",
      type: "compressor",
      params: {
        threshold_db: -20,
        ratio: 3,
        knee_db: 6,
        attack_ms: 5,
        release_ms: 50,
        makeup_db: 0,
      },
    });
  });

  it("keeps explicit node ids, optional station fields and the fallback playlist", () => {
    const text = edit(
      "failover:\n  emergency_audio_path: media/emergency.mp3\n",
      "failover:\n  emergency_audio_path: media/emergency.mp3\n  fallback_playlist: overnight\n  live_timeout_sec: 5\n",
      edit(
        "- type: limiter",
        "- type: limiter\n      id: final",
        edit("  timezone: UTC\n", "  timezone: UTC\n  slug: demo\n"),
      ),
    );
    const { config } = parseStationConfig(text, "station.yaml");
    expect(config.station.slug).toBe("demo");
    expect(config.dspGraph.nodes.map((n) => n.id)).toEqual(["compressor-1", "final"]);
    expect(config.failover).toMatchObject({ fallbackPlaylist: "overnight", liveTimeoutSec: 5 });
  });

  it("defaults an absent DSP graph to an empty chain", () => {
    const { config } = parseStationConfig(
      edit(
        "dsp_graph:\n  nodes:\n    - type: compressor\n      ratio: 3\n    - type: limiter\n      threshold_db: -1\n",
        "",
      ),
      "s.yaml",
    );
    expect(config.dspGraph).toEqual({ nodes: [] });
  });
});

describe("loadStationConfig", () => {
  it("rejects a missing file with NOT_FOUND naming the file", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "grimnir-config-")), "absent.yaml");
    await expect(loadStationConfig(missing)).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: `cannot read station configuration ${JSON.stringify(missing)}: no such file`,
    });
  });

  it("locates problems in a file on disk by its path", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "grimnir-config-")), "bad.yaml");
    writeFileSync(file, edit("ratio: 3", "ratio: 40"));
    await expect(loadStationConfig(file)).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      details: {
        problems: [
          {
            file,
            line: 16,
            column: 14,
            message: "dsp_graph.nodes[0].ratio must be <= 20 (got 40)",
          },
        ],
      },
    });
  });
});
