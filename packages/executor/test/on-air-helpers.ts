import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GrimnirError, MemoryBus, MemoryStore } from "@grimnir/core";
import type { MediaItem, NewEntity, ScheduleEntry, Store } from "@grimnir/core";
import { EngineClient, startEngineServer, type EngineServer } from "@grimnir/engine";

// Small copies of the engine's integration-test helpers (packages/engine/test/helpers.ts):
// a package's tests never import another package's test folder.

/** apt-get line that installs everything the on-air tests run. */
export const APT_LINE =
  "apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  for (const name of names) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
    if (!found)
      throw new Error(
        `${name} is not installed; install the on-air test dependencies with:\n  ${APT_LINE}`,
      );
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o777);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write a stereo 44.1 kHz WAV sine of `freq` Hz (0 = digital silence), `seconds` long, at linear `volume`, with GStreamer. */
export function makeTone(
  dir: string,
  name: string,
  freq: number,
  seconds: number,
  volume = 0.5,
): string {
  const path = join(dir, `${name}.wav`);
  const wave = freq === 0 ? ["wave=silence"] : ["wave=sine", `freq=${freq}`, `volume=${volume}`];
  const r = spawnSync("gst-launch-1.0", [
    "-q",
    "audiotestsrc",
    ...wave,
    "samplesperbuffer=4410",
    `num-buffers=${Math.round(seconds * 10)}`,
    "!",
    "audio/x-raw,format=S16LE,rate=44100,channels=2",
    "!",
    "wavenc",
    "!",
    "filesink",
    `location=${path}`,
  ]);
  if (r.status !== 0) throw new Error(`cannot generate ${path}: ${r.stderr.toString()}`);
  return path;
}

/** Goertzel power of `freq` in `samples[start, start + length)`, normalised so a sine of amplitude a gives a²/4. */
export function goertzel(
  samples: Float32Array,
  freq: number,
  start: number,
  length: number,
  rate = 44100,
): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = start; i < start + length && i < samples.length; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (length * length);
}

/** Per 10 ms window: which of `freqs` dominates, or "silence" when none reaches amplitude `floor`. */
export function toneTimeline(
  samples: Float32Array,
  freqs: number[],
  floor = 0.02,
  rate = 44100,
): (number | "silence")[] {
  const win = Math.round(rate / 100);
  const out: (number | "silence")[] = [];
  for (let start = 0; start + win <= samples.length; start += win) {
    let best: number | "silence" = "silence";
    let bestAmp = floor;
    for (const f of freqs) {
      const amp = 2 * Math.sqrt(goertzel(samples, f, start, win, rate));
      if (amp > bestAmp) {
        bestAmp = amp;
        best = f;
      }
    }
    out.push(best);
  }
  return out;
}

/**
 * Amplitude of `freq` per 10 ms window, from a Hann-windowed 40 ms analysis centred on the window:
 * low leakage between tones 200 Hz apart, time resolution about 40 ms.
 */
export function toneLevels(samples: Float32Array, freq: number, rate = 44100): number[] {
  const hop = Math.round(rate / 100);
  const len = 4 * hop;
  const w = new Float64Array(len);
  let wsum = 0;
  for (let i = 0; i < len; i++) wsum += w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (len - 1));
  const k = (2 * Math.PI * freq) / rate;
  const out: number[] = [];
  for (let centre = 0; centre + hop <= samples.length; centre += hop) {
    const start = centre + Math.floor(hop / 2) - len / 2;
    let re = 0;
    let im = 0;
    for (let i = 0; i < len; i++) {
      const x = (samples[start + i] ?? 0) * w[i]!;
      re += x * Math.cos(k * i);
      im -= x * Math.sin(k * i);
    }
    out.push((2 * Math.hypot(re, im)) / wsum);
  }
  return out;
}

/** Index of the first window from `from` where `tone` holds for `hold` consecutive windows; -1 when never. */
export function firstRun<T>(timeline: T[], tone: T, hold = 5, from = 0): number {
  for (let i = Math.max(0, from); i + hold <= timeline.length; i++) {
    let ok = true;
    for (let j = 0; j < hold && ok; j++) if (timeline[i + j] !== tone) ok = false;
    if (ok) return i;
  }
  return -1;
}

/** A stretch of one dominant tone (or silence) in a {@link toneTimeline}, in 10 ms windows. */
export interface ToneRun<T> {
  tone: T;
  start: number;
  end: number;
}

