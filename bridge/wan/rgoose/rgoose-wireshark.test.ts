// tshark 4.0 as an independent reader of the SPDUs the engine's C++ encoder writes: pcaps of
// UDP datagrams to arbitrary ports, dissected by Wireshark's R-GOOSE heuristic.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import fc from 'fast-check';
import { createNativeKeyring, type NativeKey } from '../../../native/rgoose.js';
import { skipUnlessTshark } from '../../../testkit/preconditions.js';
import { goosePduArb } from '../../../testkit/arbitraries/frame-arbitraries.js';
import { encodeGoosePdu, type GoosePdu } from '../../codec/index.js';
import { find, findAll, parsePdml, type PdmlNode } from '../../../testkit/oracles/pdml-parser.js';
import { PcapWriter } from '../../pcap/index.js';
import { ipv4UdpFrame } from '../../../testkit/frames/udp-frame.js';
import { withSeed } from '../../../testkit/seeded.js';

const COUNT = 60;
/**
 * Port 102 (the 90-5 convention) or one in 49152..54151: tshark 4.0's heuristic finds R-GOOSE on
 * any UDP port no other dissector is registered for; about 190 ports are (e.g. 4789 VXLAN,
 * 5353 mDNS, 54328), none in this range.
 */
const dynamicPort = (n: number): number => 49152 + (Math.abs(n) % 5000);
const show = (n: PdmlNode | undefined): string => n?.attrs.show ?? '';
const value = (n: PdmlNode | undefined): string => n?.attrs.value ?? '';

interface Sent {
  pdu: GoosePdu;
  spdu: Buffer;
  spduNumber: number;
  appid: number;
  port: number;
}

async function dissect(dir: string, key: NativeKey, seed: number, iv: (i: number) => Buffer | undefined): Promise<{ sent: Sent[]; packets: PdmlNode[] }> {
  const ring = createNativeKeyring([key], key.id);
  const pdus = fc.sample(goosePduArb({ wiresharkSafe: true, maxEntries: 6 }), { numRuns: COUNT, seed });
  const sent = pdus.map((pdu, i): Sent => {
    const spduNumber = (0xfffffff0 + i) >>> 0; // crosses the 32-bit wrap
    const appid = 0x3000 + i;
    const ivBytes = iv(i);
    const spdu = ring.encode({ spduNumber, appid, simulation: pdu.simulation, ...(ivBytes ? { iv: ivBytes } : {}) }, encodeGoosePdu(pdu))!;
    return { pdu, spdu, spduNumber, appid, port: i === 0 ? 102 : dynamicPort(seed + i * 7919) };
  });
  const path = join(dir, `${key.signature}-${key.encryption}.pcap`);
  const w = await PcapWriter.open(path);
  sent.forEach((s, i) => w.write(ipv4UdpFrame(s.spdu, s.port), 1_700_000_000_000_000 + i * 1000));
  await w.close();
  // WireGuard's UDP heuristic claims every 148-byte payload that starts with 0x01 (its
  // handshake-initiation size), which an SPDU of that length does: switch it off.
  const { stdout } = await promisify(execFile)('tshark', ['-n', '--disable-heuristic', 'wg', '-r', path, '-T', 'pdml'], { maxBuffer: 256 * 1024 * 1024 });
  return { sent, packets: parsePdml(stdout) };
}

function checkSession(p: PdmlNode, s: Sent, key: NativeKey, where: string): PdmlNode {
  const r = find(p, 'r-goose');
  if (r === undefined) expect.fail(`${where}: tshark did not dissect the datagram as R-GOOSE`);
  expect(Number(show(find(r, 'rgoose.spdu_id'))), `${where} session id`).to.equal(0xa1);
  expect(Number(show(find(r, 'rgoose.spdu_num'))), `${where} SPDU number`).to.equal(s.spduNumber);
  expect(Number(show(find(r, 'rgoose.version'))), `${where} version`).to.equal(2);
  expect(Number(show(find(r, 'rgoose.key_id'))), `${where} key id`).to.equal(key.id);
  expect(Number(show(find(r, 'rgoose.spdu_len'))), `${where} SPDU length`).to.equal(s.spdu.readUInt32BE(6));
  return r;
}

