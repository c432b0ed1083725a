/**
 * Keeps the header pages at the start of an Ogg stream (granule position 0:
 * Vorbis identification/comment/setup, OpusHead/OpusTags) so a listener that
 * joins mid-stream can be sent them first and decode from there.
 */
export class OggHeaderCapture {
  #pending = Buffer.alloc(0);
  #pages: Buffer[] = [];
  #done = false;

  /** Feed the next bytes of the stream; ignored once the headers are complete. */
  push(chunk: Buffer): void {
    if (this.#done) return;
    this.#pending = Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const p = this.#pending;
      if (p.length < 27) return;
      if (p.toString("latin1", 0, 4) !== "OggS") {
        this.#done = true;
        return;
      }
      const segments = p[26]!;
      if (p.length < 27 + segments) return;
      let body = 0;
      for (let i = 0; i < segments; i++) body += p[27 + i]!;
      const size = 27 + segments + body;
      if (p.length < size) return;
      const granule = p.readBigInt64LE(6);
      if (granule !== 0n) {
        this.#done = true;
        this.#pending = Buffer.alloc(0);
        return;
      }
      this.#pages.push(Buffer.from(p.subarray(0, size)));
      this.#pending = p.subarray(size);
      // Bound memory: real header pages are a few KiB; a stream of only granule-0 pages is not audio.
      if (this.#pages.length > 16) {
        this.#done = true;
        return;
      }
    }
  }

  /** The header pages seen so far, concatenated. */
  get headers(): Buffer {
    return Buffer.concat(this.#pages);
  }

  /** True once the first audio page was seen. */
  get complete(): boolean {
    return this.#done;
  }
}
