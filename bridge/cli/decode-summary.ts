// `decode --summary`: one row per stream (kind, source MAC, APPID, gocbRef or svID) instead of
// one per frame. Holds a few numbers per stream, so memory does not grow with the capture.
import { hex4, type DecodedCapturedFrame } from './decode-views.js';

export interface StreamSummary {
  kind: 'goose' | 'sv' | 'gse';
  src: string;
  dst: string;
  appId: number;
  /** gocbRef for GOOSE, the first ASDU's svID for SV, empty for GSE management. */
  id: string;
  frames: number;
  firstUs: number;
  lastUs: number;
  /** GOOSE: stNum of the first and last frame and how often it changed; SV: smpCnt. */
  firstCount: number;
  lastCount: number;
  stChanges: number;
  /** GOOSE: frames whose sqNum is not the previous one + 1 within the same stNum. */
  sqGaps: number;
}

export interface CaptureSummary {
  streams: StreamSummary[];
  /** R-GOOSE/R-SV datagrams (counted, not grouped into streams). */
  rgoose: number;
  notOurs: number;
  decodeErrors: number;
  skipped: number;
}

export class StreamSummaries {
  private readonly byKey = new Map<string, StreamSummary & { lastSq: number }>();
  private rgoose = 0;
  private notOurs = 0;
  private decodeErrors = 0;
  private skipped = 0;

  add(f: DecodedCapturedFrame): void {
    const r = f.result;
    if ('rgoose' in r) {
      this.rgoose++;
      return;
    }
    if (!r.ok) {
      if ('skipped' in r) this.skipped++;
      else this.decodeErrors++;
      return;
    }
    const frame = r.value;
    if (frame.kind === 'not-ours') {
      this.notOurs++;
      return;
    }
    const id = frame.kind === 'goose' ? frame.pdu.gocbRef : frame.kind === 'sv' ? (frame.pdu.asdus[0]?.svID ?? '') : '';
    const count = frame.kind === 'goose' ? frame.pdu.stNum : frame.kind === 'sv' ? (frame.pdu.asdus[0]?.smpCnt ?? 0) : 0;
    const sq = frame.kind === 'goose' ? frame.pdu.sqNum : 0;
    const t = f.captured.timestampUs;
    const key = `${frame.kind} ${frame.eth.src} ${frame.header.appId} ${id}`;
    const s = this.byKey.get(key);
    if (s === undefined) {
      const kind = frame.kind;
      this.byKey.set(key, { kind, src: frame.eth.src, dst: frame.eth.dst, appId: frame.header.appId, id, frames: 1, firstUs: t, lastUs: t, firstCount: count, lastCount: count, stChanges: 0, sqGaps: 0, lastSq: sq });
      return;
    }
    s.frames++;
    s.lastUs = t;
    if (frame.kind === 'goose') {
      if (count !== s.lastCount) s.stChanges++;
      else if (sq !== ((s.lastSq + 1) >>> 0)) s.sqGaps++;
    }
    s.lastCount = count;
    s.lastSq = sq;
  }

  result(): CaptureSummary {
    const streams = [...this.byKey.values()].map(({ lastSq: _, ...s }) => s);
    streams.sort((a, b) => a.appId - b.appId || a.id.localeCompare(b.id) || a.src.localeCompare(b.src));
    return { streams, rgoose: this.rgoose, notOurs: this.notOurs, decodeErrors: this.decodeErrors, skipped: this.skipped };
  }
}

/** A table, one stream per row, then a line counting the frames that belong to no stream. */
export function formatSummary(summary: CaptureSummary): string {
  const header = ['kind', 'APPID', 'gocbRef/svID', 'src', 'frames', 'seconds', 'first', 'last', 'changes', 'sq gaps'];
  const rows = summary.streams.map((s) => [
    s.kind.toUpperCase(),
    hex4(s.appId),
    s.id,
    s.src,
    String(s.frames),
    ((s.lastUs - s.firstUs) / 1e6).toFixed(3),
    String(s.firstCount),
    String(s.lastCount),
    s.kind === 'goose' ? String(s.stChanges) : '',
    s.kind === 'goose' ? String(s.sqGaps) : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rgoose = summary.rgoose === 0 ? '' : `${summary.rgoose} R-GOOSE/R-SV datagrams, `;
  const other = `${summary.streams.length} streams; ${rgoose}${summary.notOurs} frames not GOOSE/SV/GSE, ${summary.decodeErrors} decode errors, ${summary.skipped} not Ethernet`;
  return [line(header), ...rows.map(line), other].join('\n') + '\n';
}

/** One JSON object per stream and a last one with the counts outside any stream. */
export function summaryToJsonLines(summary: CaptureSummary): string {
  const lines = summary.streams.map((s) => JSON.stringify({ ...s, durationUs: s.lastUs - s.firstUs }));
  lines.push(JSON.stringify({ rgoose: summary.rgoose, notOurs: summary.notOurs, decodeErrors: summary.decodeErrors, skipped: summary.skipped }));
  return lines.join('\n') + '\n';
}
