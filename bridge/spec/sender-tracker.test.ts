import { expect } from 'chai';
import fc from 'fast-check';
import { SEQ_WINDOW, SenderTracker } from './sender-tracker.js';
import { FORWARD, FromWanDrop } from './verdicts.js';

const OWN = { hi: 1, lo: 2 };

describe('SenderTracker', () => {
  it('drops our own sender id', () => {
    const t = new SenderTracker(OWN);
    expect(t.accept(1, 2, 0, 0)).to.equal(FromWanDrop.kOwnSender);
    expect(t.counters.ownDatagrams).to.equal(1);
    expect(t.accept(1, 3, 0, 0)).to.equal(FORWARD);
  });

  it('drops duplicates of the newest and of recent sequence numbers', () => {
    const t = new SenderTracker(OWN);
    for (let s = 10; s < 20; s++) expect(t.accept(9, 9, s, 0)).to.equal(FORWARD);
    expect(t.accept(9, 9, 19, 0)).to.equal(FromWanDrop.kDuplicate);
    expect(t.accept(9, 9, 12, 0)).to.equal(FromWanDrop.kDuplicate);
    expect(t.counters.duplicates).to.equal(2);
    expect(t.counters.gapFrames).to.equal(0);
  });

  it('counts a sequence gap as WAN loss and a late arrival as late, once', () => {
    const t = new SenderTracker(OWN);
    t.accept(9, 9, 100, 0);
    expect(t.accept(9, 9, 105, 0)).to.equal(FORWARD);
    expect(t.counters.gapFrames).to.equal(4);
    expect(t.counters.gapEvents).to.equal(1);
    expect(t.accept(9, 9, 102, 0)).to.equal(FORWARD);
    expect(t.counters.lateFrames).to.equal(1);
    expect(t.accept(9, 9, 102, 0)).to.equal(FromWanDrop.kDuplicate);
  });

  it('treats sequence numbers older than the window as stale', () => {
    const t = new SenderTracker(OWN);
    t.accept(9, 9, 1000, 0);
    expect(t.accept(9, 9, 1000 - SEQ_WINDOW, 0)).to.equal(FromWanDrop.kStale);
    expect(t.accept(9, 9, 1000 - SEQ_WINDOW + 1, 0)).to.equal(FORWARD);
  });

  it('follows the sequence number across the 2^32 wrap', () => {
    const t = new SenderTracker(OWN);
    t.accept(9, 9, 0xfffffffe, 0);
    expect(t.accept(9, 9, 0xffffffff, 0)).to.equal(FORWARD);
    expect(t.accept(9, 9, 0, 0)).to.equal(FORWARD);
    expect(t.accept(9, 9, 0xffffffff, 0)).to.equal(FromWanDrop.kDuplicate);
    expect(t.counters.gapFrames).to.equal(0);
  });

  it('sees a restarted sender (new id) as a new stream: no gap, no duplicate', () => {
    const t = new SenderTracker(OWN);
    for (let s = 0; s < 50; s++) t.accept(7, 7, s, 0);
    for (let s = 0; s < 50; s++) expect(t.accept(7, 8, s, 1)).to.equal(FORWARD);
    expect(t.counters.gapFrames).to.equal(0);
    expect(t.counters.duplicates).to.equal(0);
    expect(t.counters.sendersSeen).to.equal(2);
  });

  it('evicts the least recently heard sender when full', () => {
    const t = new SenderTracker(OWN, 2);
    t.accept(0, 1, 5, 10);
    t.accept(0, 2, 5, 20);
    t.accept(0, 3, 5, 30); // evicts sender 1
    expect(t.counters.sendersEvicted).to.equal(1);
    expect(t.accept(0, 2, 5, 40)).to.equal(FromWanDrop.kDuplicate);
    expect(t.accept(0, 1, 5, 50)).to.equal(FORWARD); // forgotten: new again
  });

  it('delivers each sequence number exactly once under reordering and duplication within the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.nat({ max: 0xffffffff }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -20, max: 20 })), { maxLength: 200 }),
        (n, start, noise) => {
          // A stream start..start+n-1 with bounded displacement (< window/2) and injected duplicates.
          const events = Array.from({ length: n }, (_, i) => ({ seq: i, key: i }));
          for (const [pick, shift] of noise) {
            const i = pick % n;
            events.push({ seq: i, key: i + shift });
          }
          events.sort((a, b) => a.key - b.key || a.seq - b.seq);
          const t = new SenderTracker(OWN);
          const delivered = new Set<number>();
          let accepted = 0;
          for (const e of events) {
            if (t.accept(5, 5, (start + e.seq) >>> 0, 0) === FORWARD) {
              accepted++;
              delivered.add(e.seq);
            }
          }
          // Every delivered seq is delivered once; nothing within the window is lost for good.
          expect(accepted).to.equal(delivered.size);
          expect(t.counters.stale).to.equal(0);
          expect(delivered.size).to.equal(n);
          expect(t.counters.duplicates).to.equal(events.length - n);
          // Numbers below the first one seen arrive late without a gap; every gap above is filled.
          expect(t.counters.gapFrames - t.counters.lateFrames).to.equal(-events[0]!.seq);
        },
      ),
    );
  });
});

