import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OggPageSplitter, OggStreamHeaders } from "./ogg-pages.js";

/** Bytes of audio between two ICY metadata blocks, announced as `icy-metaint`. */
export const ICY_METAINT = 16000;

/** Build one ICY metadata block (length byte + `StreamTitle='…';` padded to 16 bytes); a lone 0 byte for "unchanged". */
export function icyMetadataBlock(title: string | undefined): Buffer {
  if (title === undefined) return Buffer.alloc(1);
  const text = Buffer.from(`StreamTitle='${title.replace(/'/g, "’")}';`, "utf8");
  const blocks = Math.min(255, Math.ceil(text.length / 16));
  const out = Buffer.alloc(1 + blocks * 16);
  out[0] = blocks;
  text.copy(out, 1, 0, blocks * 16);
  return out;
}

interface Listener {
  res: ServerResponse;
  icy: boolean;
  untilMeta: number;
  /** Title not yet sent to this listener. */
  pendingTitle: string | undefined;
}

/** Content type and file extension of each codec the built-in stream serves. */
export const HTTP_STREAM_FORMATS = {
  mp3: { contentType: "audio/mpeg", extension: "mp3" },
  aac: { contentType: "audio/aac", extension: "aac" },
  opus: { contentType: "audio/ogg", extension: "opus" },
  vorbis: { contentType: "audio/ogg", extension: "ogg" },
} as const;

/**
 * Codecs the built-in stream serves. MP3 and ADTS AAC are self-synchronising
 * (a listener can join anywhere); Ogg (Opus, Vorbis) is served in whole pages, each
 * listener first getting the stream's header pages (as Icecast does), and
 * without ICY metadata (Ogg carries titles in its own comment header).
 */
export type HttpStreamCodec = keyof typeof HTTP_STREAM_FORMATS;

/** One mount of the built-in stream: `/stream/<name>.mp3` (`.aac`, `.opus`, `.ogg`), fed with encoded bytes by a station's encoder. */
export class HttpStreamMount {
  readonly name: string;
  /** Codec of the bytes this mount carries. */
  readonly codec: HttpStreamCodec;
  readonly #bitrateKbps: number;
  #listeners = new Set<Listener>();
  #title: string | undefined;
  /** Recent audio sent to a new listener at once so its player starts quickly. */
  #burst: Buffer[] = [];
  #burstBytes = 0;
  /** Ogg only: cuts the encoder's bytes into pages and keeps the header pages. */
  readonly #ogg: { splitter: OggPageSplitter; headers: OggStreamHeaders } | undefined;

  /** A mount without listeners; `bitrateKbps` is announced as `icy-br`. */
  constructor(name: string, bitrateKbps: number, codec: HttpStreamCodec = "mp3") {
    this.name = name;
    this.codec = codec;
    this.#bitrateKbps = bitrateKbps;
    this.#ogg =
      codec === "opus" || codec === "vorbis"
        ? { splitter: new OggPageSplitter(), headers: new OggStreamHeaders() }
        : undefined;
  }

  /** Kbit/s announced to listeners. */
  get bitrateKbps(): number {
    return this.#bitrateKbps;
  }

  /** Listeners connected now. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Current StreamTitle. */
  get title(): string | undefined {
    return this.#title;
  }

