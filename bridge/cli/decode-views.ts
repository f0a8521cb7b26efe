// The ways `decode` prints one captured frame: a line (the default, like tshark's one line per
// packet), the full tree (-V) and one JSON object (--json). Pure: the frame is decoded once by
// the caller and handed to whichever view was asked for.
import {
  decodeErrorToJson,
  formatDecodeError,
  formatFrame,
  formatMac,
  frameToJson,
  RESERVED1_SIMULATION_BIT,
  type DecodeResult,
  type Frame,
  type Json,
  type NotOurs,
} from '../codec/index.js';
import { LINKTYPE_ETHERNET, type CapturedFrame } from '../pcap/index.js';
import type { Gb1Datagram } from '../wan/decode-gb1-datagram.js';
import type { RenderedRgoose } from '../wan/rgoose/render-rgoose-frame.js';
import { endpointText, type UdpDatagram } from '../wan/rgoose/udp-in-ethernet.js';

/**
 * A captured frame and what decoding it gave: a GOOSE/SV/GSE frame (or not-ours, or a decode
 * error), an R-GOOSE/R-SV datagram (rendered by the session layer's decoder), or `skipped` when
 * its link type is not Ethernet. A frame captured on the uplink carries its datagram in `udp`
 * (R-GOOSE, or GB1 with `gb1` set and `result` the carried frame's decoding).
 */
export interface DecodedCapturedFrame {
  /** 1-based position in the file, counting every frame (filters do not renumber). */
  number: number;
  captured: CapturedFrame;
  result: DecodeResult<Frame | NotOurs> | { ok: false; skipped: string } | { ok: boolean; rgoose: RenderedRgoose };
  udp?: UdpDatagram;
  gb1?: Gb1Datagram;
}

/** What an R-GOOSE/R-SV datagram carries, as far as its JSON rendering shows it. */
export function rgooseIdentity(r: RenderedRgoose): { appId?: number; gocbRef?: string } {
  const element = r.json.element as { appid?: number } | undefined;
  const pdu = r.json.pdu as { gocbRef?: string } | undefined;
  return { ...(element?.appid === undefined ? {} : { appId: element.appid }), ...(pdu?.gocbRef === undefined ? {} : { gocbRef: pdu.gocbRef }) };
}

export function skippedReason(captured: CapturedFrame): string | undefined {
  return captured.linkType === LINKTYPE_ETHERNET ? undefined : `link type ${captured.linkType} is not Ethernet; not decoded`;
}

function isoMicros(timestampUs: number): string {
  const ms = Math.floor(timestampUs / 1000);
  return new Date(ms).toISOString().replace('Z', `${String(timestampUs % 1000).padStart(3, '0')}Z`);
}

/** An APPID or EtherType as tshark shows it: 0x and four hex digits. */
export const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

/**
 * One line: number, seconds since the first frame, src → dst, protocol, APPID, gocbRef (svID for
 * SV), stNum/sqNum (smpCnt for SV), TAL, number of entries (ASDUs for SV) and flags.
 */
export function renderLine(f: DecodedCapturedFrame, firstTimestampUs: number): string {
  const rel = ((f.captured.timestampUs - firstTimestampUs) / 1e6).toFixed(6);
  const d = f.captured.data;
  const head = `${String(f.number).padStart(6)} ${rel.padStart(11)} ${f.udp === undefined ? macs(d) : udpAddresses(f.udp)}`;
  const cut = d.length < f.captured.originalLength ? ` [captured ${d.length} of ${f.captured.originalLength}]` : '';
  const r = f.result;
  if ('rgoose' in r) return `${head} ${rgooseSummary(r.rgoose)}${cut}`;
  const carried = f.gb1 === undefined ? '' : ` GB1 seq ${f.gb1.seq} ${macs(f.gb1.frame)}`;
  const body = r.ok ? frameSummary(r.value) : 'skipped' in r ? r.skipped : `decode error: ${formatDecodeError(r.error)}`;
  return `${head}${carried} ${body}${cut}`;
}

const macs = (d: Uint8Array): string => (d.length >= 12 ? `${formatMac(d, 6)} → ${formatMac(d, 0)}` : '?');
const udpAddresses = (u: UdpDatagram): string => `${endpointText(u.src, u.srcPort)} → ${endpointText(u.dst, u.dstPort)}`;

/** The GB1 header and outer addresses, as the first line of the tree and a JSON member. */
const gb1Line = (f: DecodedCapturedFrame, g: Gb1Datagram): string =>
  `GB1 ${udpAddresses(f.udp!)} sender ${g.sender} seq ${g.seq} flags 0x${g.flags.toString(16).padStart(2, '0')}, carried frame ${g.frame.length} bytes`;

