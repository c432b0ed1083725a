import { describe, expect, it } from "vitest";
import { encoderArgs, toS16, type EncoderConfig, type IcecastTarget } from "./encoder.js";

const mount = (name: string): IcecastTarget => ({
  host: "127.0.0.1",
  port: 8000,
  mount: `/${name}.mp3`,
  username: "source",
  password: "hackme",
});

describe("toS16", () => {
  it("rounds float samples to 16-bit and clips beyond full scale", () => {
    const bytes = toS16(Float32Array.from([0, 0.5, -0.5, 1, -1, 1.5, -2, 1 / 65536, -3 / 65536]));
    const ints = [];
    for (let i = 0; i < bytes.length; i += 2) ints.push(bytes.readInt16LE(i));
    expect(ints).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768, 1, -1]);
  });
});

describe("encoderArgs", () => {
  it("takes 16-bit PCM and hangs a single Icecast output off the encoder without a tee", () => {
    const config: EncoderConfig = {
      sampleRate: 44100,
      encodings: [{ codec: "mp3", bitrateKbps: 128, icecast: [mount("a")], stream: false }],
    };
    const line = encoderArgs(config).join(" ");
    expect(line).toContain("pcm-format=s16le sample-rate=44100 num-channels=2");
    expect(line).toContain("lamemp3enc target=bitrate bitrate=128 cbr=true ! shout2send");
    expect(line).not.toContain("tee");
    expect(line).not.toContain("queue");
  });

  it("tees an encoding with several outputs, one queue each", () => {
    const config: EncoderConfig = {
      sampleRate: 44100,
      encodings: [
        { codec: "mp3", bitrateKbps: 128, icecast: [mount("a"), mount("b")], stream: true },
      ],
    };
    const line = encoderArgs(config).join(" ");
    expect(line).toContain("lamemp3enc target=bitrate bitrate=128 cbr=true ! tee name=t0");
    expect(line.match(/t0\. ! queue ! /g)).toHaveLength(3);
    expect(line).toContain("t0. ! queue ! fdsink fd=3");
  });
});
