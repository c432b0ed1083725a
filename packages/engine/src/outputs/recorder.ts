import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readdirSync, statSync, unlinkSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { gstLaunchBinary } from "../gst/decoder.js";

/** A recording output after validation. */
export interface RecordingTarget {
  /** Output name; file names start with it. */
  name: string;
  /** Directory the recordings and cue logs are written to (must exist). */
  directory: string;
  /** File length, s: a new file starts at every multiple of it on the engine clock (3600 = on the hour). */
  rotateSeconds: number;
  /** Recordings (and their cue logs) older than this are deleted at each rotation, days; 0 keeps everything. */
  retentionDays: number;
}

/** One line of a recording's cue log (`<file>.cue.jsonl`). */
export interface CueEntry {
  /** Engine clock, epoch ms. */
  at: number;
  /** Position in the recording file, ms. */
  offsetMs: number;
  /** recording_started | item_started | item_ended | emergency_started | emergency_ended | silence | audio_restored | metadata | recording_ended */
  type: string;
  itemId?: string;
  title?: string;
  artist?: string;
  uri?: string;
  /** Source layer: automation or emergency. */
  source?: string;
  /** Priority tier of the source (emergency 0 … automation 3, as in core's ladder). */
  priority?: number;
  /** End reason for item_ended. */
  reason?: string;
}

interface OpenFile {
  path: string;
  firstFrame: number;
  encoder: ChildProcess;
  cue: WriteStream;
}

function stamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[:.]/g, "-");
}

/**
 * Continuous aircheck/compliance recording of one station's processed output:
 * FLAC files cut on exact sample-clock boundaries (every `rotateSeconds`
 * aligned to the engine clock), so consecutive files join without a lost or
 * doubled sample; a JSON-lines cue log beside each file lists what played
 * when (item, title, source, priority) with offsets into that file; files
 * older than `retentionDays` are deleted at each rotation. Each file is
 * encoded by its own `gst-launch … flacenc` child; frames are written once
 * they are due in real time, so a stop ends the file at the wall-clock moment.
 */
export class Recorder {
  /** Where and how this recorder writes. */
  readonly target: RecordingTarget;
  readonly #sampleRate: number;
  readonly #epochOf: (frame: number) => number;
  readonly #onError: (message: string) => void;
  #file: OpenFile | undefined;
  #nextBoundary = 0;
  #written: number;
  #nowPlaying: Omit<CueEntry, "at" | "offsetMs" | "type"> | undefined;
  #closed = false;

  /**
   * Start recording at output frame `startFrame`. `epochOf` maps frames to
   * engine-clock epoch ms; `onError` receives encoder failures; `nowPlaying`
   * is what plays at the start (the first cue line names it).
   */
  constructor(
    target: RecordingTarget,
    sampleRate: number,
    startFrame: number,
    epochOf: (frame: number) => number,
    onError: (message: string) => void,
    nowPlaying?: Omit<CueEntry, "at" | "offsetMs" | "type">,
  ) {
    this.target = target;
    this.#nowPlaying = nowPlaying;
    this.#sampleRate = sampleRate;
    this.#epochOf = epochOf;
    this.#onError = onError;
    this.#written = startFrame;
    this.#purge();
  }

  /** Frames written so far (the next frame to write). */
  get frame(): number {
    return this.#written;
  }

  /** Paths of the file being written now, if any. */
  get currentPath(): string | undefined {
    return this.#file?.path;
  }

