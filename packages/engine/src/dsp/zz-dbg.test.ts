import { it } from "vitest";
import { Limiter } from "/work/main/packages/engine/src/dsp/limiter.js";
import { TruePeakEstimator, measureTruePeakDb } from "/work/main/packages/engine/src/dsp/true-peak.js";
it("dbg", () => {
  const RATE = 44100;
  for (const freq of [11025, 997]) {
    const n = RATE;
    const ch = new Float32Array(n);
    for (let i = 8820; i < 30000; i++) ch[i] = Math.sin((2 * Math.PI * freq * i) / RATE) >= 0 ? 1 : -1;
    const a = [ch, ch.slice()];
    const est = new TruePeakEstimator(2);
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, est.push(a, i));
    console.log(freq, "est16", 20 * Math.log10(m), "meas64", measureTruePeakDb(a));
    const lim = new Limiter({ threshold_db: -1, release_ms: 50, lookahead_ms: 5, true_peak: true }, RATE, 2);
    lim.process(a);
    console.log("out", measureTruePeakDb(a), "sample peak", 20*Math.log10(Math.max(...a[0].map(Math.abs))));
    // where is the max
    let best = 0, bi = 0; for (let i = 0; i < n; i++) if (Math.abs(a[0][i]) > best) { best = Math.abs(a[0][i]); bi = i; }
    console.log("max at", bi, best, "latency", lim.latencyFrames);
  }
});
