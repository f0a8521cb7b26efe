// What the demo prints at the end: each bridge's side of the trip and what the subscriber saw.
import { formatTable } from '../../sim/stream-statistics.js';
import type { DemoResult } from './demo.js';

const n = (c: Record<string, number> | undefined, key: string): number => c?.[key] ?? 0;

/** The frames that crossed: host 1's goose0 → UDP multicast → host 2's goose0. */
export function deliveredFrames(r: DemoResult): number {
  return r.report.totals.goose_messages;
}

export function formatDemoSummary(r: DemoResult): string {
  const a = r.bridgeCounters.get(1);
  const b = r.bridgeCounters.get(2);
  const t = r.report.totals;
  const lines = [
    `bridge on host 1: ${n(a, 'to_wan.frames_read')} frames read from goose0, ${n(a, 'to_wan.datagrams_sent')} datagrams sent, ${n(a, 'to_wan.dropped')} dropped`,
    `bridge on host 2: ${n(b, 'from_wan.datagrams_received')} datagrams received, ${n(b, 'from_wan.frames_written')} frames written to goose0, ${n(b, 'from_wan.dropped')} dropped, ${n(b, 'from_wan.gap_frames')} lost on the way`,
    '',
    'sim subscriber on host 2:',
    formatTable(r.report).trimEnd(),
    '',
    t.goose_messages > 0
      ? `delivered ${t.goose_messages} GOOSE messages of ${t.streams - t.streams_never_seen}/${t.streams} streams across the two bridges: ` +
        `frames lost ${t.frames_lost}, duplicates ${t.duplicate_messages}, out of order ${t.out_of_order_messages}, later than their TAL ${t.tal_expired}` +
        (t.event_latency_count > 0 ? `; event latency p50 ${t.event_latency_p50_us} µs, p99 ${t.event_latency_p99_us} µs` : '')
      : 'nothing arrived: no GOOSE message crossed the bridges',
  ];
  return `${lines.join('\n')}\n`;
}
