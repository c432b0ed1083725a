import { describe, expect, it } from "vitest";
import {
  gstSourceDescription,
  parseLiveInputUri,
  rtpCaps,
  rtpInputUri,
  srtInputUri,
} from "./input-uri.js";

describe("live input URIs", () => {
  it("builds and parses SRT URIs", () => {
    const uri = srtInputUri({
      host: "0.0.0.0",
      port: 9000,
      mode: "listener",
      passphrase: "0123456789ab",
    });
    expect(uri).toBe("srt://0.0.0.0:9000?mode=listener&latency=120&passphrase=0123456789ab");
    const parsed = parseLiveInputUri(uri);
    expect(parsed).toMatchObject({
      kind: "srt",
      host: "0.0.0.0",
      port: 9000,
      mode: "listener",
      latencyMs: 120,
    });
    expect(gstSourceDescription(parsed)).toContain('srtsrc uri="srt://0.0.0.0:9000?mode=listener');
  });

  it("builds and parses RTP URIs with the caps GStreamer needs", () => {
    const uri = rtpInputUri({
      host: "0.0.0.0",
      port: 5004,
      encoding: "L16",
      clockRate: 44100,
      channels: 2,
    });
    const parsed = parseLiveInputUri(uri);
    expect(parsed).toMatchObject({
      kind: "rtp",
      encoding: "L16",
      clockRate: 44100,
      channels: 2,
      payloadType: 96,
    });
    if (parsed.kind !== "rtp") throw new Error("expected rtp");
    expect(rtpCaps(parsed)).toBe(
      "application/x-rtp,media=(string)audio,clock-rate=(int)44100,encoding-name=(string)L16,payload=(int)96,encoding-params=(string)2,channels=(int)2",
    );
    expect(gstSourceDescription(parsed)).toMatch(
      /^udpsrc address=0\.0\.0\.0 port=5004 caps=".*" ! rtpjitterbuffer latency=200 ! rtpL16depay$/,
    );
    expect(parseLiveInputUri("rtp://239.1.1.1:5004?encoding-name=OPUS")).toMatchObject({
      clockRate: 48000,
    });
  });

  it("rejects bad URIs with VALIDATION naming the problem", () => {
    const bad: [string, RegExp][] = [
      ["ftp://x:1", /scheme ftp/],
      ["srt://host:0", /port must be/],
      ["srt://host:9000?mode=server", /mode must be/],
      ["srt://host:9000?passphrase=short", /passphrase/],
      ["rtp://host:5004?encoding-name=PCMU", /encoding-name/],
      ["rtp://host:5004?encoding-name=OPUS&clock-rate=44100", /OPUS needs/],
      ["not a uri", /not a URI/],
    ];
    for (const [uri, reason] of bad) {
      expect(() => parseLiveInputUri(uri), uri).toThrow(reason);
      try {
        parseLiveInputUri(uri);
      } catch (err) {
        expect(err).toMatchObject({ code: "VALIDATION", details: { field: "inputUri" } });
      }
    }
    expect(parseLiveInputUri("icecast://127.0.0.1:8000/live")).toEqual({
      kind: "http",
      url: "http://127.0.0.1:8000/live",
    });
  });
});
