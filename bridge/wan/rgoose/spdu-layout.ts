// Reference reading of the IEC 61850-90-5 SPDU as goose-bridge writes it and as Wireshark 4.0 reads
// other implementations' SPDUs (the C++ codec in native/src/rgoose/ is the data-plane
// implementation; docs/rgoose.md, "Which reading we followed", explains the choices).
// Structure only: authentication and decryption are the keyring's job.
//
//   01 40 | A1/A2 | LI | 80 LI | u32 SPDU length | u32 SPDU number | u16 version (2)
//   | u32 time of current key | u16 time to next key | u32 key id | u8 IV length | IV
//   | u32 user-data length | 81/82 | u8 simulation | u16 APPID | u16 APDU length | APDU
//   | [85 10 GCM tag] | [85 LI HMAC]

export const CLTP_UNIT_DATA = [0x01, 0x40] as const;
export const SESSION_ID = { goose: 0xa1, sv: 0xa2 } as const;
export const ELEMENT_TAG = { goose: 0x81, sv: 0x82 } as const;
export const COMMON_HEADER_TAG = 0x80;
export const TRAILER_TAG = 0x85;
export const SESSION_VERSION = 2;
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
/** Offset of the common header's fixed fields (after 01 40, SI, LI, 80, LI). */
const COMMON_AT = 6;
/** SPDU length … IV length. */
const COMMON_FIXED_BYTES = 21;
export const ELEMENT_HEADER_BYTES = 6;

export type SpduKind = keyof typeof SESSION_ID;

export interface SpduSession {
  kind: SpduKind;
  sessionHeaderLength: number;
  commonHeaderLength: number;
  spduLength: number;
  spduNumber: number;
  version: number;
  timeOfCurrentKey: number;
  timeToNextKey: number;
  keyId: number;
  iv: Uint8Array;
  userDataLength: number;
  /** Offsets into the datagram: the payload element(s) and what follows them. */
  payloadStart: number;
  payloadEnd: number;
  /** Bytes after the payload: the 85-tagged GCM tag and/or MAC. */
  trailer: Uint8Array;
}

export interface SpduElement {
  kind: SpduKind;
  simulation: boolean;
  appid: number;
  apdu: Uint8Array;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** True when the datagram starts like an R-GOOSE/R-SV SPDU (what Wireshark's heuristic also keys on). */
export function looksLikeSpdu(d: Uint8Array): boolean {
  return d.length >= 3 && d[0] === CLTP_UNIT_DATA[0] && d[1] === CLTP_UNIT_DATA[1] && (d[2] === SESSION_ID.goose || d[2] === SESSION_ID.sv);
}

/** Reads the session header. Header length fields are reported, not trusted: fields sit at fixed offsets. */
export function parseSpduSession(d: Uint8Array): Parsed<SpduSession> {
  if (!looksLikeSpdu(d)) return { ok: false, error: 'does not start 01 40 A1/A2' };
  if (d.length < COMMON_AT + COMMON_FIXED_BYTES + 4) return { ok: false, error: `${d.length} bytes: shorter than a session header` };
  if (d[4] !== COMMON_HEADER_TAG) return { ok: false, error: `common session header tag 0x${d[4]!.toString(16)} (expected 0x80)` };
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const c = COMMON_AT;
  const version = v.getUint16(c + 8);
  if (version !== SESSION_VERSION) return { ok: false, error: `version ${version} (only 2 is read)` };
  const ivLength = d[c + 20]!;
  const ivAt = c + COMMON_FIXED_BYTES;
  if (ivAt + ivLength + 4 > d.length) return { ok: false, error: `IV length ${ivLength} runs past the datagram` };
  const userDataLength = v.getUint32(ivAt + ivLength);
  const payloadStart = ivAt + ivLength + 4;
  const payloadEnd = payloadStart + userDataLength;
  if (payloadEnd > d.length) return { ok: false, error: `user-data length ${userDataLength} runs past the datagram (${d.length - payloadStart} bytes left)` };
  return {
    ok: true,
    value: {
      kind: d[2] === SESSION_ID.sv ? 'sv' : 'goose',
      sessionHeaderLength: d[3]!,
      commonHeaderLength: d[5]!,
      spduLength: v.getUint32(c),
      spduNumber: v.getUint32(c + 4),
      version,
      timeOfCurrentKey: v.getUint32(c + 10),
      timeToNextKey: v.getUint16(c + 14),
      keyId: v.getUint32(c + 16),
      iv: d.subarray(ivAt, ivAt + ivLength),
      userDataLength,
      payloadStart,
      payloadEnd,
      trailer: d.subarray(payloadEnd),
    },
  };
}

/** Byte count of the BER TLV at the start of b (one-byte tag, definite length up to 2 bytes); 0 when it is not one. */
export function berTlvBytes(b: Uint8Array): number {
  if (b.length < 2) return 0;
  const l = b[1]!;
  if (l < 0x80) return 2 + l;
  if (l === 0x81 && b.length >= 3) return 3 + b[2]!;
  if (l === 0x82 && b.length >= 4) return 4 + ((b[2]! << 8) | b[3]!);
  return 0;
}

/**
 * Reads the one payload element of a clear-text (or decrypted) user-data area. The APDU is the rest
 * of the element; its length field is the APDU's byte count, or that count + 2 as libiec61850 writes
 * it, the APDU then being one BER TLV that fills the element (Wireshark reads it by its BER length).
 */
export function parseSpduElement(userData: Uint8Array, kind: SpduKind): Parsed<SpduElement> {
  if (userData.length < ELEMENT_HEADER_BYTES) return { ok: false, error: `payload of ${userData.length} bytes: shorter than an element header` };
  if (userData[0] !== ELEMENT_TAG[kind]) {
    return { ok: false, error: `payload tag 0x${userData[0]!.toString(16)} (expected 0x${ELEMENT_TAG[kind].toString(16)} for ${kind})` };
  }
  const apduLength = (userData[4]! << 8) | userData[5]!;
  const apdu = userData.subarray(ELEMENT_HEADER_BYTES);
  const plusTwo = apduLength === apdu.length + 2 && berTlvBytes(apdu) === apdu.length;
  if (apduLength !== apdu.length && !plusTwo) {
    return { ok: false, error: `APDU length ${apduLength} does not fill the ${userData.length}-byte payload (one element expected)` };
  }
  return { ok: true, value: { kind, simulation: userData[1] !== 0, appid: (userData[2]! << 8) | userData[3]!, apdu } };
}

/**
 * The 85-tagged elements after the payload, in order; an error when they do not tile the trailer
 * exactly (a bare GCM tag or MAC, as some implementations write it, has no tags: the key's sizes say
 * where it splits, which only the keyring knows).
 */
export function parseTrailer(trailer: Uint8Array): Parsed<Uint8Array[]> {
  const values: Uint8Array[] = [];
  for (let at = 0; at < trailer.length; ) {
    if (trailer[at] !== TRAILER_TAG || at + 2 > trailer.length) return { ok: false, error: `trailer byte ${at} is not an 85-tagged element` };
    const len = trailer[at + 1]!;
    if (at + 2 + len > trailer.length) return { ok: false, error: `trailer element at byte ${at} (length ${len}) runs past the datagram` };
    values.push(trailer.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return { ok: true, value: values };
}
