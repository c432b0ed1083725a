import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { encodeIcyMetadata, IcyDemuxer, parseIcyMetadata, readIcyTitle } from "./icy.js";

describe("ICY metadata", () => {
  it("parses StreamTitle and StreamUrl, keeping apostrophes inside titles", () => {
    expect(
      parseIcyMetadata("StreamTitle='Guns N' Roses - Don't Cry';StreamUrl='http://x';\0\0"),
    ).toEqual({
      StreamTitle: "Guns N' Roses - Don't Cry",
      StreamUrl: "http://x",
    });
    expect(parseIcyMetadata("")).toEqual({});
  });

  it("splits an icy-metaint stream into audio and titles across any chunking", () => {
    const metaint = 8;
    const audio = Buffer.from("abcdefghijklmnopqrstuvwx");
    const stream = Buffer.concat([
      audio.subarray(0, 8),
      encodeIcyMetadata({ StreamTitle: "First - Song" }),
      audio.subarray(8, 16),
      Buffer.from([0]),
      audio.subarray(16, 24),
      encodeIcyMetadata({ StreamTitle: "Zoë - Café" }),
    ]);
    for (const size of [1, 3, 7, stream.length]) {
      const titles: string[] = [];
      const demux = new IcyDemuxer(metaint, (m) => titles.push(m.StreamTitle!));
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size)
        out.push(demux.push(stream.subarray(i, i + size)));
      expect(Buffer.concat(out).toString()).toBe(audio.toString());
      expect(titles).toEqual(["First - Song", "Zoë - Café"]);
    }
    expect(() => new IcyDemuxer(0, () => undefined)).toThrow(RangeError);
  });

  it("reads the first StreamTitle from a server that sends icy-metaint", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "icy-metaint": "4", "content-type": "audio/mpeg" });
      res.write(
        Buffer.concat([
          Buffer.from("aaaa"),
          Buffer.from([0]),
          Buffer.from("bbbb"),
          encodeIcyMetadata({ StreamTitle: "Relay - Title" }),
        ]),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await readIcyTitle(`http://127.0.0.1:${port}/`, 2000)).toEqual({
        metaint: 4,
        title: "Relay - Title",
      });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
