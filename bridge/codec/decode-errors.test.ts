import { expect } from 'chai';
import { decodeFrame, encodeFrame, MAX_DATA_DEPTH, type Data, type DecodeError, type GooseFrame, type GoosePdu } from './index.js';
import { minimalGooseFrame } from '../../testkit/frames/sample-frames.js';

/** BER TLV in hex with a canonical length. */
function tlv(tag: number, contentHex: string): string {
  const n = contentHex.length / 2;
  const len = n < 0x80 ? n.toString(16).padStart(2, '0') : n < 0x100 ? `81${n.toString(16).padStart(2, '0')}` : `82${n.toString(16).padStart(4, '0')}`;
  return tag.toString(16).padStart(2, '0') + len + contentHex;
}
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

const ETH = '010ccd010002020000000001' + '88b8';
/** Offset of the APDU in frames built by goose(): 14 Ethernet + 8 header. */
const APDU_AT = 22;

/** The fields of KAT2 before allData, as hex, each overridable. */
function fields(over: Partial<Record<string, string | null>> = {}): string {
  const base: Record<string, string | null> = {
    gocbRef: tlv(0x80, ascii('IED1LD0/LLN0$GO$gcb1')),
    tal: tlv(0x81, '07d0'),
    datSet: tlv(0x82, ascii('IED1LD0/LLN0$DS1')),
    t: tlv(0x84, '6553f1000000000a'),
    stNum: tlv(0x85, '05'),
    sqNum: tlv(0x86, '07'),
    simulation: tlv(0x87, '01'),
    confRev: tlv(0x88, '03'),
    ndsCom: tlv(0x89, '00'),
    entries: tlv(0x8a, '01'),
    ...over,
  };
  return Object.values(base)
    .filter((v) => v !== null)
    .join('');
}

function goose(pduHex: string): Buffer {
  const len = 8 + pduHex.length / 2;
  return Buffer.from(ETH + '0001' + len.toString(16).padStart(4, '0') + '80000000' + pduHex, 'hex');
}
function withAllData(allDataContentHex: string, over: Partial<Record<string, string | null>> = {}): Buffer {
  return goose(tlv(0x61, fields(over) + tlv(0xab, allDataContentHex)));
}

