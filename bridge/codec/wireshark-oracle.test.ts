import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import fc from 'fast-check';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { PcapWriter } from '../pcap/index.js';
import { gooseFrameArb, svFrameArb } from '../../testkit/arbitraries/frame-arbitraries.js';
import { ReverseWriter } from './ber-writer.js';
import { encodeData } from './data-codec.js';
import { encodeFrame, frameToJson, type Data, type Frame, type GooseFrame, type SvFrame } from './index.js';
import { find, findAll, parsePdml, type PdmlNode } from '../../testkit/oracles/pdml-parser.js';

const FRAMES = 320;
const SV_FRAMES = 100;

/** MMS type names as Wireshark's GOOSE dissector shows them ("Data: <name> (tag)"). */
const WIRESHARK_TYPE: Record<Data['type'], string> = {
  array: 'array',
  structure: 'structure',
  boolean: 'boolean',
  'bit-string': 'bit-string',
  integer: 'integer',
  unsigned: 'unsigned',
  float32: 'floating-point',
  float64: 'floating-point',
  real: 'real',
  'octet-string': 'octet-string',
  'visible-string': 'visible-string',
  'binary-time': 'binary-time',
  bcd: 'bcd',
  'boolean-array': 'booleanArray',
  'obj-id': 'objId',
  'mms-string': 'mMSString',
  'utc-time': 'utc-time',
};

const scratch = new ReverseWriter();
/** The BER content bytes (hex) our encoder writes for one Data value: what Wireshark's `value` shows. */
function contentHex(d: Data): string {
  scratch.reset();
  encodeData(scratch, d, 0);
  const tlv = scratch.buf.subarray(scratch.pos);
  const first = tlv[1]!;
  return Buffer.from(tlv.subarray(first < 0x80 ? 2 : 2 + (first & 0x7f))).toString('hex');
}
function signedContentHex(v: number): string {
  scratch.reset();
  scratch.signedContent(v);
  return Buffer.from(scratch.buf.subarray(scratch.pos)).toString('hex');
}

const value = (n: PdmlNode | undefined): string => n?.attrs.value ?? '';
const show = (n: PdmlNode | undefined): string => n?.attrs.show ?? '';
const INT32 = (v: bigint | number) => BigInt(v) >= -(2n ** 31n) && BigInt(v) < 2n ** 31n;

function field(pdu: PdmlNode, name: string, where: string): PdmlNode {
  const f = pdu.children.find((c) => c.name === name);
  if (f === undefined) expect.fail(`${where}: tshark shows no ${name}`);
  return f;
}

