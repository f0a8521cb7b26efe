// The SV subscriber judged on frames from the SV publisher engine (encoded, patched, decoded by
// the codec), and on hand-made sample sequences whose faults are known.
import { expect } from 'chai';
import fc from 'fast-check';
import { decodeFrame } from '../../bridge/codec/index.js';
import type { SvFrame } from '../../bridge/codec/types.js';
import { deriveSvIdentities, DEFAULT_SV_IDENTITY } from './sv-identities.js';
import { DEFAULT_SV_MODEL, SvSignal, type SvModelConfig } from './sv-model.js';
import { SvPublisherEngine, type SvEngineConfig } from './sv-publisher-engine.js';
import { SvReceiver, svTrackerOptions } from './sv-receiver.js';
import { formatSvTable, svRow } from './sv-report.js';
import { SvStreamTracker } from './sv-stream-tracker.js';

const ORIGIN = 1_767_225_600_000_000; // a whole second

function engineConfig(model: SvModelConfig, seconds: number): SvEngineConfig {
  return {
    streams: deriveSvIdentities(DEFAULT_SV_IDENTITY, 1),
    samplesPerSecond: 4000,
    asdusPerFrame: 1,
    confRev: 1,
    smpSynch: 2,
    quality: 0,
    model,
    durationUs: seconds * 1e6,
  };
}

/** Runs the engine in virtual time into a receiver, every frame through the codec. */
function receive(model: SvModelConfig, seconds: number): { rx: SvReceiver; engine: SvPublisherEngine } {
  const engine = new SvPublisherEngine(engineConfig(model, seconds), ORIGIN, ORIGIN);
  const rx = new SvReceiver(svTrackerOptions(4000));
  while (!engine.done) {
    engine.runDue(engine.nextDueUs(), (frames, at) => {
      for (const f of frames) {
        const d = decodeFrame(f);
        if (!d.ok || d.value.kind !== 'sv') throw new Error('publisher frame does not decode as SV');
        rx.handleSv(d.value as SvFrame, Math.round(at));
      }
    });
  }
  return { rx, engine };
}

const only = (rx: SvReceiver): SvStreamTracker => [...rx.streams.values()][0]!;
const nominal = DEFAULT_SV_MODEL;

