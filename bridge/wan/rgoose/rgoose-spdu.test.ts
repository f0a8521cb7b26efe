// The engine's C++ SPDU codec (native/src/rgoose/rgoose-codec.cc) against the published
// R-GOOSE vector, an independent reading of the layout (bridge/wan/rgoose/spdu-layout.ts) with
// node:crypto recomputing MACs and decrypting, and fast-check properties.
import { createDecipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import { parseSpduSession, parseTrailer } from './spdu-layout.js';
import { createNativeKeyring, type NativeKey } from '../../../native/rgoose.js';
import type { EncryptionAlgorithm, SignatureAlgorithm } from '../../config/rgoose-keys.js';
import { ENCRYPTION_ALGORITHMS, SIGNATURE_ALGORITHMS } from '../../config/rgoose-keys.js';

const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/vectors/goose-known-answers.json', import.meta.url), 'utf8')) as {
  frames: { name: string; hex: string }[];
};
const RKAT1 = Buffer.from(vectors.frames.find((f) => f.name === 'RKAT1_rgoose_udp_payload')!.hex, 'hex');
const RKAT1_APDU = RKAT1.subarray(RKAT1.length - 79);

const CONFIGS: { signature: SignatureAlgorithm; encryption: EncryptionAlgorithm; macKey: number }[] = [
  { signature: 'hmac-sha256-80', encryption: 'none', macKey: 16 },
  { signature: 'hmac-sha256-128', encryption: 'none', macKey: 32 },
  { signature: 'hmac-sha256-256', encryption: 'none', macKey: 32 },
  { signature: 'none', encryption: 'aes-128-gcm', macKey: 0 },
  { signature: 'none', encryption: 'aes-256-gcm', macKey: 0 },
  { signature: 'hmac-sha256-128', encryption: 'aes-128-gcm', macKey: 32 },
];

function keyFor(c: (typeof CONFIGS)[number], id: number, seed: number): NativeKey {
  const len = ENCRYPTION_ALGORITHMS[c.encryption] + c.macKey;
  return { id, signature: c.signature, encryption: c.encryption, key: Buffer.alloc(len, seed) };
}

const IV = Buffer.from('0102030405060708090a0b0c', 'hex');
const label = (c: (typeof CONFIGS)[number]): string => `${c.signature}/${c.encryption}`;