describe('tshark reads the C++ encoder\'s SPDUs as R-GOOSE', function () {
  let dir = '';
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  before(function () {
    skipUnlessTshark(this, 'R-GOOSE Wireshark agreement test');
    dir = mkdtempSync(join(tmpdir(), 'gb-rgoose-tshark-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`HMAC-SHA256-128: ${COUNT} SPDUs on random ports show the session fields, the GOOSE fields and the MAC, nothing malformed`, async function () {
    this.timeout(60_000);
    const key: NativeKey = { id: 0x0a0b0c0d, signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 0x42) };
    const { sent, packets } = await dissect(dir, key, seed, () => undefined);
    expect(packets.length).to.equal(COUNT);
    withSeed(seed, () =>
      sent.forEach((s, i) => {
        const where = `packet ${i + 1}`;
        const p = packets[i]!;
        const problems = findAll(p, (x) => x.name.startsWith('_ws.malformed') || x.name.startsWith('_ws.expert'));
        expect(problems.map((x) => x.attrs.showname), `${where}: malformed/expert`).to.deep.equal([]);
        const r = checkSession(p, s, key, where);
        expect(Number(show(find(r, 'rgoose.init_v_len'))), `${where} IV length`).to.equal(0);
        expect(Number(show(find(r, 'rgoose.appid'))), `${where} APPID`).to.equal(s.appid);
        expect(Number(show(find(r, 'rgoose.simulation'))), `${where} simulation`).to.equal(s.pdu.simulation ? 1 : 0);
        expect(Number(show(find(r, 'rgoose.apdu_len'))), `${where} APDU length`).to.equal(encodeGoosePdu(s.pdu).length);
        expect(show(find(r, 'goose.gocbRef')), `${where} gocbRef`).to.equal(s.pdu.gocbRef);
        expect(show(find(r, 'goose.datSet')), `${where} datSet`).to.equal(s.pdu.datSet);
        expect(show(find(r, 'goose.stNum')), `${where} stNum`).to.equal(String(s.pdu.stNum));
        expect(show(find(r, 'goose.sqNum')), `${where} sqNum`).to.equal(String(s.pdu.sqNum));
        expect(findAll(r, (x) => x.name === 'goose.Data' && x.attrs.showname?.startsWith('Data:') === true).length, `${where} data entries`).to.be.at.least(
          s.pdu.allData.length,
        );
        // Wireshark shows everything after the payload as "HMAC": our 85 10 element.
        expect(value(find(r, 'rgoose.hmac')), `${where} HMAC`).to.equal(s.spdu.subarray(s.spdu.length - 18).toString('hex'));
      }),
    );
  });

  it(`AES-128-GCM: ${COUNT} SPDUs show the session header with key id and IV (the payload is ciphertext)`, async function () {
    this.timeout(60_000);
    const key: NativeKey = { id: 77, signature: 'none', encryption: 'aes-128-gcm', key: Buffer.alloc(16, 0x24) };
    const iv = (i: number): Buffer => Buffer.from(`a5a5a5a5${i.toString(16).padStart(16, '0')}`, 'hex');
    const { sent, packets } = await dissect(dir, key, seed, iv);
    expect(packets.length).to.equal(COUNT);
    withSeed(seed, () =>
      sent.forEach((s, i) => {
        const where = `packet ${i + 1}`;
        const r = checkSession(packets[i]!, s, key, where);
        expect(Number(show(find(r, 'rgoose.init_v_len'))), `${where} IV length`).to.equal(12);
        expect(value(find(r, 'rgoose.init_v')), `${where} IV`).to.equal(iv(i).toString('hex'));
        expect(Number(show(find(r, 'rgoose.payload_len'))), `${where} payload length`).to.equal(6 + encodeGoosePdu(s.pdu).length);
        expect(find(r, 'goose.gocbRef'), `${where}: clear-text GOOSE visible in an encrypted SPDU`).to.equal(undefined);
      }),
    );
  });
});
