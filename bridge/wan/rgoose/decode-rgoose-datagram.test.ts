import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createNativeKeyring, type NativeKey } from '../../../native/rgoose.js';
import { runDecode } from '../../cli/decode-command.js';
import { encodeGoosePdu, type GoosePdu } from '../../codec/index.js';
import { typicalGooseFrame } from '../../../testkit/frames/sample-frames.js';
import { PcapWriter } from '../../pcap/index.js';
import { decodeRgooseDatagram } from './decode-rgoose-datagram.js';
import { parseSpduSession } from './spdu-layout.js';
import { ipv4UdpFrame } from '../../../testkit/frames/udp-frame.js';
import { udpPayloadOf } from './udp-in-ethernet.js';

const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/vectors/goose-known-answers.json', import.meta.url), 'utf8')) as {
  frames: { name: string; hex: string }[];
};
const RKAT1 = Buffer.from(vectors.frames.find((f) => f.name === 'RKAT1_rgoose_udp_payload')!.hex, 'hex');

const HMAC_KEY: NativeKey = { id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 0x11) };
const GCM_KEY: NativeKey = { id: 8, signature: 'none', encryption: 'aes-128-gcm', key: Buffer.alloc(16, 0x22) };
const PDU: GoosePdu = typicalGooseFrame().pdu;
const APDU = encodeGoosePdu(PDU);
const IV = Buffer.alloc(12, 0x33);

describe('decodeRgooseDatagram', () => {
  it('reads the published R-GOOSE payload (RKAT1) field by field', () => {
    const s = parseSpduSession(RKAT1);
    if (!s.ok) expect.fail(s.error);
    expect(s.value).to.include({ kind: 'goose', sessionHeaderLength: 0x17, commonHeaderLength: 0x15, spduLength: 106, spduNumber: 1, version: 2, keyId: 0, userDataLength: 85 });
    const d = decodeRgooseDatagram(RKAT1);
    if (!d.ok) expect.fail(d.error);
    expect(d.value.authentication).to.equal('unsigned');
    expect(d.value.element).to.include({ appid: 1, simulation: false });
    expect(d.value.pdu?.result.ok && d.value.pdu.kind === 'goose' && d.value.pdu.result.value.gocbRef).to.equal('IED1LD0/LLN0$GO$gcb1');
  });

  it('without keys shows a signed SPDU\'s PDU as not verified and an encrypted one as unreadable', () => {
    const signed = createNativeKeyring([HMAC_KEY], 7).encode({ spduNumber: 3, appid: 0x3001 }, APDU)!;
    const sealed = createNativeKeyring([GCM_KEY], 8).encode({ spduNumber: 4, appid: 0x3001, iv: IV }, APDU)!;
    const a = decodeRgooseDatagram(signed);
    const b = decodeRgooseDatagram(sealed);
    if (!a.ok || !b.ok) expect.fail('not parsed');
    expect(a.value.authentication).to.equal('not-verified');
    expect(a.value.pdu?.result.ok).to.equal(true);
    expect(b.value.authentication).to.equal('encrypted');
    expect(b.value.pdu).to.equal(undefined);
    expect(Buffer.from(b.value.session.iv).equals(IV)).to.equal(true);
  });

  it('with keys verifies, decrypts, and says why it rejects', () => {
    const ring = createNativeKeyring([HMAC_KEY, GCM_KEY]);
    const signed = createNativeKeyring([HMAC_KEY], 7).encode({ spduNumber: 3, appid: 0x3001 }, APDU)!;
    const sealed = createNativeKeyring([GCM_KEY], 8).encode({ spduNumber: 4, appid: 0x3001, iv: IV }, APDU)!;
    const a = decodeRgooseDatagram(signed, ring);
    const b = decodeRgooseDatagram(sealed, ring);
    if (!a.ok || !b.ok) expect.fail('not parsed');
    expect(a.value.authentication).to.equal('verified');
    expect(b.value.authentication).to.equal('verified');
    expect(b.value.pdu?.result.ok && b.value.pdu.kind === 'goose' && b.value.pdu.result.value.stNum).to.equal(PDU.stNum);
    const forged = Buffer.from(signed);
    forged[forged.length - 1]! ^= 0x80;
    const f = decodeRgooseDatagram(forged, ring);
    if (!f.ok) expect.fail(f.error);
    expect(f.value).to.include({ authentication: 'rejected', rejectedBecause: 'bad-signature' });
    expect(f.value.pdu).to.equal(undefined);
    const u = decodeRgooseDatagram(RKAT1, ring);
    expect(u.ok && u.value.rejectedBecause).to.equal('unsigned');
  });

  it('finds the UDP payload behind VLAN tags and IPv6, and ignores IPv4 fragments', () => {
    const frame = ipv4UdpFrame(RKAT1, 102);
    expect(Buffer.from(udpPayloadOf(frame) ?? []).equals(RKAT1)).to.equal(true);
    const tagged = Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x05]), frame.subarray(12)]);
    expect(Buffer.from(udpPayloadOf(tagged) ?? []).equals(RKAT1)).to.equal(true);
    const fragment = Buffer.from(frame);
    fragment.writeUInt16BE(0x2000, 20); // more fragments
    expect(udpPayloadOf(fragment)).to.equal(undefined);
    const v6 = Buffer.alloc(14 + 40 + 8 + RKAT1.length);
    v6.writeUInt16BE(0x86dd, 12);
    v6[14] = 0x60;
    v6[20] = 17;
    v6.writeUInt16BE(8 + RKAT1.length, 54 + 4);
    RKAT1.copy(v6, 62);
    expect(Buffer.from(udpPayloadOf(v6) ?? []).equals(RKAT1)).to.equal(true);
  });
});

