import { expect } from 'chai';
import fc from 'fast-check';
import { accountSequence, type ReceivedFrame } from './loss-windows.js';
import { binArrivals } from './frame-bins.js';
import { decodeStreamDatagram, encodeStreamDatagram, STREAM_DATAGRAM_BYTES } from './stream-datagram.js';
import { Decapsulated, Gb1Encapsulation } from '../../bridge/spec/gb1-encapsulation.js';
import { FORWARD } from '../../bridge/spec/verdicts.js';
import { decodeFrame } from '../../bridge/codec/ethernet-frame.js';
import {
  igmpTiming,
  tgwSeconds,
  unscaledTiming,
} from './scenario-timing.js';
import { observedStream } from './observed-stream.js';
import { parseFastLeaveList, parseScenarioList, planScenario } from './scenario-plan.js';

describe('igmpTiming', () => {
  it('scales the TGW timers: 120 s queries, 3 missed queries + 60 s response = 420 s membership', () => {
    const t = igmpTiming(60);
    expect(t.queryIntervalS).to.equal(2);
    expect(t.queryResponseIntervalS).to.equal(1);
    expect(t.membershipTimeoutS).to.equal(7);
    expect(t.unsolicitedReportIntervalS).to.be.closeTo(10 / 60, 0.001);
    expect(tgwSeconds(t.membershipTimeoutS, 60)).to.equal(420);
  });

  it('reads back as the unscaled TGW timers at any allowed scale', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), (scale) => {
        const t = igmpTiming(scale);
        const u = unscaledTiming();
        // Centisecond rounding of the bridge timers costs at most 0.5 cs per timer.
        expect(Math.abs(tgwSeconds(t.queryIntervalS, scale) - u.queryIntervalS)).to.be.at.most(0.005 * scale + 1e-9);
        expect(Math.abs(tgwSeconds(t.membershipTimeoutS, scale) - u.membershipTimeoutS)).to.be.at.most(0.005 * scale + 1e-9);
        expect(t.queryIntervalS).to.be.at.least(1); // the kernel will not query faster
      }),
    );
  });

  it('rejects a scale outside 1..120, naming it', () => {
    expect(() => igmpTiming(121)).to.throw(RangeError, /scale.*121/);
    expect(() => igmpTiming(0.5)).to.throw(RangeError, /scale/);
  });
});

/** Arrivals of `sent` frames at 1 ms spacing with the given sequence numbers missing. */
const arrivalsMissing = (sent: number, missing: Set<number>): ReceivedFrame[] =>
  Array.from({ length: sent }, (_, s) => s)
    .filter((s) => !missing.has(s))
    .map((s) => ({ seq: s, rxUs: 1_000 + s * 1_000 }));

