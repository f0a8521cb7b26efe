// The engine's C++ replay protection (native/src/rgoose/replay-*.h) against plain models:
// the window against a Set of accepted numbers, the guard's admission and persistence rules
// by their documented behaviour, the SPDU numbering against "never below what was written".
import { expect } from 'chai';
import fc from 'fast-check';
import { rgooseNative, type NativeReplayGuard, type NativeReplayWindow, type WindowKeyArg } from './rgoose.js';

const WIDTH = 1024;
const window = (): NativeReplayWindow => new (rgooseNative().ReplayWindow)();
const guard = (capacity = 64): NativeReplayGuard => new (rgooseNative().ReplayGuard)(capacity);
const G1: WindowKeyArg = { sender: 0x0a000001, stream: 0x1010, key: 7 };
const G2: WindowKeyArg = { ...G1, sender: 0x0a000002 };
const FORGED: WindowKeyArg = { ...G1, sender: 0x0a0000ee };
const HORIZON_US = 500_000;

describe('R-GOOSE replay window (C++)', () => {
  it('has the documented width: newest − 1023 is still accepted once, newest − 1024 is too old', () => {
    const w = window();
    expect(rgooseNative().ReplayWindow.width).to.equal(WIDTH);
    expect(w.commit(5000)).to.equal(true);
    expect(w.check(5000 - 1023)).to.equal('fresh');
    expect(w.check(5000 - 1024)).to.equal('too-old');
    expect(w.commit(5000 - 1023)).to.equal(true);
    expect(w.check(5000 - 1023)).to.equal('replay');
    expect(w.commit(5000)).to.equal(false);
    expect(w.newest).to.equal(5000);
  });

  it('does not wrap: a number 2^31 or more behind is too old, not ahead', () => {
    const w = window();
    w.commit(0xfffffff0);
    expect(w.check(1)).to.equal('too-old');
    expect(w.check(0x7ffffff0)).to.equal('too-old');
    expect(w.check(0xfffffff1)).to.equal('fresh');
  });

  it('anchorAt treats every number up to the anchor as accepted', () => {
    const w = window();
    w.anchorAt(10_000);
    expect(w.check(10_000)).to.equal('replay');
    expect(w.check(9_500)).to.equal('replay');
    expect(w.check(1)).to.equal('too-old');
    expect(w.check(10_001)).to.equal('fresh');
  });

  it('never accepts a number twice, never refuses one that is fresh within the window (property)', () => {
    const offsets = fc.array(fc.oneof(fc.nat({ max: 3 * WIDTH }), fc.constantFrom(0, 1, WIDTH - 1, WIDTH, WIDTH + 1), fc.nat({ max: 2 ** 30 })), { maxLength: 400 });
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 }), offsets, (base, offs) => {
        const w = window();
        const accepted = new Set<number>();
        let newest = -1;
        for (const off of offs) {
          const fresh = !accepted.has(off) && (newest < 0 || off > newest || newest - off < WIDTH);
          expect(w.check(base + off) === 'fresh', `offset ${off}, newest ${newest}`).to.equal(fresh);
          expect(w.commit(base + off)).to.equal(fresh);
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

describe('R-GOOSE replay guard (C++): senders, message identity, admission', () => {
  it('keeps a window per sender: two gateways with unrelated numbering both deliver, each message once', () => {
    const g = guard();
    let t = 1_000_000;
    const out: string[] = [];
    for (let m = 1; m <= 50; m++) {
      t += 50_000;
      out.push(g.accept(G1, 10_000 + m, m, t), g.accept(G2, 3 + m, m, t + 300));
    }
    expect(out.filter((o) => o === 'deliver')).to.have.length(50);
    expect(out.filter((o) => o === 'duplicate')).to.have.length(50);
    // G1 stops: G2's next message is delivered at once.
    expect(g.accept(G2, 3 + 51, 51, t + 50_000)).to.equal('deliver');
  });

  it('admits a second sender that is always ahead, as soon as the first delivers the same message', () => {
    const g = guard();
    expect(g.accept(G1, 100, 1, 1_000)).to.equal('deliver'); // first sender of the stream
    expect(g.accept(G2, 7, 2, 2_000)).to.equal('unconfirmed-sender'); // G2 faster with message 2
    expect(g.accept(G1, 101, 2, 2_100)).to.equal('deliver'); // corroborates G2
    expect(g.accept(G2, 8, 3, 3_000)).to.equal('deliver');
    expect(g.accept(G1, 102, 3, 3_100)).to.equal('duplicate');
  });

  it('refuses a recording replayed from the sender\'s own or any other address, however long the quiet', () => {
    const g = guard();
    for (let n = 1; n <= 20; n++) expect(g.accept(G1, n, n, n * 1000)).to.equal('deliver');
    const later = 3_600_000_000; // an hour of quiet: no re-anchoring
    for (let n = 1; n <= 20; n++) {
      expect(g.accept(G1, n, n, later + n)).to.equal('replay');
      expect(g.accept(FORGED, n, n, later + n)).to.equal('unconfirmed-sender');
    }
  });

  it('a flood of authentic recordings from forged addresses creates no window', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 1000 })), { maxLength: 500 }), (flood) => {
        const g = guard(8);
        for (let n = 1; n <= 1000; n++) g.accept(G1, n, n, n);
        for (const [sender, n] of flood) if (sender !== G1.sender) g.accept({ ...G1, sender }, n, n, 10_000_000 + n);
        expect(g.size).to.equal(1);
      }),
      { numRuns: 30 },
    );
  });

  it('a new key or a new stream starts with its first authentic sender', () => {
    const g = guard();
    g.accept(G1, 500, 1, 0);
    expect(g.accept({ ...G1, key: 9 }, 1, 2, 10)).to.equal('deliver');
    expect(g.accept({ ...G2, stream: 0x1011 }, 1, 3, 20)).to.equal('deliver');
  });

  it('a message repeated after the horizon is delivered again (an SV sample after smpCnt wraps)', () => {
    const g = guard();
    expect(g.accept(G1, 1, 42, 0)).to.equal('deliver');
    expect(g.accept(G1, 2, 42, HORIZON_US - 1)).to.equal('duplicate');
    expect(g.accept(G1, 3, 42, 2 * HORIZON_US)).to.equal('deliver');
  });
});

