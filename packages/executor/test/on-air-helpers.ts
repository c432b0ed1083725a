import { MemoryBus, MemoryStore } from "@grimnir/core";
import type { MediaItem, NewEntity, ScheduleEntry } from "@grimnir/core";
import { flakyStore } from "../src/executor.test-helpers.js";
import { EngineClient, startEngineServer, type EngineServer } from "@grimnir/engine";
import {
  makeTone,
  requireBinaries as requireTools,
  toneTimeline as windowedToneTimeline,
  waitFor,
  type Icecast,
} from "@grimnir/testkit";

export {
  freePort,
  tempDir,
  makeTone,
  goertzel,
  firstRun,
  listen,
  startIcecast,
  sleep,
  waitFor,
} from "@grimnir/testkit";
export type { Listener, Icecast } from "@grimnir/testkit";

// Shared helpers come from @grimnir/testkit; what is here is specific to the on-air tests.

/** apt-get line that installs everything the on-air tests run. */
export const APT_LINE =
  "apt-get install -y gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav icecast2 ffmpeg";

/** Fail (never skip) when a binary the test needs is missing. */
export function requireBinaries(...names: string[]): void {
  requireTools(APT_LINE, ...names);
}

/** Per 10 ms window: which of `freqs` dominates, or "silence" when none reaches amplitude `floor`. */
export function toneTimeline(
  samples: Float32Array,
  freqs: number[],
  floor = 0.02,
  rate = 44100,
): (number | "silence")[] {
  return windowedToneTimeline(samples, freqs, 10, floor, rate);
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

/** A Store whose repositories can be switched off (the unit tests' `flakyStore`). */
export const switchableStore = flakyStore;

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
