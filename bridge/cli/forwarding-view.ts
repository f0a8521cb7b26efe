// `goose-bridge monitor`'s per-stream view of what the daemon forwards: top talkers by APPID
// (when the stats file carries per-APPID counters) and drops by reason over time (rates from
// the snapshots the monitor has seen). Pure: snapshots in, text lines out.
//
// The per-APPID block the stats file may carry (optional; absent → the view says so):
//   "per_appid": { "0x1000": { "to_wan_frames": n, "to_wan_bytes": n, "from_wan_frames": n,
//                              "from_wan_bytes": n, "dropped": n, "drops": { "<reason>": n } }, … }
import type { StatsSnapshot } from '../daemon/bridge-counters.js';

export interface AppIdCounters {
  to_wan_frames: number;
  to_wan_bytes: number;
  from_wan_frames: number;
  from_wan_bytes: number;
  dropped: number;
  drops: Record<string, number>;
}

export type PerAppId = Map<string, AppIdCounters>;

const NUMERIC = ['to_wan_frames', 'to_wan_bytes', 'from_wan_frames', 'from_wan_bytes', 'dropped'] as const;

/** The snapshot's per-APPID counters, or undefined when the daemon does not write them (or writes them malformed). */
export function perAppId(s: StatsSnapshot): PerAppId | undefined {
  const raw = (s as unknown as { per_appid?: unknown }).per_appid;
  if (raw === null || typeof raw !== 'object') return undefined;
  const out: PerAppId = new Map();
  for (const [appid, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null || typeof v !== 'object') return undefined;
    const o = v as Record<string, unknown>;
    if (!NUMERIC.every((k) => typeof o[k] === 'number')) return undefined;
    const drops = o.drops !== null && typeof o.drops === 'object' ? (o.drops as Record<string, number>) : {};
    out.set(appid, { to_wan_frames: o.to_wan_frames as number, to_wan_bytes: o.to_wan_bytes as number, from_wan_frames: o.from_wan_frames as number, from_wan_bytes: o.from_wan_bytes as number, dropped: o.dropped as number, drops });
  }
  return out;
}

function seconds(a: StatsSnapshot, b: StatsSnapshot): number {
  return (Date.parse(a.time) - Date.parse(b.time)) / 1000;
}

function rate(cur: number, prev: number | undefined, dt: number): number {
  return prev === undefined || dt <= 0 ? NaN : (cur - prev) / dt;
}

function fmtRate(x: number): string {
  return Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** Top `rows` APPIDs by frames/s (both directions) since the previous snapshot, totals when there is none. */
export function formatTopTalkers(cur: StatsSnapshot, prev: StatsSnapshot | undefined, rows: number): string[] {
  const now = perAppId(cur);
  if (now === undefined) return ['Per APPID  not in the stats file (this daemon does not count per APPID)'];
  const before = prev ? perAppId(prev) : undefined;
  const dt = prev ? seconds(cur, prev) : 0;
  const list = [...now].map(([appid, c]) => {
    const p = before?.get(appid);
    const toWan = rate(c.to_wan_frames, before ? (p?.to_wan_frames ?? 0) : undefined, dt);
    const fromWan = rate(c.from_wan_frames, before ? (p?.from_wan_frames ?? 0) : undefined, dt);
    const worst = Object.entries(c.drops).sort((x, y) => y[1] - x[1])[0];
    return { appid, c, toWan, fromWan, key: Number.isNaN(toWan) ? c.to_wan_frames + c.from_wan_frames : toWan + fromWan, worst };
  });
  list.sort((a, b) => b.key - a.key || a.appid.localeCompare(b.appid));
  const lines = [`Top APPIDs ${list.length > rows ? `(${rows} of ${list.length})` : `(${list.length})`}`, '  APPID   →WAN f/s  ←WAN f/s     →WAN frames    ←WAN frames   dropped  top drop reason'];
  for (const r of list.slice(0, rows)) {
    lines.push(
      `  ${r.appid.padEnd(7)} ${fmtRate(r.toWan).padStart(8)}  ${fmtRate(r.fromWan).padStart(8)}  ${String(r.c.to_wan_frames).padStart(13)}  ${String(r.c.from_wan_frames).padStart(13)}  ${String(r.c.dropped).padStart(8)}  ${r.worst && r.worst[1] > 0 ? `${r.worst[0]} ${r.worst[1]}` : '-'}`,
    );
  }
  return lines;
}

/** Drops by reason over time: the snapshots of the last `windowS` seconds, kept by the monitor. */
export class DropHistory {
  private samples: StatsSnapshot[] = [];

  constructor(readonly windowS = 600) {}

  push(s: StatsSnapshot): void {
    if (this.samples.at(-1)?.time === s.time) return;
    this.samples.push(s);
    while (this.samples.length > 2 && seconds(s, this.samples[0]!) > this.windowS) this.samples.shift();
  }

  /** One line per direction and reason that dropped anything in the window: rate now, count over 1 min and over the window. */
  lines(): string[] {
    const cur = this.samples.at(-1);
    if (cur === undefined) return [];
    const prev = this.samples.at(-2);
    const minuteAgo = [...this.samples].reverse().find((s) => seconds(cur, s) >= 60) ?? this.samples[0]!;
    const oldest = this.samples[0]!;
    const out: string[] = [];
    for (const dir of ['to_wan', 'from_wan'] as const) {
      for (const [reason, n] of Object.entries(cur[dir].drops)) {
        const inWindow = n - (oldest[dir].drops[reason] ?? 0);
        if (inWindow <= 0) continue;
        const now = prev ? rate(n, prev[dir].drops[reason] ?? 0, seconds(cur, prev)) : NaN;
        out.push(`  ${dir === 'to_wan' ? 'TAP → WAN' : 'WAN → TAP'} ${reason.padEnd(20)} ${fmtRate(now).padStart(7)}/s  last ${Math.round(seconds(cur, minuteAgo))} s ${n - (minuteAgo[dir].drops[reason] ?? 0)}  last ${Math.round(seconds(cur, oldest))} s ${inWindow}`);
      }
    }
    return out.length === 0 ? [`Drops over the last ${Math.round(seconds(cur, oldest))} s: none`] : [`Drops by reason (rate now, then counts over time)`, ...out];
  }
}
