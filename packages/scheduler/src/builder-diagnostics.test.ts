import type { SmartBlock } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import { BuilderDiagnostics, formatSeconds } from "./builder-diagnostics.js";
import type { Diagnostic } from "./types.js";

const block = { id: "music" } as SmartBlock;
const HOUR = 3_600_000;

describe("BuilderDiagnostics", () => {
  it("reports each key once and an unknown reference once per code and refs", () => {
    const sink: Diagnostic[] = [];
    const log = new BuilderDiagnostics("UTC", sink);
    const d: Diagnostic = { code: "block_empty", severity: "error", message: "m", refs: {} };
    log.report("k", d);
    log.report("k", { ...d, message: "other" });
    log.unknown("unknown_media", "no such media", { mediaId: "x" });
    log.unknown("unknown_media", "no such media", { mediaId: "x" });
    log.unknown("unknown_media", "no such media", { mediaId: "y" });
    expect(sink.map((s) => s.message)).toEqual(["m", "no such media", "no such media"]);
    expect(sink[1]).toMatchObject({ severity: "warning", refs: { mediaId: "x" } });
  });

  it("counts relaxations per local hour, block and rule set", () => {
    const log = new BuilderDiagnostics("UTC", []);
    log.noteRelaxation(block, ["artist"], 10 * HOUR);
    log.noteRelaxation(block, ["artist"], 10 * HOUR + 60_000);
    log.noteRelaxation(block, ["artist"], 11 * HOUR);
    log.noteRelaxation(block, [], 11 * HOUR);
    const out = log.relaxationDiagnostics();
    expect(out.map((d) => [d.at, d.refs.rules, d.message.match(/\((\d+) picks?/)?.[1]])).toEqual([
      [10 * HOUR, "artist", "2"],
      [11 * HOUR, "artist", "1"],
      [11 * HOUR, "rotation", "1"],
    ]);
    expect(out[0]!.message).toMatch(/ \(2 picks this hour\)$/);
    expect(out[1]!.message).toMatch(/ \(1 pick this hour\)$/);
    expect(out[0]!.message).toContain("1970-01-01T10:00:00");
  });
});

describe("formatSeconds", () => {
  it("rounds to a tenth of a second", () => {
    expect(formatSeconds(12_345)).toBe("12.3");
    expect(formatSeconds(12_350)).toBe("12.4");
    expect(formatSeconds(0)).toBe("0.0");
  });
});
