/** Planar stereo sine, `seconds` long, peak `amplitude`, both channels equal. Test and benchmark helper. */
export function sine(
  freq: number,
  amplitude: number,
  seconds: number,
  rate = 44100,
): Float32Array[] {
  const n = Math.round(seconds * rate);
  const ch = new Float32Array(n);
  for (let i = 0; i < n; i++) ch[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return [ch, ch.slice()];
}

/** Peak absolute sample of `frames` over `[from, to)` (frame indices), dBFS. */
export function peakDb(frames: Float32Array[], from = 0, to = frames[0]!.length): number {
  let peak = 0;
  for (const ch of frames) for (let i = from; i < to; i++) peak = Math.max(peak, Math.abs(ch[i]!));
  return 20 * Math.log10(peak);
}

/** RMS of the left channel over `[from, to)`, dBFS. */
export function rmsDb(frames: Float32Array[], from = 0, to = frames[0]!.length): number {
  let sum = 0;
  const ch = frames[0]!;
  for (let i = from; i < to; i++) sum += ch[i]! * ch[i]!;
  return 10 * Math.log10(sum / (to - from));
}

/** Run `process` over `frames` in blocks of `block` frames (like the mixer does). */
export function inBlocks(
  frames: Float32Array[],
  block: number,
  process: (view: Float32Array[]) => void,
): void {
  const n = frames[0]!.length;
  for (let i = 0; i < n; i += block)
    process(frames.map((ch) => ch.subarray(i, Math.min(n, i + block))));
}
