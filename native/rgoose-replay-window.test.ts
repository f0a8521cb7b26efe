// The engine's C++ anti-replay window (native/src/rgoose/replay-window.cc) against a plain
// model: accepted numbers in a Set, positions as unbounded integers.
import { expect } from 'chai';
import fc from 'fast-check';
import { rgooseNative, type NativeReplayTable, type NativeReplayWindow } from './rgoose.js';

const WIDTH = 1024;
const STRICT = 0; // resync disabled
const window = (resyncAfterUs = STRICT): NativeReplayWindow => new (rgooseNative().ReplayWindow)(resyncAfterUs);
const u32 = (n: number): number => n % 2 ** 32;

describe('R-GOOSE replay window (C++)', () => {
  it('has the documented width: newest − 1023 is still accepted once, newest − 1024 is too old', () => {
    const w = window();
    expect(rgooseNative().ReplayWindow.width).to.equal(WIDTH);
    expect(w.commit(5000, 0)).to.equal(true);
    expect(w.check(5000 - 1023, 0)).to.equal('fresh');
    expect(w.check(5000 - 1024, 0)).to.equal('too-old');
    expect(w.commit(5000 - 1023, 0)).to.equal(true);
    expect(w.check(5000 - 1023, 0)).to.equal('replay');
    expect(w.commit(5000, 0)).to.equal(false);
    expect(w.newest).to.equal(5000);
  });

  it('check changes nothing; a refused commit changes nothing', () => {
    const w = window();
    w.commit(10, 0);
    expect(w.check(11, 0)).to.equal('fresh');
    expect(w.check(11, 0)).to.equal('fresh');
    expect(w.newest).to.equal(10);
    expect(w.commit(10, 0)).to.equal(false);
    expect(w.newest).to.equal(10);
  });

  it('follows the 32-bit SPDU number across its wrap', () => {
    const w = window();
    expect(w.commit(0xfffffffe, 0)).to.equal(true);
    expect(w.commit(1, 0)).to.equal(true);
    expect(w.check(0xffffffff, 0)).to.equal('fresh');
    expect(w.check(0xfffffffe, 0)).to.equal('replay');
    expect(w.newest).to.equal(1);
  });

  it('a jump ahead wider than the window forgets the old numbers', () => {
    const w = window();
    for (let n = 100; n < 110; n++) w.commit(n, 0);
    expect(w.commit(100 + 5000, 0)).to.equal(true);
    expect(w.check(109, 0)).to.equal('too-old');
    expect(w.check(5100 - 1, 0)).to.equal('fresh');
  });

  describe('restart rule (re-sync after the sender was quiet)', () => {
    const RESYNC = 5_000_000;

    it('refuses a restarted sender\'s old numbers until it has been quiet for resyncAfterUs, then re-anchors on it', () => {
      const w = window(RESYNC);
      for (let n = 1000; n <= 2000; n++) w.commit(n, n);
      // Sender restarts and counts from 1 again.
      expect(w.check(1, 2000 + RESYNC - 1)).to.equal('too-old');
      expect(w.commit(1, 2000 + RESYNC - 1)).to.equal(false);
      expect(w.check(1, 2000 + RESYNC)).to.equal('resync');
      expect(w.commit(1, 2000 + RESYNC)).to.equal(true);
      expect(w.newest).to.equal(1);
      expect(w.check(2, 2000 + RESYNC + 1)).to.equal('fresh');
      expect(w.check(1, 2000 + RESYNC + 1)).to.equal('replay');
      expect(w.check(2000, 2000 + RESYNC + 1)).to.equal('fresh'); // ahead of the new anchor
    });

    it('refused datagrams do not count as activity: a sender hammering old numbers cannot keep the window shut', () => {
      const w = window(RESYNC);
      w.commit(5000, 0);
      for (let t = 0; t < RESYNC; t += 100_000) expect(w.commit(1, t)).to.equal(false);
      expect(w.commit(1, RESYNC)).to.equal(true);
    });

    it('with resync disabled, old numbers stay refused however long the silence', () => {
      const w = window(STRICT);
      w.commit(5000, 0);
      expect(w.check(1, 10 ** 12)).to.equal('too-old');
    });
  });

  describe('properties (strict window, no re-sync)', () => {
    // Positions within 2^31 of each other, starting anywhere (so some runs cross the wrap).
    const runArb = fc.record({
      base: fc.nat({ max: 0xffffffff }),
      offsets: fc.array(
        fc.oneof(fc.nat({ max: 3 * WIDTH }), fc.constantFrom(0, 1, WIDTH - 1, WIDTH, WIDTH + 1), fc.nat({ max: 2 ** 30 })),
        { maxLength: 400 },
      ),
    });

    it('never accepts a number twice, never refuses one that is fresh within the window', () => {
      fc.assert(
        fc.property(runArb, ({ base, offsets }) => {
          const w = window();
          const accepted = new Set<number>();
          let newest = -1;
          for (const off of offsets) {
            const fresh = !accepted.has(off) && (newest < 0 || off > newest || newest - off < WIDTH);
            const verdict = w.check(u32(base + off), 0);
            expect(verdict === 'fresh', `offset ${off}, newest ${newest}: ${verdict}`).to.equal(fresh);
            expect(w.commit(u32(base + off), 0)).to.equal(fresh);
            if (fresh) {
              accepted.add(off);
              newest = Math.max(newest, off);
            }
          }
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('replay table (one window per sender and key id)', () => {
    const table = (capacity: number): NativeReplayTable => new (rgooseNative().ReplayTable)(capacity, STRICT);

    it('keeps a window per (sender, key id): the same number from another sender or under another key is fresh', () => {
      const t = table(8);
      expect(t.commit(1, 7, 100, 0)).to.equal(true);
      expect(t.check(1, 7, 100, 0)).to.equal('replay');
      expect(t.check(2, 7, 100, 0)).to.equal('fresh');
      expect(t.check(1, 8, 100, 0)).to.equal('fresh');
      expect(t.size).to.equal(1);
    });

    it('checks of datagrams that never authenticate (never committed) cannot evict an authenticated sender', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat({ max: 2 ** 40 }), fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { maxLength: 2000 }), (flood) => {
          const t = table(4);
          t.commit(42, 7, 1000, 0);
          for (const [sender, keyId, n] of flood) t.check(sender, keyId, n, 1);
          expect(t.size).to.equal(1);
          expect(t.check(42, 7, 1000, 2)).to.equal('replay');
        }),
        { numRuns: 50 },
      );
    });

    it('when full, a new authenticated sender replaces the one that committed least recently', () => {
      const t = table(2);
      t.commit(1, 7, 10, 100);
      t.commit(2, 7, 10, 200);
      t.commit(1, 7, 11, 300); // sender 1 is now the more recent
      expect(t.commit(3, 7, 10, 400)).to.equal(true);
      expect(t.evictions).to.equal(1);
      expect(t.check(1, 7, 11, 500)).to.equal('replay'); // kept
      expect(t.check(2, 7, 10, 500)).to.equal('fresh'); // evicted: forgotten
    });
  });
});
