import { expect } from 'chai';
import fc from 'fast-check';
import { TimerHeap } from './timer-heap.js';

type Op = { kind: 'schedule'; id: number; t: number } | { kind: 'cancel'; id: number } | { kind: 'pop' };

describe('TimerHeap', () => {
  it('pops in (time, scheduling order) like a sorted list under any schedule/reschedule/cancel sequence', () => {
    const cap = 20;
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('schedule' as const), id: fc.nat(cap - 1), t: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('cancel' as const), id: fc.nat(cap - 1) }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const heap = new TimerHeap(cap);
        const model = new Map<number, { t: number; seq: number }>();
        let seq = 0;
        const modelMin = (): number => {
          let best = -1;
          for (const [id, v] of model) {
            const b = best < 0 ? undefined : model.get(best)!;
            if (!b || v.t < b.t || (v.t === b.t && v.seq < b.seq)) best = id;
          }
          return best;
        };
        for (const op of ops) {
          if (op.kind === 'schedule') {
            heap.schedule(op.id, op.t);
            model.set(op.id, { t: op.t, seq: seq++ });
          } else if (op.kind === 'cancel') {
            heap.cancel(op.id);
            model.delete(op.id);
          } else {
            const expected = modelMin();
            expect(heap.pop()).to.equal(expected);
            model.delete(expected);
          }
          expect(heap.size).to.equal(model.size);
          const m = modelMin();
          expect(heap.peekId()).to.equal(m);
          expect(heap.peekTime()).to.equal(m < 0 ? Infinity : model.get(m)!.t);
        }
      }),
    );
  });

  it('holds one entry per id: rescheduling moves it', () => {
    const heap = new TimerHeap(4);
    heap.schedule(1, 100);
    heap.schedule(2, 50);
    heap.schedule(1, 10);
    expect(heap.size).to.equal(2);
    expect(heap.pop()).to.equal(1);
    expect(heap.pop()).to.equal(2);
    expect(heap.pop()).to.equal(-1);
  });

  it('rejects ids outside its capacity', () => {
    expect(() => new TimerHeap(2).schedule(2, 0)).to.throw(RangeError, /timer id 2/);
  });

  it('a growable heap takes ids beyond its capacity and keeps the order', () => {
    const heap = new TimerHeap(0, true);
    for (let id = 0; id < 100; id++) heap.schedule(id, 1000 - id);
    heap.schedule(5, -1);
    expect(heap.capacity).to.be.at.least(100);
    expect([heap.pop(), heap.pop(), heap.pop()]).to.deep.equal([5, 99, 98]);
    expect(heap.size).to.equal(97);
  });
});
