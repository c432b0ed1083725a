import type { Socket } from "node:net";
import { isGrimnirError } from "@grimnir/core";
import { headEnd, parseHead, type RequestHead } from "./raw-http.js";

/** Refuse the request on `socket` with `status` (0: drop it) and a one-line reason. */
export type RefuseRequest = (
  socket: Socket,
  status: number,
  reason: string,
  mount?: string,
  dropped?: boolean,
  headers?: Record<string, string>,
) => void;

/**
 * Read an HTTP (or Icecast `SOURCE`) request head off a fresh connection and
 * hand it to `onHead` with the bytes that followed it, the socket paused.
 * Refuses a head not complete within `headerTimeoutMs` (408, dropped), one
 * over `maxHeaderBytes` (431) and one that is not HTTP (400); `onHead` is
 * then never called.
 */
export function readRequestHead(
  socket: Socket,
  limits: { maxHeaderBytes: number; headerTimeoutMs: number },
  refuse: RefuseRequest,
  onHead: (head: RequestHead, rest: Buffer) => void,
): void {
  let buffered = Buffer.alloc(0);
  const timer = setTimeout(() => {
    refuse(socket, 408, "request head not complete in time", undefined, true);
  }, limits.headerTimeoutMs);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = headEnd(buffered);
    if (end < 0) {
      if (buffered.length > limits.maxHeaderBytes) {
        clearTimeout(timer);
        socket.off("data", onData);
        refuse(socket, 431, `request head larger than ${limits.maxHeaderBytes} bytes`);
      }
      return;
    }
    clearTimeout(timer);
    socket.off("data", onData);
    socket.pause();
    const head = parseHead(buffered.subarray(0, end).toString("latin1"));
    if (head === undefined) {
      refuse(socket, 400, "not an HTTP request");
      return;
    }
    onHead(head, buffered.subarray(end));
  };
  socket.on("data", onData);
  socket.on("close", () => clearTimeout(timer));
}

/**
 * HTTP status and reason for a credential or conflict error from the live
 * service: 401 wrong password, 403 used/expired token or wrong mount, 409
 * busy mount, 400 invalid request; undefined for any other error.
 */
export function refusalOf(err: unknown): { status: number; reason: string } | undefined {
  if (!isGrimnirError(err)) return undefined;
  const reason =
    typeof err.details.reason === "string" ? `${err.message} (${err.details.reason})` : err.message;
  switch (err.code) {
    case "UNAUTHORIZED":
      return err.details.reason === "used" || err.details.reason === "expired"
        ? { status: 403, reason }
        : { status: 401, reason: `wrong password: ${err.message}` };
    case "FORBIDDEN":
      return { status: 403, reason };
    case "CONFLICT":
      return { status: 409, reason };
    case "VALIDATION":
      return { status: 400, reason };
    default:
      return undefined;
  }
}