describe('R-GOOSE replay guard (C++): state file', () => {
  it('runs no further ahead of the last write than its gap, and asks for a write before that', () => {
    const g = guard();
    expect(g.accept(G1, 1, 1, 0)).to.equal('deliver');
    expect(g.saveDue).to.equal(true);
    let n = 2;
    while (g.accept(G1, n, n, n) === 'deliver') n++;
    expect(g.accept(G1, n, n, n)).to.equal('state-not-saved');
    expect(n - 1, 'a new window may accept 256 numbers before its first write').to.equal(1 + 256);
    const [mark] = g.snapshot(false, n);
    g.saved();
    expect(mark!.mark).to.be.greaterThan(n - 1);
    expect(g.accept(G1, n, n, n)).to.equal('deliver');
  });

  it('a mark leads its window by about four seconds of its rate: 64 for a heartbeat, ~4000 at 1000/s', () => {
    const slow = guard();
    let mark = 0;
    for (let s = 1; s <= 20; s++) {
      expect(slow.accept(G1, s, s, s * 1e6)).to.equal('deliver');
      mark = slow.snapshot(false, s * 1e6 + 1000)[0]!.mark;
      slow.saved();
    }
    expect(mark - 20, 'a heartbeat stream: what a crash can cost it').to.equal(64);
    const fast = guard();
    let n = 0;
    for (let batch = 1; batch <= 30; batch++) {
      for (let i = 0; i < 100; i++, n++) expect(fast.accept(G1, n + 1, n + 1, n * 1000)).to.equal('deliver');
      mark = fast.snapshot(false, n * 1000)[0]!.mark;
      fast.saved();
    }
    expect(mark - n).to.be.within(3900, 4100);
  });

  it('after a crash at any point, restored from the last completed write, accepts no number twice (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(0)), { minLength: 1, maxLength: 200 }), fc.nat({ max: 199 }), (steps, crashAt) => {
        const g = guard();
        let written: Array<WindowKeyArg & { mark: number }> = [];
        let n = 0;
        const accepted: number[] = [];
        steps.slice(0, crashAt + 1).forEach((step, i) => {
          if (step === 0) {
            const marks = g.snapshot(false, n * 10); // a write; it may complete or not before the crash
            if (i % 2 === 0) {
              g.saved();
              written = marks;
            }
            return;
          }
          for (let k = 0; k < step; k++) if (g.accept(G1, ++n, n, n * 10) === 'deliver') accepted.push(n);
        });
        // A window never written before the crash is unknown to the restarted bridge: the
        // documented residual (its first ≤ 256 numbers, within one write of its creation).
        fc.pre(written.length > 0);
        const restarted = guard();
        restarted.restore(written);
        restarted.snapshot(false, 10 ** 9);
        restarted.saved();
        for (const a of accepted) expect(restarted.accept(G1, a, a, 10 ** 9 + a), `number ${a}`).not.to.equal('deliver');
      }),
      { numRuns: 200 },
    );
  });

  it('an exact snapshot (clean stop) loses nothing: the next number is accepted after the restart', () => {
    const g = guard();
    for (let n = 1; n <= 100; n++) g.accept(G1, n, n, n);
    const marks = g.snapshot(true, 100);
    expect(marks).to.deep.equal([{ ...G1, mark: 100 }]);
    const restarted = guard();
    restarted.restore(marks);
    restarted.snapshot(false, 10 ** 9);
    restarted.saved();
    expect(restarted.accept(G1, 100, 100, 1e9)).to.equal('replay');
    expect(restarted.accept(G1, 101, 101, 1e9)).to.equal('deliver');
  });
});

