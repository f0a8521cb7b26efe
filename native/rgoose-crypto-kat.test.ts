// Published test vectors run through the engine's own C++ crypto (native/src/rgoose/
// rgoose-crypto.cc, OpenSSL as shipped by Node): RFC 4231 for HMAC-SHA256 (with the
// truncation case), the GCM specification's (McGrew & Viega, 2005) 96-bit-IV cases for
// AES-128-GCM (1–4) and AES-256-GCM (13–16).
import { expect } from 'chai';
import { rgooseNative } from './rgoose.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const text = (s: string): Buffer => Buffer.from(s, 'ascii');
const fill = (byte: number, n: number): Buffer => Buffer.alloc(n, byte);

const RFC4231 = [
  { name: 'case 1', key: fill(0x0b, 20), data: text('Hi There'), mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { name: 'case 2 (short key)', key: text('Jefe'), data: text('what do ya want for nothing?'), mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { name: 'case 3', key: fill(0xaa, 20), data: fill(0xdd, 50), mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
  {
    name: 'case 4',
    key: hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
    data: fill(0xcd, 50),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  { name: 'case 5 (truncated to 128 bits)', key: fill(0x0c, 20), data: text('Test With Truncation'), mac: 'a3b6167473100ee06e0c796c2955552b' },
  {
    name: 'case 6 (key longer than a block)',
    key: fill(0xaa, 131),
    data: text('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    name: 'case 7 (key and data longer than a block)',
    key: fill(0xaa, 131),
    data: text(
      'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

const K = 'feffe9928665731c6d6a8f9467308308';
const IV = 'cafebabefacedbaddecaf888';
const P64 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const P60 = P64.slice(0, 120);
const AAD = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';
const GCM = [
  { name: 'AES-128 case 1 (empty)', key: '00'.repeat(16), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '58e2fccefa7e3061367f1d57a4e7455a' },
  { name: 'AES-128 case 2', key: '00'.repeat(16), iv: '00'.repeat(12), pt: '00'.repeat(16), aad: '', ct: '0388dace60b6a392f328c2b971b2fe78', tag: 'ab6e47d42cec13bdf53a67b21257bddf' },
  {
    name: 'AES-128 case 3',
    key: K,
    iv: IV,
    pt: P64,
    aad: '',
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4',
  },
  {
    name: 'AES-128 case 4 (with AAD)',
    key: K,
    iv: IV,
    pt: P60,
    aad: AAD,
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  { name: 'AES-256 case 13 (empty)', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '', aad: '', ct: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  { name: 'AES-256 case 14', key: '00'.repeat(32), iv: '00'.repeat(12), pt: '00'.repeat(16), aad: '', ct: 'cea7403d4d606b6e074ec5d3baf39d18', tag: 'd0d1c8a799996bf0265b98b5d48ab919' },
  {
    name: 'AES-256 case 15',
    key: K + K,
    iv: IV,
    pt: P64,
    aad: '',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'AES-256 case 16 (with AAD)',
    key: K + K,
    iv: IV,
    pt: P60,
    aad: AAD,
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

describe('R-GOOSE crypto known answers (C++ over Node\'s OpenSSL)', () => {
  describe('HMAC-SHA256, RFC 4231', () => {
    for (const v of RFC4231) {
      it(`${v.name} gives the published MAC`, () => {
        const mac = rgooseNative().hmacSha256(v.key, v.data, v.mac.length / 2);
        expect(mac.toString('hex')).to.equal(v.mac);
      });
    }

    it('truncates to 80 bits by keeping the leading bytes (as RFC 4231 case 5 does for 128)', () => {
      const mac = rgooseNative().hmacSha256(fill(0x0c, 20), text('Test With Truncation'), 10);
      expect(mac.toString('hex')).to.equal('a3b6167473100ee06e0c');
    });
  });

  describe('AES-GCM, GCM specification test cases', () => {
    for (const v of GCM) {
      it(`${v.name}: seal gives the published ciphertext and tag`, () => {
        const r = rgooseNative().gcmSeal(hex(v.key), hex(v.iv), hex(v.aad), hex(v.pt));
        expect(r.ciphertext.toString('hex')).to.equal(v.ct);
        expect(r.tag.toString('hex')).to.equal(v.tag);
      });

      it(`${v.name}: open returns the plaintext, and refuses a changed tag or AAD`, () => {
        const open = rgooseNative().gcmOpen;
        expect(open(hex(v.key), hex(v.iv), hex(v.aad), hex(v.ct), hex(v.tag))?.toString('hex')).to.equal(v.pt);
        const badTag = hex(v.tag);
        badTag[15]! ^= 0x01;
        expect(open(hex(v.key), hex(v.iv), hex(v.aad), hex(v.ct), badTag)).to.equal(null);
        expect(open(hex(v.key), hex(v.iv), Buffer.concat([hex(v.aad), Buffer.of(0)]), hex(v.ct), hex(v.tag))).to.equal(null);
      });
    }
  });
});