describe('SV subscriber on the SV publisher’s frames', () => {
  it('reconstructs the RMS of a 63.5 V / 1 A model within 0.5 % and its phase angles', () => {
    const { rx } = receive(nominal, 0.5);
    const t = only(rx);
    const ph = t.phasors()!;
    for (const c of [0, 1, 2]) {
      expect(Math.abs(ph[c]!.rms - 1) / 1, `I${'ABC'[c]} rms ${ph[c]!.rms}`).to.be.below(0.005);
      expect(Math.abs(ph[4 + c]!.rms - 63.5) / 63.5, `V${'ABC'[c]} rms ${ph[4 + c]!.rms}`).to.be.below(0.005);
      expect(ph[4 + c]!.angleDeg).to.be.closeTo([0, -120, 120][c]!, 0.2);
      expect(ph[c]!.angleDeg).to.be.closeTo([-30, -150, 90][c]!, 0.2);
    }
    // a balanced system: calculated neutrals are ~0
    expect(ph[3]!.rms).to.be.below(0.005);
    expect(ph[7]!.rms).to.be.below(0.05);
    expect(t.counters).to.include({ samples: 2000, missing: 0, duplicates: 0, outOfOrder: 0, wrapErrors: 0, disturbances: 0 });
    expect(t.fault).to.equal(undefined);
  });

  it('RMS includes harmonics, the fundamental does not', () => {
    const { rx } = receive({ ...nominal, harmonics: [{ order: 3, percent: 20 }, { order: 5, percent: 10 }] }, 0.1);
    const va = only(rx).phasors()![4]!;
    expect(va.rms).to.be.closeTo(63.5 * Math.sqrt(1 + 0.04 + 0.01), 63.5 * 0.005);
    expect(va.fundamentalRms).to.be.closeTo(63.5, 63.5 * 0.005);
  });

  it('shows the fault step at the sample it happens, on the faulted channels only, for any fault time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 3900 }), fc.constantFrom('A', 'B', 'BC', 'ABC'), (faultSample, phases) => {
        const { rx, engine } = receive({ ...nominal, fault: { atS: faultSample / 4000, phases, currentRmsA: 10, voltageRmsV: 20, currentLagDeg: 80 } }, 1);
        expect(engine.faultSample).to.equal(faultSample);
        const t = only(rx);
        const first = t.disturbances[0]!;
        expect(first.smpCnt).to.equal(faultSample);
        const channels = new Set(t.disturbances.map((d) => d.channel));
        for (const p of 'ABC') expect(channels.has(`I${p}` as never), `I${p}`).to.equal(phases.includes(p));
        // post-fault magnitudes, a full cycle after the step
        const ph = t.phasors()!;
        expect(ph[phases.charCodeAt(0) - 65]!.fundamentalRms).to.be.closeTo(10, 0.05);
      }),
      { numRuns: 12 },
    );
  });

  it('records the fault: inception sample and time, the cycle before it at the normal values, the cycle from it at the fault values, all phases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 3700 }), fc.constantFrom('A', 'B', 'C', 'BC', 'ABC'), (faultSample, phases) => {
        const fault = { atS: faultSample / 4000, phases, currentRmsA: 12, voltageRmsV: 25, currentLagDeg: 80 };
        const { rx } = receive({ ...nominal, fault }, 1);
        const f = only(rx).fault!;
        expect(f).to.include({ smpCnt: faultSample, sampleIndex: faultSample, rxUs: ORIGIN + faultSample * 250 });
        // The faulted phases' channels, or the neutral, which a fault that is not balanced unbalances at once.
        expect(`${phases}N`).to.include(f.channel.slice(1));
        for (let p = 0; p < 3; p++) {
          const hit = phases.includes('ABC'[p]!);
          const ctx = `phase ${'ABC'[p]} of fault ${phases} at ${faultSample}`;
          expect(f.prefault[p]!.rms, ctx).to.be.closeTo(1, 0.005);
          expect(f.prefault[4 + p]!.rms, ctx).to.be.closeTo(63.5, 0.3);
          expect(f.fault![p]!.rms, ctx).to.be.closeTo(hit ? 12 : 1, 0.005 * (hit ? 12 : 1));
          expect(f.fault![4 + p]!.rms, ctx).to.be.closeTo(hit ? 25 : 63.5, 0.3);
          const vAngle = [0, -120, 120][p]!;
          expect(f.fault![p]!.angleDeg, ctx).to.be.closeTo(vAngle - (hit ? 80 : 30) + (hit && vAngle - 80 < -180 ? 360 : 0), 0.3);
        }
        // the neutral: ~0 before, the unbalance after (IN = IA + IB + IC)
        expect(f.prefault[3]!.rms).to.be.below(0.005);
        if (phases !== 'ABC') expect(f.fault![3]!.rms).to.be.above(5);
      }),
      { numRuns: 10 },
    );
  });

  it('a sample lost inside the first fault cycle leaves the fault cycle empty and keeps the pre-fault cycle', () => {
    const sig = new SvSignal({ ...nominal, fault: { atS: 0, phases: 'A', currentRmsA: 10, voltageRmsV: 20, currentLagDeg: 80 } }, 4000, 400);
    const t = new SvStreamTracker({ appId: 0x4000, svID: 'MU1', src: '02:00:00:00:00:01' }, svTrackerOptions(4000));
    const v = new Int32Array(8);
    for (let n = 100; n < 800; n++) {
      if (n === 430) continue;
      sig.sampleInto(n, v);
      t.beginFrame();
      t.sample(n % 4000, 2, 1, v, new Array<number>(8).fill(0), ORIGIN + n * 250);
      t.endFrame(ORIGIN + n * 250);
    }
    expect(t.fault).to.include({ smpCnt: 400, sampleIndex: 300, channel: 'IA' });
    expect(t.fault!.prefault[0]!.rms).to.be.closeTo(1, 0.005);
    expect(t.fault!.fault).to.equal(undefined);
    expect(t.phasors()![0]!.rms).to.be.closeTo(10, 0.05);
  });

  it('reports the fault record in the row (units in the names) and as a per-stream block that fits 120 columns', () => {
    const { rx } = receive({ ...nominal, fault: { atS: 0.3, phases: 'B', currentRmsA: 8, voltageRmsV: 20, currentLagDeg: 80 } }, 0.5);
    const row = svRow(only(rx), 7_000_000);
    expect(row).to.include({ fault_channel: 'IB', fault_smp_cnt: 1200, fault_sample_index: 1200, fault_utc_us: ORIGIN + 1200 * 250 + 7_000_000 });
    expect(row.fault_utc).to.equal('2026-01-01T00:00:07.300000Z');
    expect(Number(row.prefault_ib_rms_a)).to.be.closeTo(1, 0.005);
    expect(Number(row.fault_ib_rms_a)).to.be.closeTo(8, 0.04);
    expect(Number(row.fault_vb_rms_v)).to.be.closeTo(20, 0.1);
    expect(Number(row.fault_va_rms_v)).to.be.closeTo(63.5, 0.3);
    const table = formatSvTable([row]);
    expect(table).to.contain('fault at 2026-01-01T00:00:07.300000Z').and.contain('smpCnt 1200 = sample 1200 since stream start; first step on IB');
    expect(table).to.match(/\n {2}fault +1\.000 +8\.000 +1\.000 /);
    for (const line of table.split('\n')) expect(line.length, line).to.be.at.most(120);
  });

  it('off-nominal frequency (49.8 Hz) is not taken for a disturbance', () => {
    const { rx } = receive({ ...nominal, frequencyHz: 49.8 }, 1);
    expect(only(rx).counters.disturbances).to.equal(0);
  });
});

