import { describe, expect, it } from "vitest";
import { fadeInGain } from "../fade-curve.js";
import { Mixer, type MixerEvent } from "./mixer.js";
import { PcmBuffer } from "./pcm-buffer.js";
import type { MixerItem } from "./deck.js";

/** A finished source of `frames` stereo frames whose left and right sample is `value(i)`. */
function source(frames: number, value: (i: number) => number, ended = true): PcmBuffer {
  const buf = new PcmBuffer(2);
  const samples = new Float32Array(frames * 2);
  for (let i = 0; i < frames; i++) samples[i * 2] = samples[i * 2 + 1] = value(i);
  buf.push(samples);
  if (ended) buf.end();
  return buf;
}

function item(itemId: string, src: PcmBuffer, extra: Partial<MixerItem> = {}): MixerItem {
  return { itemId, source: src, ...extra };
}

/** Render `total` frames in blocks of `block` and return the left channel. */
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

function collect(mixer: Mixer): MixerEvent[] {
  const events: MixerEvent[] = [];
  mixer.onEvent = (e) => events.push(e);
  return events;
}

describe("Mixer", () => {
  it("starts a scheduled item on the exact output frame", () => {
    const mixer = new Mixer();
    const events = collect(mixer);
    mixer.schedule(
      item(
        "a",
        source(1000, () => 0.5),
      ),
      { atFrame: 333, crossfadeFrames: 0 },
    );
    const left = renderLeft(mixer, 2000, 100);
    expect(left[332]).toBe(0);
    expect(left[333]).toBe(0.5);
    expect(left[1332]).toBe(0.5);
    expect(left[1333]).toBe(0);
    expect(events.filter((e) => e.type === "item_started")).toEqual([
      { type: "item_started", frame: 333, itemId: "a", layer: "program" },
    ]);
    expect(events.find((e) => e.type === "item_ended")).toMatchObject({
      frame: 1333,
      reason: "finished",
    });
  });

  it("begins a crossfade exactly at the requested sample, with the curve's gains", () => {
    for (const block of [64, 100, 4096]) {
      const mixer = new Mixer();
      const events = collect(mixer);
      mixer.schedule(
        item(
          "a",
          source(44100, () => 0.8),
        ),
      );
      mixer.schedule(
        item(
          "b",
          source(44100, () => 0.2),
        ),
        { atFrame: 10_007, crossfadeFrames: 1000, curve: "scurve" },
      );
      const left = renderLeft(mixer, 12_000, block);
      expect(left[10_006]).toBeCloseTo(0.8, 6);
      // First sample of the crossfade: outgoing at full gain, incoming at zero.
      expect(left[10_007]).toBeCloseTo(0.8, 6);
      const t = 1 / 1000;
      expect(left[10_008]).toBeCloseTo(
        0.8 * fadeInGain("scurve", 1 - t) + 0.2 * fadeInGain("scurve", t),
        6,
      );
      expect(left[10_507]).toBeCloseTo(0.5 * 0.8 + 0.5 * 0.2, 6);
      expect(left[11_007]).toBeCloseTo(0.2, 6);
      const started = events.find((e) => e.type === "item_started" && e.itemId === "b");
      expect(Math.abs(started!.frame - 10_007)).toBeLessThanOrEqual(1);
      expect(events.find((e) => e.type === "item_ended" && e.itemId === "a")).toMatchObject({
        frame: 11_007,
        reason: "faded",
      });
    }
  });

  it("joins gapless items without inserting a single zero", () => {
    const mixer = new Mixer();
    // Each source continues the ramp of the one before, so any inserted or lost frame breaks the sequence.
    mixer.schedule(
      item(
        "a",
        source(1001, (i) => (i + 1) / 10_000),
      ),
    );
    mixer.schedule(
      item(
        "b",
        source(777, (i) => (i + 1002) / 10_000),
      ),
    );
    mixer.schedule(
      item(
        "c",
        source(500, (i) => (i + 1779) / 10_000),
      ),
    );
    const left = renderLeft(mixer, 2400, 256);
    for (let i = 0; i < 2278; i++) expect(left[i]).toBeCloseTo((i + 1) / 10_000, 6);
    expect(left[2278]).toBe(0);
  });

  it("applies cue in, cue out, gain and fade-in", () => {
    const mixer = new Mixer();
    mixer.schedule(
      item(
        "a",
        source(1000, (i) => i / 1000),
        { cueInFrame: 100, cueOutFrame: 600, gainDb: -6.0206, fadeInFrames: 10 },
      ),
    );
    const left = renderLeft(mixer, 700);
    expect(left[0]).toBe(0);
    expect(left[5]).toBeCloseTo(0.5 * (105 / 1000) * 0.5, 4);
    expect(left[10]).toBeCloseTo(0.5 * (110 / 1000), 4);
    expect(left[499]).toBeCloseTo(0.5 * (599 / 1000), 4);
    expect(left[500]).toBe(0);
  });

  it("stops with a fade-out and ramps the master gain", () => {
    const mixer = new Mixer();
    mixer.schedule(
      item(
        "a",
        source(10_000, () => 1),
      ),
    );
    renderLeft(mixer, 100);
    mixer.stop(100);
    const fading = renderLeft(mixer, 200);
    expect(fading[0]).toBe(1);
    expect(fading[50]).toBeCloseTo(0.5, 6);
    expect(fading[100]).toBe(0);
    expect(mixer.status().state).toBe("idle");

    const m2 = new Mixer();
    m2.schedule(
      item(
        "a",
        source(10_000, () => 1),
      ),
    );
    m2.fade(-20, 100, "linear");
    const ramp = renderLeft(m2, 200);
    expect(ramp[0]).toBe(1);
    expect(ramp[50]).toBeCloseTo(1 + (0.1 - 1) * 0.5, 6);
    expect(ramp[150]).toBeCloseTo(0.1, 6);
    expect(m2.masterGainDb).toBeCloseTo(-20, 6);
  });

  it("lets an emergency preempt at once and resumes the program where it paused", () => {
    const mixer = new Mixer({ preemptFadeFrames: 10 });
    const events = collect(mixer);
    mixer.schedule(
      item(
        "prog",
        source(5000, (i) => i / 10_000),
      ),
    );
    renderLeft(mixer, 1000);
    mixer.insertEmergency(
      item(
        "eas",
        source(500, () => -0.9),
      ),
    );
    const left = renderLeft(mixer, 2000, 64);
    // Program ramps out over 10 frames while the emergency ramps in; then only the emergency.
    expect(left[0]).toBeCloseTo(0.1, 6);
    expect(left[10]).toBeCloseTo(-0.9, 6);
    expect(left[499]).toBeCloseTo(-0.9, 6);
    // Program resumes at the frame after its ramp (position 1010), ramping in over 10 frames.
    expect(left[500]).toBeCloseTo(0, 6);
    expect(left[510]).toBeCloseTo(1020 / 10_000, 6);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["emergency_started", "emergency_ended"]),
    );
    expect(events.find((e) => e.type === "emergency_ended")!.frame).toBe(1500);
    expect(mixer.status()).toMatchObject({ state: "playing", currentItemId: "prog" });
  });

  it("counts underruns and keeps the clock running when the decoder falls behind", () => {
    const mixer = new Mixer();
    const events = collect(mixer);
    const live = source(100, () => 0.3, false);
    mixer.schedule(item("slow", live));
    const out = renderLeft(mixer, 300, 150);
    expect(out[99]).toBeCloseTo(0.3, 6);
    expect(out[100]).toBe(0);
    expect(mixer.frame).toBe(300);
    expect(mixer.status().underruns).toBe(2);
    expect(events.find((e) => e.type === "underrun")).toMatchObject({
      frame: 100,
      missingFrames: 50,
    });
  });

  it("reports a failed source and moves on to the next item", () => {
    const mixer = new Mixer();
    const events = collect(mixer);
    const broken = new PcmBuffer(2);
    broken.end(new Error("uridecodebin: could not determine type of stream"));
    mixer.schedule(item("bad", broken));
    mixer.schedule(
      item(
        "good",
        source(100, () => 0.4),
      ),
    );
    const left = renderLeft(mixer, 200);
    expect(left[0]).toBeCloseTo(0.4, 6);
    expect(events.find((e) => e.type === "source_failure")).toMatchObject({
      itemId: "bad",
      message: expect.stringContaining("could not determine type"),
    });
  });

  it("detects silence after the configured duration and reports when audio returns", () => {
    const mixer = new Mixer({ silenceThresholdDb: -40, silenceFrames: 1000 });
    const events = collect(mixer);
    renderLeft(mixer, 1500);
    mixer.schedule(
      item(
        "a",
        source(100, () => 0.5),
      ),
    );
    renderLeft(mixer, 100);
    expect(events.filter((e) => e.type === "silence" || e.type === "audio_restored")).toEqual([
      { type: "silence", frame: 0 },
      { type: "audio_restored", frame: 1500 },
    ]);
  });

  it("meters peak and RMS per channel and approximates loudness", () => {
    const mixer = new Mixer();
    const sine = (i: number) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 44100);
    mixer.schedule(item("tone", source(44100 * 4, sine)));
    renderLeft(mixer, 44100 * 3, 1024);
    const levels = mixer.takeLevels();
    expect(levels.peakDb[0]).toBeCloseTo(-6.02, 1);
    expect(levels.rmsDb[1]).toBeCloseTo(-9.03, 1);
    // A 1 kHz sine at -9.03 dB RMS on both channels reads about -9.03 + 0.69 + 3.01 - 0.69 ≈ -6 LUFS.
    expect(levels.momentaryLufs).toBeGreaterThan(-6.5);
    expect(levels.momentaryLufs).toBeLessThan(-5.4);
    expect(levels.shortTermLufs).toBeCloseTo(levels.momentaryLufs, 0);
  });
});
