/**
 * Coefficients of one second-order IIR section, normalised so a0 = 1:
 * `y[n] = b0·x[n] + b1·x[n-1] + b2·x[n-2] − a1·y[n-1] − a2·y[n-2]`.
 */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** The two sections of the ITU-R BS.1770-4 K-weighting filter for one sample rate. */
export interface KWeightingFilter {
  /** Stage 1: the high-shelf "pre-filter" modelling the head (+4 dB above ~1.5 kHz). */
  shelf: Biquad;
  /** Stage 2: the RLB high-pass (~38 Hz). */
  highPass: Biquad;
}

/**
 * K-weighting coefficients for `sampleRateHz`, derived from the analogue
 * prototypes of BS.1770-4 by the bilinear transform, so any sample rate gets
 * the filter the standard tabulates for 48 kHz (the same derivation
 * libebur128 and ffmpeg's `ebur128` filter use).
 */
export function kWeightingFilter(sampleRateHz: number): KWeightingFilter {
  if (!(sampleRateHz > 0))
    throw new RangeError(`sample rate must be positive, got ${sampleRateHz}`);
  // Stage 1: high shelf.
  let f0 = 1681.974450955533;
  const gainDb = 3.999843853973347;
  let q = 0.7071752369554196;
  let k = Math.tan((Math.PI * f0) / sampleRateHz);
  const vh = Math.pow(10, gainDb / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  let a0 = 1 + k / q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  // Stage 2: RLB high-pass.
  f0 = 38.13547087602444;
  q = 0.5003270373238773;
  k = Math.tan((Math.PI * f0) / sampleRateHz);
  a0 = 1 + k / q + k * k;
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / q + k * k) / a0,
  };
  return { shelf, highPass };
}

/** Magnitude response of `f` at `frequencyHz`, as a power gain (|H|²), for tests and docs. */
export function kWeightingPowerGain(
  f: KWeightingFilter,
  frequencyHz: number,
  sampleRateHz: number,
): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRateHz;
  const section = (s: Biquad): number => {
    // H(e^jw) = (b0 + b1 e^-jw + b2 e^-2jw) / (1 + a1 e^-jw + a2 e^-2jw)
    const nr = s.b0 + s.b1 * Math.cos(w) + s.b2 * Math.cos(2 * w);
    const ni = -(s.b1 * Math.sin(w) + s.b2 * Math.sin(2 * w));
    const dr = 1 + s.a1 * Math.cos(w) + s.a2 * Math.cos(2 * w);
    const di = -(s.a1 * Math.sin(w) + s.a2 * Math.sin(2 * w));
    return (nr * nr + ni * ni) / (dr * dr + di * di);
  };
  return section(f.shelf) * section(f.highPass);
}
