import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { requireBinaries as requireTools } from "@grimnir/testkit";

export {
  freePort,
  tempDir,
  makeTone,
  goertzel,
  toneTimeline,
  firstRun,
  listen,
  startIcecast,
  waitFor,
} from "@grimnir/testkit";
export type { Listener, Icecast } from "@grimnir/testkit";

/** apt-get line that installs everything the engine's integration tests run. */
export const APT_LINE =
  "apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  requireTools(APT_LINE, ...names);
}

/** Amplitude of `freq` in Hann-windowed 50 ms windows every `hopMs`; `t` is the window centre in ms. */
export function toneEnvelope(
  samples: Float32Array,
  freq: number,
  hopMs = 2.5,
  rate = 44100,
): { t: number; amp: number }[] {
  const len = Math.round(rate * 0.05);
  const hop = Math.round((rate * hopMs) / 1000);
  const w = new Float64Array(len);
  let wsum = 0;
  for (let i = 0; i < len; i++) wsum += w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1));
  const k = (2 * Math.PI * freq) / rate;
  const out: { t: number; amp: number }[] = [];
  for (let start = 0; start + len <= samples.length; start += hop) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < len; i++) {
      const x = samples[start + i]! * w[i]!;
      re += x * Math.cos(k * i);
      im -= x * Math.sin(k * i);
    }
    out.push({ t: ((start + len / 2) * 1000) / rate, amp: (2 * Math.hypot(re, im)) / wsum });
  }
  return out;
}

/** Read a raw ICY stream and return the first non-empty StreamTitle. */
export function readStreamTitle(
  url: string,
  timeoutMs: number,
): Promise<{ metaint: number; title: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { "Icy-MetaData": "1" } }, (res) => {
      const metaint = Number(res.headers["icy-metaint"]);
      let buf = Buffer.alloc(0);
      let pos = 0; // bytes consumed
      res.on("data", (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length > pos + metaint) {
          const len = buf[pos + metaint]! * 16;
          if (buf.length < pos + metaint + 1 + len) return;
          const text = buf.subarray(pos + metaint + 1, pos + metaint + 1 + len).toString("utf8");
          pos += metaint + 1 + len;
          const m = /StreamTitle='([^']*)';/.exec(text);
          if (m) {
            req.destroy();
            clearTimeout(timer);
            resolve({ metaint, title: m[1]! });
            return;
          }
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no StreamTitle from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}

/** Write a stereo 16-bit 44.1 kHz WAV of consecutive sine segments, each `[freq, seconds]` at amplitude 0.5. */
export function writeSegmentsWav(path: string, segments: [number, number][]): string {
  const frames = segments.reduce((n, [, s]) => n + Math.round(s * 44100), 0);
  const buf = Buffer.alloc(44 + frames * 4);
  buf.write("RIFF", 0);
  buf.writeUInt32LE(36 + frames * 4, 4);
  buf.write("WAVEfmt ", 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(44100, 24);
  buf.writeUInt32LE(44100 * 4, 28);
  buf.writeUInt16LE(4, 32);
  buf.writeUInt16LE(16, 34);
  buf.write("data", 36);
  buf.writeUInt32LE(frames * 4, 40);
  let o = 44;
  for (const [freq, seconds] of segments) {
    for (let i = 0; i < Math.round(seconds * 44100); i++) {
      const v = Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * freq * i) / 44100));
      buf.writeInt16LE(v, o);
      buf.writeInt16LE(v, o + 2);
      o += 4;
    }
  }
  writeFileSync(path, buf);
  return path;
}
