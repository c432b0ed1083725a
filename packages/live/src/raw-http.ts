import type { Socket } from "node:net";

/** A parsed HTTP request head, as read off a raw socket. */
export interface RequestHead {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  /** "HTTP/1.0" or "HTTP/1.1". */
  version: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  415: "Unsupported Media Type",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

/**
 * Position just past the blank line ending a request head in `buf`, or -1.
 * Accepts CRLF and bare LF line ends (some source clients send LF).
 */
export function headEnd(buf: Buffer): number {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

/** Parse a request head (without the blank line); undefined when it is not HTTP. */
export function parseHead(text: string): RequestHead | undefined {
  const lines = text.split(/\r?\n/);
  const match = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0] ?? "");
  if (match === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let url: URL;
  let path: string;
  try {
    url = new URL(match[2]!, "http://harbor.invalid");
    path = decodeURIComponent(url.pathname);
  } catch (err) {
    if (err instanceof TypeError || err instanceof URIError) return undefined;
    throw err;
  }
  return {
    method: match[1]!,
    path,
    query: url.searchParams,
    version: match[3]!,
    headers,
  };
}

/** Username and password of a `Basic` Authorization header, or undefined. */
export function basicAuth(
  header: string | undefined,
): { username: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Write a complete HTTP/1.0 response and close the socket. */
export function respondAndClose(
  socket: Socket,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.0 ${status} ${REASONS[status] ?? "Error"}`];
  const all = {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
    ...headers,
  };
  for (const [name, value] of Object.entries(all)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
  // A peer that never reads must not keep the socket open.
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** Write a status line and headers only (the body follows as a stream). */
export function writeHead(
  socket: Socket,
  status: number,
  headers: Record<string, string> = {},
  version = "HTTP/1.0",
): void {
  const lines = [`${version} ${status} ${REASONS[status] ?? "OK"}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
}
