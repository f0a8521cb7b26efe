import { expect } from 'chai';
import fc from 'fast-check';
import { utcTimeFromMicros } from '../../bridge/codec/index.js';
import { PublisherState } from './publisher-state.js';
import { createSchedule, TalPolicy } from './retransmission-schedule.js';
import { forwardDistance, nextSqNum, nextStNum, U32_MAX } from '../core/sequence-numbers.js';

const schedule = createSchedule('doubling', { t0Us: 1_000_000, t1Us: 2000 });
const tal = new TalPolicy(2);
const t0 = utcTimeFromMicros(1_700_000_000_000_000);

describe('PublisherState', () => {
  it('evolves stNum/sqNum as specified for any sequence of events and retransmissions', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: U32_MAX }),
        fc.array(fc.boolean(), { maxLength: 300 }), // true = event, false = retransmission
        (initialSt, steps) => {
          const s = new PublisherState(initialSt, t0, []);
          let prev = s.takeFrame(schedule, tal);
          expect(prev).to.include({ stNum: initialSt, sqNum: 0, frameIndex: 0 });
          for (const [i, isEvent] of steps.entries()) {
            const t = utcTimeFromMicros(1_700_000_000_000_000 + (i + 1) * 1000);
            if (isEvent) s.applyEvent(t, []);
            const f = s.takeFrame(schedule, tal);
            if (isEvent) {
              expect(f.stNum).to.equal(prev.stNum === U32_MAX ? 1 : prev.stNum + 1);
              expect(f.sqNum).to.equal(0);
              expect(f.frameIndex).to.equal(0);
              expect(s.t).to.deep.equal(t);
            } else {
              expect(f.stNum).to.equal(prev.stNum);
              expect(f.sqNum).to.equal(prev.sqNum + 1);
              expect(f.frameIndex).to.equal(prev.frameIndex + 1);
            }
            expect(f.stNum).to.be.within(1, U32_MAX);
            prev = f;
          }
        },
      ),
    );
  });

  it('wraps stNum 0xFFFFFFFF → 1 and sqNum 0xFFFFFFFF → 1, never back to 0', () => {
    const s = new PublisherState(U32_MAX, t0, []);
    expect(s.takeFrame(schedule, tal)).to.include({ stNum: U32_MAX, sqNum: 0 });
    s.setSqNum(U32_MAX);
    expect(s.takeFrame(schedule, tal)).to.include({ stNum: U32_MAX, sqNum: U32_MAX });
    expect(s.takeFrame(schedule, tal)).to.include({ stNum: U32_MAX, sqNum: 1 });
    s.applyEvent(t0, []);
    expect(s.takeFrame(schedule, tal)).to.include({ stNum: 1, sqNum: 0 });
  });

  it('gives each frame a TAL exceeding the gap to the next frame', () => {
    const s = new PublisherState(1, t0, []);
    for (let i = 0; i < 20; i++) {
      const f = s.takeFrame(schedule, tal);
      expect(f.talMs * 1000).to.be.greaterThan(schedule.gapAfter(f.frameIndex));
    }
  });

  it('rejects an initial stNum of 0', () => {
    expect(() => new PublisherState(0, t0, [])).to.throw(RangeError, /stNum/);
  });
});

describe('sequence numbers', () => {
  it('forwardDistance counts increments on the wrapping counter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: U32_MAX }), fc.nat(5000), (from, steps) => {
        let to = from;
        for (let i = 0; i < steps; i++) to = nextSqNum(to);
        expect(forwardDistance(from, to)).to.equal(steps);
      }),
      { numRuns: 200 },
    );
    expect(forwardDistance(U32_MAX, 1)).to.equal(1);
    expect(forwardDistance(0, 1)).to.equal(1);
    expect(nextStNum(U32_MAX)).to.equal(1);
  });
});

