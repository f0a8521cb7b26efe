import { expect } from 'chai';
import fc from 'fast-check';
import { createSchedule, DoublingSchedule, FixedSchedule, ScheduleConfigError, TalPolicy, type ScheduleName } from './retransmission-schedule.js';

// t1 ≤ t0, whole µs, from sub-ms to a minute
const paramsArb = fc
  .tuple(fc.integer({ min: 1, max: 60_000_000 }), fc.integer({ min: 1, max: 60_000_000 }))
  .map(([a, b]) => ({ t0Us: Math.max(a, b), t1Us: Math.min(a, b) }));
const nameArb = fc.constantFrom<ScheduleName>('doubling', 'fixed');

describe('retransmission schedule', () => {
  it('sends the first retransmission t1 after the state change', () => {
    fc.assert(
      fc.property(nameArb, paramsArb, fc.integer({ min: 0, max: 1e12 }), (name, p, eventUs) => {
        const s = createSchedule(name, p);
        expect(s.gapAfter(0)).to.equal(p.t1Us);
        expect(s.next({ framesInState: 1, lastScheduledUs: eventUs }, eventUs)).to.equal(eventUs + p.t1Us);
      }),
    );
  });

  it('never decreases an interval and never exceeds t0', () => {
    fc.assert(
      fc.property(nameArb, paramsArb, (name, p) => {
        const s = createSchedule(name, p);
        let prev = 0;
        for (let i = 0; i < 80; i++) {
          const g = s.gapAfter(i);
          expect(g, `gap ${i}`).to.be.at.least(prev);
          expect(g, `gap ${i}`).to.be.at.most(p.t0Us);
          expect(Number.isSafeInteger(g)).to.equal(true);
          prev = g;
        }
        expect(s.gapAfter(79)).to.equal(p.t0Us); // reaches the heartbeat
      }),
    );
  });

  it('doubling: the k-th retransmission is at t1·(2^k − 1) until the gap reaches t0 (sum law)', () => {
    fc.assert(
      fc.property(paramsArb, (p) => {
        const s = new DoublingSchedule(p);
        let at = 0;
        for (let k = 1; k < 60; k++) {
          at += s.gapAfter(k - 1);
          if (p.t1Us * 2 ** (k - 1) < p.t0Us) {
            expect(at, `retransmission ${k}`).to.equal(p.t1Us * (2 ** k - 1));
          } else {
            // from the cap on, every gap is t0
            expect(s.gapAfter(k - 1)).to.equal(p.t0Us);
          }
        }
      }),
    );
  });

  it('fixed: three retransmissions t1 apart, then every t0 (the reference C stack)', () => {
    fc.assert(
      fc.property(paramsArb, (p) => {
        const s = new FixedSchedule(p);
        expect([0, 1, 2, 3, 4, 5].map((i) => s.gapAfter(i))).to.deep.equal([p.t1Us, p.t1Us, p.t1Us, p.t0Us, p.t0Us, p.t0Us]);
      }),
    );
  });

  it('schedules from the previous scheduled time, and an overdue frame is due now', () => {
    const s = new DoublingSchedule({ t0Us: 1_000_000, t1Us: 2000 });
    // third frame of the state: gap after frame index 2 = 8 ms
    expect(s.next({ framesInState: 3, lastScheduledUs: 10_000 }, 10_500)).to.equal(18_000);
    expect(s.next({ framesInState: 3, lastScheduledUs: 10_000 }, 25_000)).to.equal(25_000);
  });

  it('rejects t1 > t0, non-positive and fractional times, naming the parameter', () => {
    expect(() => createSchedule('doubling', { t0Us: 1000, t1Us: 2000 })).to.throw(ScheduleConfigError, /t1/);
    expect(() => createSchedule('fixed', { t0Us: 0, t1Us: 0 })).to.throw(ScheduleConfigError, /t0/);
    expect(() => createSchedule('fixed', { t0Us: 10, t1Us: 1.5 })).to.throw(ScheduleConfigError, /t1/);
    expect(() => createSchedule('bogus' as ScheduleName, { t0Us: 10, t1Us: 1 })).to.throw(ScheduleConfigError, /schedule/);
  });
});

describe('TalPolicy', () => {
  it('always exceeds the gap to the next frame', () => {
    fc.assert(
      fc.property(nameArb, paramsArb, fc.double({ min: 1.0001, max: 100, noNaN: true }), fc.nat(70), (name, p, factor, i) => {
        const s = createSchedule(name, p);
        const tal = new TalPolicy(factor);
        const gap = s.gapAfter(i);
        const talMs = tal.talMs(gap);
        expect(Number.isInteger(talMs)).to.equal(true);
        expect(talMs * 1000).to.be.greaterThan(gap);
      }),
    );
  });

  it('defaults to twice the interval to the next frame', () => {
    const tal = new TalPolicy();
    expect(tal.talMs(2000)).to.equal(4);
    expect(tal.talMs(1_000_000)).to.equal(2000);
    expect(tal.talMs(1500)).to.equal(3);
  });

  it('rejects a factor of 1 or less, naming tal-factor', () => {
    expect(() => new TalPolicy(1)).to.throw(ScheduleConfigError, /tal-factor/);
    expect(() => new TalPolicy(Number.NaN)).to.throw(ScheduleConfigError, /tal-factor/);
  });
});
