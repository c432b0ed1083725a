import { describe, expect, it } from "vitest";
import { Mixer, type MixerEvent, type MixStems } from "./mixer.js";
import { PcmBuffer } from "./pcm-buffer.js";
import { DspChain } from "../dsp/chain.js";
import { LiveDspChain } from "../dsp/live-chain.js";
import type { LiveSource } from "./live-layer.js";

/** A live input fed by the test: push audio, drop the decoder, watch what the mixer reads. */
class TestLive implements LiveSource {
  readonly uri: string;
  running = true;
  lastError: string | undefined;
  closed = false;
  readonly #buf = new PcmBuffer(2);

  constructor(uri: string) {
    this.uri = uri;
  }

  /** Append `frames` frames of constant `value`. */
  push(frames: number, value: number): void {
    this.#buf.push(new Float32Array(frames * 2).fill(value));
  }

  availableFrames(): number {
    return this.#buf.availableFrames();
  }

  read(out: Float32Array, offsetFrames: number, frames: number): number {
    return this.#buf.read(out, offsetFrames, frames);
  }

  skip(frames: number): number {
    return this.#buf.skip(frames);
  }

  close(): void {
    this.closed = true;
  }
}

function constant(frames: number, value: number): PcmBuffer {
  const buf = new PcmBuffer(2);
  buf.push(new Float32Array(frames * 2).fill(value));
  buf.end();
  return buf;
}

function renderLeft(mixer: Mixer, total: number, block = 128): Float32Array {
  const left = new Float32Array(total);
  for (let done = 0; done < total;) {
    const n = Math.min(block, total - done);
    const out = mixer.render(n);
    for (let i = 0; i < n; i++) left[done + i] = out[i * 2]!;
    done += n;
  }
  return left;
}

/** Render `total` frames while `live` delivers exactly in real time (one block per block rendered). */
function renderFed(
  mixer: Mixer,
  live: TestLive,
  total: number,
  value: number,
  block = 128,
): Float32Array {
  const left = new Float32Array(total);
  for (let done = 0; done < total;) {
    const n = Math.min(block, total - done);
    live.push(n, value);
    const out = mixer.render(n);
    for (let i = 0; i < n; i++) left[done + i] = out[i * 2]!;
    done += n;
  }
  return left;
}

const LIVE = { startFrames: 200, maxFrames: 2000, dropoutFrames: 500, rampFrames: 50 };

function setup(): { mixer: Mixer; events: MixerEvent[] } {
  const events: MixerEvent[] = [];
  const mixer = new Mixer({ preemptFadeFrames: 50, live: LIVE, onEvent: (e) => events.push(e) });
  mixer.schedule({ itemId: "song", source: constant(100_000, 0.5) });
  return { mixer, events };
}

