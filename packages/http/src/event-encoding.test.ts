import type { Writable } from "node:stream";
import type { BusEvent } from "@grimnir/core";
import { describe, expect, it } from "vitest";
import { EncodedEvent, EventBatch, webSocketTextFrame } from "./event-encoding.js";

/** ws's own frame parser (client side), which @types/ws does not declare. */
type Receiver = Writable & {
  on(event: "message", listener: (data: Buffer, isBinary: boolean) => void): Receiver;
};
const { Receiver } = (await import("ws")) as unknown as {
  Receiver: new (options: { isServer: boolean }) => Receiver;
};

/** Feed `bytes` to a WebSocket client's parser and return the text messages it sees. */
async function decodeAsClient(bytes: Buffer): Promise<string[]> {
  const receiver = new Receiver({ isServer: false });
  const messages: string[] = [];
  receiver.on("message", (data, isBinary) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString("utf8"));
  });
  await new Promise<void>((resolve, reject) =>
    receiver.write(bytes, (error) => (error ? reject(error) : resolve())),
  );
  return messages;
}

const event = (id: string, title: string): BusEvent =>
  ({
    v: 1,
    id,
    topic: "now_playing",
    stationId: "st-a",
    at: 1_700_000_000_000,
    payload: { title, startedAt: 1_700_000_000_000, priority: 3 },
  }) as BusEvent;

describe("webSocketTextFrame", () => {
  it("frames text that a WebSocket client decodes back, with 7-bit, 16-bit and 64-bit lengths", async () => {
    const texts = [0, 5, 125, 126, 65_535, 65_536, 70_000].map(
      (n) => "é".repeat(n >> 1) + "x".repeat(n & 1),
    );
    const frames = texts.map((text) => webSocketTextFrame(Buffer.from(text)));
    expect(frames.map((frame, i) => frame.length - Buffer.byteLength(texts[i]!))).toEqual([
      2, 2, 2, 4, 4, 10, 10,
    ]);
    expect(await decodeAsClient(Buffer.concat(frames))).toEqual(texts);
  });
});

describe("EncodedEvent and EventBatch", () => {
  it("serialises an event once and hands out the same buffers every time", () => {
    const encoded = new EncodedEvent(event("e1", "Song"));
    expect(encoded.json).toBe(encoded.json);
    expect(JSON.parse(encoded.json.toString())).toEqual(event("e1", "Song"));
    expect(encoded.webSocketFrame).toBe(encoded.webSocketFrame);
    expect(encoded.sseMessage.toString()).toBe(
      `id: e1\nevent: now_playing\ndata: ${JSON.stringify(event("e1", "Song"))}\n\n`,
    );
  });

  it("joins a burst into one buffer per transport, in publish order, and reuses a lone event's own frame", async () => {
    const first = new EncodedEvent(event("e1", "One"));
    const second = new EncodedEvent(event("e2", "Two"));
    const burst = new EventBatch([first, second]);
    expect(burst.webSocketFrames).toBe(burst.webSocketFrames);
    expect(await decodeAsClient(burst.webSocketFrames)).toEqual([
      first.json.toString(),
      second.json.toString(),
    ]);
    expect(burst.sseMessages.toString()).toBe(
      first.sseMessage.toString() + second.sseMessage.toString(),
    );
    const lone = new EventBatch([first]);
    expect(lone.webSocketFrames).toBe(first.webSocketFrame);
    expect(lone.sseMessages).toBe(first.sseMessage);
    expect(() => new EventBatch([])).toThrow(RangeError);
  });
});