function compareData(node: PdmlNode, d: Data, where: string): void {
  expect(node.name, where).to.equal('goose.Data');
  const typeName = /^Data: ([\w-]+) \(/.exec(node.attrs.showname ?? '')?.[1];
  expect(typeName, `${where} type`).to.equal(WIRESHARK_TYPE[d.type]);
  if (d.type === 'array' || d.type === 'structure') {
    const inner = find(node, d.type === 'array' ? 'goose.array' : 'goose.structure')!;
    expect(inner.children.length, `${where} item count`).to.equal(d.value.length);
    d.value.forEach((x, i) => compareData(inner.children[i]!, x, `${where}.${d.type}[${i}]`));
    return;
  }
  expect(value(node), `${where} content bytes`).to.equal(contentHex(d));
  const sub = node.children.find((c) => c.name.startsWith('goose.') && c.name !== 'goose.floating_point') ?? node.children[0];
  switch (d.type) {
    case 'boolean':
      expect(show(sub), where).to.equal(d.value ? '1' : '0');
      break;
    case 'bit-string':
      // An empty bit string has no padding field in Wireshark; its content (00) is checked above.
      if (d.bits > 0) expect(show(find(node, 'ber.bitstring.padding')), `${where} padding`).to.equal(String(d.value.length * 8 - d.bits));
      break;
    case 'integer':
    case 'unsigned':
      // Wireshark 4.0 shows these as signed 32-bit: compare the number only where it fits.
      if (INT32(d.value)) expect(show(sub), where).to.equal(d.value.toString());
      break;
    case 'float32': {
      const shown = Number(show(find(node, 'goose.float_value')));
      if (d.value === 0) expect(shown, where).to.equal(0);
      else expect(Math.abs(shown - d.value) / Math.abs(d.value), `${where} float32 ${d.value} vs ${shown}`).to.be.below(1e-5);
      break;
    }
    case 'visible-string':
      expect(show(sub), where).to.equal(d.value);
      break;
    case 'obj-id':
      expect(show(sub), where).to.equal(d.value);
      break;
    default:
      break; // float64, real, octet-string, binary-time, bcd, booleanArray, mMSString, utc-time: content bytes above
  }
}

function compareFrame(packet: PdmlNode, f: GooseFrame, n: number): void {
  const where = `frame ${n}`;
  const problems = findAll(packet, (x) => x.name.startsWith('_ws.malformed') || x.name.startsWith('_ws.expert'));
  expect(problems.map((p) => p.attrs.showname), `${where}: malformed/expert`).to.deep.equal([]);
  const vlan = find(packet, 'vlan');
  if (f.eth.vlan) {
    expect(show(find(vlan!, 'vlan.id')), `${where} vlan id`).to.equal(String(f.eth.vlan.vid));
    expect(show(find(vlan!, 'vlan.priority')), `${where} vlan priority`).to.equal(String(f.eth.vlan.pcp));
    expect(show(find(vlan!, 'vlan.dei')), `${where} vlan dei`).to.equal(f.eth.vlan.dei ? '1' : '0');
  } else {
    expect(vlan, `${where} vlan`).to.equal(undefined);
  }
  expect(show(find(packet, 'eth.dst')), `${where} dst`).to.equal(f.eth.dst);
  const goose = find(packet, 'goose')!;
  expect(Number(show(find(goose, 'goose.appid'))), `${where} appid`).to.equal(f.header.appId);
  expect(show(find(goose, 'goose.reserve1.s_bit')), `${where} simulation bit`).to.equal(f.header.reserved1 & 0x8000 ? '1' : '0');
  const pdu = find(goose, 'goose.goosePdu_element')!;
  const p = f.pdu;
  expect(show(field(pdu, 'goose.gocbRef', where)), `${where} gocbRef`).to.equal(p.gocbRef);
  expect(show(field(pdu, 'goose.datSet', where)), `${where} datSet`).to.equal(p.datSet);
  const goID = pdu.children.find((c) => c.name === 'goose.goID');
  expect(goID === undefined ? undefined : show(goID), `${where} goID`).to.equal(p.goID);
  for (const [name, v, signed32] of [
    ['goose.timeAllowedtoLive', p.timeAllowedToLive, true],
    ['goose.stNum', p.stNum, false],
    ['goose.sqNum', p.sqNum, false],
    ['goose.confRev', p.confRev, true],
    ['goose.numDatSetEntries', p.numDatSetEntries, true],
  ] as const) {
    const node = field(pdu, name, where);
    expect(value(node), `${where} ${name} content`).to.equal(signedContentHex(v));
    if (!signed32 || INT32(v)) expect(show(node), `${where} ${name}`).to.equal(String(v));
  }
  const t = field(pdu, 'goose.t', where);
  const tHex = Buffer.alloc(8);
  tHex.writeUInt32BE(p.t.secondsSinceEpoch, 0);
  tHex.writeUIntBE(p.t.fraction, 4, 3);
  tHex[7] = p.t.quality;
  expect(value(t), `${where} t bytes`).to.equal(tHex.toString('hex'));
  const shownSeconds = Date.parse(show(t).replace(/\.\d+ UTC$/, ' UTC')) / 1000;
  expect(shownSeconds, `${where} t seconds`).to.equal(p.t.secondsSinceEpoch);
  expect(show(field(pdu, 'goose.simulation', where)), `${where} simulation`).to.equal(p.simulation ? '1' : '0');
  expect(show(field(pdu, 'goose.ndsCom', where)), `${where} ndsCom`).to.equal(p.ndsCom ? '1' : '0');
  const allData = field(pdu, 'goose.allData', where);
  expect(allData.children.length, `${where} allData count`).to.equal(p.allData.length);
  p.allData.forEach((d, i) => compareData(allData.children[i]!, d, `${where} allData[${i}]`));
}

function compareSvFrame(packet: PdmlNode, f: SvFrame, n: number): void {
  const where = `frame ${n}`;
  const problems = findAll(packet, (x) => x.name.startsWith('_ws.malformed') || x.name.startsWith('_ws.expert'));
  expect(problems.map((p) => p.attrs.showname), `${where}: malformed/expert`).to.deep.equal([]);
  const sv = find(packet, 'sv')!;
  expect(Number(show(find(sv, 'sv.appid'))), `${where} appid`).to.equal(f.header.appId);
  expect(show(find(sv, 'sv.noASDU')), `${where} noASDU`).to.equal(String(f.pdu.asdus.length));
  const asdus = findAll(sv, (x) => x.name === 'sv.ASDU_element');
  expect(asdus.length, `${where} ASDUs`).to.equal(f.pdu.asdus.length);
  f.pdu.asdus.forEach((a, i) => {
    const at = `${where} asdu[${i}]`;
    const node = asdus[i]!;
    const get = (name: string) => node.children.find((c) => c.name === name);
    expect(show(get('sv.svID')), `${at} svID`).to.equal(a.svID);
    expect(get('sv.datSet') === undefined ? undefined : show(get('sv.datSet')), `${at} datSet`).to.equal(a.datSet);
    expect(show(get('sv.smpCnt')), `${at} smpCnt`).to.equal(String(a.smpCnt));
    expect(value(get('sv.confRev')), `${at} confRev`).to.equal(a.confRev.toString(16).padStart(8, '0'));
    // 9-2 encodes smpSynch/smpMod as fixed 1/2-byte fields; Wireshark reads them as signed INTEGERs.
    const signed = (v: number | undefined, bits: number) => (v === undefined ? undefined : v >= 2 ** (bits - 1) ? v - 2 ** bits : v);
    expect(Number(show(get('sv.smpSynch'))), `${at} smpSynch`).to.equal(signed(a.smpSynch, 8));
    expect(get('sv.smpMod') === undefined ? undefined : Number(show(get('sv.smpMod'))), `${at} smpMod`).to.equal(signed(a.smpMod, 16));
    expect(get('sv.smpRate') === undefined ? undefined : Number(show(get('sv.smpRate'))), `${at} smpRate`).to.equal(a.smpRate);
    if (a.refrTm !== undefined) {
      const t = Buffer.alloc(8);
      t.writeUInt32BE(a.refrTm.secondsSinceEpoch, 0);
      t.writeUIntBE(a.refrTm.fraction, 4, 3);
      t[7] = a.refrTm.quality;
      expect(value(get('sv.refrTm')), `${at} refrTm`).to.equal(t.toString('hex'));
    } else {
      expect(get('sv.refrTm'), `${at} refrTm`).to.equal(undefined);
    }
    let seq: string;
    if (a.seqData instanceof Uint8Array) seq = Buffer.from(a.seqData).toString('hex');
    else {
      const b = Buffer.alloc(64);
      a.seqData.values.forEach((v, c) => {
        b.writeInt32BE(v, c * 8);
        b.writeUInt32BE((a.seqData as { qualities: number[] }).qualities[c]!, c * 8 + 4);
      });
      seq = b.toString('hex');
    }
    expect(value(get('sv.seqData')), `${at} seqData`).to.equal(seq);
  });
}

/** Writes frames to a pcap, runs tshark -T pdml on it, compares each packet; the seed is in any failure. */
async function checkWithTshark<F extends Frame>(dir: string, arb: fc.Arbitrary<F>, count: number, compare: (p: PdmlNode, f: F, n: number) => void): Promise<void> {
  // One sample of `count` frames; the seed is printed on failure and FC_SEED replays it.
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const frames = fc.sample(arb, { numRuns: count, seed });
  const path = join(dir, 'oracle.pcap');
  const w = await PcapWriter.open(path);
  frames.forEach((f, i) => w.write(encodeFrame(f), 1_700_000_000_000_000 + i * 1000));
  await w.close();
  const { stdout } = await promisify(execFile)('tshark', ['-n', '-r', path, '-T', 'pdml'], { maxBuffer: 512 * 1024 * 1024 });
  const packets = parsePdml(stdout);
  expect(packets.length).to.equal(frames.length);
  frames.forEach((f, i) => {
    try {
      compare(packets[i]!, f, i + 1);
    } catch (err) {
      const frame = JSON.stringify(frameToJson(f));
      (err as Error).message = `seed ${seed} (replay: FC_SEED=${seed}): ${(err as Error).message}\nframe: ${frame}`;
      throw err;
    }
  });
}

describe('Wireshark oracle (tshark dissects what encodeFrame writes)', function () {
  let dir: string;
  before(function () {
    skipUnlessTshark(this, 'Wireshark oracle test');
    dir = mkdtempSync(join(tmpdir(), 'gb-oracle-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`agrees field by field on ${FRAMES} property-generated GOOSE frames, with no malformed frame or expert warning`, async function () {
    this.timeout(60_000);
    await checkWithTshark(dir, gooseFrameArb({ wiresharkSafe: true }), FRAMES, compareFrame);
  });

  it(`agrees on APPID, noASDU and every ASDU field of ${SV_FRAMES} property-generated Sampled Values frames`, async function () {
    this.timeout(60_000);
    await checkWithTshark(dir, svFrameArb({ wiresharkSafe: true }), SV_FRAMES, compareSvFrame);
  });
});
