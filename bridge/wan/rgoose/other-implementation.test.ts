// Another 90-5 implementation's AES-128-GCM R-GOOSE (the shared capture): the engine's C++ Open
// and `goose-bridge decode --rgoose-keys` read every datagram, and what they deliver is what
// tshark reads from the same SPDUs decrypted independently (node:crypto).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createNativeKeyring } from '../../../native/rgoose.js';
import { skipUnless, skipUnlessTshark } from '../../../testkit/preconditions.js';
import { runDecode } from '../../cli/decode-command.js';
import { find, type PdmlNode } from '../../../testkit/oracles/pdml-parser.js';
import { parseSpduElement, parseSpduSession } from './spdu-layout.js';
import {
  decryptIndependently,
  haveOtherImplementationCapture,
  OTHER_IMPLEMENTATION,
  OTHER_IMPLEMENTATION_CAPTURE,
  readOtherImplementation,
  writeOtherImplementationKeys,
} from '../../../testkit/oracles/rgoose-other-implementation.js';

const { key, appid, datagrams: COUNT } = OTHER_IMPLEMENTATION;
const show = (p: PdmlNode, field: string): string => find(p, field)?.attrs.show ?? '';

describe('R-GOOSE from another 90-5 implementation (shared capture, AES-128-GCM)', function () {
  this.timeout(60_000);
  let dir = '';
  let datagrams: Buffer[] = [];
  let packets: PdmlNode[] = [];
  let apdus: Buffer[] = [];

  before(async function () {
    skipUnless(this, haveOtherImplementationCapture(), `shared capture ${OTHER_IMPLEMENTATION_CAPTURE} absent`);
    skipUnlessTshark(this, 'other-implementation R-GOOSE test');
    dir = await mkdtemp(join(tmpdir(), 'gb-rgoose-other-'));
    ({ datagrams, packets, apdus } = await readOtherImplementation(dir));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`holds ${COUNT} datagrams with the header fields this implementation writes (our reading agrees with tshark)`, () => {
    expect(datagrams).to.have.length(COUNT);
    datagrams.forEach((d, i) => {
      const s = parseSpduSession(d);
      if (!s.ok) expect.fail(`datagram ${i + 1}: ${s.error}`);
      const p = packets[i]!;
      expect([s.value.sessionHeaderLength, s.value.commonHeaderLength, s.value.spduLength, s.value.spduNumber, s.value.keyId, s.value.iv.length]).to.deep.equal(
        ['rgoose.session_hdr_len', 'rgoose.hdr_len', 'rgoose.spdu_len', 'rgoose.spdu_num', 'rgoose.key_id', 'rgoose.init_v_len'].map((f) => Number(show(p, f))),
      );
      expect(s.value.spduNumber, 'numbered from 0').to.equal(i);
    });
  });

  it(`the C++ Open (the engine's) verifies, decrypts and delivers all ${COUNT}: APDUs byte-identical with tshark's reading`, () => {
    const ring = createNativeKeyring([key], key.id);
    datagrams.forEach((d, i) => {
      const r = ring.open(Buffer.from(d));
      expect(r.result, `datagram ${i + 1}`).to.equal('ok');
      expect(r.appid).to.equal(appid);
      expect(Number(show(packets[i]!, 'rgoose.appid'))).to.equal(appid);
      expect(r.apdu!.toString('hex'), `datagram ${i + 1} APDU`).to.equal(apdus[i]!.toString('hex'));
    });
  });

  it('the TS reference reading takes the decrypted payload element as tshark does (APDU length = APDU + 2)', () => {
    datagrams.forEach((d, i) => {
      const clear = decryptIndependently(d, key.key);
      const s = parseSpduSession(clear);
      if (!s.ok) expect.fail(s.error);
      const e = parseSpduElement(clear.subarray(s.value.payloadStart, s.value.payloadEnd), 'goose');
      if (!e.ok) expect.fail(`datagram ${i + 1}: ${e.error}`);
      expect(Number(show(packets[i]!, 'rgoose.apdu_len'))).to.equal(e.value.apdu.length + 2);
      expect(Buffer.from(e.value.apdu).equals(apdus[i]!), `datagram ${i + 1} APDU`).to.equal(true);
    });
  });

  it(`goose-bridge decode --rgoose-keys verifies all ${COUNT} and shows the GOOSE fields tshark reads`, async () => {
    const keys = writeOtherImplementationKeys(dir);
    let out = '';
    const summary = await runDecode(OTHER_IMPLEMENTATION_CAPTURE, { json: true, rgooseKeys: keys }, (t) => (out += t));
    expect(summary).to.include({ frames: COUNT, errors: 0 });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { authentication: string; element: { appid: number; apduLength: number }; pdu: Record<string, unknown> });
    lines.forEach((l, i) => {
      const p = packets[i]!;
      expect(l.authentication, `frame ${i + 1}`).to.equal('verified');
      expect(l.element).to.deep.equal({ appid, simulation: false, apduLength: apdus[i]!.length });
      expect([l.pdu.gocbRef, l.pdu.datSet, String(l.pdu.stNum), String(l.pdu.sqNum), String(l.pdu.timeAllowedToLive)]).to.deep.equal(
        ['goose.gocbRef', 'goose.datSet', 'goose.stNum', 'goose.sqNum', 'goose.timeAllowedtoLive'].map((f) => show(p, f)),
      );
    });
  });
});
