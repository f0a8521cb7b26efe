import { expect } from 'chai';
import { decodeFrame } from '../../bridge/codec/index.js';
import { framesOf, SCENARIOS } from '../monitor/anomaly-scenarios.js';
import { GooseMonitor } from '../monitor/goose-monitor.js';
import type { MonitorEvent } from '../monitor/monitor-event.js';
import { RepeatFrames } from './repeat-frames.js';
import { buildReport } from './stream-statistics.js';

/** Every scenario's frames through a monitor; `decodeAll` makes the receiver decode every frame. */
function judged(decodeAll: boolean): { events: MonitorEvent[][]; reports: unknown[]; hits: number } {
  const events: MonitorEvent[][] = [];
  const reports: unknown[] = [];
  let hits = 0;
  for (const s of SCENARIOS) {
    const out: MonitorEvent[] = [];
    const m = new GooseMonitor({ graceUs: 500_000, onEvent: (e) => out.push(e), ...(decodeAll ? { decode: (b: Uint8Array) => decodeFrame(b) } : {}) });
    for (const f of framesOf(s)) {
      m.tick(f.rxUs);
      m.handleFrame(f.buf, f.rxUs);
    }
    events.push(out);
    reports.push(buildReport(m).streams);
    hits += m.receiver.repeats?.hits ?? 0;
  }
  return { events, reports, hits };
}

describe('retransmissions recognised without a decode', () => {
  it('give the same events and report as decoding every frame, in every anomaly scenario', () => {
    const fast = judged(false);
    const full = judged(true);
    expect(fast.hits).to.be.greaterThan(100);
    expect(full.hits).to.equal(0);
    expect(fast.events).to.deep.equal(full.events);
    expect(fast.reports).to.deep.equal(full.reports);
  });

  it('match only the same message of the same stream, and read its sqNum', () => {
    const frames = framesOf(SCENARIOS[0]!);
    const decoded = frames.map((f) => decodeFrame(f.buf)).map((r) => (r.ok && r.value.kind === 'goose' ? r.value : undefined));
    const repeats = new RepeatFrames<number>();
    let hits = 0;
    let lastHit = -1;
    frames.forEach((f, i) => {
      const value = repeats.lookup(f.buf);
      if (value !== undefined) {
        const was = decoded[value]!.pdu;
        const now = decoded[i]!.pdu;
        // the remembered message is this stream's, in the same state, and sqNum is read right
        expect([now.gocbRef, now.stNum, repeats.sqNum]).to.deep.equal([was.gocbRef, was.stNum, now.sqNum]);
        expect(decoded[value]!.eth.src).to.equal(decoded[i]!.eth.src);
        hits++;
        lastHit = i;
      } else {
        repeats.remember(f.buf, i);
      }
    });
    expect(hits).to.be.greaterThan(0);
    // a byte changed outside sqNum (here the last byte of the dataset) is not a repeat
    expect(repeats.lookup(frames[lastHit]!.buf)).to.not.equal(undefined);
    const changed = Uint8Array.from(frames[lastHit]!.buf);
    changed[changed.length - 1]! ^= 1;
    expect(repeats.lookup(changed)).to.equal(undefined);
  });
});
