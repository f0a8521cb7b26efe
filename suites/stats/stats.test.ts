import { expect } from 'chai';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { ZeroLossSearch } from './binary-search.js';
import { summarizeHistogram, transferTimeClass, ratio } from './latency-summary.js';
import { wilsonInterval, predictedDeliveryProbability, deliveredFraction, stepCdf, histogramCdf } from './loss-statistics.js';
import { createSchedule } from '../../sim/goose/retransmission-schedule.js';
import { parseStatCpuTicks, parseStatusMemoryKb } from './process-sampler.js';

/** Offsets (µs) from the state change of the frames of one state, given the schedule's gaps
 * (the simulator's RetransmissionSchedule.gapAfter), up to untilUs. */
function scheduleOffsetsUs(gapAfter: (frameIndex: number) => number, untilUs: number): number[] {
  const out: number[] = [0];
  for (let i = 0, at = 0; ; i++) {
    at += gapAfter(i);
    if (at > untilUs) break;
    out.push(at);
  }
  return out;
}

describe('ZeroLossSearch', () => {
  it('ends on a rate that passes and lies within the resolution of the true limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 400_000 }), (limit) => {
        const s = new ZeroLossSearch({ minFps: 1_000, maxFps: 300_000, resolution: 0.05, maxTrials: 40 });
        for (let r = s.next(); r !== null; r = s.next()) s.report(r, r <= limit);
        const truth = Math.min(limit, 300_000);
        expect(s.bestFps).to.be.at.most(truth);
        expect(s.bestFps).to.be.at.least(truth * 0.95 - 1);
      }),
    );
  });
  it('reports 0 when even the floor loses, after trying it', () => {
    const s = new ZeroLossSearch({ minFps: 1_000, maxFps: 100_000, resolution: 0.05, maxTrials: 40 });
    const tried: number[] = [];
    for (let r = s.next(); r !== null; r = s.next()) {
      tried.push(r);
      s.report(r, false);
    }
    expect(s.bestFps).to.equal(0);
    expect(tried).to.include(1_000);
  });
  it('stops after maxTrials and rejects a report for a rate it did not ask for', () => {
    const s = new ZeroLossSearch({ minFps: 1, maxFps: 1_000_000, resolution: 0.0001, maxTrials: 3 });
    expect(() => s.report(5, true)).to.throw(/does not match/);
    for (let r = s.next(); r !== null; r = s.next()) s.report(r, r < 123_456);
    expect(s.trialCount).to.equal(3);
  });
});

describe('latency summary', () => {
  it('gives integer µs percentiles in order, and the TT class of each', () => {
    const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
    for (let v = 1; v <= 10_000; v++) h.recordValue(v);
    const s = summarizeHistogram(h)!;
    expect(s.latency_p50_us).to.be.within(4990, 5010);
    expect(s.latency_p2_5_us).to.be.lessThan(s.latency_p50_us);
    expect(s.latency_p99_9_us).to.be.at.most(s.latency_max_us);
    for (const v of Object.values(s)) expect(Number.isInteger(v)).to.equal(true);
    expect(summarizeHistogram(hdr.build())).to.equal(null);
    expect([transferTimeClass(3000), transferTimeClass(3001), transferTimeClass(20_000), transferTimeClass(20_001)]).to.deep.equal([
      'TT6', 'TT5', 'TT4', 'none',
    ]);
    expect(ratio(3, 2)).to.equal(1.5);
    expect(ratio(3, 0)).to.equal(null);
  });
});

describe('loss statistics', () => {
  it('Wilson interval contains the observed fraction and narrows with n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const k = Math.round(f * n);
        const { low, high } = wilsonInterval(k, n);
        expect(low).to.be.at.most(k / n + 1e-12);
        expect(high).to.be.at.least(k / n - 1e-12);
        const wider = wilsonInterval(k, n);
        const narrower = wilsonInterval(k * 4, n * 4);
        expect(narrower.high - narrower.low).to.be.at.most(wider.high - wider.low + 1e-12);
      }),
    );
  });
  it('predicts delivery from the doubling schedule: 1 − p^frames-before-deadline', () => {
    const schedule = createSchedule('doubling', { t1Us: 2000, t0Us: 1_000_000 });
    const offs = scheduleOffsetsUs((i) => schedule.gapAfter(i), 1_000_000);
    expect(offs.map((o) => o / 1000)).to.deep.equal([0, 2, 6, 14, 30, 62, 126, 254, 510]);
    const fixed = offs.map((o) => stepCdf(o + 100)); // every frame 100 µs after its scheduled send
    expect(predictedDeliveryProbability(0.2, fixed, 4000)).to.be.closeTo(1 - 0.2 ** 2, 1e-12);
    expect(predictedDeliveryProbability(0.2, fixed, 1_000_000)).to.be.closeTo(1 - 0.2 ** 9, 1e-12);
    expect(predictedDeliveryProbability(0, fixed, 50)).to.equal(0); // no frame can arrive that early
    // A tail: the 2 ms retransmission arrives within 4 ms only half the time.
    const tail = [stepCdf(100), (us: number): number => (us >= 5000 ? 1 : us >= 2100 ? 0.5 : 0)];
    expect(predictedDeliveryProbability(0.2, tail, 4000)).to.be.closeTo(1 - (1 - 0.8) * (1 - 0.8 * 0.5), 1e-12);
    expect(deliveredFraction([100, 5000, null, 3999], 4000)).to.equal(0.5);
  });
  it('reads a latency CDF back from a recorded histogram, matching a count of the samples', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 60_000 }), (xs, at) => {
        const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e6, numberOfSignificantValueDigits: 3 });
        for (const x of xs) h.recordValue(x);
        const cdf = histogramCdf((q) => h.getValueAtPercentile(q), h.totalCount);
        // HdrHistogram keeps 3 significant digits: count samples clearly below/above the point.
        const surelyBelow = xs.filter((x) => x * 1.002 < at).length / xs.length;
        const maybeBelow = xs.filter((x) => x <= at * 1.002).length / xs.length;
        expect(cdf(at)).to.be.within(surelyBelow - 1e-6, maybeBelow + 1e-6);
      }),
    );
  });
});

describe('process sampling parsers', () => {
  it('reads utime+stime after a comm with spaces and parens, and VmRSS/VmHWM', () => {
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 12345 1000 100';
    expect(parseStatCpuTicks(stat)).to.equal(300);
    expect(parseStatusMemoryKb('Name:\tnode\nVmHWM:\t  81234 kB\nVmRSS:\t  60000 kB\n')).to.deep.equal({ rssKb: 60000, hwmKb: 81234 });
  });
});