describe("Mixer live layer", () => {
  it("takes the air from the program over the fade, finishing on the exact frame", () => {
    const { mixer, events } = setup();
    renderLeft(mixer, 1000, 100);
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 441);
    const left = renderFed(mixer, live, 2000, 0.25);
    // Frame 1000 is the first of the takeover: program at full gain, live at 0.
    expect(left[0]).toBeCloseTo(0.5, 6);
    expect(left[220]).toBeCloseTo(0.5 * (1 - 220 / 441) + 0.25 * (220 / 441), 5);
    expect(left[440]).toBeCloseTo(0.5 / 441 + 0.25 * (440 / 441), 5);
    expect(left[441]).toBe(0.25);
    expect(left[1999]).toBe(0.25);
    expect(events.filter((e) => e.type.startsWith("live_"))).toEqual([
      { type: "live_connected", frame: 1000, inputUri: "http://dj/live" },
      { type: "live_started", frame: 1000, inputUri: "http://dj/live" },
    ]);
    expect(events.find((e) => e.type === "item_ended")).toMatchObject({
      frame: 1441,
      itemId: "song",
      reason: "faded",
    });
    expect(mixer.status()).toMatchObject({
      state: "live",
      currentItemId: undefined,
      liveInputUri: "http://dj/live",
      liveState: "connected",
      queued: [],
    });
  });

  it("keeps the program on air until the input has buffered its start latency", () => {
    const { mixer, events } = setup();
    const live = new TestLive("srt://dj:9000");
    mixer.routeLive(live, 100);
    live.push(150, 0.25);
    let left = renderLeft(mixer, 1000);
    expect(left[999]).toBe(0.5);
    expect(mixer.status()).toMatchObject({ state: "playing", liveState: "connecting" });
    live.push(100, 0.25);
    renderLeft(mixer, 24);
    left = renderLeft(mixer, 1000);
    expect(events.find((e) => e.type === "live_started")?.frame).toBe(1000);
    expect(left[123]).toBe(0.25);
  });

  it("drops the program queue on takeover", () => {
    const { mixer, events } = setup();
    const next = constant(1000, 0.9);
    mixer.schedule({ itemId: "next", source: next });
    renderLeft(mixer, 100);
    const live = new TestLive("http://dj/a");
    live.push(5000, 0.25);
    mixer.routeLive(live, 0);
    renderLeft(mixer, 300);
    expect(mixer.status().queued).toEqual([]);
    expect(next.availableFrames()).toBe(0);
    expect(events.filter((e) => e.type === "item_started").map((e) => e.frame)).toEqual([0]);
    expect(events.find((e) => e.type === "item_ended")).toMatchObject({
      frame: 100,
      reason: "faded",
    });
  });

  it("lets an emergency preempt live, keeps reading the input, and brings live back after it", () => {
    const { mixer, events } = setup();
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    renderFed(mixer, live, 200, 0.25);
    mixer.insertEmergency({ itemId: "alert", source: constant(1000, 0.1) });
    const before = live.availableFrames();
    const left = renderFed(mixer, live, 1200, 0.25, 100);
    // Preempt ramp of 50 frames, then only the emergency (which fades in over the same ramp).
    expect(left[60]).toBeCloseTo(0.1, 6);
    expect(left[999]).toBeCloseTo(0.1, 6);
    // The input was read all along, so it is as current as before.
    expect(live.availableFrames()).toBe(before);
    expect(events.find((e) => e.type === "emergency_ended")?.frame).toBe(1200);
    // Live ramps back in over 50 frames from the emergency's end.
    expect(left[1000]).toBe(0);
    expect(left[1025]).toBeCloseTo(0.25 * (25 / 50), 6);
    expect(left[1199]).toBe(0.25);
    expect(mixer.status().state).toBe("live");
  });

  it("crossfades out of live into a played item and releases the input", () => {
    const { mixer, events } = setup();
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    renderFed(mixer, live, 500, 0.25);
    mixer.schedule({ itemId: "back", source: constant(10_000, 0.8) }, { crossfadeFrames: 441 });
    const left = renderFed(mixer, live, 1000, 0.25);
    expect(left[0]).toBeCloseTo(0.25, 6);
    expect(left[220]).toBeCloseTo(0.25 * (1 - 220 / 441) + 0.8 * (220 / 441), 5);
    expect(left[441]).toBeCloseTo(0.8, 6);
    expect(live.closed).toBe(true);
    expect(events.find((e) => e.type === "live_ended")).toEqual({
      type: "live_ended",
      frame: 941,
      inputUri: "http://dj/live",
    });
    expect(mixer.status()).toMatchObject({ state: "playing", currentItemId: "back" });
    expect(mixer.status().liveInputUri).toBeUndefined();
  });

  it("keeps live on air until a failback Play's start frame, then crossfades there", () => {
    const { mixer, events } = setup();
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    renderFed(mixer, live, 500, 0.25);
    mixer.schedule(
      { itemId: "timed", source: constant(10_000, 0.8) },
      { atFrame: 800, crossfadeFrames: 100 },
    );
    const left = renderFed(mixer, live, 600, 0.25);
    expect(left[299]).toBe(0.25);
    expect(left[350]).toBeCloseTo(0.25 * 0.5 + 0.8 * 0.5, 5);
    expect(left[400]).toBeCloseTo(0.8, 6);
    expect(events.find((e) => e.type === "item_started" && e.itemId === "timed")?.frame).toBe(800);
    expect(events.find((e) => e.type === "live_ended")?.frame).toBe(900);
  });

  it("cuts from live to a played item with the short ramp when no crossfade is asked", () => {
    const { mixer } = setup();
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    renderFed(mixer, live, 500, 0.25);
    mixer.schedule({ itemId: "back", source: constant(10_000, 0.8) });
    const left = renderFed(mixer, live, 200, 0.25);
    expect(left[25]).toBeCloseTo(0.25 * 0.5 + 0.8 * 0.5, 5);
    expect(left[50]).toBeCloseTo(0.8, 6);
    expect(live.closed).toBe(true);
  });

  it("ends live on Stop", () => {
    const { mixer, events } = setup();
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    renderFed(mixer, live, 500, 0.25);
    mixer.stop(100);
    const left = renderFed(mixer, live, 300, 0.25);
    expect(left[50]).toBeCloseTo(0.125, 6);
    expect(left[100]).toBe(0);
    expect(live.closed).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "live_ended", frame: 600 });
    expect(mixer.status().state).toBe("idle");
  });

  it("plays silence through a dropout, reports it on its frame, and reconnects without a new route", () => {
    const { mixer, events } = setup();
    const live = new TestLive("http://dj/live");
    live.push(1000, 0.25);
    mixer.routeLive(live, 0);
    let left = renderLeft(mixer, 1000, 128);
    expect(left[999]).toBe(0.25);
    // Nothing more arrives: silence, never a wait, and the clock keeps running.
    left = renderLeft(mixer, 1000, 128);
    expect(Math.max(...left)).toBe(0);
    expect(mixer.frame).toBe(2000);
    expect(events.find((e) => e.type === "live_disconnected")).toMatchObject({
      frame: 1500,
      inputUri: "http://dj/live",
    });
    expect(mixer.status()).toMatchObject({ state: "live", liveState: "disconnected" });
    // The DJ is back: once the start latency is buffered it sounds again (with the short ramp).
    live.push(5000, 0.25);
    left = renderLeft(mixer, 200);
    expect(events.filter((e) => e.type === "live_connected").map((e) => e.frame)).toEqual([
      0, 2000,
    ]);
    expect(left[25]).toBeCloseTo(0.125, 6);
    expect(left[199]).toBe(0.25);
    expect(events.filter((e) => e.type === "live_started")).toHaveLength(1);
  });

  it("reports a dropout at once when the input's decoder exits", () => {
    const { mixer, events } = setup();
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    renderLeft(mixer, 100);
    live.running = false;
    live.lastError = "decoder exited";
    renderLeft(mixer, 400);
    expect(events.find((e) => e.type === "live_disconnected")).toEqual({
      type: "live_disconnected",
      frame: 300,
      inputUri: "http://dj/live",
      reason: "decoder exited",
    });
  });

  it("renders silence, not a hang, for an empty input with no start buffer", () => {
    const mixer = new Mixer({ live: { startFrames: 0 } });
    const live = new TestLive("http://dj/empty");
    mixer.routeLive(live, 0);
    expect(Math.max(...renderLeft(mixer, 512))).toBe(0);
    live.push(10, 0.25);
    expect(renderLeft(mixer, 20).slice(0, 10)).toEqual(new Float32Array(10).fill(0.25));
  });

  it("bounds the buffered live audio by skipping to the target latency", () => {
    const { mixer } = setup();
    const live = new TestLive("http://dj/burst");
    // A server burst: 5 s at once.
    live.push(5 * 44_100, 0.25);
    mixer.routeLive(live, 0);
    renderLeft(mixer, 128);
    expect(live.availableFrames()).toBe(LIVE.startFrames - 128);
    for (let i = 0; i < 100; i++) {
      // Faster than real time: two blocks arrive per block rendered.
      live.push(256, 0.25);
      renderLeft(mixer, 128);
      expect(live.availableFrames()).toBeLessThanOrEqual(LIVE.maxFrames);
    }
  });

  it("crossfades between two inputs when another one is routed", () => {
    const { mixer, events } = setup();
    const a = new TestLive("http://dj/a");
    a.push(300, 0.25);
    mixer.routeLive(a, 0);
    renderFed(mixer, a, 500, 0.25);
    const b = new TestLive("http://dj/b");
    b.push(300, 0.75);
    mixer.routeLive(b, 400);
    const left = new Float32Array(1000);
    for (let done = 0; done < 1000; done += 100) {
      a.push(100, 0.25);
      b.push(100, 0.75);
      const out = mixer.render(100);
      for (let i = 0; i < 100; i++) left[done + i] = out[i * 2]!;
    }
    expect(left[200]).toBeCloseTo(0.5, 5);
    expect(left[400]).toBe(0.75);
    expect(a.closed).toBe(true);
    expect(events.filter((e) => e.type === "live_ended")).toEqual([
      { type: "live_ended", frame: 900, inputUri: "http://dj/a" },
    ]);
    expect(mixer.liveInput).toEqual({ uri: "http://dj/b", state: "connected" });
  });

  it("hands the live signal to the DSP chain as the `live` stem", () => {
    const { mixer } = setup();
    const seen: number[] = [];
    mixer.processor = {
      process(_mix: Float32Array, stems: MixStems) {
        seen.push(stems.live![0]!, stems.automation[0]!);
      },
    };
    const live = new TestLive("http://dj/live");
    live.push(300, 0.25);
    mixer.routeLive(live, 0);
    mixer.render(100);
    mixer.render(100);
    expect(seen.slice(2)).toEqual([0.25, 0]);
  });

  it("ducks the program under the live input with duck(sidechain: live) in the graph", () => {
    const { mixer } = setup();
    mixer.processor = new LiveDspChain(
      DspChain.compile({
        nodes: [
          { id: "music", type: "mix", params: { inputs: ["automation"] } },
          {
            id: "ducked",
            type: "duck",
            params: { sidechain: "live", depth_db: 12, threshold_db: -30, attack_ms: 1 },
          },
          { id: "out", type: "mix", params: { inputs: ["ducked", "live"] } },
        ],
      }),
    );
    // Let the chain's initial 1-frame load settle, then take over with a 1 s fade.
    renderLeft(mixer, 1000);
    const live = new TestLive("http://dj/voice");
    live.push(300, 0.25);
    mixer.routeLive(live, 44_100);
    const left = renderFed(mixer, live, 22_050, 0.25);
    // Half-way through the fade: live at 0.125 (well above −30 dBFS) ducks the program by 12 dB.
    const t = 20_000 / 44_100;
    expect(left[20_000]).toBeCloseTo(0.5 * (1 - t) * 10 ** (-12 / 20) + 0.25 * t, 3);
  });
});
