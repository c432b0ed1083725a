import { describe, expect, it } from "vitest";
import type { IcecastTarget } from "../gst/encoder.js";
import { HttpStreamMount } from "../outputs/http-stream.js";
import { planEncodings, type StationOutputs } from "./output-feed.js";

function icecast(mount: string): IcecastTarget {
  return { host: "127.0.0.1", port: 8000, mount, username: "source", password: "hackme" };
}

function outputs(extra: Partial<StationOutputs>): StationOutputs {
  return { icecast: [], http: [], hls: [], recordings: [], ...extra };
}

describe("planEncodings", () => {
  it("shares one encoder branch among outputs with the same codec and bitrate", () => {
    const web = new HttpStreamMount("web", 128, "mp3");
    const hls = { directory: "/tmp", name: "main", segmentSeconds: 6, playlistLength: 5 };
    const plan = planEncodings(
      outputs({
        icecast: [{ name: "ice", target: icecast("/a.mp3"), codec: "mp3", bitrateKbps: 128 }],
        hls: [{ ...hls, bitrateKbps: 128 }],
        http: [{ name: "web", mount: web }],
      }),
    );
    expect(plan.encodings).toEqual([
      {
        codec: "mp3",
        bitrateKbps: 128,
        icecast: [icecast("/a.mp3")],
        hls: [{ ...hls, bitrateKbps: 128 }],
        stream: true,
      },
    ]);
    expect(plan.httpMounts).toEqual([[web]]);
  });

  it("opens a branch per distinct codec or bitrate, in order of first use, streaming only where HTTP mounts listen", () => {
    const aac = new HttpStreamMount("aac", 96, "aac");
    const low = new HttpStreamMount("low", 64, "mp3");
    const plan = planEncodings(
      outputs({
        icecast: [
          { name: "opus", target: icecast("/o.ogg"), codec: "opus", bitrateKbps: 96 },
          { name: "hi", target: icecast("/hi.mp3"), codec: "mp3", bitrateKbps: 128 },
        ],
        http: [
          { name: "aac", mount: aac },
          { name: "low", mount: low },
        ],
      }),
    );
    expect(plan.encodings.map((e) => [e.codec, e.bitrateKbps, e.stream])).toEqual([
      ["opus", 96, false],
      ["mp3", 128, false],
      ["aac", 96, true],
      ["mp3", 64, true],
    ]);
    expect(plan.httpMounts).toEqual([[], [], [aac], [low]]);
  });

  it("streams an AAC Icecast output's branch to the engine (its source client) instead of a shout2send sink", () => {
    const aac = new HttpStreamMount("aac", 96, "aac");
    const plan = planEncodings(
      outputs({
        icecast: [
          { name: "aacice", target: icecast("/a.aac"), codec: "aac", bitrateKbps: 96 },
          { name: "vb", target: icecast("/v.ogg"), codec: "vorbis", bitrateKbps: 112 },
          { name: "aaclow", target: icecast("/low.aac"), codec: "aac", bitrateKbps: 48 },
        ],
        http: [{ name: "aac", mount: aac }],
      }),
    );
    expect(plan.encodings.map((e) => [e.codec, e.bitrateKbps, e.stream, e.icecast])).toEqual([
      // Shared with the AAC HTTP mount of the same bitrate: one fdsink for both.
      ["aac", 96, true, []],
      ["vorbis", 112, false, [icecast("/v.ogg")]],
      ["aac", 48, true, []],
    ]);
    expect(plan.httpMounts).toEqual([[aac], [], []]);
  });

  it("plans no branch for a station without encoded outputs", () => {
    expect(planEncodings(outputs({}))).toEqual({ encodings: [], httpMounts: [] });
  });
});
