// Property: SPDUs with every header and trailer variant other 90-5 implementations write (built
// with node:crypto, not the engine's encoder) read the same in tshark 4.0, the TS reference reading
// and the engine's C++ Open, HMAC and GCM alike; variants outside docs/rgoose.md's table are refused,
// each under its reason. One tshark run per batch.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { createNativeKeyring } from '../../../native/rgoose.js';
import { skipUnlessTshark } from '../../../testkit/preconditions.js';
import { find, findAll, type PdmlNode } from '../../../testkit/oracles/pdml-parser.js';
import { parseSpduElement, parseSpduSession } from './spdu-layout.js';
import { tsharkApdu, tsharkPackets } from '../../../testkit/oracles/rgoose-other-implementation.js';
import { spduVariantArb, VARIANT_KEYS, writeSpduVariant, type SpduVariant } from '../../../testkit/arbitraries/spdu-variants.js';
import { withSeed } from '../../../testkit/seeded.js';

const COUNT = 150;
const show = (p: PdmlNode, field: string): string => find(p, field)?.attrs.show ?? '';
const value = (p: PdmlNode, field: string): string => find(p, field)?.attrs.value ?? '';

describe('R-GOOSE header and trailer variants of other implementations: tshark, the TS reading and the C++ Open agree', function () {
  this.timeout(120_000);
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  let dir = '';
  let variants: SpduVariant[] = [];
  let spdus: Buffer[] = [];
  let clears: Buffer[] = [];
  let packets: PdmlNode[] = [];
  let clearPackets: PdmlNode[] = [];

  before(async function () {
    skipUnlessTshark(this, 'R-GOOSE variant agreement test');
    dir = await mkdtemp(join(tmpdir(), 'gb-rgoose-variants-'));
    variants = fc.sample(spduVariantArb(), { numRuns: COUNT, seed });
    const written = variants.map(writeSpduVariant);
    spdus = written.map((w) => w.spdu);
    clears = written.map((w) => w.clear);
    [packets, clearPackets] = await Promise.all([tsharkPackets(dir, 'variants', spdus), tsharkPackets(dir, 'variants-clear', clears)]);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`${COUNT} generated SPDUs: the session fields as tshark shows them, in the TS reading and the C++ Open`, () => {
    expect(packets).to.have.length(COUNT);
    const ring = createNativeKeyring([...VARIANT_KEYS], VARIANT_KEYS[0]!.id);
    withSeed(seed, () =>
      variants.forEach((v, i) => {
        const where = `SPDU ${i + 1} (${v.key.signature}/${v.key.encryption}, ${v.framing}, APDU length ${v.apduLength}, IV ${v.iv.length})`;
        const p = packets[i]!;
        expect(find(p, 'r-goose'), `${where}: dissected as R-GOOSE`).not.to.equal(undefined);
        const fields = ['rgoose.session_hdr_len', 'rgoose.hdr_len', 'rgoose.spdu_len', 'rgoose.spdu_num', 'rgoose.curr_key_t', 'rgoose.next_key_t', 'rgoose.key_id', 'rgoose.init_v_len', 'rgoose.payload_len'];
        const tshark = fields.map((f) => Number(show(p, f)));
        const s = parseSpduSession(spdus[i]!);
        if (!s.ok) expect.fail(`${where}: ${s.error}`);
        const t = s.value;
        expect([t.sessionHeaderLength, t.commonHeaderLength, t.spduLength, t.spduNumber, t.timeOfCurrentKey, t.timeToNextKey, t.keyId, t.iv.length, t.userDataLength], `${where}: TS reading`).to.deep.equal(tshark);
        expect(Buffer.from(t.iv).toString('hex'), `${where}: IV`).to.equal(value(p, 'rgoose.init_v'));
        const r = ring.open(Buffer.from(spdus[i]!));
        expect(r.result, `${where}: C++ Open`).to.equal('ok');
        expect([r.spduLength, r.spduNumber, r.keyId, r.ivLength, r.userDataLength], `${where}: C++ Open`).to.deep.equal([t.spduLength, t.spduNumber, t.keyId, t.iv.length, t.userDataLength]);
      }),
    );
  });

  it(`${COUNT} generated SPDUs: the APDU tshark reads from the clear-text twin is what the C++ Open and the TS reading deliver`, () => {
    const ring = createNativeKeyring([...VARIANT_KEYS], VARIANT_KEYS[0]!.id);
    withSeed(seed, () =>
      variants.forEach((v, i) => {
        const where = `SPDU ${i + 1} (${v.key.signature}/${v.key.encryption}, ${v.framing}, APDU length ${v.apduLength})`;
        const p = clearPackets[i]!;
        const apdu = tsharkApdu(p, clears[i]!) ?? expect.fail(`${where}: tshark found no goosePdu`);
        // A bare MAC that starts AF: tshark takes it for padding (and its length byte runs off the end).
        const macAsPadding = v.framing === 'bare' && find(p, 'rgoose.padding_len') !== undefined;
        if (!macAsPadding) expect(findAll(p, (x) => x.name.startsWith('_ws.malformed')), `${where}: malformed in tshark`).to.deep.equal([]);
        expect([Number(show(p, 'rgoose.appid')), Number(show(p, 'rgoose.simulation'))]).to.deep.equal([v.appid, v.simulation]);
        const r = ring.open(Buffer.from(spdus[i]!));
        expect([r.appid, r.simulation], `${where}: APPID, simulation`).to.deep.equal([v.appid, v.simulation === 1]);
        expect(r.apdu!.toString('hex'), `${where}: C++ APDU`).to.equal(apdu.toString('hex'));
        const s = parseSpduSession(clears[i]!);
        if (!s.ok) expect.fail(s.error);
        const e = parseSpduElement(clears[i]!.subarray(s.value.payloadStart, s.value.payloadEnd), 'goose');
        if (!e.ok) expect.fail(`${where}: ${e.error}`);
        expect(Buffer.from(e.value.apdu).toString('hex'), `${where}: TS APDU`).to.equal(apdu.toString('hex'));
      }),
    );
  });

  it('refuses what the table does not allow, each under its reason, and never reads past the datagram', () => {
    const ring = createNativeKeyring([...VARIANT_KEYS], VARIANT_KEYS[0]!.id);
    const pick = (k: number, framing: SpduVariant['framing'] = 'framed'): SpduVariant => ({ ...variants[0]!, key: VARIANT_KEYS[k]!, framing, iv: VARIANT_KEYS[k]!.encryption === 'none' ? variants[0]!.iv : Buffer.alloc(12, 7) });
    const cases: Array<[string, Buffer, string]> = [];
    const hmac = writeSpduVariant(pick(1)).spdu;
    const plusOne = Buffer.from(writeSpduVariant({ ...pick(1), apduLength: 'exact' }).spdu);
    const ud = 27 + plusOne[26]! + 4;
    plusOne.writeUInt16BE(plusOne.readUInt16BE(ud + 4) + 1, ud + 4);
    cases.push(['APDU length + 1 under a MAC', plusOne, 'bad-signature']); // the check that fails first
    cases.push(['MAC length byte neither m nor 16-for-32', Buffer.concat([hmac.subarray(0, hmac.length - 17), Buffer.from([15]), hmac.subarray(hmac.length - 16)]), 'malformed-trailer']);
    cases.push(['one trailer byte short', hmac.subarray(0, hmac.length - 1), 'malformed-trailer']);
    cases.push(['one trailer byte extra (padding)', Buffer.concat([hmac, Buffer.from([0])]), 'malformed-trailer']);
    const gcm = Buffer.from(writeSpduVariant(pick(3)).spdu);
    const shortIv = Buffer.concat([gcm.subarray(0, 26), Buffer.from([8]), gcm.subarray(27, 35), gcm.subarray(39)]);
    cases.push(['GCM IV of 8 bytes', shortIv, 'malformed-iv']);
    const longUd = Buffer.from(gcm);
    longUd.writeUInt32BE(0xffffffff, 39);
    cases.push(['user-data length past the datagram', longUd, 'malformed-length']);
    const framedTagBare = Buffer.from(writeSpduVariant(pick(5, 'framed')).spdu);
    framedTagBare[framedTagBare.length - 16 - 2 - 18]! ^= 0x01; // 85 of the GCM tag element
    cases.push(['GCM tag element tag byte', framedTagBare, 'malformed-trailer']);
    const v1 = Buffer.from(hmac);
    v1.writeUInt16BE(1, 14);
    cases.push(['version 1', v1, 'malformed-version']);
    for (const [what, d, label] of cases) expect(ring.open(d).result, what).to.equal(label);
    // The APDU length rule itself, on unsigned SPDUs (read only by a receiver without keys).
    const apdu = Buffer.from(variants[0]!.apdu);
    const unsigned = (withLength: number, body = apdu): string => {
      const d = createNativeKeyring([]).encode({ spduNumber: 1, appid: 1 }, body)!;
      d.writeUInt16BE(withLength, 35);
      return createNativeKeyring([]).open(d).result;
    };
    expect(unsigned(apdu.length), 'exact').to.equal('ok');
    expect(unsigned(apdu.length + 2), '+2, one BER TLV filling the element').to.equal('ok');
    expect(unsigned(apdu.length + 1), '+1').to.equal('malformed-payload');
    expect(unsigned(apdu.length - 1), '-1').to.equal('malformed-payload');
    expect(unsigned(apdu.length + 3, Buffer.concat([apdu, Buffer.from([0])])), '+2 with a byte after the BER TLV').to.equal('malformed-payload');
    // Every cut of a valid SPDU is refused (and read within bounds: the addon reads a copy of exactly that length).
    for (const d of [hmac, gcm, writeSpduVariant(pick(5, 'bare')).spdu]) {
      for (let n = 0; n < d.length; n++) expect(ring.open(Buffer.from(d.subarray(0, n))).result, `cut to ${n} of ${d.length}`).not.to.equal('ok');
    }
  });
});
