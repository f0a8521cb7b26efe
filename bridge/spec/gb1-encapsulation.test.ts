import { expect } from 'chai';
import fc from 'fast-check';
import { GB1_HEADER_BYTES } from '../wan/gb1-format.js';
import { Decapsulated, Gb1Encapsulation } from './gb1-encapsulation.js';
import { FORWARD, FROM_WAN_DROP_LABELS, fromWanLabel } from './verdicts.js';

const SENDER = { hi: 0xdeadbeef, lo: 0x01234567 };

describe('Gb1Encapsulation', () => {
  it('carries any frame byte-identical with sender id and sequence number', () => {
    const enc = new Gb1Encapsulation(SENDER, 2048);
    const out = Buffer.alloc(2048);
    const into = new Decapsulated();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 22, maxLength: 1500 }), fc.nat(8), fc.nat({ max: 0xffffffff }), (frame, pad, seq) => {
        const batch = Buffer.concat([Buffer.alloc(pad, 0xaa), Buffer.from(frame)]);
        const n = enc.encapsulate(out, batch, pad, frame.length, seq);
        expect(n).to.equal(GB1_HEADER_BYTES + frame.length);
        expect(enc.decapsulate(out, n, into)).to.equal(FORWARD);
        expect(into.senderHi).to.equal(SENDER.hi);
        expect(into.senderLo).to.equal(SENDER.lo);
        expect(into.seq).to.equal(seq);
        expect(Buffer.from(out.subarray(into.frameOffset, into.frameOffset + into.frameLength)).equals(Buffer.from(frame))).to.equal(true);
      }),
    );
  });

  it('writes the documented header layout', () => {
    const enc = new Gb1Encapsulation(SENDER, 2048);
    const out = Buffer.alloc(64);
    const n = enc.encapsulate(out, Buffer.alloc(22, 0x11), 0, 22, 0x01020304);
    expect(out.subarray(0, 16).toString('hex')).to.equal('47420100deadbeef0123456701020304');
    expect(n).to.equal(38);
  });

  it('names why a datagram is rejected: magic, version, length', () => {
    const enc = new Gb1Encapsulation(SENDER, 100);
    const into = new Decapsulated();
    const good = Buffer.alloc(60);
    enc.encapsulate(good, Buffer.alloc(44, 1), 0, 44, 1);
    const reason = (b: Buffer, n = b.length) => fromWanLabel(enc.decapsulate(b, n, into));
    expect(reason(good)).to.equal('forward');
    const magic = Buffer.from(good);
    magic[0] = 0x48;
    expect(reason(magic)).to.equal('bad-magic');
    const version = Buffer.from(good);
    version[2] = 2;
    expect(reason(version)).to.equal('bad-version');
    expect(reason(good, 16 + 21)).to.equal('bad-length');
    expect(reason(Buffer.alloc(1))).to.equal('bad-length');
    const long = Buffer.alloc(101);
    enc.encapsulate(long, Buffer.alloc(85, 1), 0, 85, 1);
    expect(reason(long)).to.equal('bad-length');
  });

  it('never throws on arbitrary datagrams', () => {
    const enc = new Gb1Encapsulation(SENDER, 2048);
    const into = new Decapsulated();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (d) => {
        const v = enc.decapsulate(d, d.length, into);
        return v === FORWARD || (Number.isInteger(v) && v >= 0 && v < FROM_WAN_DROP_LABELS.length);
      }),
    );
  });
});
