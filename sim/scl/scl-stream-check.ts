// `sim subscriber --scl`: every GOOSE message judged against the GoCB the SCL file defines for
// its gocbRef: APPID, destination MAC, VLAN id and priority, datSet, goID, confRev, number and
// types of entries, ndsCom. Each field that differs counts one mismatch for that stream; a
// gocbRef the file does not define is an unknown stream. Pure: fed decoded frames, reports
// counts (no clock involved).
import type { GooseFrame } from '../../bridge/codec/types.js';
import { formatAppId, type ControlBlock } from '../../bridge/scl/scl-model.js';
import { initialData } from '../goose/dataset-spec.js';
import { datasetFromScl, SclDatasetError } from './scl-dataset.js';
import { datasetShape } from '../goose/stream-tracker.js';

/** The fields checked, as named in the report (one table of them). */
export const SCL_CHECK_FIELDS = ['appid', 'dst_mac', 'vlan_id', 'vlan_priority', 'dat_set', 'go_id', 'conf_rev', 'entry_count', 'entry_types', 'nds_com'] as const;
export type SclCheckField = (typeof SCL_CHECK_FIELDS)[number];

export interface SclStreamRow {
  gocb_ref: string;
  ied: string;
  frames: number;
  mismatches: number;
  fields: Record<SclCheckField, number>;
}

export interface SclCheckReport {
  streams: SclStreamRow[];
  /** Streams whose gocbRef the SCL file (the chosen IEDs) does not define. */
  unknown_streams: { appid: string; gocb_ref: string; src_mac: string; frames: number }[];
  never_seen: string[];
  mismatches: number;
}

interface Expected {
  cb: ControlBlock;
  /** Entry types as datasetShape writes them; undefined when the dataset cannot be typed. */
  shape?: string;
  row: SclStreamRow;
}

// any time will do: only the types of the entries are compared
const EPOCH = { secondsSinceEpoch: 0, fraction: 0, quality: 0 };


function expectedShape(cb: ControlBlock): string | undefined {
  try {
    return datasetShape(initialData(datasetFromScl(cb.members), EPOCH));
  } catch (err) {
    if (err instanceof SclDatasetError) return undefined;
    throw err;
  }
}

export class SclStreamCheck {
  private readonly byRef = new Map<string, Expected>();
  private readonly unknown = new Map<string, SclCheckReport['unknown_streams'][number]>();

  constructor(controlBlocks: readonly ControlBlock[]) {
    for (const cb of controlBlocks) {
      if (cb.kind !== 'goose') continue;
      const fields = Object.fromEntries(SCL_CHECK_FIELDS.map((f) => [f, 0])) as Record<SclCheckField, number>;
      this.byRef.set(cb.ref, { cb, shape: expectedShape(cb), row: { gocb_ref: cb.ref, ied: cb.ied, frames: 0, mismatches: 0, fields } });
    }
  }

  /** Judges one decoded GOOSE message. */
  check(frame: GooseFrame): void {
    const pdu = frame.pdu;
    const exp = this.byRef.get(pdu.gocbRef);
    if (exp === undefined) {
      const key = `${frame.header.appId}|${pdu.gocbRef}|${frame.eth.src}`;
      const u = this.unknown.get(key) ?? { appid: formatAppId(frame.header.appId), gocb_ref: pdu.gocbRef, src_mac: frame.eth.src, frames: 0 };
      u.frames++;
      this.unknown.set(key, u);
      return;
    }
    const { cb, row } = exp;
    row.frames++;
    const bad = (f: SclCheckField): void => {
      row.fields[f]++;
      row.mismatches++;
    };
    const a = cb.address ?? {};
    if (a.appId !== undefined && frame.header.appId !== a.appId) bad('appid');
    if (a.mac !== undefined && frame.eth.dst !== a.mac) bad('dst_mac');
    const tagged = a.vlanId !== undefined || a.vlanPriority !== undefined;
    const vlan = frame.eth.vlan;
    if (tagged !== (vlan !== undefined)) bad('vlan_id');
    else if (vlan !== undefined) {
      if (vlan.vid !== (a.vlanId ?? 0)) bad('vlan_id');
      if (a.vlanPriority !== undefined && vlan.pcp !== a.vlanPriority) bad('vlan_priority');
    }
    if (pdu.datSet !== cb.datSetRef) bad('dat_set');
    if (pdu.goID !== undefined && pdu.goID !== cb.appID) bad('go_id');
    if (pdu.confRev !== cb.confRev) bad('conf_rev');
    if (pdu.numDatSetEntries !== cb.members.length || pdu.allData.length !== cb.members.length) bad('entry_count');
    else if (exp.shape !== undefined && datasetShape(pdu.allData) !== exp.shape) bad('entry_types');
    if (pdu.ndsCom) bad('nds_com');
  }

  report(): SclCheckReport {
    const streams = [...this.byRef.values()].map((e) => e.row);
    return {
      streams,
      unknown_streams: [...this.unknown.values()],
      never_seen: streams.filter((r) => r.frames === 0).map((r) => r.gocb_ref),
      mismatches: streams.reduce((n, r) => n + r.mismatches, 0),
    };
  }
}

/** The report as a table (stderr). */
export function formatSclCheck(r: SclCheckReport, source: string): string {
  const head = ['GOCBREF', 'FRAMES', 'MISMATCHES', ...SCL_CHECK_FIELDS.map((f) => f.toUpperCase())];
  const rows = r.streams.map((s) => [s.gocb_ref, String(s.frames), String(s.mismatches), ...SCL_CHECK_FIELDS.map((f) => String(s.fields[f]))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = [`SCL check against ${source}: ${r.streams.length} GoCB(s), ${r.mismatches} mismatch(es), ${r.unknown_streams.length} unknown stream(s), ${r.never_seen.length} never seen`];
  for (const row of [head, ...rows]) lines.push(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  for (const u of r.unknown_streams) lines.push(`unknown stream: APPID ${u.appid} ${u.gocb_ref} from ${u.src_mac}, ${u.frames} frame(s)`);
  return `${lines.join('\n')}\n`;
}
