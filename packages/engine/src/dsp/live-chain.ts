import type { MixProcessor, MixStems } from "../mixer/mixer.js";
import { DspChain, type DspNodeTelemetry } from "./chain.js";

interface Fade {
  chain: DspChain;
  frames: number;
  done: number;
}

/**
 * The DSP stage of one station's mixer: runs the current {@link DspChain} on
 * every interleaved stereo block and swaps chains without a gap or click.
 * {@link LiveDspChain.load} starts a crossfade: for its length both chains
 * process the same input and the output moves linearly from the old chain's
 * result to the new one's (their outputs are correlated, so linear keeps the
 * level); then the old chain is disposed. A load during a crossfade waits
 * for it to finish (only the newest waiting chain is kept).
 */
export class LiveDspChain implements MixProcessor {
  #current: DspChain;
  #fade: Fade | undefined;
  #pending: { chain: DspChain; frames: number } | undefined;
  #a: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  #b: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  #auto: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  #emer: Float32Array[] = [new Float32Array(0), new Float32Array(0)];
  #live: Float32Array[] = [new Float32Array(0), new Float32Array(0)];

  /** Starts with `initial` (an empty chain by default). */
  constructor(initial: DspChain = DspChain.empty()) {
    this.#current = initial;
  }

  /** The chain that is (or, during a crossfade, is becoming) the station's processing. */
  get chain(): DspChain {
    return this.#pending?.chain ?? this.#fade?.chain ?? this.#current;
  }

  /** True while two chains are being crossfaded or one waits to be. */
  get swapping(): boolean {
    return this.#fade !== undefined;
  }

  /** Replace the chain, crossfading over `crossfadeFrames` (0 = at the next block boundary). */
  load(chain: DspChain, crossfadeFrames: number): void {
    if (this.#fade) {
      this.#pending?.chain.dispose();
      this.#pending = { chain, frames: crossfadeFrames };
      return;
    }
    this.#fade = { chain, frames: Math.max(1, crossfadeFrames), done: 0 };
  }

  /** Telemetry of the chain on air. */
  readings(): DspNodeTelemetry[] {
    return (this.#fade?.chain ?? this.#current).readings();
  }

  /** Process one interleaved stereo block in place (the mixer calls this). */
  process(mix: Float32Array, stems: MixStems): void {
    const n = mix.length / 2;
    this.#ensure(n);
    const a = this.#views(this.#a, n);
    deinterleave(mix, a, n);
    // The stems are deinterleaved only when a node (mix, duck) reads them.
    const auto = this.#auto;
    const emer = this.#emer;
    const liveBuf = this.#live;
    let live: Float32Array[] | undefined;
    let automation: Float32Array[] | undefined;
    let emergency: Float32Array[] | undefined;
    const inputs = {
      get automation(): Float32Array[] {
        automation ??= deinterleave(stems.automation, views(auto, n), n);
        return automation;
      },
      get emergency(): Float32Array[] {
        emergency ??= deinterleave(stems.emergency, views(emer, n), n);
        return emergency;
      },
      get live(): Float32Array[] | undefined {
        if (!stems.live) return undefined;
        live ??= deinterleave(stems.live, views(liveBuf, n), n);
        return live;
      },
    };
    const fade = this.#fade;
    if (!fade) {
      this.#current.process(a, inputs);
      interleave(a, mix, n);
      return;
    }
    const b = this.#views(this.#b, n);
    b[0]!.set(a[0]!);
    b[1]!.set(a[1]!);
    this.#current.process(a, inputs);
    fade.chain.process(b, inputs);
    for (let i = 0; i < n; i++) {
      const t = Math.min(1, (fade.done + i + 1) / fade.frames);
      mix[i * 2] = a[0]![i]! * (1 - t) + b[0]![i]! * t;
      mix[i * 2 + 1] = a[1]![i]! * (1 - t) + b[1]![i]! * t;
    }
    fade.done += n;
    if (fade.done >= fade.frames) {
      this.#current.dispose();
      this.#current = fade.chain;
      this.#fade = undefined;
      const next = this.#pending;
      this.#pending = undefined;
      if (next) this.load(next.chain, next.frames);
    }
  }

  /** Dispose every chain held. */
  dispose(): void {
    this.#current.dispose();
    this.#fade?.chain.dispose();
    this.#pending?.chain.dispose();
  }

  #views(buffers: Float32Array[], n: number): Float32Array[] {
    return views(buffers, n);
  }

  #ensure(n: number): void {
    if (this.#a[0]!.length >= n) return;
    const make = (): Float32Array[] => [new Float32Array(n), new Float32Array(n)];
    this.#a = make();
    this.#b = make();
    this.#auto = make();
    this.#emer = make();
    this.#live = make();
  }
}

/** The first `n` samples of each buffer (no copy); the buffers themselves when they are exactly `n` long. */
function views(buffers: Float32Array[], n: number): Float32Array[] {
  return buffers[0]!.length === n ? buffers : buffers.map((x) => x.subarray(0, n));
}

function deinterleave(src: Float32Array, dst: Float32Array[], n: number): Float32Array[] {
  const l = dst[0]!;
  const r = dst[1]!;
  for (let i = 0; i < n; i++) {
    l[i] = src[i * 2]!;
    r[i] = src[i * 2 + 1]!;
  }
  return dst;
}

function interleave(src: Float32Array[], dst: Float32Array, n: number): void {
  const l = src[0]!;
  const r = src[1]!;
  for (let i = 0; i < n; i++) {
    dst[i * 2] = l[i]!;
    dst[i * 2 + 1] = r[i]!;
  }
}
