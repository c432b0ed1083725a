import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** Fields of one ICY metadata block (`StreamTitle='…';StreamUrl='…';`). */
export type IcyMetadata = Record<string, string>;

/**
 * Parse the text of an ICY metadata block. Values are single-quoted and end at
 * `';` followed by the next key or the end, so titles containing `'` (e.g.
 * "Guns N' Roses") survive. Padding NULs are ignored.
 */
export function parseIcyMetadata(text: string): IcyMetadata {
  const clean = text.replace(/\0+$/, "");
  const out: IcyMetadata = {};
  const re = /([A-Za-z][A-Za-z0-9_]*)='(.*?)';(?=[A-Za-z][A-Za-z0-9_]*='|\s*$)/gs;
  for (const m of clean.matchAll(re)) out[m[1]!] = m[2]!;
  return out;
}

/** Encode one ICY metadata block: a length byte (×16) and the NUL-padded text. */
export function encodeIcyMetadata(fields: IcyMetadata): Buffer {
  const text = Object.entries(fields)
    .map(([k, v]) => `${k}='${v}';`)
    .join("");
  const body = Buffer.from(text, "utf8");
  const blocks = Math.ceil(body.length / 16);
  if (blocks > 255) throw new RangeError("ICY metadata longer than 4080 bytes");
  const out = Buffer.alloc(1 + blocks * 16);
  out[0] = blocks;
  body.copy(out, 1);
  return out;
}

/** Decode metadata bytes as UTF-8 when valid, else Latin-1 (what older encoders send). */
function decodeText(bytes: Buffer): string {
  const utf8 = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  return utf8.includes("\uFFFD") ? bytes.toString("latin1") : utf8;
}

/**
 * Splits an `icy-metaint` stream into audio and metadata. Feed it the response
 * body in any chunking; audio comes back from {@link IcyDemuxer.push} and each
 * non-empty metadata block goes to `onMetadata`.
 */
export class IcyDemuxer {
  readonly #metaint: number;
  readonly #onMetadata: (metadata: IcyMetadata, raw: string) => void;
  /** Audio bytes left before the next metadata length byte. */
  #audioLeft: number;
  /** Metadata bytes still expected (-1: waiting for the length byte). */
  #metaLeft = -1;
  #meta: Buffer[] = [];

  /**
   * A demuxer for a stream whose `icy-metaint` header is `metaint` (bytes of
   * audio between metadata blocks, 1 … 1 MiB).
   */
  constructor(metaint: number, onMetadata: (metadata: IcyMetadata, raw: string) => void) {
    if (!Number.isInteger(metaint) || metaint <= 0 || metaint > 1 << 20) {
      throw new RangeError(`icy-metaint must be an integer 1..1048576, got ${metaint}`);
    }
    this.#metaint = metaint;
    this.#audioLeft = metaint;
    this.#onMetadata = onMetadata;
  }

  /** Consume a chunk; returns the audio bytes it contained. */
  push(chunk: Buffer): Buffer {
    const audio: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#audioLeft > 0) {
        const n = Math.min(this.#audioLeft, chunk.length - pos);
        audio.push(chunk.subarray(pos, pos + n));
        this.#audioLeft -= n;
        pos += n;
        continue;
      }
      if (this.#metaLeft < 0) {
        this.#metaLeft = chunk[pos]! * 16;
        pos++;
        this.#meta = [];
      } else {
        const n = Math.min(this.#metaLeft, chunk.length - pos);
        this.#meta.push(chunk.subarray(pos, pos + n));
        this.#metaLeft -= n;
        pos += n;
      }
      if (this.#metaLeft === 0) {
        const raw = decodeText(Buffer.concat(this.#meta)).replace(/\0+$/, "");
        if (raw !== "") this.#onMetadata(parseIcyMetadata(raw), raw);
        this.#metaLeft = -1;
        this.#audioLeft = this.#metaint;
      }
    }
    return Buffer.concat(audio);
  }
}

/**
 * Connect to a relayed stream with `Icy-MetaData: 1` and resolve with the first
 * non-empty `StreamTitle` (and the `icy-metaint` it came with). Rejects when the
 * server sends no `icy-metaint`, or nothing within `timeoutMs`.
 */
export function readIcyTitle(
  url: string,
  timeoutMs: number,
): Promise<{ metaint: number; title: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      fn();
    };
    const req = request(target, { headers: { "Icy-MetaData": "1" } }, (res) => {
      const metaint = Number(res.headers["icy-metaint"]);
      if (!(metaint > 0)) {
        settle(() => reject(new Error(`${url} sent no icy-metaint (status ${res.statusCode})`)));
        return;
      }
      const demux = new IcyDemuxer(metaint, (meta) => {
        const title = meta.StreamTitle;
        if (title !== undefined && title !== "") settle(() => resolve({ metaint, title }));
      });
      res.on("data", (chunk: Buffer) => demux.push(chunk));
      res.on("end", () => settle(() => reject(new Error(`${url} ended before a StreamTitle`))));
    });
    const timer = setTimeout(
      () => settle(() => reject(new Error(`no StreamTitle from ${url} within ${timeoutMs} ms`))),
      timeoutMs,
    );
    req.on("error", (err) => settle(() => reject(err)));
    req.end();
  });
}
