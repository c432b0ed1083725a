import { describe, expect, it } from "vitest";
import { containerOfContentType, sniffAudio } from "./sniff.js";

describe("sniffAudio", () => {
  it("recognises MP3 frames, ID3 tags, ADTS and Ogg pages", () => {
    expect(sniffAudio(Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0]))).toEqual({
      container: "mp3",
      id3: false,
    });
    expect(
      sniffAudio(
        Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 2, 0, 0, 0xff, 0xfb, 0x90, 0x64]),
      ),
    ).toEqual({ container: "mp3", id3: true });
    expect(sniffAudio(Buffer.from([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f]))).toEqual({
      container: "aac",
      id3: false,
    });
    const ogg = Buffer.alloc(27 + 1 + 19);
    ogg.write("OggS", 0, "latin1");
    ogg[26] = 1;
    ogg[27] = 19;
    ogg.write("OpusHead", 28, "latin1");
    expect(sniffAudio(ogg)).toEqual({ container: "ogg", codec: "opus", id3: false });
  });

  it("rejects text, HTML and invalid frame headers", () => {
    expect(sniffAudio(Buffer.from("<html><body>hello</body></html>"))).toBeUndefined();
    expect(sniffAudio(Buffer.from([0xff, 0xfb, 0xf0, 0x00]))).toBeUndefined(); // bitrate index 15
    expect(sniffAudio(Buffer.from([0xff, 0xeb, 0x90, 0x00]))).toBeUndefined(); // reserved version
    expect(sniffAudio(Buffer.from([0xff]))).toBeUndefined();
  });

  it("maps content types to containers, ignoring parameters and case", () => {
    expect(containerOfContentType("Audio/MPEG; charset=x")).toBe("mp3");
    expect(containerOfContentType("application/ogg")).toBe("ogg");
    expect(containerOfContentType("audio/aacp")).toBe("aac");
    expect(containerOfContentType("video/mp4")).toBeUndefined();
  });
});
