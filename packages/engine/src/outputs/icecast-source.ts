import { connect, type Socket } from "node:net";
import type { IcecastTarget } from "../gst/encoder.js";

/** How an {@link IcecastSourceClient} connects to its mount. */
export interface IcecastSourceOptions {
  /** Where to send: host, port, mount and source credentials (see `parseIcecastUrl`). */
  target: IcecastTarget;
  /** `Content-Type` of the stream, e.g. `audio/aac` for ADTS frames. */
  contentType: string;
  /** Stream name sent as `ice-name` (line breaks become spaces). */
  name: string;
  /** Called with a message naming the mount each time a connection attempt fails or a connection drops. */
  onFailure: (message: string) => void;
  /** Called each time Icecast accepts the stream (first `100` or `200` status). */
  onConnected?: () => void;
  /** First reconnect delay, ms (doubles per failure up to `maxBackoffMs`; back to this after a success). Default 500. */
  minBackoffMs?: number;
  /** Longest reconnect delay, ms. Default 5000. */
  maxBackoffMs?: number;
  /** A chunk is dropped while the socket holds more than this many unsent bytes. Default 1 MiB. */
  maxQueuedBytes?: number;
  /** How long to wait for connection and status line before giving up on an attempt, ms. Default 5000. */
  answerTimeoutMs?: number;
}

/** Longest status line we wait for before calling the answer malformed. */
const MAX_HEAD_BYTES = 8192;

/**
 * Icecast source client over a plain TCP socket: `PUT /mount HTTP/1.1` with
 * Basic auth and `Expect: 100-continue`; once Icecast answers `100` or `200`
 * the bytes given to {@link IcecastSourceClient.write} go out raw (no chunked
 * encoding, as Icecast 2.4 and ffmpeg's icecast protocol expect).
 *
 * Guarantees, as befits the audio path: `write` never blocks and never
 * buffers without bound — bytes written while not connected are dropped, and
 * so is a chunk arriving while more than `maxQueuedBytes` wait in the socket.
 * After any failure (refused connection, 401/403, other status, dropped
 * connection, no answer in time) `onFailure` is called and the client
 * reconnects after 0.5 s, doubling to 5 s, until {@link IcecastSourceClient.close}.
 */
export class IcecastSourceClient {
  readonly #options: IcecastSourceOptions;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxQueuedBytes: number;
  readonly #answerTimeoutMs: number;
  #socket: Socket | undefined;
  #streaming = false;
  #closed = false;
  #backoffMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;

  /** Connect to `options.target` at once. */
  constructor(options: IcecastSourceOptions) {
    this.#options = options;
    this.#minBackoffMs = options.minBackoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 5000;
    this.#backoffMs = this.#minBackoffMs;
    this.#connect();
  }

  /** The mount's target, as given. */
  get target(): IcecastTarget {
    return this.#options.target;
  }

  /** True while Icecast has accepted the stream and bytes go out. */
  get connected(): boolean {
    return this.#streaming;
  }

  /** Bytes dropped so far (not connected, or the socket's backlog over `maxQueuedBytes`). */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** Send `chunk` when connected and the socket is not backed up; drop it otherwise. Never throws. */
  write(chunk: Buffer): void {
    const socket = this.#socket;
    if (!this.#streaming || !socket || socket.writableLength > this.#maxQueuedBytes) {
      this.#dropped += chunk.length;
      return;
    }
    socket.write(chunk);
  }

  /** End the stream for good: no more reconnects; what is queued is flushed, then the socket closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#streaming = false;
    clearTimeout(this.#timer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.end();
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  #describe(): string {
    const { host, port, mount } = this.#options.target;
    return `Icecast mount ${mount} at ${host}:${port}`;
  }

  #connect(): void {
    const { target, contentType, name } = this.#options;
    const socket = connect({ host: target.host, port: target.port });
    this.#socket = socket;
    socket.setNoDelay(true);
    let head = "";
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(answerTimer);
      socket.destroy();
      if (this.#socket !== socket || this.#closed) return;
      this.#socket = undefined;
      this.#streaming = false;
      const delay = this.#backoffMs;
      this.#backoffMs = Math.min(this.#backoffMs * 2, this.#maxBackoffMs);
      this.#options.onFailure(
        `${this.#describe()}: ${reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`,
      );
      this.#timer = setTimeout(() => {
        if (!this.#closed) this.#connect();
      }, delay);
    };
    const answerTimer = setTimeout(
      () => fail(`no answer within ${this.#answerTimeoutMs} ms`),
      this.#answerTimeoutMs,
    );
    socket.on("connect", () => {
      const auth = Buffer.from(`${target.username}:${target.password}`).toString("base64");
      const oneLine = (s: string): string => s.replace(/[\r\n]+/g, " ");
      socket.write(
        [
          `PUT ${encodeURI(target.mount)} HTTP/1.1`,
          `Host: ${target.host}:${target.port}`,
          `Authorization: Basic ${auth}`,
          "User-Agent: grimnir-engine",
          `Content-Type: ${oneLine(contentType)}`,
          "ice-public: 0",
          `ice-name: ${oneLine(name)}`,
          "Expect: 100-continue",
          "",
          "",
        ].join("\r\n"),
      );
    });
    socket.on("data", (data: Buffer) => {
      // After the first status line, whatever Icecast says (a late 200 after 100) needs no answer.
      if (settled || this.#streaming) return;
      head += data.toString("latin1");
      const end = head.indexOf("\r\n");
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) fail("malformed answer (no status line)");
        return;
      }
      const statusLine = head.slice(0, end);
      const status = /^(?:HTTP\/1\.[01]|ICE\/1\.0) (\d{3})/.exec(statusLine)?.[1];
      if (status === "100" || status === "200") {
        clearTimeout(answerTimer);
        this.#streaming = true;
        this.#backoffMs = this.#minBackoffMs;
        this.#options.onConnected?.();
      } else if (status === "401" || status === "403") {
        fail(
          `source login refused (${statusLine.trim()}): check the username and password in icecast_url, and that no other source holds the mount`,
        );
      } else {
        fail(`unexpected answer "${statusLine.trim().slice(0, 200)}"`);
      }
    });
    socket.on("error", (err) => fail(err.message));
    socket.on("close", () =>
      fail(this.#streaming ? "connection dropped" : "connection closed before an answer"),
    );
  }
}