/** The timeline as runs of at least `minWindows` windows (shorter blips, e.g. at a crossfade, are dropped and neighbours merged). */
export function toneRuns<T>(timeline: T[], minWindows = 5): ToneRun<T>[] {
  const raw: ToneRun<T>[] = [];
  for (let i = 0; i < timeline.length; i++) {
    const last = raw[raw.length - 1];
    if (last !== undefined && last.tone === timeline[i]) last.end = i + 1;
    else raw.push({ tone: timeline[i]!, start: i, end: i + 1 });
  }
  const runs: ToneRun<T>[] = [];
  for (const run of raw.filter((r) => r.end - r.start >= minWindows)) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.tone === run.tone) last.end = run.end;
    else runs.push({ ...run });
  }
  return runs;
}

/** Longest stretch of consecutive "silence" windows in `timeline[from, to)`, in windows. */
export function longestSilence(timeline: (number | "silence")[], from: number, to: number): number {
  let longest = 0;
  let current = 0;
  for (let i = Math.max(0, from); i < Math.min(to, timeline.length); i++) {
    current = timeline[i] === "silence" ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

/** A listener: ffmpeg decoding a stream to mono float PCM at 44.1 kHz. */
export interface Listener {
  /** Resolves with the decoded audio once ffmpeg has `seconds` of it or stops. */
  done: Promise<Float32Array>;
  /** Wall time (performance.now) when the first decoded byte arrived. */
  firstByteAt: () => number | undefined;
  /** Wall time (performance.now) when decoded sample `index` reached the listener. */
  arrivalOf: (index: number) => number | undefined;
  stop: () => void;
}

/** Start decoding `url` with ffmpeg like a listener would. */
export function listen(url: string, seconds: number): Listener {
  const child = spawn(
    "ffmpeg",
    [
      "-nostdin",
      "-loglevel",
      "error",
      "-i",
      url,
      "-f",
      "f32le",
      "-ac",
      "1",
      "-ar",
      "44100",
      "-t",
      String(seconds),
      "-",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const chunks: Buffer[] = [];
  const arrivals: { at: number; endSample: number }[] = [];
  let bytes = 0;
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    chunks.push(c);
    bytes += c.length;
    arrivals.push({ at: performance.now(), endSample: Math.floor(bytes / 4) });
  });
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Float32Array>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => {
      const all = Buffer.concat(chunks);
      if (all.length === 0)
        return reject(new Error(`listener got no audio from ${url}: ${stderr}`));
      const out = new Float32Array(Math.floor(all.length / 4));
      new Uint8Array(out.buffer).set(all.subarray(0, out.length * 4));
      resolve(out);
    });
  });
  return {
    done,
    firstByteAt: () => arrivals[0]?.at,
    arrivalOf: (index) => arrivals.find((a) => a.endSample > index)?.at,
    stop: () => child.kill("SIGKILL"),
  };
}

/** A running icecast2 on a private loopback port. */
export interface Icecast {
  port: number;
  sourcePassword: string;
  stop: () => Promise<void>;
}

/** Start icecast2 on a free loopback port with a minimal config in a temp dir. */
export async function startIcecast(): Promise<Icecast> {
  requireBinaries("icecast2");
  const port = await freePort();
  const tmp = tempDir("grimnir-executor-icecast-");
  const asRoot = process.getuid?.() === 0;
  const xml = `<icecast>
  <limits><clients>100</clients><sources>20</sources><queue-size>524288</queue-size><burst-size>65536</burst-size><source-timeout>10</source-timeout></limits>
  <authentication><source-password>hackme</source-password><admin-user>admin</admin-user><admin-password>adminpw</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>0</fileserve>
  <paths><logdir>${tmp.dir}</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><errorlog>-</errorlog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot>${asRoot ? "<changeowner><user>nobody</user><group>nogroup</group></changeowner>" : ""}</security>
</icecast>`;
  const config = join(tmp.dir, "icecast.xml");
  writeFileSync(config, xml);
  const child: ChildProcess = spawn("icecast2", ["-c", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill("SIGKILL");
      await new Promise((r) => child.once("close", r));
    }
    tmp.remove();
  };
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/status-json.xsl`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || i === 100) {
      await stop();
      throw new Error(`icecast2 did not come up on ${port}: ${stderr}`);
    }
    await sleep(100);
  }
  return { port, sourcePassword: "hackme", stop };
}

/** Resolve after `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll `check` every 20 ms until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    await sleep(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A Store whose repositories can be switched off: every call rejects with STORE_UNAVAILABLE while down. */
export function switchableStore(inner: Store): {
  store: Store;
  setDown(down: boolean): void;
  rejected(): number;
} {
  let down = false;
  let rejected = 0;
  const wrap = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (!down) return (value as (...a: unknown[]) => unknown).apply(target, args);
          rejected++;
          return Promise.reject(new GrimnirError("STORE_UNAVAILABLE", "store is down (test)"));
        };
      },
    });
  const repos = new Map<PropertyKey, unknown>();
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value === "object" && value !== null) {
        if (!repos.has(prop)) repos.set(prop, wrap(value));
        return repos.get(prop);
      }
      return typeof value === "function" ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store, setDown: (d) => (down = d), rejected: () => rejected };
}

