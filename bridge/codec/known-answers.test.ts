import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { decodeFrame, decodeGoosePdu, encodeFrame, encodeGoosePdu, type Frame, type GooseFrame, type SvFrame } from './index.js';
import { minimalGooseFrame } from '../../testkit/frames/sample-frames.js';

interface Vector {
  name: string;
  hex: string;
  describes: string;
}
const VECTORS_PATH = new URL('../../fixtures/vectors/goose-known-answers.json', import.meta.url);
const vectors = (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { frames: Vector[] }).frames;
const byName = (name: string): Buffer => Buffer.from(vectors.find((v) => v.name === name)!.hex, 'hex');

/** 2023-11-14T22:13:20Z, fraction 0, quality 0x0a: the `t` most vectors use. */
const T_2023 = { secondsSinceEpoch: 1_700_000_000, fraction: 0, quality: 0x0a };

function decoded<K extends Frame['kind']>(name: string, kind: K): Extract<Frame, { kind: K }> {
  const r = decodeFrame(byName(name));
  if (!r.ok) expect.fail(`${name}: ${JSON.stringify(r.error)}`);
  expect(r.value.kind).to.equal(kind);
  return r.value as Extract<Frame, { kind: K }>;
}

describe('known-answer vectors (fixtures/vectors/goose-known-answers.json)', () => {
  it('holds the six vectors this test asserts', () => {
    expect(vectors.map((v) => v.name)).to.have.members(['KAT1_libiec_example', 'KAT2_min_sim', 'KAT3_all_types', 'KAT4_py61850_pdu', 'SV1_92LE', 'RKAT1_rgoose_udp_payload']);
  });

  it('KAT1: reference C stack example publisher, VLAN PCP 4, APPID 1000, 3 entries, long-form PDU length', () => {
    const f: GooseFrame = decoded('KAT1_libiec_example', 'goose');
    expect(f.eth).to.deep.equal({ dst: '01:0c:cd:01:00:01', src: '02:00:00:00:00:01', vlan: { pcp: 4, dei: false, vid: 0 } });
    expect(f.header).to.deep.equal({ appId: 1000, reserved1: 0, reserved2: 0 });
    expect(f.pdu).to.deep.equal({
      gocbRef: 'simpleIOGenericIO/LLN0$GO$gcbAnalogValues',
      timeAllowedToLive: 500,
      datSet: 'simpleIOGenericIO/LLN0$AnalogValues',
      goID: 'simpleIOGenericIO/LLN0$GO$gcbAnalogValues',
      t: T_2023,
      stNum: 1,
      sqNum: 0,
      simulation: false,
      confRev: 1,
      ndsCom: false,
      numDatSetEntries: 3,
      allData: [
        { type: 'integer', value: 1234n },
        { type: 'binary-time', msOfDay: 0, days: 0 },
        { type: 'integer', value: 5678n },
      ],
    });
    expect(byName('KAT1_libiec_example').subarray(26, 29).toString('hex')).to.equal('6181ad');
  });

  it('KAT2: minimal, no VLAN, goID omitted, Reserved1 simulation bit and simulation TRUE', () => {
    const f: GooseFrame = decoded('KAT2_min_sim', 'goose');
    expect(f.eth).to.deep.equal({ dst: '01:0c:cd:01:00:02', src: '02:00:00:00:00:01' });
    expect(f.header.appId).to.equal(1);
    expect(f.header.reserved1 & 0x8000).to.equal(0x8000);
    expect('goID' in f.pdu).to.equal(false);
    // The minimal sample frame's PDU (gcb1, DS1, stNum 5, sqNum 7, simulation, one boolean) at a whole second.
    expect(f.pdu).to.deep.equal({ ...minimalGooseFrame().pdu, t: T_2023 });
    expect(new Date(f.pdu.t.secondsSinceEpoch * 1000).toISOString()).to.equal('2023-11-14T22:13:20.000Z');
  });

  it('KAT3: every common Data type and edge integers, VLAN 1000, APPID 0x3fff', () => {
    const f: GooseFrame = decoded('KAT3_all_types', 'goose');
    expect(f.eth).to.deep.equal({ dst: '01:0c:cd:01:01:ff', src: '02:00:00:00:00:01', vlan: { pcp: 4, dei: false, vid: 1000 } });
    expect(f.header.appId).to.equal(0x3fff);
    const { allData, ...rest } = f.pdu;
    expect(rest).to.deep.equal({
      gocbRef: 'IED2CTRL/LLN0$GO$gcbAll',
      timeAllowedToLive: 0xffffffff,
      datSet: 'IED2CTRL/LLN0$DSAll',
      goID: 'IED2_ALL',
      t: T_2023,
      stNum: 128,
      sqNum: 0xffffffff,
      simulation: false,
      confRev: 0x80000000,
      ndsCom: true,
      numDatSetEntries: 13,
    });
    const bits13 = { type: 'bit-string', bits: 13, value: new Uint8Array(2) };
    expect(allData).to.deep.equal([
      { type: 'boolean', value: false },
      bits13,
      { type: 'integer', value: -1n },
      { type: 'unsigned', value: 200n },
      { type: 'float32', value: 1.5 },
      { type: 'float64', value: -2.25 },
      { type: 'octet-string', value: Uint8Array.from([0xde, 0xad, 0xbe, 0xef]) },
      { type: 'visible-string', value: 'abc' },
      { type: 'binary-time', msOfDay: 1, days: 0x14d2 },
      { type: 'mms-string', value: '\u00b5' },
      { type: 'utc-time', value: T_2023 },
      { type: 'structure', value: [{ type: 'boolean', value: true }, bits13] },
      { type: 'array', value: [{ type: 'integer', value: 1n }, { type: 'integer', value: 2n }] },
    ]);
    // The edge encodings the description names.
    const hex = byName('KAT3_all_types').toString('hex');
    for (const tlv of ['810500ffffffff', '85020080', '860500ffffffff', '88050080000000']) expect(hex).to.include(tlv);
  });

  it('KAT4: py61850 PDU, APPID 0, epoch-0 t with quality 0x20, empty allData', () => {
    const f: GooseFrame = decoded('KAT4_py61850_pdu', 'goose');
    expect(f.eth).to.deep.equal({ dst: '01:0c:cd:01:00:00', src: '02:00:00:00:00:01' });
    expect(f.header.appId).to.equal(0);
    expect(f.pdu).to.deep.equal({
      gocbRef: 'IED_CFG/LLN0$GO$ControlBlockReference',
      timeAllowedToLive: 1000,
      datSet: 'IED_CFG/LLN0$DataSet',
      goID: 'IED',
      t: { secondsSinceEpoch: 0, fraction: 0, quality: 0x20 },
      stNum: 1,
      sqNum: 0,
      simulation: false,
      confRev: 1,
      ndsCom: false,
      numDatSetEntries: 0,
      allData: [],
    });
  });

  it('SV1: 9-2LE, VLAN PCP 4, APPID 0x4000, Length 104, one ASDU MU0101', () => {
    const f: SvFrame = decoded('SV1_92LE', 'sv');
    expect(f.eth).to.deep.equal({ dst: '01:0c:cd:04:00:01', src: '02:00:00:00:00:01', vlan: { pcp: 4, dei: false, vid: 0 } });
    expect(f.header.appId).to.equal(0x4000);
    expect(byName('SV1_92LE').readUInt16BE(20)).to.equal(104);
    expect(f.pdu.asdus).to.have.length(1);
    expect(f.pdu.asdus[0]).to.deep.equal({
      svID: 'MU0101',
      smpCnt: 3999,
      confRev: 1,
      smpSynch: 2,
      seqData: { values: [1000, -500, -500, 0, 11000, -5500, -5500, 0], qualities: [0, 0, 0, 0, 0, 0, 0, 0] },
    });
  });

  it('every Ethernet vector re-encodes to the same bytes (all are canonical)', () => {
    for (const v of vectors.filter((x) => !x.name.startsWith('RKAT'))) {
      const r = decodeFrame(Buffer.from(v.hex, 'hex'));
      if (!r.ok || r.value.kind === 'not-ours') expect.fail(v.name);
      expect(encodeFrame(r.value).toString('hex'), v.name).to.equal(v.hex);
    }
  });

  it('RKAT1: the goosePdu inside the R-GOOSE payload decodes (KAT2 with simulation FALSE) and re-encodes', () => {
    const payload = byName('RKAT1_rgoose_udp_payload');
    // CLTP 01 40, session id A1, header length 0x17, common header 80 15.
    expect(payload.subarray(0, 6).toString('hex')).to.equal('0140a1178015');
    expect(payload.readUInt32BE(6)).to.equal(106); // SPDU length
    expect(payload.readUInt32BE(10)).to.equal(1); // SPDU number
    expect(payload.readUInt16BE(14)).to.equal(2); // version
    const ivLength = payload[26]!;
    expect(ivLength).to.equal(0);
    const userData = 27 + ivLength;
    expect(payload.readUInt32BE(userData)).to.equal(85);
    const element = userData + 4;
    expect(payload[element]).to.equal(0x81); // GOOSE element
    expect(payload[element + 1]).to.equal(0); // simulation
    expect(payload.readUInt16BE(element + 2)).to.equal(1); // APPID
    const apduLength = payload.readUInt16BE(element + 4);
    expect(apduLength).to.equal(79);
    const apduAt = element + 6;
    const apdu = payload.subarray(apduAt, apduAt + apduLength);
    const r = decodeGoosePdu(apdu, apduAt);
    if (!r.ok) expect.fail(JSON.stringify(r.error));
    const kat2 = decoded('KAT2_min_sim', 'goose').pdu;
    expect(r.value).to.deep.equal({ ...kat2, simulation: false });
    expect(Buffer.from(encodeGoosePdu(r.value)).equals(apdu)).to.equal(true);
  });
});
