// R-GOOSE SPDUs as other 90-5 implementations write them, built with node:crypto and by hand (not
// by the engine's encoder): every header and trailer variant docs/rgoose.md's reading table accepts.
import { createCipheriv, createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { NativeKey } from '../../native/rgoose.js';
import { goosePduArb } from './frame-arbitraries.js';
import { encodeGoosePdu } from '../../bridge/codec/index.js';

/** One key per protection the variants cover; ids distinct so one keyring holds them all. */
export const VARIANT_KEYS: readonly NativeKey[] = [
  { id: 10, signature: 'hmac-sha256-80', encryption: 'none', key: Buffer.alloc(32, 0x10) },
  { id: 11, signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 0x11) },
  { id: 12, signature: 'hmac-sha256-256', encryption: 'none', key: Buffer.alloc(32, 0x12) },
  { id: 13, signature: 'none', encryption: 'aes-128-gcm', key: Buffer.alloc(16, 0x13) },
  { id: 14, signature: 'none', encryption: 'aes-256-gcm', key: Buffer.alloc(32, 0x14) },
  { id: 15, signature: 'hmac-sha256-128', encryption: 'aes-128-gcm', key: Buffer.alloc(48, 0x15) },
];
const MAC_BYTES = { none: 0, 'hmac-sha256-80': 10, 'hmac-sha256-128': 16, 'hmac-sha256-256': 32 } as const;
const AES_BYTES = { none: 0, 'aes-128-gcm': 16, 'aes-256-gcm': 32 } as const;

export interface SpduVariant {
  key: NativeKey;
  sessionHeaderLength: number;
  commonHeaderLength: number;
  /** 'ours': to the end of the payload; 'libiec61850': 20 + user data; or any number. */
  spduLength: 'ours' | 'libiec61850' | number;
  spduNumber: number;
  timeOfCurrentKey: number;
  timeToNextKey: number;
  /** 12 bytes with a GCM key; any length (0 included) with an HMAC-only key. */
  iv: Uint8Array;
  simulation: number;
  appid: number;
  apdu: Uint8Array;
  /** The APDU length field: the APDU's byte count, or that + 2 (libiec61850). */
  apduLength: 'exact' | 'plus2';
  /** 'framed': 85 10 tag, 85 m MAC; 'bare': tag, MAC; 'libiec61850': framed, but 85 10 before a 32-byte MAC. */
  framing: 'framed' | 'bare' | 'libiec61850';
}

export const spduVariantArb = (): fc.Arbitrary<SpduVariant> =>
  fc
    .record({
      key: fc.constantFrom(...VARIANT_KEYS),
      sessionHeaderLength: fc.oneof(fc.constantFrom(24, 35), fc.integer({ min: 0, max: 255 })),
      commonHeaderLength: fc.oneof(fc.constantFrom(18, 33), fc.integer({ min: 0, max: 255 })),
      spduLength: fc.oneof(fc.constantFrom<'ours' | 'libiec61850'>('ours', 'libiec61850'), fc.integer({ min: 0, max: 0xffffffff })),
      spduNumber: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffffffff })),
      timeOfCurrentKey: fc.integer({ min: 0, max: 0xffffffff }),
      timeToNextKey: fc.integer({ min: 0, max: 0xffff }),
      ivBytes: fc.uint8Array({ minLength: 0, maxLength: 16 }),
      gcmIv: fc.uint8Array({ minLength: 12, maxLength: 12 }),
      simulation: fc.constantFrom(0, 1),
      appid: fc.integer({ min: 0, max: 0x3fff }),
      pdu: goosePduArb({ wiresharkSafe: true, maxEntries: 4 }),
      apduLength: fc.constantFrom<'exact' | 'plus2'>('exact', 'plus2'),
      framing: fc.constantFrom<'framed' | 'bare' | 'libiec61850'>('framed', 'bare', 'libiec61850'),
    })
    .map(({ ivBytes, gcmIv, pdu, framing, ...r }) => ({
      ...r,
      iv: r.key.encryption === 'none' ? ivBytes : gcmIv,
      apdu: encodeGoosePdu({ ...pdu, simulation: r.simulation === 1 }),
      framing: framing === 'libiec61850' && r.key.signature !== 'hmac-sha256-256' ? 'framed' : framing,
    }));

/** The SPDU, and its clear-text twin (the same bytes with the element not encrypted) for tshark to read. */
export function writeSpduVariant(v: SpduVariant): { spdu: Buffer; clear: Buffer } {
  const aes = AES_BYTES[v.key.encryption];
  const macBytes = MAC_BYTES[v.key.signature];
  const element = Buffer.alloc(6 + v.apdu.length);
  element[0] = 0x81;
  element[1] = v.simulation;
  element.writeUInt16BE(v.appid, 2);
  element.writeUInt16BE(v.apdu.length + (v.apduLength === 'plus2' ? 2 : 0), 4);
  Buffer.from(v.apdu).copy(element, 6);
  const common = Buffer.alloc(21);
  const spduLength = v.spduLength === 'ours' ? 21 - 4 + v.iv.length + 4 + element.length : v.spduLength === 'libiec61850' ? 20 + element.length : v.spduLength;
  common.writeUInt32BE(spduLength >>> 0, 0);
  common.writeUInt32BE(v.spduNumber >>> 0, 4);
  common.writeUInt16BE(2, 8);
  common.writeUInt32BE(v.timeOfCurrentKey >>> 0, 10);
  common.writeUInt16BE(v.timeToNextKey, 14);
  common.writeUInt32BE(v.key.id, 16);
  common[20] = v.iv.length;
  const userDataLength = Buffer.alloc(4);
  userDataLength.writeUInt32BE(element.length);
  const header = Buffer.concat([Buffer.from([0x01, 0x40, 0xa1, v.sessionHeaderLength, 0x80, v.commonHeaderLength]), common, v.iv, userDataLength]);
  const framed = v.framing !== 'bare';
  let body = Buffer.concat([header, element]);
  let clear = body;
  if (aes > 0) {
    const c = createCipheriv(aes === 16 ? 'aes-128-gcm' : 'aes-256-gcm', Buffer.from(v.key.key).subarray(0, aes), v.iv);
    c.setAAD(header);
    const sealed = Buffer.concat([c.update(element), c.final()]);
    const tag = Buffer.concat([framed ? Buffer.from([0x85, 16]) : Buffer.alloc(0), c.getAuthTag()]);
    body = Buffer.concat([header, sealed, tag]);
    clear = Buffer.concat([header, element, tag]);
  }
  if (macBytes > 0) {
    const mac = createHmac('sha256', Buffer.from(v.key.key).subarray(aes)).update(body).digest().subarray(0, macBytes);
    const lengthByte = v.framing === 'libiec61850' ? 16 : macBytes;
    const trailer = Buffer.concat([framed ? Buffer.from([0x85, lengthByte]) : Buffer.alloc(0), mac]);
    body = Buffer.concat([body, trailer]);
    clear = Buffer.concat([clear, trailer]);
  }
  return { spdu: body, clear };
}
