// Plain-JSON views of decoded frames for printing (`decode --json`, logs): 64-bit integers
// as decimal strings, bytes as lower-case hex, times also as ISO-8601.
import type { Data, DecodeError, Frame, GoosePdu, NotOurs, SvAsdu, SvPdu, UtcTime } from './types.js';
import { RESERVED1_SIMULATION_BIT } from './types.js';
import { utcTimeToIso } from './utc-time.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function utcTimeToJson(t: UtcTime): Json {
  return { secondsSinceEpoch: t.secondsSinceEpoch, fraction: t.fraction, quality: t.quality, iso: utcTimeToIso(t) };
}

export function dataToJson(d: Data): Json {
  switch (d.type) {
    case 'array':
    case 'structure':
      return { type: d.type, value: d.value.map(dataToJson) };
    case 'integer':
    case 'unsigned':
    case 'bcd':
      return { type: d.type, value: d.value.toString() };
    case 'bit-string':
    case 'boolean-array':
      return { type: d.type, bits: d.bits, value: hex(d.value) };
    case 'real':
    case 'octet-string':
      return { type: d.type, value: hex(d.value) };
    case 'float32':
    case 'float64':
      // JSON has no NaN/Infinity: keep them readable as strings.
      return { type: d.type, value: Number.isFinite(d.value) ? d.value : String(d.value) };
    case 'binary-time':
      return d.days === undefined ? { type: d.type, msOfDay: d.msOfDay } : { type: d.type, msOfDay: d.msOfDay, days: d.days };
    case 'utc-time':
      return { type: d.type, value: utcTimeToJson(d.value) };
    default:
      return { type: d.type, value: d.value };
  }
}

export function goosePduToJson(p: GoosePdu): Json {
  const out: { [key: string]: Json } = {
    gocbRef: p.gocbRef,
    timeAllowedToLive: p.timeAllowedToLive,
    datSet: p.datSet,
  };
  if (p.goID !== undefined) out.goID = p.goID;
  Object.assign(out, {
    t: utcTimeToJson(p.t),
    stNum: p.stNum,
    sqNum: p.sqNum,
    simulation: p.simulation,
    confRev: p.confRev,
    ndsCom: p.ndsCom,
    numDatSetEntries: p.numDatSetEntries,
    allData: p.allData.map(dataToJson),
  });
  return out;
}

function asduToJson(a: SvAsdu): Json {
  const out: { [key: string]: Json } = { svID: a.svID };
  if (a.datSet !== undefined) out.datSet = a.datSet;
  out.smpCnt = a.smpCnt;
  out.confRev = a.confRev;
  if (a.refrTm !== undefined) out.refrTm = utcTimeToJson(a.refrTm);
  out.smpSynch = a.smpSynch;
  if (a.smpRate !== undefined) out.smpRate = a.smpRate;
  out.seqData = a.seqData instanceof Uint8Array ? hex(a.seqData) : { values: a.seqData.values, qualities: a.seqData.qualities };
  if (a.smpMod !== undefined) out.smpMod = a.smpMod;
  return out;
}

export function svPduToJson(p: SvPdu): Json {
  const out: { [key: string]: Json } = { noASDU: p.asdus.length, asdus: p.asdus.map(asduToJson) };
  if (p.security !== undefined) out.security = hex(p.security);
  return out;
}

export function frameToJson(frame: Frame | NotOurs): Json {
  if (frame.kind === 'not-ours') return { kind: 'not-ours', etherType: frame.etherType };
  const eth: { [key: string]: Json } = { dst: frame.eth.dst, src: frame.eth.src };
  if (frame.eth.vlan !== undefined) eth.vlan = { pcp: frame.eth.vlan.pcp, dei: frame.eth.vlan.dei, vid: frame.eth.vlan.vid };
  const out: { [key: string]: Json } = {
    kind: frame.kind,
    eth,
    header: {
      appId: frame.header.appId,
      reserved1: frame.header.reserved1,
      simulationBit: (frame.header.reserved1 & RESERVED1_SIMULATION_BIT) !== 0,
      reserved2: frame.header.reserved2,
    },
  };
  if (frame.kind === 'goose') out.pdu = goosePduToJson(frame.pdu);
  else if (frame.kind === 'sv') out.pdu = svPduToJson(frame.pdu);
  else out.apdu = hex(frame.apdu);
  if (frame.padding.length > 0) out.padding = hex(frame.padding);
  return out;
}

export function decodeErrorToJson(e: DecodeError): Json {
  return { code: e.code, offset: e.offset, path: e.path, message: e.message };
}
