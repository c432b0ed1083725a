import { kWeightingFilter } from "./k-weighting.js";
import { LoudnessHistogram, energyToLufs } from "./loudness-histogram.js";
import { TruePeakMeter } from "./true-peak.js";

/** Options of {@link LoudnessAnalyzer}. */
export interface LoudnessAnalyzerOptions {
  /** Sample rate of the PCM, Hz. */
  sampleRateHz: number;
  /** Interleaved channels per frame. */
  channels: number;
  /**
   * BS.1770-4 weight per channel (1.0 for L/R/C, 1.41 for surrounds, 0 for
   * LFE). Default: 1.0 for every channel of a mono or stereo stream, the
   * ITU 5.1 order (L R C LFE Ls Rs) for six channels.
   */
  channelWeights?: readonly number[];
  /** Silence threshold for cue detection, dBFS sample peak. Default −50. */
  cueThresholdDbfs?: number;
  /**
   * Also estimate intro/outro markers. They need the momentary-loudness
   * history (4 bytes per 100 ms of programme), so they are off by default.
   */
  markers?: boolean | MarkerOptions;
  /** Oversampling factor of the true-peak meter (≥ 4). Default 4. */
  truePeakOversampling?: number;
}

/** How intro and outro markers are placed, relative to the integrated loudness. */
export interface MarkerOptions {
  /** The intro ends where momentary loudness first reaches integrated − this, LU. Default 3. */
  introLu?: number;
  /** The outro starts after the last momentary block at or above integrated − this, LU. Default 10. */
  outroLu?: number;
}

/** What {@link LoudnessAnalyzer.finish} measured. */
export interface LoudnessResult {
  /** Integrated loudness (BS.1770-4 gated), LUFS; null when no 400 ms block passes the −70 LUFS gate. */
  integratedLufs: number | null;
  /** Loudness range (EBU Tech 3342), LU; 0 when under two 3 s blocks pass the gates. */
  loudnessRangeLu: number;
  /** Largest absolute sample, dBFS; −Infinity for digital silence. */
  samplePeakDbfs: number;
  /** Largest absolute value of the ≥ 4× oversampled signal, dBTP; −Infinity for digital silence. */
  truePeakDbtp: number;
  /** Start of the first sample above the cue threshold, ms; 0 when none is. */
  cueInMs: number;
  /** End of the last sample above the cue threshold, ms; 0 when none is. */
  cueOutMs: number;
  /** True when no sample is above the cue threshold. */
  silent: boolean;
  /** End of the intro, ms from file start, when markers were requested and found. */
  introMs?: number;
  /** Start of the outro, ms from file start, when markers were requested and found. */
  outroMs?: number;
  /** Length of the analysed PCM, ms. */
  durationMs: number;
  /** Frames analysed. */
  frames: number;
  /** Sample rate analysed, Hz. */
  sampleRateHz: number;
  /** Channels analysed. */
  channels: number;
}

/** Default BS.1770-4 channel weights for `channels` interleaved channels. */
export function defaultChannelWeights(channels: number): number[] {
  if (channels === 6) return [1, 1, 1, 0, 1.41, 1.41];
  return new Array<number>(channels).fill(1);
}

function toDb(linear: number): number {
  return linear > 0 ? 20 * Math.log10(linear) : -Infinity;
}

/**
 * Streaming EBU R128 / ITU-R BS.1770-4 analyser over interleaved float PCM.
 *
 * Feed chunks of any size with {@link LoudnessAnalyzer.push} as they are
 * decoded, then call {@link LoudnessAnalyzer.finish} once. Memory is constant
 * (about 260 kB) whatever the programme length, except the 4 bytes per 100 ms
 * kept when intro/outro markers are requested.
 *
 * Measures: K-weighted 400 ms blocks every 100 ms (75 % overlap) with the
 * −70 LUFS absolute and −10 LU relative gates (integrated loudness); 3 s
 * short-term blocks every 100 ms with the −20 LU relative gate and the
 * 10th–95th percentile spread (loudness range); sample peak; true peak; cue
 * points by a sample-peak silence threshold. A trailing part shorter than
 * 100 ms is counted in the peaks, cues and duration but in no block.
 */