function errorOf(bytes: Uint8Array): DecodeError {
  const r = decodeFrame(bytes);
  if (r.ok) expect.fail(`expected a decode error, got ${JSON.stringify(r.value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
  return r.error;
}
function allDataOf(bytes: Uint8Array): Data[] {
  const r = decodeFrame(bytes);
  if (!r.ok) expect.fail(JSON.stringify(r.error));
  return (r.value as GooseFrame).pdu.allData;
}
function pduOf(bytes: Uint8Array): GoosePdu {
  const r = decodeFrame(bytes);
  if (!r.ok) expect.fail(JSON.stringify(r.error));
  return (r.value as GooseFrame).pdu;
}

describe('decodeFrame errors name code, byte offset and field path', () => {
  it('builds frames the way the codec does (sanity check of the test helper)', () => {
    // KAT2 of the shared known-answer vectors.
    const kat2 =
      '010ccd01000202000000000188b80001005780000000614d8014494544314c44302f4c4c4e3024474f2467636231810207d08210494544314c44302f4c4c4e302444533184086553f1000000000a8501058601078701018801038901008a0101ab03830101';
    expect(goose(tlv(0x61, fields() + tlv(0xab, '830101'))).toString('hex')).to.equal(kat2);
  });

  it('unknown Data tag inside a structure: goosePdu.allData[3].structure[1]', () => {
    const allData = '830101' + '830100' + '830101' + tlv(0xa2, '830101' + '8b0100');
    const bytes = withAllData(allData);
    const e = errorOf(bytes);
    expect(e.code).to.equal('unknown-tag');
    expect(e.path).to.equal('goosePdu.allData[3].structure[1]');
    expect(e.offset).to.equal(bytes.indexOf(Buffer.from('8b0100', 'hex')));
    expect(e.message).to.include('0x8b');
  });

  it('bit-string with 8 unused bits is bad-padding at the unused-bits byte', () => {
    const bytes = withAllData('830101' + '8403080000');
    const e = errorOf(bytes);
    expect(e).to.include({ code: 'bad-padding', path: 'goosePdu.allData[1]' });
    expect(e.offset).to.equal(bytes.length - 3);
  });

  it(`arrays/structures nested deeper than MAX_DATA_DEPTH (${MAX_DATA_DEPTH}) are depth-exceeded; exactly ${MAX_DATA_DEPTH} decodes`, () => {
    const nest = (levels: number) => {
      let hex = '830101';
      for (let i = 0; i < levels; i++) hex = tlv(i % 2 ? 0xa1 : 0xa2, hex);
      return hex;
    };
    let d = allDataOf(withAllData(nest(MAX_DATA_DEPTH)))[0]!;
    for (let i = 0; i < MAX_DATA_DEPTH; i++) {
      expect(d.type).to.be.oneOf(['array', 'structure']);
      d = (d as { value: Data[] }).value[0]!;
    }
    expect(d).to.deep.equal({ type: 'boolean', value: true });
    const e = errorOf(withAllData(nest(MAX_DATA_DEPTH + 1)));
    expect(e.code).to.equal('depth-exceeded');
    expect(e.path.startsWith('goosePdu.allData[0].')).to.equal(true);
  });

  it('indefinite length is indefinite-length', () => {
    const bytes = withAllData('a280830101' + '0000');
    // The offset is that of the 0x80 length byte.
    expect(errorOf(bytes)).to.include({ code: 'indefinite-length', path: 'goosePdu.allData[0]', offset: bytes.length - 6 });
  });

  it('floating-point of 4 bytes is bad-length; exponent width byte not 8/11 is bad-value', () => {
    expect(errorOf(withAllData('870408000000'))).to.include({ code: 'bad-length', path: 'goosePdu.allData[0]' });
    expect(errorOf(withAllData('87050b3fc00000'))).to.include({ code: 'bad-value', path: 'goosePdu.allData[0]' });
  });

  it('integer beyond 64 bits is integer-overflow; stNum beyond 32 bits too', () => {
    expect(errorOf(withAllData('8509010000000000000000'))).to.include({ code: 'integer-overflow', path: 'goosePdu.allData[0]' });
    expect(errorOf(withAllData('830101', { stNum: tlv(0x85, '0100000000') }))).to.include({ code: 'integer-overflow', path: 'goosePdu.stNum' });
  });

  it('a missing mandatory field is missing-field with its name in the path', () => {
    expect(errorOf(withAllData('830101', { stNum: null }))).to.include({ code: 'missing-field', path: 'goosePdu.stNum' });
    expect(errorOf(goose(tlv(0x61, fields())))).to.include({ code: 'missing-field', path: 'goosePdu.allData' });
  });

  it('a repeated field is unexpected-tag; a non-goosePdu field tag is unknown-tag', () => {
    expect(errorOf(withAllData('830101', { sqNum: tlv(0x86, '07') + tlv(0x86, '08') }))).to.include({ code: 'unexpected-tag', path: 'goosePdu.sqNum' });
    expect(errorOf(withAllData('830101', { ndsCom: tlv(0x8c, '00') }))).to.include({ code: 'unknown-tag', path: 'goosePdu' });
  });

  it('an element overrunning its parent is length-mismatch; past the end of the bytes, truncated', () => {
    // The boolean inside the structure claims 5 content bytes; the structure holds 3.
    const overrun = withAllData('a203830501830101830101');
    expect(errorOf(overrun)).to.include({ code: 'length-mismatch', path: 'goosePdu.allData[0].structure[0]', offset: overrun.length - 9 });
    const pastEnd = withAllData('830101830501');
    expect(errorOf(pastEnd)).to.include({ code: 'truncated', path: 'goosePdu.allData[1]', offset: pastEnd.length - 3 });
    const cut = errorOf(withAllData('830101').subarray(0, 19));
    expect(cut).to.include({ code: 'truncated', path: 'eth', offset: 19 });
  });

  it('the APDU must be one goosePdu filling Length: other tags are unexpected-tag, slack is length-mismatch', () => {
    expect(errorOf(goose(tlv(0x62, fields())))).to.include({ code: 'unexpected-tag', path: 'goosePdu', offset: APDU_AT });
    expect(errorOf(goose(tlv(0x61, fields() + tlv(0xab, '830101')) + '00'))).to.include({ code: 'length-mismatch', path: 'goosePdu', offset: APDU_AT });
  });

  it('a long-form length claiming 4 GB is truncated without allocating it', () => {
    const bytes = goose(tlv(0x61, fields() + 'ab84ffffffff830101'));
    expect(errorOf(bytes)).to.include({ code: 'truncated', path: 'goosePdu.allData', offset: bytes.length - 9 });
  });
});

describe('decodeFrame accepts the non-canonical forms devices send', () => {
  it('fixed 5-byte INT32U header integers and non-minimal Data integers', () => {
    const bytes = withAllData('8503000005' + '8503ffff80' + '860400000080' + '8501ff', { stNum: tlv(0x85, '0000000005'), confRev: tlv(0x88, '00000003') });
    const pdu = pduOf(bytes);
    expect(pdu.stNum).to.equal(5);
    expect(pdu.confRev).to.equal(3);
    expect(pdu.allData).to.deep.equal([
      { type: 'integer', value: 5n },
      { type: 'integer', value: -128n },
      { type: 'unsigned', value: 128n },
      { type: 'integer', value: -1n },
    ]);
  });

  it('long-form lengths with leading zero bytes', () => {
    const pdu = pduOf(withAllData('830101', { gocbRef: '808200' + (20).toString(16) + ascii('IED1LD0/LLN0$GO$gcb1') }));
    expect(pdu.gocbRef).to.equal('IED1LD0/LLN0$GO$gcb1');
  });

  it('simulation and ndsCom omitted default to FALSE; goID omitted stays absent', () => {
    const pdu = pduOf(withAllData('830101', { simulation: null, ndsCom: null }));
    expect(pdu.simulation).to.equal(false);
    expect(pdu.ndsCom).to.equal(false);
    expect('goID' in pdu).to.equal(false);
  });

  it('BOOLEAN TRUE as 0xFF (BER) as well as 0x01', () => {
    expect(allDataOf(withAllData('8301ff830101830100'))).to.deep.equal([
      { type: 'boolean', value: true },
      { type: 'boolean', value: true },
      { type: 'boolean', value: false },
    ]);
  });
});

describe('encodeFrame rejects values it cannot encode with an error naming the field', () => {
  const frame = () => minimalGooseFrame();
  it('out-of-range header, VLAN and PDU numbers', () => {
    expect(() => encodeFrame({ ...frame(), header: { appId: 70000, reserved1: 0, reserved2: 0 } })).to.throw(RangeError, /header\.appId.*70000/);
    expect(() => encodeFrame({ ...frame(), eth: { dst: '01:0c:cd:01:00:02', src: '02:00:00:00:00:01', vlan: { pcp: 8, dei: false, vid: 1 } } })).to.throw(RangeError, /vlan\.pcp/);
    expect(() => encodeFrame({ ...frame(), pdu: { ...frame().pdu, stNum: -1 } })).to.throw(RangeError, /goosePdu\.stNum/);
    expect(() => encodeFrame({ ...frame(), eth: { dst: 'nonsense', src: '02:00:00:00:00:01' } })).to.throw(RangeError, /eth\.dst.*nonsense/);
  });

  it('Data values out of their type, with the allData path', () => {
    const f = frame();
    f.pdu.allData = [{ type: 'boolean', value: true }, { type: 'structure', value: [{ type: 'integer', value: 1n << 63n }] }];
    expect(() => encodeFrame(f)).to.throw(RangeError, /goosePdu\.allData\[1\]\.structure\[0\].*64-bit/);
    f.pdu.allData = [{ type: 'visible-string', value: 'price €' }];
    expect(() => encodeFrame(f)).to.throw(RangeError, /visible-string/);
    f.pdu.allData = [{ type: 'bit-string', bits: 9, value: new Uint8Array(1) }];
    expect(() => encodeFrame(f)).to.throw(RangeError, /9 bits need 2 value bytes/);
  });
});

describe('decodeFrame errors in Sampled Values', () => {
  const SV1 =
    '010ccd0400010200000000018100800088ba4000006800000000605e800101a259305780064d553031303182020f9f8304000000018501028740000003e800000000fffffe0c00000000fffffe0c00000000000000000000000000002af800000000ffffea8400000000ffffea84000000000000000000000000';

  it('noASDU that disagrees with the ASDUs present is bad-value at savPdu.noASDU', () => {
    expect(errorOf(Buffer.from(SV1.replace('800101a259', '800102a259'), 'hex'))).to.include({ code: 'bad-value', path: 'savPdu.noASDU' });
  });

  it('an unknown ASDU field tag is unknown-tag inside savPdu.seqASDU[0]', () => {
    const bytes = Buffer.from(SV1.replace('80064d55', '89064d55'), 'hex');
    expect(errorOf(bytes)).to.include({ code: 'unknown-tag', path: 'savPdu.seqASDU[0]', offset: bytes.indexOf(Buffer.from('89064d55', 'hex')) });
  });

  it('a field whose length overruns the ASDU names the field', () => {
    const bytes = Buffer.from(SV1.replace('82020f9f', '82ff0f9f'), 'hex');
    const e = errorOf(bytes);
    expect(e.code).to.be.oneOf(['length-mismatch', 'truncated']);
    expect(e.path).to.equal('savPdu.seqASDU[0].smpCnt');
  });
});
