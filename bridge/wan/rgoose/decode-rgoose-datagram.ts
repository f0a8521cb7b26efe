// Decodes one R-GOOSE/R-SV datagram for `goose-bridge decode`: session fields from the
// reference reading (spdu-layout.ts), authentication and decryption by the engine's own C++
// keyring when keys are given, then the carried GOOSE/SV PDU by the codec.
import type { NativeKeyring } from '../../../native/rgoose.js';
import { decodeErrorToJson, decodeGoosePdu, decodeSvPdu, formatDecodeError, goosePduToJson, hex, svPduToJson, type Json } from '../../codec/index.js';
import { formatGoose, formatSv } from '../../codec/frame-text.js';
import type { DecodeResult, GoosePdu, SvPdu } from '../../codec/types.js';
import { parseSpduElement, parseSpduSession, parseTrailer, type Parsed, type SpduElement, type SpduSession } from './spdu-layout.js';

/**
 * How far the SPDU's origin is established: 'verified' (a key of the keyring checked it),
 * 'unsigned' (key id 0, accepted because no keys were given), 'not-verified' (signed, no keys
 * given), 'encrypted' (no keys given, payload unreadable), 'rejected' (the keyring refused it:
 * see rejectedBecause).
 */
export type Authentication = 'verified' | 'unsigned' | 'not-verified' | 'encrypted' | 'rejected';

export interface RgooseDecoded {
  session: SpduSession;
  authentication: Authentication;
  /** The keyring's result label ('bad-signature', 'unknown-key', 'unsigned', 'malformed-…') when rejected. */
  rejectedBecause?: string;
  /** The carried element, when readable (clear text, or decrypted by the keyring). */
  element?: SpduElement;
  /** Why the element could not be read, when it could not. */
  elementError?: string;
  pdu?: { kind: 'goose'; result: DecodeResult<GoosePdu> } | { kind: 'sv'; result: DecodeResult<SvPdu> };
}

function readElement(
  d: Uint8Array,
  session: SpduSession,
  keyring?: NativeKeyring,
): { authentication: Authentication; rejectedBecause?: string; element?: Parsed<SpduElement> } {
  if (keyring !== undefined) {
    const r = keyring.open(d);
    if (r.result !== 'ok') return { authentication: 'rejected', rejectedBecause: r.result };
    const element: SpduElement = { kind: session.kind, simulation: r.simulation === true, appid: r.appid ?? 0, apdu: r.apdu ?? new Uint8Array() };
    return { authentication: session.keyId === 0 ? 'unsigned' : 'verified', element: { ok: true, value: element } };
  }
  if (session.iv.length > 0) return { authentication: 'encrypted' };
  const element = parseSpduElement(d.subarray(session.payloadStart, session.payloadEnd), session.kind);
  return { authentication: session.keyId === 0 ? 'unsigned' : 'not-verified', element };
}

/** Decodes a UDP payload; an error when it is not an R-GOOSE/R-SV SPDU at all. */
export function decodeRgooseDatagram(udpPayload: Uint8Array, keyring?: NativeKeyring): Parsed<RgooseDecoded> {
  const s = parseSpduSession(udpPayload);
  if (!s.ok) return s;
  const session = s.value;
  const { authentication, rejectedBecause, element } = readElement(udpPayload, session, keyring);
  const out: RgooseDecoded = { session, authentication };
  if (rejectedBecause !== undefined) out.rejectedBecause = rejectedBecause;
  if (element === undefined) return { ok: true, value: out };
  if (!element.ok) {
    out.elementError = element.error;
    return { ok: true, value: out };
  }
  out.element = element.value;
  out.pdu =
    element.value.kind === 'goose'
      ? { kind: 'goose', result: decodeGoosePdu(element.value.apdu) }
      : { kind: 'sv', result: decodeSvPdu(element.value.apdu) };
  return { ok: true, value: out };
}

function sessionLine(r: RgooseDecoded): string {
  const s = r.session;
  const name = s.kind === 'goose' ? 'R-GOOSE' : 'R-SV';
  const iv = s.iv.length > 0 ? ` IV ${hex(s.iv)}` : '';
  const auth = r.authentication === 'rejected' ? `REJECTED (${r.rejectedBecause})` : r.authentication;
  return `${name} SPDU ${s.spduNumber} key ${s.keyId} ${auth}${iv}`;
}

/** False when the datagram failed authentication or its payload/PDU did not decode; encrypted without keys is not a failure. */
export function rgooseDecodedOk(r: RgooseDecoded): boolean {
  if (r.authentication === 'encrypted') return true;
  if (r.authentication === 'rejected') return false;
  return r.elementError === undefined && r.pdu !== undefined && r.pdu.result.ok;
}

export function formatRgoose(r: RgooseDecoded): string {
  const s = r.session;
  const lines = [
    sessionLine(r),
    `  session header length ${s.sessionHeaderLength}, common ${s.commonHeaderLength}, SPDU length ${s.spduLength}, version ${s.version}, ` +
      `time of current key ${s.timeOfCurrentKey}, time to next key ${s.timeToNextKey}, user data ${s.userDataLength} bytes`,
  ];
  const trailer = parseTrailer(s.trailer);
  if (s.trailer.length > 0) lines.push(trailer.ok ? `  trailer ${trailer.value.map((t) => `85 ${t.length}: ${hex(t)}`).join(', ')}` : `  trailer (not 85-tagged) ${hex(s.trailer)}`);
  if (r.elementError !== undefined) lines.push(`  payload: ${r.elementError}`);
  if (r.element !== undefined) lines.push(`  APPID 0x${r.element.appid.toString(16).padStart(4, '0')} simulation ${r.element.simulation} APDU ${r.element.apdu.length} bytes`);
  if (r.pdu !== undefined) {
    if (!r.pdu.result.ok) lines.push(`  decode error: ${formatDecodeError(r.pdu.result.error)}`);
    else lines.push(...(r.pdu.kind === 'goose' ? formatGoose(r.pdu.result.value as GoosePdu) : formatSv(r.pdu.result.value as SvPdu)));
  }
  return lines.join('\n');
}

export function rgooseToJson(r: RgooseDecoded): Json {
  const s = r.session;
  const out: { [k: string]: Json } = {
    kind: s.kind === 'goose' ? 'r-goose' : 'r-sv',
    session: {
      sessionHeaderLength: s.sessionHeaderLength,
      commonHeaderLength: s.commonHeaderLength,
      spduLength: s.spduLength,
      spduNumber: s.spduNumber,
      version: s.version,
      timeOfCurrentKey: s.timeOfCurrentKey,
      timeToNextKey: s.timeToNextKey,
      keyId: s.keyId,
      iv: hex(s.iv),
      userDataLength: s.userDataLength,
      trailer: hex(s.trailer),
    },
    authentication: r.authentication,
  };
  if (r.rejectedBecause !== undefined) out.rejectedBecause = r.rejectedBecause;
  if (r.elementError !== undefined) out.payloadError = r.elementError;
  if (r.element !== undefined) out.element = { appid: r.element.appid, simulation: r.element.simulation, apduLength: r.element.apdu.length };
  if (r.pdu !== undefined) {
    if (!r.pdu.result.ok) out.error = decodeErrorToJson(r.pdu.result.error);
    else out.pdu = r.pdu.kind === 'goose' ? goosePduToJson(r.pdu.result.value as GoosePdu) : svPduToJson(r.pdu.result.value as SvPdu);
  }
  return out;
}
