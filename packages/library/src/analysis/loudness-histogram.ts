/** Lowest loudness a block may have to count (the absolute gate), LUFS. */
export const ABSOLUTE_GATE_LUFS = -70;

const TOP_LUFS = 10;
const BINS_PER_LU = 100;
const BIN_COUNT = (TOP_LUFS - ABSOLUTE_GATE_LUFS) * BINS_PER_LU;

/** Loudness of a mean-square energy `z` (already channel-weighted), LUFS. */
export function energyToLufs(z: number): number {
  return -0.691 + 10 * Math.log10(z);
}

/** Mean-square energy whose loudness is `lufs`. */
export function lufsToEnergy(lufs: number): number {
  return Math.pow(10, (lufs + 0.691) / 10);
}

/**
 * A constant-memory record of block loudnesses above the absolute gate:
 * 0.01 LU bins between −70 and +10 LUFS, each holding the count and the exact
 * energy sum of its blocks, so gated means are exact and percentiles are
 * within 0.01 LU whatever the programme length.
 */
export class LoudnessHistogram {
  private readonly counts = new Float64Array(BIN_COUNT);
  private readonly energies = new Float64Array(BIN_COUNT);
  private total = 0;
  private totalEnergy = 0;

  /** Record one block of mean-square energy `z`; blocks at or below the absolute gate are dropped. */
  add(z: number): void {
    const lufs = energyToLufs(z);
    if (!(lufs > ABSOLUTE_GATE_LUFS)) return;
    let bin = Math.floor((lufs - ABSOLUTE_GATE_LUFS) * BINS_PER_LU);
    if (bin >= BIN_COUNT) bin = BIN_COUNT - 1;
    this.counts[bin]! += 1;
    this.energies[bin]! += z;
    this.total += 1;
    this.totalEnergy += z;
  }

  /** Blocks above the absolute gate. */
  get size(): number {
    return this.total;
  }

  /** Relative gate `offsetLu` below the mean loudness of the absolutely gated blocks, LUFS. */
  relativeGate(offsetLu: number): number {
    return energyToLufs(this.totalEnergy / this.total) + offsetLu;
  }

  /** First bin whose blocks are above `gateLufs` (by their mean loudness). */
  private firstBinAbove(gateLufs: number): number {
    let bin = Math.max(0, Math.floor((gateLufs - ABSOLUTE_GATE_LUFS) * BINS_PER_LU));
    while (bin < BIN_COUNT) {
      const n = this.counts[bin]!;
      if (n > 0 && energyToLufs(this.energies[bin]! / n) > gateLufs) break;
      if (n === 0 && ABSOLUTE_GATE_LUFS + bin / BINS_PER_LU > gateLufs) break;
      bin++;
    }
    return bin;
  }

  /**
   * BS.1770-4 gated loudness: the mean energy of blocks above both the
   * absolute gate and a relative gate `relativeLu` below the absolutely gated
   * mean, LUFS; null when no block passes.
   */
  gatedLoudness(relativeLu: number): number | null {
    if (this.total === 0) return null;
    const from = this.firstBinAbove(this.relativeGate(relativeLu));
    let n = 0;
    let e = 0;
    for (let b = from; b < BIN_COUNT; b++) {
      n += this.counts[b]!;
      e += this.energies[b]!;
    }
    return n === 0 ? null : energyToLufs(e / n);
  }

  /**
   * EBU Tech 3342 loudness range: the spread between the 10th and 95th
   * percentiles of blocks above a relative gate `relativeLu` below the
   * absolutely gated mean, LU; 0 when fewer than two blocks pass.
   */
  range(relativeLu: number, low = 0.1, high = 0.95): number {
    if (this.total === 0) return 0;
    const from = this.firstBinAbove(this.relativeGate(relativeLu));
    let n = 0;
    for (let b = from; b < BIN_COUNT; b++) n += this.counts[b]!;
    if (n < 2) return 0;
    const lo = this.percentile(from, Math.round((n - 1) * low));
    const hi = this.percentile(from, Math.round((n - 1) * high));
    return hi - lo;
  }

  /** Mean loudness of the bin holding the `rank`-th (0-based) block from bin `from` upwards. */
  private percentile(from: number, rank: number): number {
    let seen = 0;
    for (let b = from; b < BIN_COUNT; b++) {
      const c = this.counts[b]!;
      if (c === 0) continue;
      seen += c;
      if (seen > rank) return energyToLufs(this.energies[b]! / c);
    }
    return TOP_LUFS;
  }
}
