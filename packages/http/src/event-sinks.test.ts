import type { ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import type { BusEvent } from "@grimnir/core";
import type { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { EncodedEvent, EventBatch } from "./event-encoding.js";
import { MAX_BUFFERED_BYTES, SseSink, WebSocketSink } from "./event-sinks.js";

const batchOf = (...titles: string[]): EventBatch =>
  new EventBatch(
    titles.map(
      (title, i) =>
        new EncodedEvent({
          v: 1,
          id: `e${i}`,
          topic: "now_playing",
          stationId: "A",
          at: 1,
          payload: { title, startedAt: 1, priority: 3 },
        } as BusEvent),
    ),
  );

/** The parts of a ws WebSocket the sink touches, recorded. */
function fakeWebSocket(options: { stream?: PassThrough; extensions?: string; buffered?: number }) {
  const sent: Array<{ data: Buffer; binary: boolean }> = [];
  const closes: Array<[number, string]> = [];
  const socket = {
    _socket: options.stream,
    extensions: options.extensions ?? "",
    readyState: 1,
    bufferedAmount: options.buffered ?? 0,
    send: (data: Buffer, opts: { binary: boolean }) => sent.push({ data, binary: opts.binary }),
    close: (code: number, reason: string) => closes.push([code, reason]),
  };
  return { socket, ws: socket as unknown as WebSocket, sent, closes };
}

describe("WebSocketSink", () => {
  it("writes a burst's shared pre-built frames to the TCP stream in one call", () => {
    const stream = new PassThrough();
    const writes: Buffer[] = [];
    stream.write = ((chunk: Buffer) => writes.push(chunk) > 0) as typeof stream.write;
    const { ws, sent } = fakeWebSocket({ stream });
    const sink = new WebSocketSink(ws);
    const batch = batchOf("one", "two");
    sink.deliver(batch);
    expect(sink.writesFramesDirectly).toBe(true);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toBe(batch.webSocketFrames);
    expect(sent).toEqual([]);
  });

  it("falls back to ws.send per event when compression was negotiated or the stream is not reachable", () => {
    for (const options of [{ stream: new PassThrough(), extensions: "permessage-deflate" }, {}]) {
      const { ws, sent } = fakeWebSocket(options);
      const sink = new WebSocketSink(ws);
      const batch = batchOf("one", "two");
      sink.deliver(batch);
      expect(sink.writesFramesDirectly).toBe(false);
      expect(sent).toEqual(batch.events.map((e) => ({ data: e.json, binary: false })));
    }
  });

  it("closes a client that lags more than 1 MiB with 1013 and writes nothing to a closed one", () => {
    const slow = fakeWebSocket({ buffered: MAX_BUFFERED_BYTES + 1 });
    new WebSocketSink(slow.ws).deliver(batchOf("late"));
    expect(slow.closes).toEqual([[1013, "too slow: events are being dropped"]]);
    expect(slow.sent).toEqual([]);

    const gone = fakeWebSocket({});
    gone.socket.readyState = 3;
    new WebSocketSink(gone.ws).deliver(batchOf("late"));
    expect([gone.sent, gone.closes]).toEqual([[], []]);
  });
});

describe("SseSink", () => {
  function fakeResponse() {
    const written: Array<Buffer | string> = [];
    const res = { writableLength: 0, ended: 0, write: (c: Buffer | string) => written.push(c) > 0 };
    return {
      res,
      written,
      raw: Object.assign(res, { end: () => void res.ended++ }) as unknown as ServerResponse,
    };
  }

  it("writes the shared SSE messages of a batch in one call", () => {
    const { raw, written } = fakeResponse();
    const sink = new SseSink(raw, () => undefined);
    const batch = batchOf("one", "two");
    sink.deliver(batch);
    expect(written).toEqual([batch.sseMessages]);
  });

  it("ends a stream that lags more than 1 MiB once, and writes nothing after", () => {
    const { raw, res, written } = fakeResponse();
    let ends = 0;
    const sink = new SseSink(raw, () => ends++);
    res.writableLength = MAX_BUFFERED_BYTES + 1;
    sink.deliver(batchOf("late"));
    sink.end();
    sink.writeText(": keep-alive\n\n");
    expect([ends, res.ended, written, sink.open]).toEqual([1, 1, [], false]);
  });
});
