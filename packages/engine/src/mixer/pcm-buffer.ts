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

/** 16-bit sample → float in [−1, 1) (a power of two, so exact). */
const S16_SCALE = 1 / 32768;

/**
 * A FIFO of interleaved float PCM chunks that implements {@link PcmSource}.
 * The decoder side calls {@link PcmBuffer.pushBytes} / {@link PcmBuffer.push}
 * (float) or {@link PcmBuffer.pushS16Bytes} (16-bit, kept as it came and
 * converted when read) and {@link PcmBuffer.end}; byte chunks may split
 * frames anywhere.
 */
export class PcmBuffer implements PcmSource {
  readonly channels: number;
  #chunks: (Float32Array | Int16Array)[] = [];
  /** Read offset (samples) into the first chunk. */
  #head = 0;
  #available = 0;
  #ended = false;
  #error: Error | undefined;
  #partial: Buffer | undefined;
  #onClose: (() => void) | undefined;
  #onDrain: (() => void) | undefined;
  /** Frames still to drop before the first one kept (gapless trim). */
  #trimStart = 0;
  /** Frames still to keep before the rest is dropped (gapless trim); unlimited when undefined. */
  #keepLeft: number | undefined;

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

  /**
   * Keep only frames `[startFrames, startFrames + lengthFrames)` of what is
   * pushed from now on (an MP3's encoder delay and padding, see
   * `readGaplessTrim`); call before the first push.
   */
  trim(startFrames: number, lengthFrames: number): void {
    this.#trimStart = Math.max(0, Math.round(startFrames));
    this.#keepLeft = Math.max(0, Math.round(lengthFrames));
  }

  /** Append interleaved float samples; their length must be a whole number of frames. */
  push(samples: Float32Array): void {
    this.#append(samples);
  }

  #append(samples: Float32Array | Int16Array): void {
    if (this.#ended || samples.length === 0) return;
    if (this.#trimStart > 0 || this.#keepLeft !== undefined) {
      const frames = samples.length / this.channels;
      const drop = Math.min(this.#trimStart, frames);
      this.#trimStart -= drop;
      const keep = Math.min(frames - drop, this.#keepLeft ?? Infinity);
      if (this.#keepLeft !== undefined) this.#keepLeft -= keep;
      if (keep === 0) return;
      samples = samples.subarray(drop * this.channels, (drop + keep) * this.channels);
    }
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

  /**
   * Append raw little-endian signed 16-bit bytes as they come off a pipe; a
   * frame split across chunks is kept until complete. The bytes are kept as
   * they are (no copy when they are 2-byte aligned, as pipe reads are) and
   * become float (÷ 32768) only when read: half the memory and pipe traffic of
   * float, and no allocation per chunk.
   */
  pushS16Bytes(bytes: Buffer): void {
    const frameBytes = 2 * this.channels;
    let all = this.#partial ? Buffer.concat([this.#partial, bytes]) : bytes;
    const whole = all.length - (all.length % frameBytes);
    this.#partial = whole < all.length ? Buffer.from(all.subarray(whole)) : undefined;
    if (whole === 0) return;
    // Int16Array views need an even offset; a copy from Node's pool (8-byte aligned) has one.
    if (all.byteOffset % 2 !== 0) all = Buffer.from(all.subarray(0, whole));
    this.#append(new Int16Array(all.buffer, all.byteOffset, whole / 2));
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
      if (out && chunk instanceof Float32Array) {
        out.set(chunk.subarray(this.#head, this.#head + n), outIndex + done);
      } else if (out) {
        const head = this.#head;
        const at = outIndex + done;
        for (let j = 0; j < n; j++) out[at + j] = chunk[head + j]! * S16_SCALE;
      }
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
