import { describe, expect, it } from "vitest";
import { parseLiveInputUri } from "@grimnir/live";
import { gstLaunchArgs, liveInputPipeline, parseInputUri } from "./live-input.js";

describe("live input decoder pipeline", () => {
  it("keeps quoted values (URLs with ? and &) in one gst-launch token", () => {
    expect(
      gstLaunchArgs('souphttpsrc location="http://h:8000/live/a?x=1&y=2" is-live=true ! decodebin'),
    ).toEqual([
      "souphttpsrc",
      'location="http://h:8000/live/a?x=1&y=2"',
      "is-live=true",
      "!",
      "decodebin",
    ]);
  });

  it("decodes the harbor's re-serve URL with souphttpsrc to stereo F32LE at the mixer rate", () => {
    const args = liveInputPipeline(parseLiveInputUri("http://127.0.0.1:8010/live/studio"), 44100);
    expect(args.slice(0, 3)).toEqual([
      "-q",
      "souphttpsrc",
      'location="http://127.0.0.1:8010/live/studio"',
    ]);
    expect(args).toContain("audio/x-raw,format=F32LE,rate=44100,channels=2,layout=interleaved");
    expect(args.slice(-2)).toEqual(["fdsink", "fd=1"]);
  });

  it("decodes a known MP3 content type with the MP3 parser instead of typefinding", () => {
    const input = parseLiveInputUri("http://127.0.0.1:8010/live/studio");
    const mp3 = liveInputPipeline(input, 44100, "audio/mpeg; charset=binary");
    expect(mp3).not.toContain("decodebin");
    expect(mp3.slice(mp3.indexOf("mpegaudioparse"), mp3.indexOf("mpegaudioparse") + 3)).toEqual([
      "mpegaudioparse",
      "!",
      "mpg123audiodec",
    ]);
    expect(liveInputPipeline(input, 44100, "audio/ogg")).toContain("decodebin");
    expect(liveInputPipeline(input, 44100)).toContain("decodebin");
  });

  it("builds SRT and RTP sources from their URIs", () => {
    const srt = liveInputPipeline(
      parseLiveInputUri("srt://10.0.0.5:9000?mode=listener&latency=200"),
      44100,
    );
    expect(srt[1]).toBe("srtsrc");
    expect(srt[2]).toBe('uri="srt://10.0.0.5:9000?mode=listener&latency=200"');
    const rtp = liveInputPipeline(
      parseLiveInputUri("rtp://0.0.0.0:5004?encoding-name=OPUS&clock-rate=48000"),
      44100,
    );
    expect(rtp.slice(1, 3)).toEqual(["udpsrc", "address=0.0.0.0"]);
    expect(rtp).toContain("rtpopusdepay");
    expect(rtp).toContain("opusdec");
  });

  it("rejects what is not a live input, naming input_uri", () => {
    for (const uri of ["", "ftp://x/y", "srt://host", "rtp://h:5004?encoding-name=MP3", 42]) {
      expect(() => parseInputUri(uri)).toThrow(
        expect.objectContaining({
          code: "VALIDATION",
          details: expect.objectContaining({ field: "input_uri" }),
        }),
      );
    }
    expect(parseInputUri("icecast://127.0.0.1:8000/live")).toEqual({
      kind: "http",
      url: "http://127.0.0.1:8000/live",
    });
  });
});
