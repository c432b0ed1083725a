/** One whole Ogg page as it was on the wire, with the header fields a stream server needs. */
export interface OggPage {
  /** The page's bytes (header, segment table and body). */
  bytes: Buffer;
  /** First page of a logical stream (header type flag 0x02): a new stream starts here. */
  beginsStream: boolean;
  /** Granule position; 0 on Opus's header pages (OpusHead, OpusTags), > 0 on audio pages. */
  granule: bigint;
}

const CAPTURE = Buffer.from("OggS", "latin1");
/** Fixed part of a page header, up to and including the segment count. */
const FIXED_HEADER = 27;
/** A page is at most 27 + 255 + 255 × 255 bytes; anything claiming more is not Ogg. */
const MAX_PAGE = FIXED_HEADER + 255 + 255 * 255;

/**
 * Cuts an Ogg byte stream (as an encoder writes it, in arbitrary chunks) into
 * whole pages, so a stream server can start a listener on a page boundary and
 * resend the header pages. Bytes before a capture pattern are skipped (the
 * next page is found by its `OggS`).
 */
export class OggPageSplitter {
  #pending: Buffer = Buffer.alloc(0);

  /** Add `chunk`; returns the pages it completed, in order. */
  push(chunk: Buffer): OggPage[] {
    let buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const pages: OggPage[] = [];
    for (;;) {
      const start = buf.indexOf(CAPTURE);
      if (start < 0) {
        // Keep the last 3 bytes: a capture pattern may straddle two chunks.
        buf = buf.subarray(Math.max(0, buf.length - 3));
        break;
      }
      if (start > 0) buf = buf.subarray(start);
      if (buf.length < FIXED_HEADER) break;
      const segments = buf[26]!;
      const headerLength = FIXED_HEADER + segments;
      if (buf.length < headerLength) break;
      let bodyLength = 0;
      for (let i = FIXED_HEADER; i < headerLength; i++) bodyLength += buf[i]!;
      const length = headerLength + bodyLength;
      if (length > MAX_PAGE || buf[4] !== 0) {
        // Not a page after all (version must be 0): look for the next capture pattern.
        buf = buf.subarray(1);
        continue;
      }
      if (buf.length < length) break;
      pages.push({
        bytes: Buffer.from(buf.subarray(0, length)),
        beginsStream: (buf[5]! & 0x02) !== 0,
        granule: buf.readBigInt64LE(6),
      });
      buf = buf.subarray(length);
    }
    this.#pending = Buffer.from(buf);
    return pages;
  }
}

/**
 * What a listener joining an Ogg Opus stream needs first: the header pages
 * (OpusHead and OpusTags, granule 0) of the current logical stream. Feed it
 * every page in order; a new stream (an encoder restart) replaces them.
 */
export class OggStreamHeaders {
  #pages: Buffer[] = [];
  #collecting = false;

  /** Note `page`; returns true when it is a header page of the current stream. */
  note(page: OggPage): boolean {
    if (page.beginsStream) {
      this.#pages = [page.bytes];
      this.#collecting = true;
      return true;
    }
    if (this.#collecting && page.granule === 0n) {
      this.#pages.push(page.bytes);
      return true;
    }
    this.#collecting = false;
    return false;
  }

  /** The header pages so far (empty before the first page of a stream). */
  get pages(): readonly Buffer[] {
    return this.#pages;
  }
}