describe('goose-bridge decode of R-GOOSE captures', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gb-rgoose-decode-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('decodes datagrams on any port, verifying and decrypting with --rgoose-keys, counting rejected ones as errors', async () => {
    const signed = createNativeKeyring([HMAC_KEY], 7).encode({ spduNumber: 3, appid: 0x3001 }, APDU)!;
    const sealed = createNativeKeyring([GCM_KEY], 8).encode({ spduNumber: 4, appid: 0x3001, iv: IV }, APDU)!;
    const forged = Buffer.from(signed);
    forged[40]! ^= 0x01;
    const pcap = join(dir, 'rgoose.pcap');
    const w = await PcapWriter.open(pcap);
    [signed, sealed, forged].forEach((d, i) => w.write(ipv4UdpFrame(d, [102, 50000, 61234][i]!), 1_700_000_000_000_000 + i));
    await w.close();
    const keys = join(dir, 'keys.json');
    const hexKey = (k: NativeKey): string => Buffer.from(k.key).toString('hex');
    await writeFile(
      keys,
      JSON.stringify({
        active: 7,
        keys: [
          { id: 7, signature: HMAC_KEY.signature, encryption: 'none', key: hexKey(HMAC_KEY) },
          { id: 8, signature: 'none', encryption: GCM_KEY.encryption, key: hexKey(GCM_KEY) },
        ],
      }),
      { mode: 0o600 },
    );
    let out = '';
    const summary = await runDecode(pcap, { json: true, rgooseKeys: keys }, (t) => (out += t));
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(summary).to.include({ frames: 3, errors: 1 });
    expect(lines.map((l) => [l.kind, l.authentication, l.rejectedBecause ?? null])).to.deep.equal([
      ['r-goose', 'verified', null],
      ['r-goose', 'verified', null],
      ['r-goose', 'rejected', 'bad-signature'],
    ]);
    expect((lines[1]!.pdu as { gocbRef: string }).gocbRef).to.equal(PDU.gocbRef);

    let text = '';
    await runDecode(pcap, { verbose: true }, (t) => (text += t));
    expect(text).to.match(/R-GOOSE SPDU 3 key 7 not-verified/);
    expect(text).to.match(/R-GOOSE SPDU 4 key 8 encrypted IV 333333333333333333333333/);
    expect(text).to.include(`gocbRef ${PDU.gocbRef}`);

    let oneLine = '';
    await runDecode(pcap, {}, (t) => (oneLine += t));
    const lines1 = oneLine.trimEnd().split('\n');
    expect(lines1).to.have.length(3);
    expect(lines1[0]).to.match(new RegExp(`R-GOOSE SPDU 3 key 7 not-verified 0x3001 ${PDU.gocbRef.replace(/\$/g, '\\$')} st ${PDU.stNum} sq ${PDU.sqNum}`));
    expect(lines1[1]).to.match(/R-GOOSE SPDU 4 key 8 encrypted IV 3{24}$/);
    let filtered = '';
    await runDecode(pcap, { appid: [0x3001] }, (t) => (filtered += t));
    expect(filtered.trimEnd().split('\n').map((l) => Number(l.trim().split(' ')[0]))).to.deep.equal([1, 3]); // the encrypted one shows no APPID without keys
  });
});