describe('accountSequence', () => {
  it('turns runs of missing numbers into windows bounded by the frames around them', () => {
    const a = accountSequence(arrivalsMissing(10, new Set([3, 4, 5, 9])), 10, 0, 20_000);
    expect(a).to.include({ sent: 10, received: 6, lost: 4, duplicates: 0 });
    expect(a.windows).to.deep.equal([
      { firstLostSeq: 3, lastLostSeq: 5, lost: 3, startUs: 3_000, endUs: 7_000, durationUs: 4_000, open: false, senderGapUs: null },
      { firstLostSeq: 9, lastLostSeq: 9, lost: 1, startUs: 9_000, endUs: 20_000, durationUs: 11_000, open: true, senderGapUs: null },
    ]);
  });

  it('gives the send-time distance around a gap when the datagrams carry send times', () => {
    // Frame 1 lost, frame 2 sent 150 ms after frame 0: a sender stall, not a long membership gap.
    const frames = [{ seq: 0, rxUs: 1_000, sentUs: 900 }, { seq: 2, rxUs: 151_100, sentUs: 150_900 }];
    expect(accountSequence(frames, 3, 0, 200_000).windows[0]).to.include({ lost: 1, durationUs: 150_100, senderGapUs: 150_000 });
  });

  it('counts what arrived, what is missing from the sequence space, and puts every missing number in exactly one window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }).chain((sent) =>
          fc.tuple(fc.constant(sent), fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, sent - 1) }), { maxLength: sent })),
        ),
        fc.integer({ min: 0, max: 5 }),
        ([sent, missingList], dups) => {
          const missing = new Set(sent === 0 ? [] : missingList);
          const frames = arrivalsMissing(sent, missing);
          const withDups = [...frames, ...frames.slice(0, dups)].reverse(); // order must not matter
          const a = accountSequence(withDups, sent, 0, 10_000_000);
          // Independent counts: the distinct numbers that arrived, and the set the generator left out.
          expect(a.received).to.equal(new Set(frames.map((f) => f.seq)).size);
          expect(a.lost).to.equal(missing.size);
          expect(a.duplicates).to.equal(Math.min(dups, frames.length));
          const covered = a.windows.flatMap((w) => Array.from({ length: w.lost }, (_, i) => w.firstLostSeq + i));
          expect(covered.sort((x, y) => x - y)).to.deep.equal([...missing].sort((x, y) => x - y));
          for (const w of a.windows) expect(w.durationUs).to.be.at.least(0);
        },
      ),
    );
  });

  it('counts numbers the sender never sent as out of range, not as received', () => {
    const a = accountSequence([{ seq: 0, rxUs: 1 }, { seq: 7, rxUs: 2 }], 2, 0, 10);
    expect(a).to.include({ received: 1, lost: 1, outOfRange: 1 });
  });

  it('rejects a negative sent count', () => {
    expect(() => accountSequence([], -1, 0, 0)).to.throw(RangeError, /sent/);
  });
});

describe('binArrivals', () => {
  it('counts per 100 ms bin with empty bins kept', () => {
    const b = binArrivals([0, 50_000, 99_999, 250_000], 0, 300_000);
    expect(b).to.deep.equal({ counts: [3, 0, 1], outside: 0 });
  });

  it('accounts for every arrival, inside a bin or outside the span', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1_000_000, max: 5_000_000 })), fc.integer({ min: 1, max: 4_000_000 }), (ts, end) => {
        const b = binArrivals(ts, 0, end);
        expect(b.counts.reduce((x, y) => x + y, 0) + b.outside).to.equal(ts.length);
        expect(b.counts.length).to.equal(Math.ceil(end / 100_000));
      }),
    );
  });

  it('rejects a zero bin width', () => {
    expect(() => binArrivals([], 0, 1, 0)).to.throw(RangeError, /bin width/);
  });
});

describe('stream datagram', () => {
  it('round-trips run id, sequence number, send time and rate', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: 65535 }),
        (runId, seq, sentUs, rateFps) => {
          const buf = Buffer.alloc(STREAM_DATAGRAM_BYTES);
          encodeStreamDatagram({ runId, seq, sentUs, rateFps }, buf);
          expect(decodeStreamDatagram(buf)).to.deep.equal({ runId, seq, sentUs, rateFps });
        },
      ),
    );
  });

  it('ignores datagrams that are not the stream', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeStreamDatagram(Buffer.from(bytes))).to.equal(null);
      }),
    );
    const buf = Buffer.alloc(STREAM_DATAGRAM_BYTES);
    encodeStreamDatagram({ runId: 1, seq: 2, sentUs: 3 }, buf);
    buf.writeUInt8(buf.readUInt8(8) ^ 1, 8); // a bridge's sender id, not the suite's mark
    expect(decodeStreamDatagram(buf)).to.equal(null);
  });

  it('is a GB1 datagram carrying a GOOSE frame the bridge decapsulates and the codec decodes', () => {
    const buf = Buffer.alloc(STREAM_DATAGRAM_BYTES);
    encodeStreamDatagram({ runId: 0xabcdef01, seq: 77, sentUs: 123_456_789, rateFps: 200 }, buf);
    const into = new Decapsulated();
    const gb1 = new Gb1Encapsulation({ hi: 1, lo: 2 }, 2048);
    expect(gb1.decapsulate(buf, buf.length, into)).to.equal(FORWARD);
    expect(into).to.include({ senderHi: 0xabcdef01, seq: 77 });
    const frame = decodeFrame(buf.subarray(into.frameOffset, into.frameOffset + into.frameLength));
    if (!frame.ok) throw new Error(`frame does not decode: ${JSON.stringify(frame)}`);
    expect(frame.value).to.include({ kind: 'goose' });
    // The trailer is the dataset's octet-string: the bridge forwards the frame unchanged.
    if (frame.value.kind !== 'goose') throw new Error('not GOOSE');
    const v = frame.value.pdu.allData[0];
    expect(v?.type).to.equal('octet-string');
    expect(Buffer.from((v as { value: Uint8Array }).value).readUInt32BE(0)).to.equal(0x47424947);
  });
});

