// Human-readable summary of a stats snapshot (status, monitor). Pure: returns a string.
import type { StatsSnapshot } from '../daemon/bridge-counters.js';

function n(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

function bytes(v: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? x : x.toFixed(1)} ${units[i]}`;
}

function nonZero(drops: Record<string, number>): string {
  const parts = Object.entries(drops)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${n(v)}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** Whether what the WAN delivers is authenticated; absent in files of older daemons. */
function wanLine(s: StatsSnapshot): string[] {
  if (s.wan_authenticated === undefined) return [];
  const encapsulation = s.encapsulation === 'rgoose' ? 'R-GOOSE' : 'GB1';
  return [
    s.wan_authenticated
      ? `  WAN ${encapsulation}, authenticated (signed with the key file's keys)`
      : `  WAN ${encapsulation}, NOT AUTHENTICATED: any host that reaches the group can write into ${s.interface} (docs/rgoose.md)`,
  ];
}

/** Which tier forwards (data_plane), and why user space when the kernel tier was asked for and is not running; absent in files of older daemons. */
function dataPlaneLine(s: StatsSnapshot): string[] {
  const d = s.data_plane;
  if (d === undefined) return [];
  if (d.tier === 'kernel') return [`  data plane: kernel tier on ${d.hooks.join(', ')} (data_plane = ${d.requested}); user space handles what it passes up`];
  return [`  data plane: user space (data_plane = ${d.requested}${d.reason === null ? '' : `: ${d.reason}`})`];
}

export interface StatusContext {
  nowMs: number;
  /** Whether the pid in the snapshot is alive (null: unknown). */
  running: boolean | null;
  /** Snapshot older than this is reported stale. */
  staleAfterMs: number;
  /** Previous snapshot, for rates (monitor). */
  previous?: StatsSnapshot;
}

/** WAN paths (when more than one) and a gateway pair's site: nothing for a plain bridge. */
function redundancyLines(s: StatsSnapshot): string[] {
  const r = s.redundancy;
  if (r === undefined) return [];
  const out: string[] = [];
  if (r.paths.length > 1) {
    for (const p of r.paths) {
      out.push(
        `Path ${p.uplink.padEnd(6)} ${p.silent ? 'SILENT' : 'carrying'}: sent ${n(p.datagrams_sent)}, received ${n(p.datagrams_received)}, first ${n(p.frames_first)}, copies discarded ${n(p.redundant_copies)}, missed ${n(p.missing_frames)}; later than the first by ${n(p.skew_ewma_us)} µs (EWMA), ${n(p.skew_max_us)} µs at most`,
      );
    }
  }
  if (r.site !== '') {
    out.push(`Site       ${r.site}: ${r.site_peers} peer(s) heard, ${r.lan_writer ? 'this gateway writes the LAN' : 'standby (a peer writes the LAN)'}; ${n(r.frames_left_to_peer)} frames left to the writer, ${n(r.heartbeats_received)} heartbeats received`);
  }
  return out;
}

export function formatStatus(s: StatsSnapshot, ctx: StatusContext): string {
  const age = ctx.nowMs - Date.parse(s.time);
  const state =
    ctx.running === false
      ? `NOT RUNNING (pid ${s.pid} gone; last stats ${Math.round(age / 1000)} s old)`
      : age > ctx.staleAfterMs
        ? `STALE (stats ${Math.round(age / 1000)} s old — daemon hung or stats_file shared?)`
        : `running, pid ${s.pid}, up ${s.uptime_s} s`;
  const rate = (cur: number, prev: number | undefined): string => {
    if (ctx.previous === undefined || prev === undefined) return '';
    const dt = (Date.parse(s.time) - Date.parse(ctx.previous.time)) / 1000;
    return dt > 0 ? `  (${n((cur - prev) / dt)}/s)` : '';
  };
  const p = ctx.previous;
  const membership = Object.entries(s.igmp.membership)
    .map(([g, m]) => `${g} ${m === null ? 'not checked yet' : m ? 'member' : 'MISSING'}`)
    .join(', ');
  const lines = [
    `goose-bridge ${state}`,
    `  ${s.interface} ⇄ ${s.groups.join(', ')} port ${s.port} via ${s.uplink}   sender ${s.sender_id}`,
    ...wanLine(s),
    ...dataPlaneLine(s),
    '',
    `TAP → WAN  read ${n(s.to_wan.frames_read)} frames (${bytes(s.to_wan.bytes_read)})${rate(s.to_wan.frames_read, p?.to_wan.frames_read)} in ${n(s.to_wan.read_calls ?? 0)} calls`,
    `           sent ${n(s.to_wan.datagrams_sent)} datagrams (${bytes(s.to_wan.bytes_sent)})${rate(s.to_wan.datagrams_sent, p?.to_wan.datagrams_sent)} in ${n(s.to_wan.send_calls ?? 0)} calls, ${n(s.to_wan.segmented_datagrams ?? 0)} in GSO runs`,
    `           dropped ${n(s.to_wan.dropped)}: ${nonZero(s.to_wan.drops)}; kernel dropped ${n(s.to_wan.kernel_drops ?? 0)} before reading`,
    `WAN → TAP  received ${n(s.from_wan.datagrams_received)} datagrams (${bytes(s.from_wan.bytes_received)})${rate(s.from_wan.datagrams_received, p?.from_wan.datagrams_received)}`,
    `           ${n(s.from_wan.coalesced_datagrams ?? 0)} of them in GRO runs`,
    `           written ${n(s.from_wan.frames_written)} frames (${bytes(s.from_wan.bytes_written)})${rate(s.from_wan.frames_written, p?.from_wan.frames_written)} in ${n(s.from_wan.write_calls ?? 0)} calls`,
    `           dropped ${n(s.from_wan.dropped)}: ${nonZero(s.from_wan.drops)}; kernel dropped ${n(s.from_wan.kernel_rcvbuf_drops ?? 0)} (receive buffer full)`,
    `           WAN loss: ${n(s.from_wan.gap_frames)} frames skipped in ${n(s.from_wan.gap_events)} gaps, ${n(s.from_wan.late_frames)} arrived late; ${s.from_wan.senders} sender(s)`,
    `IGMP       ${s.keepalive_strategy} keepalives ${n(s.igmp.keepalives)} (failed ${n(s.igmp.keepalive_failures)}), last ${s.igmp.last_keepalive ?? 'never'}`,
    `           checks ${n(s.igmp.checks)}, failed ${nonZero(s.igmp.failed_checks)}, re-registrations ${n(s.igmp.reregistrations)}, last ${s.igmp.last_check ?? 'never'}`,
    `           membership: ${membership || 'no groups joined'}`,
    `Errors     ${nonZero(s.errors)}; recovered: ${nonZero(s.recoveries)}`,
    ...redundancyLines(s),
  ];
  return `${lines.join('\n')}\n`;
}
