import { rampDone, stepRamp, type GainRamp } from "./gain-ramp.js";

/** The layers' signals of the block being processed, interleaved stereo, after program and master gains. */
export interface MixStems {
  /** The program (automation) layer. */
  automation: Float32Array;
  /** The emergency layer. */
  emergency: Float32Array;
  /** The live layer (after its emergency preemption ramp); always set by the mixer. */
  live?: Float32Array;
}

/**
 * The gains {@link mixBlock} applies to one block, offsets in frames from the
 * block start. Every ramp given is stepped once per frame it applies to, so
 * it continues where it stopped in the next block.
 */
export interface BlockGains {
  /**
   * Program gain rising (resuming after an emergency) from offset
   * `programUpFrom` on; the program is silent before it. Takes precedence
   * over `programDown` from that offset.
   */
  programUp?: GainRamp;
  /** Offset where `programUp` starts, frames (0 when the ramp continues from the last block). */
  programUpFrom: number;
  /** Program gain falling (preempted by an emergency) over offsets `[0, programTo)`; silent after. */
  programDown?: GainRamp;
  /** End of the program's preemption ramp in this block, frames. */
  programTo: number;
  /** Live layer gain (muted while an emergency preempts it). */
  liveMute: GainRamp;
  /** Live gain rising after an emergency ends, from offset `liveUpFrom` on (in place of `liveMute`). */
  liveUp?: GainRamp;
  /** Offset where `liveUp` starts, frames. */
  liveUpFrom: number;
  /** Master gain, applied to every layer after the layer gains. */
  master: GainRamp;
}

/** One interleaved stereo buffer per layer. */
export type LayerBuffers = Required<MixStems>;

/**
 * Mix one block of `frames` frames into `out`: per sample
 * `(program·pg + emergency + live·lg)·mg`, where `pg`, `lg` and `mg` are the
 * program, live and master gains of `gains`. `layers` hold the block's layer
 * signals (`frames * 2` samples each); `stems` are scratch buffers of at
 * least that length that receive each layer's signal after its gains. When no
 * ramp runs and every gain is 1 the layer buffers themselves are returned as
 * the stems (no copy); otherwise `stems` cut to the block.
 */
export function mixBlock(
  out: Float32Array,
  layers: LayerBuffers,
  stems: LayerBuffers,
  frames: number,
  gains: BlockGains,
): LayerBuffers {
  const { programUp: up, programDown: down, liveUp, liveMute, master } = gains;
  const pbuf = layers.automation;
  const ebuf = layers.emergency;
  const lbuf = layers.live;
  const auto = stems.automation.subarray(0, frames * 2);
  const emer = stems.emergency.subarray(0, frames * 2);
  const lstem = stems.live.subarray(0, frames * 2);
  const steady = !up && !down && !liveUp && rampDone(liveMute) && rampDone(master);
  // No ramp running (the usual case): constant gains, no per-sample ramp steps.
  const lgSteady = liveMute.to;
  const mgSteady = master.to;
  if (steady && lgSteady === 1 && mgSteady === 1) {
    for (let i = 0; i < frames * 2; i++) out[i] = pbuf[i]! + ebuf[i]! + lbuf[i]!;
    // Unity gains: the layer buffers are the stems (nothing writes them until the next render).
    return layers;
  }
  if (steady) {
    for (let i = 0; i < frames * 2; i++) {
      const l = lbuf[i]! * lgSteady;
      auto[i] = pbuf[i]! * mgSteady;
      emer[i] = ebuf[i]! * mgSteady;
      lstem[i] = l * mgSteady;
      out[i] = (pbuf[i]! + ebuf[i]! + l) * mgSteady;
    }
    return { automation: auto, emergency: emer, live: lstem };
  }
  for (let i = 0; i < frames; i++) {
    let pg = 1;
    if (up && i >= gains.programUpFrom) pg = stepRamp(up);
    else if (down) pg = i < gains.programTo ? stepRamp(down) : 0;
    else if (up) pg = 0;
    const lg = i >= gains.liveUpFrom ? stepRamp(liveUp!) : stepRamp(liveMute);
    const mg = stepRamp(master);
    const l0 = lbuf[i * 2]! * lg;
    const l1 = lbuf[i * 2 + 1]! * lg;
    auto[i * 2] = pbuf[i * 2]! * pg * mg;
    auto[i * 2 + 1] = pbuf[i * 2 + 1]! * pg * mg;
    emer[i * 2] = ebuf[i * 2]! * mg;
    emer[i * 2 + 1] = ebuf[i * 2 + 1]! * mg;
    lstem[i * 2] = l0 * mg;
    lstem[i * 2 + 1] = l1 * mg;
    out[i * 2] = (pbuf[i * 2]! * pg + ebuf[i * 2]! + l0) * mg;
    out[i * 2 + 1] = (pbuf[i * 2 + 1]! * pg + ebuf[i * 2 + 1]! + l1) * mg;
  }
  return { automation: auto, emergency: emer, live: lstem };
}
