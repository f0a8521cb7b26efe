import { expect } from 'chai';
import fc from 'fast-check';
import type { Data, GooseFrame } from '../../bridge/codec/types.js';
import { ANOMALY_KEYS, StreamTracker, type StreamCounters } from './stream-tracker.js';
import { U32_MAX } from '../core/sequence-numbers.js';
import { streamGooseFrame } from '../../testkit/sim-goose-frame.js';

const key = { appId: 0x1001, gocbRef: 'IED1LD0/LLN0$GO$gcb01', src: '00:0c:cd:00:00:01' };
const boolData: Data[] = [{ type: 'boolean', value: true }, { type: 'integer', value: 5n }];

interface Msg {
  st: number;
  sq: number;
  /** receive time, ms */
  at: number;
  tal?: number;
  confRev?: number;
  data?: Data[];
  ndsCom?: boolean;
  simulation?: boolean;
}

function frame(m: Msg): GooseFrame {
  const { confRev, ndsCom, simulation } = m;
  return streamGooseFrame(key, { stNum: m.st, sqNum: m.sq, tUs: 0, timeAllowedToLive: m.tal ?? 2000, datSet: 'IED1LD0/LLN0$DS1', allData: m.data ?? boolData, confRev, ndsCom, simulation });
}

function run(msgs: Msg[]): StreamTracker {
  const t = new StreamTracker(key);
  for (const m of msgs) t.handle(frame(m), m.at * 1000);
  return t;
}

/** The counters that must be 0 except those named. */
function onlyAnomalies(c: StreamCounters, expected: Partial<StreamCounters>): void {
  const got: Partial<StreamCounters> = {};
  for (const k of ANOMALY_KEYS) if (c[k] !== 0) got[k] = c[k];
  expect(got).to.deep.equal(expected);
}

// a healthy doubling stream: st 1 sq 0…3 then event st 2 sq 0…2; TAL generous so that one
// crafted anomaly does not also expire TAL (with factor 2, losing a fast retransmission would)
const healthy: Msg[] = [
  { st: 1, sq: 0, at: 0, tal: 100 },
  { st: 1, sq: 1, at: 2, tal: 100 },
  { st: 1, sq: 2, at: 6, tal: 100 },
  { st: 1, sq: 3, at: 14, tal: 100 },
  { st: 2, sq: 0, at: 20, tal: 100 },
  { st: 2, sq: 1, at: 22, tal: 100 },
  { st: 2, sq: 2, at: 26, tal: 100 },
];

