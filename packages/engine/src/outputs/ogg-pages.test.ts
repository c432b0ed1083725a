import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { HttpStreamMount } from "./http-stream.js";
import { OggPageSplitter, OggStreamHeaders } from "./ogg-pages.js";

/** An Ogg page (CRC left 0: nothing here checks it) with `body` in one or more lacing segments. */
function page(opts: { granule: bigint; seq: number; bos?: boolean; body: Buffer }): Buffer {
  const lacing: number[] = [];
  let left = opts.body.length;
  do {
    lacing.push(Math.min(255, left));
    left -= 255;
  } while (left >= 0);
  const header = Buffer.alloc(27 + lacing.length);
  header.write("OggS", 0, "latin1");
  header[4] = 0;
  header[5] = opts.bos === true ? 0x02 : 0;
  header.writeBigInt64LE(opts.granule, 6);
  header.writeUInt32LE(0x1234, 14);
  header.writeUInt32LE(opts.seq, 18);
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  return Buffer.concat([header, opts.body]);
}

/** A stream's pages: OpusHead (BOS), OpusTags, then `audio` audio pages of growing granule. */
function stream(audio: number, serialText = "a"): Buffer[] {
  const pages = [
    page({ granule: 0n, seq: 0, bos: true, body: Buffer.from(`OpusHead-${serialText}`) }),
    page({ granule: 0n, seq: 1, body: Buffer.from(`OpusTags-${serialText}`.padEnd(300, ".")) }),
  ];
  for (let i = 0; i < audio; i++) {
    pages.push(
      page({ granule: BigInt((i + 1) * 960), seq: i + 2, body: Buffer.alloc(400 + i, i) }),
    );
  }
  return pages;
}

/** `bytes` cut into chunks of varying sizes, as a pipe delivers them. */
function chunked(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, n = 1; at < bytes.length; n = (n * 7 + 3) % 701) {
    out.push(bytes.subarray(at, at + n + 1));
    at += n + 1;
  }
  return out;
}

describe("OggPageSplitter", () => {
  it("returns the exact pages whatever the chunking, with their BOS flag and granule", () => {
    const pages = stream(5);
    const splitter = new OggPageSplitter();
    const got = chunked(Buffer.concat(pages)).flatMap((c) => splitter.push(c));
    expect(got.map((p) => p.bytes)).toEqual(pages);
    expect(got.map((p) => p.beginsStream)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(got.map((p) => p.granule)).toEqual([0n, 0n, 960n, 1920n, 2880n, 3840n, 4800n]);
  });

  it("skips bytes that are not a page until the next capture pattern", () => {
    const pages = stream(2);
    const splitter = new OggPageSplitter();
    const got = [
      ...splitter.push(Buffer.from("garbage OggS but version 9")),
      ...splitter.push(Buffer.concat(pages)),
    ];
    expect(got.map((p) => p.bytes)).toEqual(pages);
  });
});

describe("OggStreamHeaders", () => {
  it("keeps the header pages of the current stream and replaces them when a new stream starts", () => {
    const headers = new OggStreamHeaders();
    const splitter = new OggPageSplitter();
    const first = stream(2, "first");
    const second = stream(1, "second");
    const flags = splitter.push(Buffer.concat(first)).map((p) => headers.note(p));
    expect(flags).toEqual([true, true, false, false]);
    expect(headers.pages).toEqual(first.slice(0, 2));
    splitter.push(Buffer.concat(second)).forEach((p) => headers.note(p));
    expect(headers.pages).toEqual(second.slice(0, 2));
  });
});

/** A listener response that records what it is sent. */
function fakeListener(): { req: IncomingMessage; res: ServerResponse; body: () => Buffer } {
  const written: Buffer[] = [];
  const res = {
    writableLength: 0,
    headers: {} as Record<string, string>,
    writeHead(_status: number, headers: Record<string, string>) {
      this.headers = headers;
      return this;
    },
    write(chunk: Buffer) {
      written.push(Buffer.from(chunk));
      return true;
    },
    on() {
      return this;
    },
  };
  return {
    req: { headers: { "icy-metadata": "1" } } as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    body: () => Buffer.concat(written),
  };
}

describe("HttpStreamMount with Ogg Opus", () => {
  it("starts a late listener with the header pages, then whole audio pages, and no ICY metadata", () => {
    const mount = new HttpStreamMount("demo", 96, "opus");
    const pages = stream(4);
    const bytes = Buffer.concat(pages);
    // Everything up to the middle of the 3rd audio page arrives before the listener joins.
    const cut = pages.slice(0, 4).reduce((n, p) => n + p.length, 0) + 100;
    chunked(bytes.subarray(0, cut)).forEach((c) => mount.write(c));
    const early = fakeListener();
    mount.attach(early.req, early.res);
    chunked(bytes.subarray(cut)).forEach((c) => mount.write(c));
    // Headers, then the audio pages it joined for (burst + live), never a partial page.
    expect(early.body()).toEqual(Buffer.concat(pages));
    expect((early.res as unknown as { headers: Record<string, string> }).headers).toMatchObject({
      "Content-Type": "audio/ogg",
    });
    expect(
      (early.res as unknown as { headers: Record<string, string> }).headers["icy-metaint"],
    ).toBeUndefined();
  });

  it("gives a listener joining after the burst window the headers and then a page boundary", () => {
    const mount = new HttpStreamMount("demo", 96, "opus");
    const pages = stream(120);
    chunked(Buffer.concat(pages)).forEach((c) => mount.write(c));
    const late = fakeListener();
    mount.attach(late.req, late.res);
    const body = late.body();
    const headerBytes = Buffer.concat(pages.slice(0, 2));
    expect(body.subarray(0, headerBytes.length)).toEqual(headerBytes);
    // What follows the headers is a run of whole pages ending with the newest one.
    const rest = body.subarray(headerBytes.length);
    const got = new OggPageSplitter().push(rest).map((p) => p.bytes);
    expect(Buffer.concat(got)).toEqual(rest);
    expect(got.length).toBeGreaterThan(10);
    expect(got.length).toBeLessThan(118);
    expect(got.at(-1)).toEqual(pages.at(-1));
  });
});
