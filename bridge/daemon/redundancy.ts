// Redundancy as the stats file, `status` and the metrics show it: per WAN path (uplink) what it
// sent and carried, the frames it missed that another path delivered, how much later than the
// first its copies come (skew), and whether it went silent while the others carry frames; and,
// for a gateway pair, the site's peers and which gateway writes the LAN. Pure: no I/O imports.
import { createHash } from 'node:crypto';
import type { EngineCounts } from '../../native/engine.js';

export interface PathSnapshot {
  uplink: string;
  datagrams_sent: number;
  send_errors: number;
  datagrams_received: number;
  /** Delivered frames whose first copy came this way. */
  frames_first: number;
  /** Later copies discarded on this path. */
  redundant_copies: number;
  /** Frames another path delivered of which this one carried no copy (loss on this path). */
  missing_frames: number;
  /** How much later than the first copy this path's copies arrive: EWMA (1/8) and most. */
  skew_ewma_us: number;
  skew_max_us: number;
  /** Received nothing for a while although the other paths carried datagrams. */
  silent: boolean;
}

export interface RedundancySnapshot {
  paths: PathSnapshot[];
  /** Gateway pairs: the site name ('' = none), live peers heard, whether this gateway writes the LAN. */
  site: string;
  site_peers: number;
  lan_writer: boolean;
  /** Frames from the WAN a site peer wrote to the LAN instead of this (standby) gateway. */
  frames_left_to_peer: number;
  heartbeats_received: number;
}

export function redundancySnapshot(e: EngineCounts, uplinks: readonly string[], silent: readonly boolean[], site: string): RedundancySnapshot {
  const rows = e.paths.slice(0, uplinks.length);
  const delivered = rows.reduce((s, r) => s + r.frames_first!, 0);
  return {
    paths: rows.map((r, i) => ({
      uplink: uplinks[i]!,
      datagrams_sent: r.datagrams_sent!,
      send_errors: r.send_errors!,
      datagrams_received: r.datagrams_received!,
      frames_first: r.frames_first!,
      redundant_copies: r.redundant_copies!,
      missing_frames: Math.max(0, delivered - r.frames_seen!),
      skew_ewma_us: r.skew_ewma_us!,
      skew_max_us: r.skew_max_us!,
      silent: silent[i] ?? false,
    })),
    site,
    site_peers: e.counters.site_peers!,
    lan_writer: e.counters.lan_writer === 1,
    frames_left_to_peer: e.counters.l2_frames_left_to_peer!,
    heartbeats_received: e.counters.wan_control_datagrams!,
  };
}

/** The engine's site id: 32 bits of SHA-256 of the name, never 0 (0 = no site). */
export function siteId(name: string): number {
  if (name === '') return 0;
  return createHash('sha256').update(name).digest().readUInt32BE(0) || 1;
}

/** How long a path may receive nothing while the others carry datagrams before it is silent. */
export const PATH_SILENCE_MS = 2000;
/** What the others must carry meanwhile: a quiet WAN is not a silent path. */
const OTHERS_MIN_DATAGRAMS = 2;

export type PathEvent = { event: 'path-silent'; path: number } | { event: 'path-restored'; path: number; silentMs: number };

/**
 * Turns per-path receive counts, sampled once a second, into events: a path that receives nothing
 * for PATH_SILENCE_MS while the other paths receive is silent (logged once), and restored when it
 * receives again. Pure: the caller samples and passes the clock.
 */
export class PathWatch {
  private lastMs: number[] = [];
  private othersAt: number[] = [];
  private last: number[] = [];
  readonly silent: boolean[] = [];
  private silentSinceMs: number[] = [];

  tick(nowMs: number, received: readonly number[]): PathEvent[] {
    const out: PathEvent[] = [];
    const total = received.reduce((s, v) => s + v, 0);
    received.forEach((count, p) => {
      if (this.last[p] === undefined || count !== this.last[p]) {
        if (this.silent[p] === true) out.push({ event: 'path-restored', path: p, silentMs: nowMs - this.silentSinceMs[p]! });
        this.last[p] = count;
        this.lastMs[p] = nowMs;
        this.othersAt[p] = total - count;
        this.silent[p] = false;
        return;
      }
      const othersCarried = total - count - this.othersAt[p]!;
      if (this.silent[p] !== true && received.length > 1 && nowMs - this.lastMs[p]! >= PATH_SILENCE_MS && othersCarried >= OTHERS_MIN_DATAGRAMS) {
        this.silent[p] = true;
        this.silentSinceMs[p] = this.lastMs[p]!;
        out.push({ event: 'path-silent', path: p });
      }
    });
    return out;
  }
}
