/**
 * Where a mixer deck reads decoded audio from: interleaved 32-bit float PCM at
 * the mixer's rate and channel count, delivered in chunks by a decoder.
 */
export interface PcmSource {
  /** Frames decoded and not yet read. */
  availableFrames(): number;
  /** True once the decoder has delivered everything it ever will (end of file or failure). */
  readonly ended: boolean;
  /** The decoder's failure, when it ended because of one. */
  readonly error: Error | undefined;
  /**
   * Copy up to `frames` frames into `out` starting at frame `offsetFrames`
   * (interleaved, so sample index `offsetFrames * channels`). Returns the frames copied.
   */
  read(out: Float32Array, offsetFrames: number, frames: number): number;
  /** Drop up to `frames` frames without copying (cue-in); returns the frames dropped. */
  skip(frames: number): number;
  /** Release the decoder behind the source; idempotent. */
  close(): void;
}

/**
 * A FIFO of interleaved float PCM chunks that implements {@link PcmSource}.
 * The decoder side calls {@link PcmBuffer.pushBytes} / {@link PcmBuffer.push}
 * and {@link PcmBuffer.end}; byte chunks may split frames anywhere.
 */
export class PcmBuffer implements PcmSource {
  readonly channels: number;
  #chunks: Float32Array[] = [];
  /** Read offset (samples) into the first chunk. */
  #head = 0;
  #available = 0;
  #ended = false;
  #error: Error | undefined;
  #partial: Buffer | undefined;
  #onClose: (() => void) | undefined;
  #onDrain: (() => void) | undefined;

  /**
   * @param channels interleaved channel count
   * @param onClose called once when the reader closes the source (e.g. to kill the decoder)
   */
  /** An empty, open buffer. */
  constructor(channels: number, onClose?: () => void) {
    this.channels = channels;
    this.#onClose = onClose;
  }

  /** Frames waiting to be read. */
  availableFrames(): number {
    return this.#available;
  }

  /** True once {@link PcmBuffer.end} was called. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The error passed to {@link PcmBuffer.end}, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Append interleaved float samples; their length must be a whole number of frames. */
  push(samples: Float32Array): void {
    if (this.#ended || samples.length === 0) return;
    this.#chunks.push(samples);
    this.#available += samples.length / this.channels;
  }

  /** Append raw little-endian f32 bytes as they come off a pipe; a frame split across chunks is kept until complete. */
  pushBytes(bytes: Buffer): void {
    const frameBytes = 4 * this.channels;
    const all = this.#partial ? Buffer.concat([this.#partial, bytes]) : bytes;
    const whole = all.length - (all.length % frameBytes);
    this.#partial = whole < all.length ? Buffer.from(all.subarray(whole)) : undefined;
    if (whole === 0) return;
    // Copy into a fresh, aligned ArrayBuffer: pipe buffers may be unaligned for Float32Array.
    const samples = new Float32Array(whole / 4);
    new Uint8Array(samples.buffer).set(all.subarray(0, whole));
    this.push(samples);
  }

  /** Mark the end of the stream, with the decoder's error when it failed. */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
  }

  /** Register a callback run after each read, so a decoder paused for back-pressure can resume. */
  onDrain(callback: () => void): void {
    this.#onDrain = callback;
  }

  read(out: Float32Array, offsetFrames: number, frames: number): number {
    return this.#take(frames, out, offsetFrames * this.channels);
  }

  skip(frames: number): number {
    return this.#take(frames, undefined, 0);
  }

  close(): void {
    const onClose = this.#onClose;
    this.#onClose = undefined;
    this.#chunks = [];
    this.#available = 0;
    this.#head = 0;
    this.end();
    onClose?.();
  }

  #take(frames: number, out: Float32Array | undefined, outIndex: number): number {
    const wanted = Math.min(frames, this.#available) * this.channels;
    let done = 0;
    while (done < wanted) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length - this.#head, wanted - done);
      if (out) out.set(chunk.subarray(this.#head, this.#head + n), outIndex + done);
      done += n;
      this.#head += n;
      if (this.#head === chunk.length) {
        this.#chunks.shift();
        this.#head = 0;
      }
    }
    const got = done / this.channels;
    this.#available -= got;
    if (got > 0) this.#onDrain?.();
    return got;
  }
}