  /**
   * Write interleaved stereo `block` whose first frame is `firstFrame`; frames
   * before {@link Recorder.frame} are skipped, a gap is never left (callers
   * pass contiguous blocks).
   */
  write(block: Float32Array, firstFrame: number): void {
    if (this.#closed) return;
    let offset = Math.max(0, this.#written - firstFrame);
    const frames = block.length / 2;
    while (offset < frames) {
      const frame = firstFrame + offset;
      if (!this.#file || frame >= this.#nextBoundary) this.#rotate(frame);
      const take = Math.min(frames - offset, this.#nextBoundary - frame);
      const part = block.subarray(offset * 2, (offset + take) * 2);
      this.#file!.encoder.stdin!.write(
        Buffer.from(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength)),
      );
      offset += take;
      this.#written = firstFrame + offset;
    }
  }

  /** Log an event at output frame `frame` in the current file's cue log. */
  cue(frame: number, entry: Omit<CueEntry, "at" | "offsetMs">): void {
    if (entry.type === "item_started" || entry.type === "metadata") {
      const { type: _type, reason: _reason, ...playing } = entry;
      this.#nowPlaying = { ...this.#nowPlaying, ...playing };
    }
    if (!this.#file || this.#closed) return;
    this.#writeCue(this.#file, frame, entry);
  }

  /** End the current file (its cue log gets `recording_ended`); resolves when the encoder has finished writing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const file = this.#file;
    this.#file = undefined;
    if (file) await this.#finish(file, this.#written);
  }

  #rotate(frame: number): void {
    const previous = this.#file;
    if (previous) void this.#finish(previous, frame);
    const period = Math.round(this.target.rotateSeconds * this.#sampleRate);
    const epoch = this.#epochOf(frame);
    // Boundaries sit on multiples of the period on the engine clock (e.g. on the hour).
    const periodMs = this.target.rotateSeconds * 1000;
    const boundaryEpoch = (Math.floor(epoch / periodMs) + 1) * periodMs;
    this.#nextBoundary =
      frame +
      Math.max(
        1,
        Math.min(period, Math.round(((boundaryEpoch - epoch) * this.#sampleRate) / 1000)),
      );
    const path = join(this.target.directory, `${this.target.name}-${stamp(epoch)}.flac`);
    const encoder = spawn(
      gstLaunchBinary(),
      [
        "-q",
        "fdsrc",
        "fd=0",
        "!",
        "rawaudioparse",
        "use-sink-caps=false",
        "format=pcm",
        "pcm-format=f32le",
        `sample-rate=${this.#sampleRate}`,
        "num-channels=2",
        "!",
        "audioconvert",
        "!",
        "audio/x-raw,format=S16LE",
        "!",
        "flacenc",
        "!",
        "filesink",
        `location=${path}`,
      ],
      { stdio: ["pipe", "ignore", "pipe"] },
    );
    let stderr = "";
    encoder.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    encoder.stdin!.on("error", (err) => this.#onError(`recording ${path}: ${err.message}`));
    encoder.on("close", (code) => {
      if (code !== 0)
        this.#onError(
          `recording encoder for ${path} exited with ${code}: ${stderr.trim().slice(0, 300)}`,
        );
    });
    const cue = createWriteStream(`${path.replace(/\.flac$/, "")}.cue.jsonl`);
    cue.on("error", (err) => this.#onError(`cue log for ${path}: ${err.message}`));
    const file: OpenFile = { path, firstFrame: frame, encoder, cue };
    this.#file = file;
    this.#writeCue(file, frame, { type: "recording_started", ...this.#nowPlaying });
    if (previous) this.#purge();
  }

  #writeCue(file: OpenFile, frame: number, entry: Omit<CueEntry, "at" | "offsetMs">): void {
    const line: CueEntry = {
      at: Math.round(this.#epochOf(frame)),
      offsetMs: Math.round(((frame - file.firstFrame) * 1000) / this.#sampleRate),
      ...entry,
    };
    file.cue.write(`${JSON.stringify(line)}\n`);
  }

  #finish(file: OpenFile, endFrame: number): Promise<void> {
    this.#writeCue(file, endFrame, { type: "recording_ended" });
    file.cue.end();
    const done = new Promise<void>((resolve) => {
      if (file.encoder.exitCode !== null) resolve();
      else file.encoder.once("close", () => resolve());
    });
    file.encoder.stdin!.end();
    return done;
  }

  #purge(): void {
    if (this.target.retentionDays <= 0) return;
    const cutoff = Date.now() - this.target.retentionDays * 86_400_000;
    const prefix = `${this.target.name}-`;
    for (const entry of readdirSync(this.target.directory)) {
      if (!entry.startsWith(prefix) || !(entry.endsWith(".flac") || entry.endsWith(".cue.jsonl")))
        continue;
      const path = join(this.target.directory, entry);
      if (statSync(path).mtimeMs < cutoff) unlinkSync(path);
    }
  }
}