describe('R-GOOSE SPDU codec (C++)', () => {
  it('writes an unsigned SPDU byte for byte as the published R-GOOSE payload (RKAT1)', () => {
    const spdu = createNativeKeyring([]).encode({ spduNumber: 1, appid: 1 }, RKAT1_APDU);
    expect(spdu?.toString('hex')).to.equal(RKAT1.toString('hex'));
  });

  it('opens RKAT1 without keys, and refuses it as unsigned once keys are configured', () => {
    const open = createNativeKeyring([]).open(RKAT1);
    expect(open).to.include({ result: 'ok', spduNumber: 1, keyId: 0, appid: 1, simulation: false, isSv: false });
    expect(open.apdu?.equals(RKAT1_APDU)).to.equal(true);
    expect(createNativeKeyring([keyFor(CONFIGS[1]!, 7, 1)], 7).open(RKAT1).result).to.equal('unsigned');
  });

  for (const c of CONFIGS) {
    it(`${label(c)}: the header agrees with the reference reading and the trailer verifies with node:crypto`, () => {
      const key = keyFor(c, 0x01020304, 0x5a);
      const spdu = createNativeKeyring([key], key.id).encode({ spduNumber: 0xfffffffe, appid: 0x3001, simulation: true, iv: IV }, RKAT1_APDU)!;
      const parsed = parseSpduSession(spdu);
      if (!parsed.ok) expect.fail(parsed.error);
      const s = parsed.value;
      const ivLen = c.encryption === 'none' ? 0 : 12;
      expect(s).to.include({ kind: 'goose', spduNumber: 0xfffffffe, keyId: 0x01020304, version: 2, userDataLength: 6 + 79 });
      expect(s.commonHeaderLength).to.equal(21 + ivLen);
      expect(s.sessionHeaderLength).to.equal(2 + s.commonHeaderLength);
      expect(s.spduLength).to.equal(s.payloadEnd - 10);
      expect(Buffer.from(s.iv).equals(ivLen ? IV : Buffer.alloc(0))).to.equal(true);

      const trailer = parseTrailer(s.trailer);
      if (!trailer.ok) expect.fail(trailer.error);
      const aes = ENCRYPTION_ALGORITHMS[c.encryption];
      const macBytes = SIGNATURE_ALGORITHMS[c.signature];
      expect(trailer.value.map((t) => t.length)).to.deep.equal([...(aes ? [16] : []), ...(macBytes ? [macBytes] : [])]);
      if (macBytes > 0) {
        const mac = createHmac('sha256', key.key.subarray(aes)).update(spdu.subarray(0, spdu.length - 2 - macBytes)).digest();
        expect(Buffer.from(trailer.value.at(-1)!).equals(mac.subarray(0, macBytes))).to.equal(true);
      }
      const element = spdu.subarray(s.payloadStart, s.payloadEnd);
      let clear = element;
      if (aes > 0) {
        const d = createDecipheriv(c.encryption as 'aes-128-gcm', key.key.subarray(0, aes), IV);
        d.setAAD(spdu.subarray(0, s.payloadStart));
        d.setAuthTag(trailer.value[0]!);
        clear = Buffer.concat([d.update(element), d.final()]);
        expect(element.equals(clear)).to.equal(false);
      }
      expect(clear.subarray(0, 6).toString('hex')).to.equal('8101300100' + '4f');
      expect(clear.subarray(6).equals(RKAT1_APDU)).to.equal(true);
    });
  }

  it('writes R-SV with session identifier A2 and payload tag 82, and opens it as SV', () => {
    const ring = createNativeKeyring([keyFor(CONFIGS[1]!, 9, 3)], 9);
    const spdu = ring.encode({ spduNumber: 5, appid: 0x4000, isSv: true }, Buffer.from('600a800101a205300380010a', 'hex'))!;
    expect(spdu[2]).to.equal(0xa2);
    expect(spdu[31]).to.equal(0x82);
    expect(ring.open(spdu)).to.include({ result: 'ok', isSv: true, appid: 0x4000, spduNumber: 5 });
  });

  it('names the reason for what it refuses', () => {
    const k7 = keyFor(CONFIGS[1]!, 7, 1);
    const receiver = createNativeKeyring([k7], 7);
    const signed = receiver.encode({ spduNumber: 1, appid: 1 }, RKAT1_APDU)!;
    expect(createNativeKeyring([keyFor(CONFIGS[1]!, 8, 1)], 8).open(signed).result).to.equal('unknown-key');
    expect(createNativeKeyring([]).open(signed).result).to.equal('unknown-key');
    expect(createNativeKeyring([keyFor(CONFIGS[1]!, 7, 2)], 7).open(signed).result).to.equal('bad-signature');
    expect(receiver.open(signed.subarray(0, signed.length - 1)).result).to.equal('malformed-trailer');
    expect(receiver.open(Buffer.concat([signed, Buffer.of(0)])).result).to.equal('malformed-trailer');
    expect(receiver.open(signed.subarray(0, 20)).result).to.equal('malformed-short');
    const other = Buffer.from(signed);
    other[0] = 0x02;
    expect(receiver.open(other).result).to.equal('malformed-cltp');
    const gcmKey = keyFor(CONFIGS[3]!, 7, 1);
    expect(createNativeKeyring([gcmKey], 7).encode({ spduNumber: 1, appid: 1 }, RKAT1_APDU)).to.equal(null); // no IV
    expect(receiver.encode({ spduNumber: 1, appid: 1 }, Buffer.alloc(65536))).to.equal(null);
  });

  it('accepts every listed key and signs with the active one, which setActive changes', () => {
    const a = keyFor(CONFIGS[1]!, 7, 1);
    const b = keyFor(CONFIGS[2]!, 8, 2);
    const sender = createNativeKeyring([a, b], 7);
    const receiver = createNativeKeyring([b, a]);
    expect(receiver.open(sender.encode({ spduNumber: 1, appid: 1 }, RKAT1_APDU)!)).to.include({ result: 'ok', keyId: 7 });
    expect(sender.setActive(8)).to.equal(true);
    expect(sender.setActive(9)).to.equal(false);
    expect(receiver.open(sender.encode({ spduNumber: 2, appid: 1 }, RKAT1_APDU)!)).to.include({ result: 'ok', keyId: 8, signature: 'hmac-sha256-256' });
  });

  it('refuses keys that cannot be used, naming the key', () => {
    const bad = (k: Partial<NativeKey>, re: RegExp): void => {
      expect(() => createNativeKeyring([{ ...keyFor(CONFIGS[1]!, 7, 1), ...k }])).to.throw(re);
    };
    bad({ id: 0 }, /GB_ERR_CONFIG: keys\[0\] \(id 0\): key id 0 is reserved/);
    bad({ signature: 'none' }, /a key must sign, encrypt or both/);
    bad({ key: Buffer.alloc(15) }, /key length does not match/);
    bad({ signature: 'hmac-sha256-512' as SignatureAlgorithm }, /keys\[0\]\.signature: unknown algorithm 'hmac-sha256-512'/);
    expect(() => createNativeKeyring([keyFor(CONFIGS[1]!, 7, 1), keyFor(CONFIGS[2]!, 7, 2)])).to.throw(/keys\[1\] \(id 7\): key id listed twice/);
    expect(() => createNativeKeyring([keyFor(CONFIGS[1]!, 7, 1)], 3)).to.throw(/active: no key with id 3/);
  });

  describe('properties', () => {
    const configArb = fc.constantFrom(...CONFIGS);
    const paramsArb = fc.record({
      spduNumber: fc.nat({ max: 0xffffffff }),
      appid: fc.nat({ max: 0xffff }),
      simulation: fc.boolean(),
      isSv: fc.boolean(),
      iv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
    });

    it('encode then open gives back every field and the APDU, for every algorithm', () => {
      fc.assert(
        fc.property(configArb, paramsArb, fc.uint8Array({ maxLength: 1500 }), fc.integer({ min: 1, max: 0xffffffff }), (c, p, apdu, id) => {
          const ring = createNativeKeyring([keyFor(c, id, id & 0xff)], id);
          const o = ring.open(ring.encode(p, apdu)!);
          expect(o).to.include({ result: 'ok', spduNumber: p.spduNumber, appid: p.appid, simulation: p.simulation, isSv: p.isSv, keyId: id });
          expect(Buffer.from(o.apdu!).equals(Buffer.from(apdu))).to.equal(true);
        }),
        { numRuns: 300 },
      );
    });

    it('any single-bit change of a signed or encrypted SPDU is rejected', () => {
      fc.assert(
        fc.property(configArb, paramsArb, fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat({ max: 7 }), (c, p, apdu, at, bit) => {
          const ring = createNativeKeyring([keyFor(c, 7, 0x33), keyFor(CONFIGS[0]!, 6, 0x44)], 7);
          const spdu = ring.encode(p, apdu)!;
          spdu[at % spdu.length]! ^= 1 << bit;
          expect(ring.open(spdu).result).to.not.equal('ok');
        }),
        { numRuns: 2000 },
      );
    });
  });
});