describe('StreamTracker', () => {
  it('reports nothing for a healthy stream', () => {
    const t = run(healthy);
    onlyAnomalies(t.counters, {});
    expect(t.counters).to.include({ messages: 7, valid: 7, stateChanges: 1 });
  });

  it('detects a sqNum gap exactly once', () => {
    const t = run(healthy.filter((m) => !(m.st === 1 && m.sq === 2)));
    onlyAnomalies(t.counters, { lost: 1 });
  });

  it('detects a stNum jump as the lost state-change frames, exactly once', () => {
    // st 2 lost entirely (its sq 0 and 1), then st 3 sq 0: one whole state missed
    const t = run([
      { st: 1, sq: 0, at: 0 },
      { st: 1, sq: 1, at: 2 },
      { st: 3, sq: 0, at: 50 },
      { st: 3, sq: 1, at: 52 },
    ]);
    onlyAnomalies(t.counters, { lost: 1 });
    // a new state whose sq 0 and 1 were lost
    const u = run([
      { st: 1, sq: 0, at: 0 },
      { st: 2, sq: 2, at: 6 },
    ]);
    onlyAnomalies(u.counters, { lost: 2 });
  });

  it('detects a duplicate exactly once', () => {
    const msgs = [...healthy];
    msgs.splice(3, 0, { ...healthy[2]!, at: 7 });
    onlyAnomalies(run(msgs).counters, { duplicates: 1 });
  });

  it('detects a reorder exactly once, and does not also count it lost', () => {
    const msgs = [...healthy];
    [msgs[1], msgs[2]] = [{ ...msgs[2]! }, { ...msgs[1]!, at: 6.5 }];
    onlyAnomalies(run(msgs).counters, { outOfOrder: 1 });
    // the previous state's last frame overtaken by the new state's first
    const across = [...healthy];
    [across[3], across[4]] = [{ ...across[4]!, at: 14 }, { ...across[3]!, at: 14.1 }];
    onlyAnomalies(run(across).counters, { outOfOrder: 1 });
  });

  it('remembers the last valid message and its TAL for the monitor (which judges silence)', () => {
    const t = run([
      { st: 1, sq: 0, at: 0, tal: 4 },
      { st: 1, sq: 1, at: 5, tal: 8 },
      { st: 1, sq: 1, at: 6, tal: 8 },
    ]);
    expect([t.lastValidRxUs, t.lastTalMs, t.lastRxUs]).to.deep.equal([5_000, 8, 6_000]);
    onlyAnomalies(t.counters, { duplicates: 1 });
  });

  it('follows stNum and sqNum wraps without anomalies', () => {
    const t = run([
      { st: U32_MAX, sq: U32_MAX - 1, at: 0 },
      { st: U32_MAX, sq: U32_MAX, at: 1 },
      { st: U32_MAX, sq: 1, at: 2 },
      { st: U32_MAX, sq: 2, at: 3 },
      { st: 1, sq: 0, at: 4 },
      { st: 1, sq: 1, at: 5 },
    ]);
    onlyAnomalies(t.counters, {});
    expect(t.counters).to.include({ stNumWraps: 1, sqNumWraps: 1, stateChanges: 1 });
    // a gap across the wrap is still one lost message
    const u = run([
      { st: 7, sq: U32_MAX, at: 0 },
      { st: 7, sq: 2, at: 1 },
    ]);
    onlyAnomalies(u.counters, { lost: 1 });
  });

  it('detects a confRev change exactly once', () => {
    const msgs = healthy.map((m, i) => ({ ...m, confRev: i >= 3 ? 2 : 1 }));
    onlyAnomalies(run(msgs).counters, { confRevChanges: 1 });
  });

  it('detects a dataset shape change exactly once', () => {
    const changed: Data[] = [{ type: 'boolean', value: true }, { type: 'bit-string', bits: 2, value: new Uint8Array([0]) }];
    const msgs = healthy.map((m, i) => ({ ...m, data: i >= 4 ? changed : boolData }));
    const t = run(msgs);
    onlyAnomalies(t.counters, { datasetChanges: 1 });
    expect(t.datasetDiffersFromFirst).to.equal(true);
    // same types, other values: no change
    const values: Data[] = [{ type: 'boolean', value: false }, { type: 'integer', value: 9n }];
    onlyAnomalies(run(healthy.map((m, i) => ({ ...m, data: i % 2 ? values : boolData }))).counters, {});
  });

  it('detects stNum going backwards exactly once and follows the new numbering', () => {
    const t = run([
      ...healthy,
      { st: 9, sq: 0, at: 40, tal: 100 }, // jump from st 2: states 3…8 lost (6 frames)
      { st: 1, sq: 0, at: 41, tal: 100 }, // restarted publisher
      { st: 1, sq: 1, at: 43, tal: 100 },
      { st: 2, sq: 0, at: 50, tal: 100 },
    ]);
    expect(t.counters.stNumBackwards).to.equal(1);
    expect(t.counters.lost).to.equal(6);
    expect(t.counters.duplicates + t.counters.outOfOrder).to.equal(0);
  });

  it('counts ndsCom and simulation messages', () => {
    const t = run(healthy.map((m, i) => ({ ...m, ndsCom: i === 1, simulation: i >= 5 })));
    expect(t.counters).to.include({ ndsComMessages: 1, simulationMessages: 2 });
  });

  it('counts lost = frames dropped from any healthy sequence, with no other anomaly', () => {
    // a stream of events and retransmissions; drop an arbitrary subset (never the first)
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 2, maxLength: 120 }), fc.array(fc.nat(119)), fc.integer({ min: 1, max: U32_MAX }), (events, dropIdx, st0) => {
        const all = healthyStream(events, st0);
        const drop = new Set(dropIdx.filter((i) => i > 0 && i < all.length - 1));
        const t = run(all.filter((_, i) => !drop.has(i)));
        // Frames dropped at the end of a state cannot be known lost (only TAL would tell), and a
        // state dropped entirely counts one frame: so in general lost ≤ dropped, never another anomaly.
        expect(t.counters.lost).to.be.at.most(drop.size);
        expect(t.counters.duplicates + t.counters.outOfOrder + t.counters.stNumBackwards).to.equal(0);
        // exact when the dropped frames are retransmissions followed by a frame of the same state
        const dropSimple = new Set([...drop].filter((i) => all[i]!.sq > 0 && all[i + 1]!.st === all[i]!.st));
        const u = run(all.filter((_, i) => !dropSimple.has(i)));
        expect(u.counters.lost).to.equal(dropSimple.size);
      }),
    );
  });

  /** A healthy stream of events (true) and retransmissions (false) starting at stNum st0. */
  function healthyStream(events: boolean[], st0: number): Msg[] {
    const all: Msg[] = [];
    let st = st0;
    let sq = 0;
    events.forEach((ev, i) => {
      if (i > 0) {
        if (ev) {
          st = st === U32_MAX ? 1 : st + 1;
          sq = 0;
        } else sq++;
      }
      all.push({ st, sq, at: i, tal: 1_000_000 });
    });
    return all;
  }

  it('counts each swap of two adjacent frames as one out-of-order, nothing lost', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 3, maxLength: 120 }), fc.uniqueArray(fc.nat(117)), fc.integer({ min: 1, max: U32_MAX }), (events, swapAt, st0) => {
        const msgs = healthyStream(events, st0);
        // disjoint swaps (i, i+1), never touching the first frame
        const used = new Set<number>();
        let swaps = 0;
        for (const i of swapAt) {
          if (i < 1 || i + 1 >= msgs.length || used.has(i) || used.has(i + 1)) continue;
          used.add(i);
          used.add(i + 1);
          [msgs[i], msgs[i + 1]] = [msgs[i + 1]!, msgs[i]!];
          swaps++;
        }
        const c = run(msgs).counters;
        onlyAnomalies(c, swaps > 0 ? { outOfOrder: swaps } : {});
      }),
    );
  });

  it('counts each repeated frame as one duplicate, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 120 }), fc.array(fc.nat(119)), fc.integer({ min: 1, max: U32_MAX }), (events, dupAt, st0) => {
        const msgs = healthyStream(events, st0);
        const dups = dupAt.filter((i) => i < msgs.length).sort((a, b) => b - a);
        for (const i of dups) msgs.splice(i + 1, 0, { ...msgs[i]! });
        onlyAnomalies(run(msgs).counters, dups.length > 0 ? { duplicates: dups.length } : {});
      }),
    );
  });

  it('handles a jump of a billion states at once, and still places a late frame of the newest skipped state', () => {
    const t = run([
      { st: 5, sq: 0, at: 0, tal: 100 },
      { st: 1_000_000_005, sq: 0, at: 1, tal: 100 },
      { st: 1_000_000_004, sq: 0, at: 2, tal: 100 }, // the state just before: was lost, now late
    ]);
    expect(t.counters).to.include({ lost: 999_999_999 - 1, outOfOrder: 1, stNumBackwards: 0 });
  });
});
