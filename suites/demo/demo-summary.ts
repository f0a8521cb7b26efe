// What the demo prints at the end: each bridge's side of the trip and what the subscriber saw,
// judged by what the bridge must get right: every stream seen, no frame lost, duplicated or
// reordered. Frames later than their TAL are shown apart: on a loaded host the publisher
// itself is late, which is not the path's doing.
import { formatTable } from '../../sim/goose/stream-statistics.js';
import type { DemoResult } from './demo.js';

const n = (c: Record<string, number> | undefined, key: string): number => c?.[key] ?? 0;

/** The frames that crossed: host 1's goose0 → UDP multicast → host 2's goose0. */
export function deliveredFrames(r: DemoResult): number {
  return r.report.totals.goose_messages;
}

/** True when the path did its job: every stream seen, nothing lost, duplicated or reordered. */
export function pathClean(r: DemoResult): boolean {
  const t = r.report.totals;
  return t.goose_messages > 0 && t.streams_never_seen === 0 && t.frames_lost === 0 && t.duplicate_messages === 0 && t.out_of_order_messages === 0 && t.stopped === 0;
}

export function formatDemoSummary(r: DemoResult): string {
  const a = r.bridgeCounters.get(1);
  const b = r.bridgeCounters.get(2);
  const t = r.report.totals;
  const written = n(b, 'from_wan.frames_written');
  const received = t.goose_messages;
  const lines = [
    `bridge on host 1: ${n(a, 'to_wan.frames_read')} frames read from goose0, ${n(a, 'to_wan.datagrams_sent')} datagrams sent, ${n(a, 'to_wan.dropped')} dropped`,
    `bridge on host 2: ${n(b, 'from_wan.datagrams_received')} datagrams received, ${written} frames written to goose0, ${n(b, 'from_wan.dropped')} dropped, ${n(b, 'from_wan.gap_frames')} lost on the way`,
    `sim subscriber on host 2: ${received} GOOSE messages received` +
      (received === written ? ' (every frame host 2 wrote)' : ` of the ${written} host 2 wrote (${written - received} ${written > received ? 'not received: the kernel dropped them or they came after the subscriber stopped' : 'more: frames from elsewhere'})`),
    '',
    formatTable(r.report).trimEnd(),
    '',
  ];
  if (received === 0) {
    lines.push('nothing arrived: no GOOSE message crossed the bridges');
  } else {
    lines.push(
      `${pathClean(r) ? 'OK' : 'NOT OK'}: ${t.streams - t.streams_never_seen}/${t.streams} streams, ${received} messages across the two bridges, ` +
        `frames lost ${t.frames_lost}, duplicates ${t.duplicate_messages}, out of order ${t.out_of_order_messages}` +
        (t.event_latency_count > 0 ? `; event latency p50 ${t.event_latency_p50_us} µs, p99 ${t.event_latency_p99_us} µs` : ''),
    );
    if (t.tal_expired > 0) {
      lines.push(
        `note: ${t.tal_expired} frame(s) arrived later than their TAL (tal-expired, not an anomaly): right after a state change the ` +
          'retransmissions are 2, 4, 8 ms apart, and a busy host delays the publisher itself by more',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