function carrierJson(f: DecodedCapturedFrame): { [k: string]: Json } {
  if (f.udp === undefined) return {};
  const u = f.udp;
  const udp: Json = { src: u.src, srcPort: u.srcPort, dst: u.dst, dstPort: u.dstPort };
  return f.gb1 === undefined ? { udp } : { udp, gb1: { sender: f.gb1.sender, seq: f.gb1.seq, flags: f.gb1.flags } };
}

/** The session line of the R-GOOSE rendering, then the carried GOOSE PDU's fields when readable. */
function rgooseSummary(r: RenderedRgoose): string {
  const session = r.text.split('\n', 1)[0]!;
  const { appId } = rgooseIdentity(r);
  const p = r.json.pdu as { gocbRef?: string; stNum?: number; sqNum?: number; timeAllowedToLive?: number; allData?: unknown[] } | undefined;
  const goose = p?.gocbRef === undefined ? '' : ` ${p.gocbRef} st ${p.stNum} sq ${p.sqNum} TAL ${p.timeAllowedToLive} ms ${p.allData?.length ?? 0} entries`;
  const error = r.json.error === undefined ? '' : ` decode error: ${(r.json.error as { message?: string }).message ?? ''}`;
  return `${session}${appId === undefined ? '' : ` ${hex4(appId)}`}${goose}${error}`;
}

function frameSummary(frame: Frame | NotOurs): string {
  if (frame.kind === 'not-ours') return `EtherType ${hex4(frame.etherType)} (not GOOSE/SV/GSE)`;
  const flags: string[] = [];
  if (frame.header.reserved1 & RESERVED1_SIMULATION_BIT) flags.push('sim');
  if (frame.eth.vlan !== undefined) flags.push(`vlan ${frame.eth.vlan.vid} pcp ${frame.eth.vlan.pcp}`);
  if (frame.kind === 'goose') {
    const p = frame.pdu;
    if (p.simulation && !flags.includes('sim')) flags.push('sim');
    if (p.ndsCom) flags.push('ndsCom');
    if (p.numDatSetEntries !== p.allData.length) flags.push(`numDatSetEntries ${p.numDatSetEntries}`);
    return `GOOSE ${hex4(frame.header.appId)} ${p.gocbRef} st ${p.stNum} sq ${p.sqNum} TAL ${p.timeAllowedToLive} ms ${p.allData.length} entries${flagText(flags)}`;
  }
  if (frame.kind === 'sv') {
    const first = frame.pdu.asdus[0];
    const id = first === undefined ? '' : ` ${first.svID} smpCnt ${first.smpCnt}`;
    if (first !== undefined && first.smpSynch !== 0) flags.push(`smpSynch ${first.smpSynch}`);
    return `SV ${hex4(frame.header.appId)}${id} ${frame.pdu.asdus.length} ASDUs${flagText(flags)}`;
  }
  return `GSE ${hex4(frame.header.appId)} management ${frame.apdu.length} bytes${flagText(flags)}`;
}

const flagText = (flags: string[]) => (flags.length === 0 ? '' : ` [${flags.join(', ')}]`);

/** The full tree: a header line and the decoded fields, indented (`decode -V`). */
export function renderTree(f: DecodedCapturedFrame): string {
  const d = f.captured.data;
  const cut = d.length < f.captured.originalLength ? ` (captured ${d.length} of ${f.captured.originalLength})` : '';
  const ts = isoMicros(f.captured.timestampUs);
  const r = f.result;
  if ('skipped' in r) return `frame ${f.number}  ${ts}: ${r.skipped}`;
  const header = `frame ${f.number}  ${ts}  ${f.captured.originalLength} bytes${cut}`;
  if ('rgoose' in r) return `${header}\n${udpAddresses(f.udp!)}\n${r.rgoose.text}`;
  const carrier = f.gb1 === undefined ? '' : `\n${gb1Line(f, f.gb1)}`;
  return `${header}${carrier}\n${r.ok ? formatFrame(r.value) : `  decode error: ${formatDecodeError(r.error)}`}`;
}

/** One JSON object (64-bit integers as strings, bytes as hex). */
export function renderJson(f: DecodedCapturedFrame): string {
  const c = f.captured;
  const r = f.result;
  if ('skipped' in r) return JSON.stringify({ frame: f.number, timestampUs: c.timestampUs, length: c.originalLength, skipped: r.skipped });
  if ('rgoose' in r) return JSON.stringify({ frame: f.number, timestampUs: c.timestampUs, length: c.originalLength, ...carrierJson(f), ...r.rgoose.json });
  const head: { [k: string]: Json } = { frame: f.number, timestampUs: c.timestampUs, length: c.originalLength, ...carrierJson(f) };
  if (c.data.length < c.originalLength) head.capturedLength = c.data.length;
  const body = r.ok ? (frameToJson(r.value) as { [k: string]: Json }) : { error: decodeErrorToJson(r.error) };
  return JSON.stringify({ ...head, ...body });
}
