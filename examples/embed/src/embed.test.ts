import { describe, expect, it } from "vitest";
import { embedStation } from "./embed.js";

describe("examples/embed", () => {
  it("puts the planned timeline on the air, item after item, in planned order", async () => {
    const printed: string[] = [];
    const { planned, onAir } = await embedStation({ print: (np) => printed.push(np.title ?? "") });

    // 20 simulated minutes: the top-of-hour ID and several 2.5–6 min tracks.
    expect(onAir.length).toBeGreaterThanOrEqual(4);
    expect(printed).toEqual(onAir.map((np) => np.title ?? ""));

    // Each event names a planned entry, with its media, and they follow the plan exactly.
    const aired = onAir.map((np) => planned.findIndex((p) => p.id === np.entryId));
    expect(aired).toEqual(aired.map((_, i) => i));
    expect(onAir.map((np) => np.mediaId)).toEqual(
      planned.slice(0, onAir.length).map((p) => p.mediaId),
    );
    expect(onAir[0]?.mediaId).toBe("jingle-001"); // the hard-timed station ID at :00
    const starts = onAir.map((np) => np.startedAt);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });
});