describe('R-GOOSE SPDU numbering (C++)', () => {
  const numbering = () => new (rgooseNative().SpduNumbering)();

  it('numbers a new key from 1, only once its numbers are reserved in a write', () => {
    const s = numbering();
    s.prepare(7);
    expect(s.take(7)).to.equal(null);
    expect(s.snapshot(false)).to.deep.equal([{ key: 7, from: 1 + rgooseNative().SpduNumbering.reserve }]);
    s.saved();
    expect([s.take(7), s.take(7), s.take(7)]).to.deep.equal([1, 2, 3]);
  });

  it('after a crash continues above every number used; after a clean stop exactly at the next one', () => {
    const s = numbering();
    s.prepare(7);
    s.snapshot(false);
    s.saved();
    for (let i = 0; i < 1000; i++) s.take(7);
    const crashed = s.snapshot(false)[0]!;
    expect(crashed.from).to.be.greaterThan(1000);
    const clean = s.snapshot(true)[0]!;
    expect(clean.from).to.equal(1001);
    const again = numbering();
    again.restore(clean);
    again.snapshot(false);
    again.saved();
    expect(again.take(7)).to.equal(1001);
  });

  it('never hands out 2^32 − 1: a used-up key sends nothing', () => {
    const s = numbering();
    s.restore({ key: 7, from: 0xfffffffe });
    s.snapshot(false);
    s.saved();
    expect(s.take(7)).to.equal(0xfffffffe);
    expect(s.take(7)).to.equal(null);
  });
});

describe('R-GOOSE replay guard (C++): one sender, several streams', () => {
  const X: WindowKeyArg = { sender: 0x0a000001, stream: 0x1010, key: 7 };
  const Y: WindowKeyArg = { ...X, stream: 0x1020 };

  it('a quiet stream of a busy sender passes its jump in numbers (numbered per key across streams)', () => {
    const g = guard();
    let n = 1;
    expect(g.accept(X, n++, 1, 0)).to.equal('deliver');
    g.snapshot(false, 1000);
    g.saved();
    for (let i = 0; i < 2000; i++, n++) {
      expect(g.accept(Y, n, 100 + i, 1000 + i * 1000)).to.equal('deliver');
      if (i % 100 === 99) {
        g.snapshot(false, 1000 + i * 1000);
        g.saved();
      }
    }
    expect(g.accept(X, n, 5, 3_000_000)).to.equal('deliver');
  });

  it('after a crash, every window of the sender starts at its highest mark', () => {
    const g = guard();
    g.accept(X, 1, 1, 0);
    for (let n = 2; n <= 200; n++) g.accept(Y, n, n, n * 1000);
    const marks = g.snapshot(false, 300_000);
    g.saved();
    const restarted = guard();
    restarted.restore(marks);
    for (let n = 2; n <= 200; n++) expect(restarted.accept(X, n, 1000 + n, 10 ** 9), `number ${n} on the quiet stream`).not.to.equal('deliver');
  });
});