describe('SV stream tracker counters', () => {
  const opts = svTrackerOptions(4000);
  const values = [1000, -500, -500, 0, 8980, -4490, -4490, 0];
  const good = new Array<number>(8).fill(0);
  /** Feeds unwrapped sample indices as one-ASDU frames at their exact times (plus delay). */
  function feed(t: SvStreamTracker, indices: number[], opt: { delayUs?: (i: number) => number; synch?: (i: number) => number; quality?: (i: number) => number[] } = {}): void {
    indices.forEach((n, k) => {
      const rx = ORIGIN + n * 250 + (opt.delayUs?.(k) ?? 0);
      t.beginFrame();
      t.sample(n % 4000, opt.synch?.(k) ?? 2, 1, values, opt.quality?.(k) ?? good, rx);
      t.endFrame(rx);
    });
  }
  const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

  it('counts missing samples across the wrap, duplicates and late (out-of-order) samples', () => {
    const t = new SvStreamTracker({ appId: 0x4000, svID: 'MU1', src: '02:00:00:00:00:01' }, opts);
    // 3990 … 4009 without 3998 … 4001 (lost across the wrap), 4005 twice, 4007 after 4008
    const seq = [...range(3990, 3998), ...range(4002, 4007), 4005, 4006 + 2, 4007, 4009];
    feed(t, seq);
    expect(t.counters).to.include({ missing: 4, gaps: 2, duplicates: 1, outOfOrder: 1, wrapErrors: 0 });
    expect(t.counters.samples).to.equal(seq.length);
  });

  it('a pause longer than a wrap counts every sample it lost', () => {
    const t = new SvStreamTracker({ appId: 0x4000, svID: 'MU1', src: '02:00:00:00:00:01' }, opts);
    feed(t, [...range(0, 10), ...range(10_010, 10_020)]);
    expect(t.counters.missing).to.equal(10_000);
  });

  it('flags smpCnt beyond the rate, smpSynch changes, unsynchronised samples and quality bits', () => {
    const t = new SvStreamTracker({ appId: 0x4000, svID: 'MU1', src: '02:00:00:00:00:01' }, opts);
    feed(t, range(0, 100), {
      synch: (k) => (k >= 50 && k < 60 ? 0 : 2),
      quality: (k) => (k === 10 ? [1, 0, 0, 0, 0, 0, 0, 0] : k === 11 ? [0, 0, 0, 0, 0x3, 0, 0, 0x800] : good),
    });
    t.beginFrame();
    t.sample(4000, 2, 1, values, good, ORIGIN + 100 * 250);
    t.endFrame(ORIGIN + 100 * 250);
    expect(t.counters).to.include({ wrapErrors: 1, smpSynchChanges: 2, unsynchronized: 10, qualityInvalid: 1, qualityQuestionable: 1, qualityTest: 1 });
    expect(t.qualityOr).to.equal(0x803);
    expect(svRow(t).quality_or).to.equal('0x00000803');
  });

  it('jitter is the deviation of inter-arrival times from the sample spacing; age is rx − sample instant', () => {
    const t = new SvStreamTracker({ appId: 0x4000, svID: 'MU1', src: '02:00:00:00:00:01' }, opts);
    feed(t, range(0, 1000), { delayUs: (k) => 40 + (k === 500 ? 120 : 0) });
    expect(t.jitter.maxValue).to.equal(120);
    expect(t.jitter.getValueAtPercentile(50)).to.equal(0);
    expect(t.age.getValueAtPercentile(50)).to.equal(40);
    expect(t.age.maxValue).to.be.closeTo(160, 1);
  });

  it('missing and duplicate counts equal what was dropped and repeated (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('keep', 'keep', 'keep', 'drop', 'dup'), { minLength: 50, maxLength: 600 }), fc.integer({ min: 0, max: 3999 }), (ops, first) => {
        const t = new SvStreamTracker({ appId: 0x4000, svID: 'MU1', src: '02:00:00:00:00:01' }, opts);
        const seq: number[] = [first];
        let dropped = 0;
        let dups = 0;
        ops.forEach((op, i) => {
          const n = first + 1 + i;
          if (op === 'drop') dropped++;
          else seq.push(n);
          if (op === 'dup') {
            seq.push(n);
            dups++;
          }
        });
        seq.push(first + ops.length + 1); // a final sample so trailing drops are gaps
        feed(t, seq);
        expect(t.counters.missing).to.equal(dropped);
        expect(t.counters.duplicates).to.equal(dups);
        expect(t.counters.outOfOrder).to.equal(0);
      }),
    );
  });
});
