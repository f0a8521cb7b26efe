import { expect } from 'chai';
import fc from 'fast-check';
import { frameArb, gooseFrameArb, goosePduArb, svPduArb } from '../../testkit/arbitraries/frame-arbitraries.js';
import {
  decodeFrame,
  decodeGoosePdu,
  decodeSvPdu,
  encodeFrame,
  encodeGoosePdu,
  encodeSvPdu,
  FrameHeaderPeek,
  frameToJson,
  peekFrameHeader,
  type DecodeError,
  type DecodeErrorCode,
  type DecodeResult,
  type Frame,
} from './index.js';

const CODES: DecodeErrorCode[] = [
  'truncated',
  'length-mismatch',
  'unknown-tag',
  'unexpected-tag',
  'missing-field',
  'bad-length',
  'bad-value',
  'bad-padding',
  'integer-overflow',
  'depth-exceeded',
  'indefinite-length',
];

function expectWellFormedError(e: DecodeError, len: number): void {
  expect(CODES).to.include(e.code);
  expect(e.offset).to.be.a('number').within(0, len);
  expect(e.path).to.be.a('string');
  expect(e.message).to.be.a('string').and.not.equal('');
}

/** A decode outcome is either a value or a well-formed typed error — never anything else. */
function expectValueOrTypedError(r: DecodeResult<unknown>, len: number): void {
  expect(r).to.be.an('object');
  if (!r.ok) expectWellFormedError(r.error, len);
}

describe('encodeFrame / decodeFrame', () => {
  it('decode(encode(x)) is x for any valid frame (all Data types, nesting, VLAN or not, simulation bit, length and integer boundaries)', () => {
    fc.assert(
      fc.property(frameArb(), (frame) => {
        const r = decodeFrame(encodeFrame(frame));
        if (!r.ok) expect.fail(JSON.stringify(r.error));
        expect(r.value).to.deep.equal(frame);
      }),
      { numRuns: 600 },
    );
  });

  it('decode(encode(x)) re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(frameArb(), (frame) => {
        const bytes = encodeFrame(frame);
        const r = decodeFrame(bytes);
        expect(r.ok).to.equal(true);
        expect(Buffer.from(encodeFrame(r.ok ? (r.value as Frame) : frame)).equals(bytes)).to.equal(true);
      }),
      { numRuns: 400 },
    );
  });

  it('returns a value or a typed error for arbitrary bytes, never an exception', () => {
    const ethHeader = (et: number) => fc.uint8Array({ minLength: 12, maxLength: 12 }).map((m) => [...m, et >> 8, et & 0xff]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          // Arbitrary bytes behind a GOOSE/SV/GSE EtherType reach the APDU decoders.
          fc.tuple(fc.constantFrom(0x88b8, 0x88ba, 0x88b9).chain(ethHeader), fc.uint8Array({ maxLength: 300 })).map(([h, rest]) => Uint8Array.from([...h, ...rest])),
          fc
            .tuple(fc.constantFrom(0x88b8, 0x88ba).chain(ethHeader), fc.uint8Array({ maxLength: 300 }), fc.constantFrom(0x61, 0x60))
            .map(([h, rest, tag]) => Uint8Array.from([...h, 0, 1, (rest.length + 10) >> 8, (rest.length + 10) & 0xff, 0, 0, 0, 0, tag, rest.length & 0x7f, ...rest])),
        ),
        (bytes) => expectValueOrTypedError(decodeFrame(bytes), bytes.length),
      ),
      { numRuns: 5000 },
    );
  });

  it('returns a value or a typed error for mutated valid frames (bit flips, truncation, lying length fields)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('length' as const), at: fc.nat(), bytes: fc.constantFrom([0x81, 0xff], [0x82, 0xff, 0xff], [0x84, 0xff, 0xff, 0xff, 0xff], [0x7f], [0x80], [0x85, 1, 0, 0, 0, 0], [0x00]) }),
      fc.record({ kind: fc.constant('header-length' as const), value: fc.integer({ min: 0, max: 0xffff }) }),
    );
    fc.assert(
      fc.property(frameArb(), mutation, (frame, m) => {
        const original = encodeFrame(frame);
        let bytes: Uint8Array = Uint8Array.from(original);
        if (m.kind === 'flip') for (const [at, bit] of m.at) bytes[at % bytes.length]! ^= 1 << bit;
        else if (m.kind === 'truncate') bytes = bytes.subarray(0, m.at % bytes.length);
        else if (m.kind === 'length') bytes.set(m.bytes.slice(0, bytes.length - (m.at % bytes.length)), m.at % bytes.length);
        else bytes.set([m.value >> 8, m.value & 0xff], frame.eth.vlan ? 20 : 16);
        const r = decodeFrame(bytes);
        expectValueOrTypedError(r, bytes.length);
        if (r.ok && r.value.kind !== 'not-ours') {
          // Whatever decodes is a valid value: it encodes, and decodes back to itself.
          const again = decodeFrame(encodeFrame(r.value));
          expect(again.ok).to.equal(true);
          expect(again.ok && again.value).to.deep.equal(r.value);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reports a Length larger than the frame as length-mismatch without reading past it', () => {
    fc.assert(
      fc.property(gooseFrameArb(), fc.integer({ min: 1, max: 0xffff }), (frame, extra) => {
        const bytes = Uint8Array.from(encodeFrame(frame));
        const at = frame.eth.vlan ? 20 : 16;
        const actual = bytes.length - (at - 2);
        const lie = Math.min(0xffff, actual + extra);
        if (lie === actual) return;
        bytes.set([lie >> 8, lie & 0xff], at);
        const r = decodeFrame(bytes);
        expect(r.ok).to.equal(false);
        if (!r.ok) {
          expect(r.error.code).to.equal('length-mismatch');
          expect(r.error.path).to.equal('header.length');
          expect(r.error.offset).to.equal(at);
        }
      }),
    );
  });

  it('gives a not-ours value, not an error, for other EtherTypes', () => {
    const ipv4 = Buffer.from('ffffffffffff0200000000010800450000140000000040010000', 'hex');
    expect(decodeFrame(ipv4)).to.deep.equal({ ok: true, value: { kind: 'not-ours', etherType: 0x0800 } });
    const taggedArp = Buffer.from('ffffffffffff020000000001810000640806', 'hex');
    expect(decodeFrame(taggedArp)).to.deep.equal({ ok: true, value: { kind: 'not-ours', etherType: 0x0806 } });
  });
});