/** One tone track of a test timeline. */
export interface ToneTrack {
  id: string;
  /** Tone frequency, Hz; 0 = a digitally silent track. */
  freq: number;
  /** Planned slot length, ms. */
  slotMs: number;
  /** Length of the file, ms (default: the slot). */
  fileMs?: number;
  timing?: "hard" | "soft";
  /** Crossfade into this item, ms (the entry's fadeInMs). */
  fadeInMs?: number;
}

/** A station on air: real engine (in-process gRPC server) into a real Icecast mount, MemoryStore and MemoryBus. */
export interface OnAirStation {
  stationId: string;
  server: EngineServer;
  client: EngineClient;
  memoryStore: MemoryStore;
  bus: MemoryBus;
  mountUrl: string;
  /** Write tone files, media items and schedule entries back to back from `startsAt`; returns the entries. */
  plan(tracks: ToneTrack[], startsAt: number): Promise<ScheduleEntry[]>;
  close(): Promise<void>;
}

/** Start an engine for `stationId` whose only output is the Icecast mount `/<stationId>.mp3`, live before it resolves. */
export async function startOnAirStation(
  stationId: string,
  icecast: Icecast,
  mediaDir: string,
  engineOptions: { telemetryMs?: number } = {},
): Promise<OnAirStation> {
  const server = await startEngineServer({ port: 0, ...engineOptions });
  const client = new EngineClient({ address: server.address });
  const memoryStore = new MemoryStore();
  const bus = new MemoryBus();
  const close = async (): Promise<void> => {
    client.close();
    await server.close();
    await bus.close();
  };
  const mountUrl = `http://127.0.0.1:${icecast.port}/${stationId}.mp3`;
  try {
    await client.configureOutputs(stationId, [
      {
        name: "main",
        format: "mp3",
        bitrateKbps: 128,
        icecastUrl: `icecast://source:${icecast.sourcePassword}@127.0.0.1:${icecast.port}/${stationId}.mp3`,
      },
    ]);
    await waitFor(
      async () =>
        (
          await fetch(`http://127.0.0.1:${icecast.port}/status-json.xsl`).then((r) => r.text())
        ).includes(`/${stationId}.mp3`),
      10_000,
      `the mount /${stationId}.mp3 to go live`,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    stationId,
    server,
    client,
    memoryStore,
    bus,
    mountUrl,
    async plan(tracks, startsAt) {
      const entries: NewEntity<ScheduleEntry>[] = [];
      let at = startsAt;
      for (const track of tracks) {
        const fileMs = track.fileMs ?? track.slotMs;
        const uri = makeTone(mediaDir, `${stationId}-${track.id}`, track.freq, fileMs / 1000);
        const media: NewEntity<MediaItem> = {
          id: `media-${track.id}`,
          stationId,
          title: `Tone ${track.freq} Hz`,
          artist: "Test tones",
          tags: [],
          fields: {},
          durationMs: fileMs,
          cueInMs: 0,
          cueOutMs: fileMs,
          storageKey: uri,
          contentHash: `${stationId}-${track.id}`,
          analysisStatus: "done",
          addedAt: startsAt,
        };
        await memoryStore.media.create(media);
        entries.push({
          id: track.id,
          stationId,
          startsAt: at,
          endsAt: at + track.slotMs,
          kind: "media",
          mediaId: media.id,
          timing: track.timing ?? "hard",
          source: {},
          title: `Tone ${track.freq} Hz`,
          ...(track.fadeInMs === undefined ? {} : { fadeInMs: track.fadeInMs }),
        });
        at += track.slotMs;
      }
      return memoryStore.schedule.replaceWindow(stationId, { from: startsAt, to: at }, entries);
    },
    close,
  };
}
