import type { ServerResponse } from "node:http";
import { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { EventBatch } from "./event-encoding.js";
import type { EventSink } from "./event-fanout.js";

/** A stream with more than this much unsent data is too slow: WebSocket closes, SSE ends. */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/** `WebSocket.OPEN`, without importing `ws` at runtime (it comes with @fastify/websocket). */
const OPEN = 1;

/**
 * The TCP socket under `socket` when pre-built frames may be written to it
 * directly: no extension was negotiated (permessage-deflate would need ws to
 * compress) and ws exposes the stream it writes to. Otherwise undefined, and
 * frames go through `socket.send`.
 */
function rawStreamOf(socket: WebSocket): Duplex | undefined {
  if (socket.extensions !== "") return undefined;
  // `_socket` is ws's own field (stable through ws 8); checked, never assumed.
  const stream = (socket as unknown as { _socket?: unknown })._socket;
  return stream instanceof Duplex ? stream : undefined;
}

/**
 * A WebSocket event stream. Frames are written whole and synchronously, so
 * they never interleave with ws's own control frames (ping, close).
 */
export class WebSocketSink implements EventSink {
  readonly #socket: WebSocket;
  readonly #stream: Duplex | undefined;

  /** `socket` must be open (its handshake done). */
  constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#stream = rawStreamOf(socket);
  }

  /** Whether frames bypass `ws.send` (one write of the shared pre-built buffer). */
  get writesFramesDirectly(): boolean {
    return this.#stream !== undefined;
  }

  /** Write every event of `batch` in one call; close with 1013 when the client lags 1 MiB. */
  deliver(batch: EventBatch): void {
    const socket = this.#socket;
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.close(1013, "too slow: events are being dropped");
      return;
    }
    if (this.#stream !== undefined) {
      this.#stream.write(batch.webSocketFrames);
      return;
    }
    for (const event of batch.events) socket.send(event.json, { binary: false });
  }

  /** Close with 1001 (going away). */
  close(): void {
    this.#socket.close(1001, "server shutting down");
  }
}

/** A Server-Sent Events stream on a hijacked response whose headers are already written. */
export class SseSink implements EventSink {
  readonly #res: ServerResponse;
  readonly #onEnd: () => void;
  #open = true;

  /** `onEnd` runs once, when the stream ends for any reason (client gone, too slow, shutdown). */
  constructor(res: ServerResponse, onEnd: () => void) {
    this.#res = res;
    this.#onEnd = onEnd;
  }

  /** Whether the stream has not ended yet. */
  get open(): boolean {
    return this.#open;
  }

  /** Write every event of `batch` in one call; end the stream when the client lags 1 MiB. */
  deliver(batch: EventBatch): void {
    if (!this.#open) return;
    if (this.#res.writableLength > MAX_BUFFERED_BYTES) return this.end();
    this.#res.write(batch.sseMessages);
  }

  /** Write protocol text that is not an event (retry, ready, heartbeat comment, error). */
  writeText(text: string): void {
    if (this.#open) this.#res.write(text);
  }

  /** End the response (idempotent). */
  end(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#onEnd();
    this.#res.end();
  }

  /** Same as {@link SseSink.end}. */
  close(): void {
    this.end();
  }
}