describe('observedStream', () => {
  it('counts from the first arrival and adds what the rate says followed the last one', () => {
    const frames = [100, 101, 103].map((seq, i) => ({ seq, rxUs: 1_000_000 + i * 5_000 }));
    // Last arrival at 1.010 s, stop at 1.080 s less 20 ms grace, 200 frames/s: 10 more frames were sent.
    const o = observedStream(frames, 200, 1_080_000);
    expect(o).to.include({ firstSeq: 100, inferredTail: 10, sent: 14 });
    expect(o.frames.map((f) => f.seq)).to.deep.equal([0, 1, 3]);
  });

  it('gives sent ≥ received for any arrivals', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 1000 }), (seqs, rate) => {
        const frames = seqs.map((seq, i) => ({ seq, rxUs: i * 1000 }));
        const o = observedStream(frames, rate, seqs.length * 1000 + 5000);
        expect(o.sent).to.be.at.least(seqs.length);
        const a = accountSequence(o.frames, o.sent, 0, 0);
        expect(a.outOfRange).to.equal(0);
        expect(a.received + a.lost).to.equal(o.sent);
      }),
    );
  });
});

describe('planScenario', () => {
  it('runs the long scenarios for the requested number of membership intervals', () => {
    const t = igmpTiming(60);
    for (const n of [1, 3, 4] as const) expect(planScenario(n, t, { intervals: 10 })[0]!.durationS).to.equal(70);
  });

  it('makes scenario 5\'s keepalive slower than the membership timeout and 3/4\'s faster', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), (scale) => {
        const t = igmpTiming(scale);
        expect(planScenario(5, t, { intervals: 1 })[0]!.keepaliveIntervalS!).to.be.above(t.membershipTimeoutS);
        expect(planScenario(4, t, { intervals: 1 })[0]!.keepaliveIntervalS!).to.be.below(t.membershipTimeoutS);
      }),
    );
  });

  it('runs scenario 2 past the expected loss', () => {
    const t = igmpTiming(120);
    const p = planScenario(2, t, { intervals: 1 })[0]!;
    expect(p.durationS).to.be.above(t.membershipTimeoutS + t.unsolicitedReportCount * t.unsolicitedReportIntervalS);
    expect(p).to.include({ blockQueries: true, expectLoss: true, keepalive: 'none' });
  });

  it('splits scenario 6 into a restart and an uplink flap', () => {
    expect(planScenario(6, igmpTiming(60), { intervals: 10 }).map((p) => p.event)).to.deep.equal(['daemon-restart', 'uplink-flap']);
  });
});

describe('scenario and fast-leave lists', () => {
  it('parses and de-duplicates', () => {
    expect(parseScenarioList('1, 4,4,6')).to.deep.equal([1, 4, 6]);
    expect(parseFastLeaveList('on,off,on')).to.deep.equal([true, false]);
  });
  it('names the bad entry', () => {
    expect(() => parseScenarioList('1,7')).to.throw(RangeError, /"7"/);
    expect(() => parseFastLeaveList('maybe')).to.throw(RangeError, /"maybe"/);
    expect(() => parseScenarioList('')).to.throw(RangeError, /at least one/);
  });
});
