import type { BusEvent } from "@grimnir/core";

/** RFC 6455 opcode of a text frame, with FIN set: the whole message in one frame. */
const FIN_TEXT = 0x81;

/**
 * One unmasked, uncompressed, final WebSocket text frame carrying `payload`
 * (UTF-8 JSON), header and payload in one buffer so a socket writes it in one
 * call. Server-to-client frames are never masked (RFC 6455 §5.1).
 */
export function webSocketTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (headerLength === 2) {
    frame[1] = length;
  } else if (headerLength === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/**
 * One bus event, serialised at most once whatever the number of streams that
 * receive it: JSON, a WebSocket frame and an SSE message are each built on
 * first use and then shared (callers must not modify the buffers).
 */
export class EncodedEvent {
  /** The envelope as published on the bus. */
  readonly event: BusEvent;
  #json: Buffer | undefined;
  #webSocketFrame: Buffer | undefined;
  #sseMessage: Buffer | undefined;

  constructor(event: BusEvent) {
    this.event = event;
  }

  /** The envelope as UTF-8 JSON. */
  get json(): Buffer {
    return (this.#json ??= Buffer.from(JSON.stringify(this.event)));
  }

  /** The envelope as one complete WebSocket text frame. */
  get webSocketFrame(): Buffer {
    return (this.#webSocketFrame ??= webSocketTextFrame(this.json));
  }

  /** The envelope as one Server-Sent Events message (`id`, `event: <topic>`, `data`). */
  get sseMessage(): Buffer {
    // JSON.stringify never emits a raw newline, so the envelope fits on one `data:` line.
    return (this.#sseMessage ??= Buffer.concat([
      Buffer.from(`id: ${this.event.id}\nevent: ${this.event.topic}\ndata: `),
      this.json,
      Buffer.from("\n\n"),
    ]));
  }
}

/**
 * The events of one flush that one audience may see, in publish order, encoded
 * once for every stream of that audience (and of any other audience that sees
 * the same events): one buffer per transport, written with one call per stream.
 */
export class EventBatch {
  /** The events, in publish order; never empty. */
  readonly events: readonly EncodedEvent[];
  #webSocketFrames: Buffer | undefined;
  #sseMessages: Buffer | undefined;

  constructor(events: readonly EncodedEvent[]) {
    if (events.length === 0) throw new RangeError("an event batch needs at least one event");
    this.events = events;
  }

  /** Every event as a WebSocket text frame, back to back. */
  get webSocketFrames(): Buffer {
    return (this.#webSocketFrames ??= joined(this.events, (e) => e.webSocketFrame));
  }

  /** Every event as an SSE message, back to back. */
  get sseMessages(): Buffer {
    return (this.#sseMessages ??= joined(this.events, (e) => e.sseMessage));
  }
}

/** The one event's buffer itself (no copy), or the concatenation of several. */
function joined(events: readonly EncodedEvent[], part: (event: EncodedEvent) => Buffer): Buffer {
  return events.length === 1 ? part(events[0]!) : Buffer.concat(events.map(part));
}