describe('peekFrameHeader', () => {
  it('agrees with decodeFrame on EtherType, VLAN, APPID and Length for any valid frame', () => {
    const out = new FrameHeaderPeek();
    fc.assert(
      fc.property(frameArb(), (frame) => {
        const bytes = encodeFrame(frame);
        const p = peekFrameHeader(bytes, out);
        expect(p).to.equal(out);
        expect(out.etherType).to.equal({ goose: 0x88b8, sv: 0x88ba, gse: 0x88b9 }[frame.kind]);
        expect(out.appId).to.equal(frame.header.appId);
        expect(out.vlan === undefined ? undefined : { ...out.vlan }).to.deep.equal(frame.eth.vlan);
        expect(out.length).to.equal(bytes.length - frame.padding.length - out.headerOffset);
        expect(out.apduOffset).to.equal(out.headerOffset + 8);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a reason code for short, foreign and lying frames', () => {
    expect(peekFrameHeader(new Uint8Array(10))).to.equal('truncated');
    expect(peekFrameHeader(Buffer.from('ffffffffffff0200000000010800', 'hex'))).to.equal('not-ours');
    expect(peekFrameHeader(Buffer.from('010ccd010001020000000001810080', 'hex'))).to.equal('truncated');
    expect(peekFrameHeader(Buffer.from('010ccd01000102000000000188b80001ffff00000000', 'hex'))).to.equal('length-mismatch');
    expect(peekFrameHeader(Buffer.from('010ccd01000102000000000188b80001000700000000', 'hex'))).to.equal('length-mismatch');
  });
});

describe('decodeGoosePdu / encodeGoosePdu', () => {
  it('round-trips any valid PDU', () => {
    fc.assert(
      fc.property(goosePduArb(), fc.nat(2000), (pdu, base) => {
        const bytes = encodeGoosePdu(pdu);
        expect(bytes[0]).to.equal(0x61);
        const r = decodeGoosePdu(bytes, base);
        if (!r.ok) expect.fail(JSON.stringify(r.error));
        expect(r.value).to.deep.equal(pdu);
      }),
      { numRuns: 300 },
    );
  });

  it('adds baseOffset to error offsets', () => {
    fc.assert(
      fc.property(goosePduArb(), fc.nat(2000), (pdu, base) => {
        const cut = encodeGoosePdu(pdu).subarray(0, -1);
        const plain = decodeGoosePdu(cut);
        const shifted = decodeGoosePdu(cut, base);
        if (plain.ok || shifted.ok) expect.fail('a truncated PDU must not decode');
        expect(shifted.error.code).to.equal(plain.error.code);
        expect(shifted.error.offset).to.equal(plain.error.offset + base);
      }),
      { numRuns: 100 },
    );
  });
});

describe('decodeSvPdu / encodeSvPdu', () => {
  it('round-trips any valid savPdu (9-2LE and raw seqData, optional fields)', () => {
    fc.assert(
      fc.property(svPduArb(), (pdu) => {
        const r = decodeSvPdu(encodeSvPdu(pdu));
        if (!r.ok) expect.fail(JSON.stringify(r.error));
        expect(r.value).to.deep.equal(pdu);
      }),
      { numRuns: 300 },
    );
  });
});

describe('frameToJson', () => {
  it('produces JSON for any frame with 64-bit integers as decimal strings and bytes as hex', () => {
    fc.assert(
      fc.property(frameArb(), (frame) => {
        const text = JSON.stringify(frameToJson(frame));
        const back = JSON.parse(text) as { pdu?: { allData?: { type: string; value: unknown }[] } };
        if (frame.kind === 'goose') {
          frame.pdu.allData.forEach((d, i) => {
            const j = back.pdu!.allData![i]!;
            expect(j.type).to.equal(d.type);
            if (d.type === 'integer' || d.type === 'unsigned' || d.type === 'bcd') expect(j.value).to.equal(d.value.toString());
            if (d.type === 'octet-string') expect(j.value).to.equal(Buffer.from(d.value).toString('hex'));
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
