// Readable multi-line rendering of decoded frames (the default output of `decode`).
import { hex } from './frame-json.js';
import type { Data, Frame, GoosePdu, NotOurs, SvPdu, UtcTime } from './types.js';
import { RESERVED1_SIMULATION_BIT } from './types.js';
import { utcTimeToIso } from './utc-time.js';

function time(t: UtcTime): string {
  return `${utcTimeToIso(t)} (quality 0x${t.quality.toString(16).padStart(2, '0')})`;
}

export function formatData(d: Data, indent: string): string[] {
  switch (d.type) {
    case 'array':
    case 'structure':
      return [`${indent}${d.type} (${d.value.length})`, ...d.value.flatMap((x) => formatData(x, `${indent}  `))];
    case 'bit-string':
    case 'boolean-array':
      return [`${indent}${d.type} ${d.bits} bits ${bitString(d.value, d.bits)}`];
    case 'real':
    case 'octet-string':
      return [`${indent}${d.type} ${hex(d.value)}`];
    case 'visible-string':
    case 'mms-string':
    case 'obj-id':
      return [`${indent}${d.type} ${JSON.stringify(d.value)}`];
    case 'binary-time':
      return [`${indent}binary-time msOfDay ${d.msOfDay}${d.days === undefined ? '' : ` days ${d.days}`}`];
    case 'utc-time':
      return [`${indent}utc-time ${time(d.value)}`];
    default:
      return [`${indent}${d.type} ${String(d.value)}`];
  }
}

function bitString(bytes: Uint8Array, bits: number): string {
  let s = '';
  for (let i = 0; i < bits; i++) s += (bytes[i >> 3]! >> (7 - (i & 7))) & 1 ? '1' : '0';
  return s;
}

export function formatGoose(p: GoosePdu): string[] {
  return [
    `  gocbRef ${p.gocbRef}`,
    `  timeAllowedToLive ${p.timeAllowedToLive} ms`,
    `  datSet ${p.datSet}`,
    ...(p.goID === undefined ? [] : [`  goID ${p.goID}`]),
    `  t ${time(p.t)}`,
    `  stNum ${p.stNum}  sqNum ${p.sqNum}  simulation ${p.simulation}  confRev ${p.confRev}  ndsCom ${p.ndsCom}`,
    `  numDatSetEntries ${p.numDatSetEntries}`,
    `  allData (${p.allData.length})`,
    ...p.allData.flatMap((d) => formatData(d, '    ')),
  ];
}

export function formatSv(p: SvPdu): string[] {
  const lines = [`  noASDU ${p.asdus.length}`];
  p.asdus.forEach((a, i) => {
    lines.push(
      `  asdu[${i}] svID ${a.svID}${a.datSet === undefined ? '' : ` datSet ${a.datSet}`} smpCnt ${a.smpCnt} confRev ${a.confRev} smpSynch ${a.smpSynch}` +
        `${a.smpRate === undefined ? '' : ` smpRate ${a.smpRate}`}${a.smpMod === undefined ? '' : ` smpMod ${a.smpMod}`}`,
    );
    if (a.refrTm !== undefined) lines.push(`    refrTm ${time(a.refrTm)}`);
    if (a.seqData instanceof Uint8Array) lines.push(`    seqData ${hex(a.seqData)}`);
    else a.seqData.values.forEach((v, c) => lines.push(`    channel ${c}: value ${v} quality 0x${a.seqData instanceof Uint8Array ? '' : a.seqData.qualities[c]!.toString(16).padStart(8, '0')}`));
  });
  return lines;
}

export function formatFrame(frame: Frame | NotOurs): string {
  if (frame.kind === 'not-ours') return `not GOOSE/SV/GSE (EtherType 0x${frame.etherType.toString(16).padStart(4, '0')})`;
  const { eth, header } = frame;
  const vlan = eth.vlan === undefined ? 'no VLAN' : `VLAN ${eth.vlan.vid} PCP ${eth.vlan.pcp}${eth.vlan.dei ? ' DEI' : ''}`;
  const sim = header.reserved1 & RESERVED1_SIMULATION_BIT ? ' simulation-bit' : '';
  const lines = [
    `${frame.kind.toUpperCase()} ${eth.src} > ${eth.dst} ${vlan} APPID 0x${header.appId.toString(16).padStart(4, '0')} reserved1 0x${header.reserved1.toString(16).padStart(4, '0')}${sim} reserved2 0x${header.reserved2.toString(16).padStart(4, '0')}`,
  ];
  if (frame.kind === 'goose') lines.push(...formatGoose(frame.pdu));
  else if (frame.kind === 'sv') lines.push(...formatSv(frame.pdu));
  else lines.push(`  apdu ${hex(frame.apdu)}`);
  if (frame.padding.length > 0) lines.push(`  padding ${frame.padding.length} bytes`);
  return lines.join('\n');
}