  /** Set the StreamTitle every ICY listener receives at its next metadata point. */
  setTitle(title: string): void {
    this.#title = title;
    for (const l of this.#listeners) l.pendingTitle = title;
  }

  /** Send encoded bytes to every listener; a listener more than ~1 MB behind is disconnected. */
  write(chunk: Buffer): void {
    if (this.#ogg === undefined) return this.#broadcast(chunk, true);
    // Ogg goes out in whole pages; header pages are resent to each new listener, not burst.
    for (const page of this.#ogg.splitter.push(chunk))
      this.#broadcast(page.bytes, !this.#ogg.headers.note(page));
  }

  #broadcast(chunk: Buffer, burst: boolean): void {
    if (burst) {
      this.#burst.push(chunk);
      this.#burstBytes += chunk.length;
      while (this.#burstBytes > 32 * 1024 && this.#burst.length > 1)
        this.#burstBytes -= this.#burst.shift()!.length;
    }
    for (const l of this.#listeners) {
      if (l.res.writableLength > 1024 * 1024) {
        l.res.destroy();
        this.#listeners.delete(l);
        continue;
      }
      this.#send(l, chunk);
    }
  }

  /** Answer a listener's GET with Icecast-compatible headers and start streaming. */
  attach(req: IncomingMessage, res: ServerResponse): void {
    const icy = req.headers["icy-metadata"] === "1" && this.#ogg === undefined;
    const headers: Record<string, string> = {
      "Content-Type": HTTP_STREAM_FORMATS[this.codec].contentType,
      "Cache-Control": "no-cache, no-store",
      "icy-name": this.name,
      "icy-br": String(this.#bitrateKbps),
      "icy-pub": "0",
    };
    if (icy) headers["icy-metaint"] = String(ICY_METAINT);
    res.writeHead(200, headers);
    const listener: Listener = { res, icy, untilMeta: ICY_METAINT, pendingTitle: this.#title };
    this.#listeners.add(listener);
    const drop = (): void => {
      this.#listeners.delete(listener);
    };
    res.on("close", drop);
    res.on("error", drop);
    for (const page of this.#ogg?.headers.pages ?? []) this.#send(listener, page);
    for (const chunk of this.#burst) this.#send(listener, chunk);
  }

  /** Disconnect every listener. */
  close(): void {
    for (const l of this.#listeners) l.res.end();
    this.#listeners.clear();
  }

  #send(l: Listener, chunk: Buffer): void {
    if (!l.icy) {
      l.res.write(chunk);
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(l.untilMeta, chunk.length - offset);
      l.res.write(chunk.subarray(offset, offset + n));
      offset += n;
      l.untilMeta -= n;
      if (l.untilMeta === 0) {
        l.res.write(icyMetadataBlock(l.pendingTitle));
        l.pendingTitle = undefined;
        l.untilMeta = ICY_METAINT;
      }
    }
  }
}

/**
 * The engine's built-in Icecast-compatible HTTP server on one port: serves
 * `GET /stream/<name>.mp3` (`.aac` for AAC, `.opus` for Ogg Opus, `.ogg` for Ogg Vorbis mounts) for every
 * registered mount, honouring `Icy-MetaData: 1` (MP3 and AAC). Several stations may share a port with different names.
 */
export class HttpStreamServer {
  readonly #server: Server;
  readonly #mounts = new Map<string, HttpStreamMount>();

  /** A server not yet listening; see {@link HttpStreamServer.listen}. */
  constructor() {
    this.#server = createServer((req, res) => this.#handle(req, res));
  }

  /** Listen on `host:port` (port 0 = any free port); resolves with the bound port. */
  listen(port: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  /** Mounts registered now. */
  get mountCount(): number {
    return this.#mounts.size;
  }

  /** Register (or return the existing) mount `name`; a changed codec or bitrate replaces it. */
  mount(name: string, bitrateKbps: number, codec: HttpStreamCodec = "mp3"): HttpStreamMount {
    let mount = this.#mounts.get(name);
    if (mount && (mount.codec !== codec || mount.bitrateKbps !== bitrateKbps)) {
      mount.close();
      mount = undefined;
    }
    if (!mount) {
      mount = new HttpStreamMount(name, bitrateKbps, codec);
      this.#mounts.set(name, mount);
    }
    return mount;
  }

  /** Remove a mount and disconnect its listeners. */
  unmount(name: string): void {
    this.#mounts.get(name)?.close();
    this.#mounts.delete(name);
  }

  /** Disconnect everyone and stop listening. */
  close(): Promise<void> {
    for (const m of this.#mounts.values()) m.close();
    this.#mounts.clear();
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/stream\/([^/?]+)\.(mp3|aac|opus|ogg)(?:\?.*)?$/.exec(req.url ?? "");
    const found = match ? this.#mounts.get(decodeURIComponent(match[1]!)) : undefined;
    const mount =
      found && HTTP_STREAM_FORMATS[found.codec].extension === match![2] ? found : undefined;
    if (req.method !== "GET" || !mount) {
      res
        .writeHead(404, { "Content-Type": "text/plain" })
        .end(`no stream at ${req.url}; mounts are /stream/<name>.mp3, .aac, .opus or .ogg\n`);
      return;
    }
    mount.attach(req, res);
  }
}