export class LoudnessAnalyzer {
  private readonly ch: number;
  private readonly rate: number;
  private readonly weights: Float64Array;
  private readonly coeffs: Float64Array;
  /** Per channel: x1 x2 (stage 1 input), y1 y2 (stage 1 out = stage 2 in history), z1 z2 (stage 2 out). */
  private readonly state: Float64Array;
  private readonly peaks: Float64Array;
  private readonly step: number;
  private readonly ring = new Float64Array(30);
  private ringFilled = 0;
  private ringPos = 0;
  private subEnergy = 0;
  private subFill = 0;
  private readonly blocks = new LoudnessHistogram();
  private readonly shortTerm = new LoudnessHistogram();
  private readonly cueLinear: number;
  private firstAbove = -1;
  private lastAbove = -1;
  private frames = 0;
  private readonly truePeak: TruePeakMeter;
  private readonly markerOptions: Required<MarkerOptions> | undefined;
  private momentary: Float32Array | undefined;
  private momentaryCount = 0;
  private finished = false;

  constructor(options: LoudnessAnalyzerOptions) {
    const { sampleRateHz, channels } = options;
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(`channels must be a positive integer, got ${channels}`);
    }
    if (!(sampleRateHz >= 1000))
      throw new RangeError(`sample rate must be ≥ 1000 Hz, got ${sampleRateHz}`);
    this.ch = channels;
    this.rate = sampleRateHz;
    const weights = options.channelWeights ?? defaultChannelWeights(channels);
    if (weights.length !== channels) {
      throw new RangeError(`expected ${channels} channel weights, got ${weights.length}`);
    }
    this.weights = Float64Array.from(weights);
    const k = kWeightingFilter(sampleRateHz);
    this.coeffs = Float64Array.of(
      k.shelf.b0,
      k.shelf.b1,
      k.shelf.b2,
      k.shelf.a1,
      k.shelf.a2,
      k.highPass.b0,
      k.highPass.b1,
      k.highPass.b2,
      k.highPass.a1,
      k.highPass.a2,
    );
    this.state = new Float64Array(channels * 6);
    this.peaks = new Float64Array(channels);
    this.step = Math.round(sampleRateHz / 10);
    this.cueLinear = Math.pow(10, (options.cueThresholdDbfs ?? -50) / 20);
    this.truePeak = new TruePeakMeter(channels, {
      oversampling: options.truePeakOversampling ?? 4,
    });
    if (options.markers) {
      const m = options.markers === true ? {} : options.markers;
      this.markerOptions = { introLu: m.introLu ?? 3, outroLu: m.outroLu ?? 10 };
      this.momentary = new Float32Array(1024);
    }
  }

  /**
   * Analyse the next chunk of interleaved samples (full scale = ±1.0). The
   * chunk must hold whole frames.
   */
  push(samples: Float32Array): void {
    if (this.finished) throw new Error("LoudnessAnalyzer.push after finish");
    if (samples.length % this.ch !== 0) {
      throw new RangeError(
        `chunk of ${samples.length} samples is not whole ${this.ch}-channel frames`,
      );
    }
    const frames = samples.length / this.ch;
    let pos = 0;
    while (pos < frames) {
      const n = Math.min(frames - pos, this.step - this.subFill);
      this.filterSegment(samples, pos, n);
      pos += n;
      this.subFill += n;
      if (this.subFill === this.step) this.closeSubBlock();
    }
    this.truePeak.push(samples, frames);
    this.frames += frames;
  }

  private filterSegment(samples: Float32Array, start: number, n: number): void {
    const ch = this.ch;
    const c0 = this.coeffs;
    const b0 = c0[0]!,
      b1 = c0[1]!,
      b2 = c0[2]!,
      a1 = c0[3]!,
      a2 = c0[4]!;
    const hb0 = c0[5]!,
      hb1 = c0[6]!,
      hb2 = c0[7]!,
      ha1 = c0[8]!,
      ha2 = c0[9]!;
    const cue = this.cueLinear;
    const base = this.frames + start;
    let energy = 0;
    for (let c = 0; c < ch; c++) {
      const s = this.state;
      const o = c * 6;
      let x1 = s[o]!,
        x2 = s[o + 1]!,
        y1 = s[o + 2]!,
        y2 = s[o + 3]!,
        z1 = s[o + 4]!,
        z2 = s[o + 5]!;
      let peak = this.peaks[c]!;
      let first = -1;
      let last = -1;
      let sum = 0;
      const end = (start + n) * ch;
      for (let i = start * ch + c, f = 0; i < end; i += ch, f++) {
        const x = samples[i]!;
        const a = x < 0 ? -x : x;
        if (a > peak) peak = a;
        if (a > cue) {
          if (first < 0) first = f;
          last = f;
        }
        const y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1;
        x1 = x;
        const z = hb0 * y + hb1 * y1 + hb2 * y2 - ha1 * z1 - ha2 * z2;
        y2 = y1;
        y1 = y;
        z2 = z1;
        z1 = z;
        sum += z * z;
      }
      // Flush denormals left by decaying filters in long silences; they cost far more than they weigh.
      if (Math.abs(z1) < 1e-30 && Math.abs(z2) < 1e-30) z1 = z2 = 0;
      s[o] = x1;
      s[o + 1] = x2;
      s[o + 2] = y1;
      s[o + 3] = y2;
      s[o + 4] = z1;
      s[o + 5] = z2;
      this.peaks[c] = peak;
      if (first >= 0) {
        if (this.firstAbove < 0 || base + first < this.firstAbove) this.firstAbove = base + first;
        if (base + last > this.lastAbove) this.lastAbove = base + last;
      }
      energy += this.weights[c]! * sum;
    }
    this.subEnergy += energy;
  }

  private closeSubBlock(): void {
    this.ring[this.ringPos] = this.subEnergy;
    this.ringPos = (this.ringPos + 1) % 30;
    if (this.ringFilled < 30) this.ringFilled++;
    this.subEnergy = 0;
    this.subFill = 0;
    if (this.ringFilled >= 4) {
      let e = 0;
      for (let k = 1; k <= 4; k++) e += this.ring[(this.ringPos - k + 30) % 30]!;
      const z = e / (4 * this.step);
      this.blocks.add(z);
      if (this.momentary) this.recordMomentary(z);
    }
    if (this.ringFilled === 30) {
      let e = 0;
      for (let k = 0; k < 30; k++) e += this.ring[k]!;
      this.shortTerm.add(e / (30 * this.step));
    }
  }

  private recordMomentary(z: number): void {
    let m = this.momentary!;
    if (this.momentaryCount === m.length) {
      const grown = new Float32Array(m.length * 2);
      grown.set(m);
      this.momentary = m = grown;
    }
    m[this.momentaryCount++] = z > 0 ? energyToLufs(z) : -Infinity;
  }

  /** Finish the stream and return the measurements. Call once. */
  finish(): LoudnessResult {
    if (this.finished) throw new Error("LoudnessAnalyzer.finish called twice");
    this.finished = true;
    this.truePeak.flush();
    let samplePeak = 0;
    for (const p of this.peaks) if (p > samplePeak) samplePeak = p;
    const truePeak = Math.max(samplePeak, this.truePeak.peak);
    const msPerFrame = 1000 / this.rate;
    const silent = this.firstAbove < 0;
    const integratedLufs = this.blocks.gatedLoudness(-10);
    const result: LoudnessResult = {
      integratedLufs,
      loudnessRangeLu: this.shortTerm.range(-20),
      samplePeakDbfs: toDb(samplePeak),
      truePeakDbtp: toDb(truePeak),
      cueInMs: silent ? 0 : this.firstAbove * msPerFrame,
      cueOutMs: silent ? 0 : (this.lastAbove + 1) * msPerFrame,
      silent,
      durationMs: this.frames * msPerFrame,
      frames: this.frames,
      sampleRateHz: this.rate,
      channels: this.ch,
    };
    if (this.markerOptions && integratedLufs !== null) this.placeMarkers(result, integratedLufs);
    return result;
  }

  private placeMarkers(result: LoudnessResult, integrated: number): void {
    const m = this.momentary!;
    const stepMs = (this.step * 1000) / this.rate;
    const intro = integrated - this.markerOptions!.introLu;
    const outro = integrated - this.markerOptions!.outroLu;
    for (let j = 0; j < this.momentaryCount; j++) {
      if (m[j]! >= intro) {
        // Block j spans [j, j + 4) steps; it reached the level by its end.
        result.introMs = Math.max(result.cueInMs, (j + 4) * stepMs);
        break;
      }
    }
    for (let j = this.momentaryCount - 1; j >= 0; j--) {
      if (m[j]! >= outro) {
        result.outroMs = Math.min(result.cueOutMs, (j + 4) * stepMs);
        break;
      }
    }
  }
}
