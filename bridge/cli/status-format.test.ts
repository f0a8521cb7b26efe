import { expect } from 'chai';
import { BridgeCounters, snapshotCounters, TO_WAN_INDEX } from '../daemon/bridge-counters.js';
import { formatStatus } from './status-format.js';

function snap(timeMs: number, framesRead: number) {
  const c = new BridgeCounters();
  c.l2FramesRead = framesRead;
  c.wanDatagramsSent = framesRead - 2;
  c.toWanDrops[TO_WAN_INDEX.arp!] = 2;
  return snapshotCounters(
    c,
    { gapFrames: 3, gapEvents: 1, lateFrames: 0, duplicates: 4, stale: 0, ownDatagrams: 0, senders: 2 },
    { nowMs: timeMs, startedMs: timeMs - 10_000, pid: 4242, senderId: '00112233aabbccdd', interface: 'goose0', uplink: 'ens5', groups: ['224.0.1.100'], port: 61850, keepaliveStrategy: 'report', membership: { '224.0.1.100': true }, lastKeepaliveMs: null, lastCheckMs: timeMs },
  );
}

describe('formatStatus', () => {
  it('summarises directions, drops by reason, WAN loss and membership', () => {
    const text = formatStatus(snap(1_000_000, 100), { nowMs: 1_000_500, running: true, staleAfterMs: 15_000 });
    expect(text).to.include('running, pid 4242');
    expect(text).to.include('read 100 frames');
    expect(text).to.include('arp 2');
    expect(text).to.include('duplicate 4');
    expect(text).to.include('3 frames skipped in 1 gaps');
    expect(text).to.include('224.0.1.100 member');
  });

  it('says whether the WAN is authenticated (absent in an older daemon\'s file: no line)', () => {
    const gb1 = snap(1_000_000, 1);
    expect(formatStatus(gb1, { nowMs: 1_000_000, running: true, staleAfterMs: 15_000 })).to.include('WAN GB1, NOT AUTHENTICATED: any host that reaches the group can write into goose0');
    expect(formatStatus({ ...gb1, encapsulation: 'rgoose', wan_authenticated: true }, { nowMs: 1_000_000, running: true, staleAfterMs: 15_000 })).to.include('WAN R-GOOSE, authenticated');
    const { wan_authenticated: _, ...older } = gb1;
    expect(formatStatus(older as typeof gb1, { nowMs: 1_000_000, running: true, staleAfterMs: 15_000 })).to.not.match(/^  WAN /m);
  });

  it('shows rates against the previous snapshot and says when the daemon is gone or stale', () => {
    const prev = snap(1_000_000, 100);
    const cur = snap(1_002_000, 300);
    expect(formatStatus(cur, { nowMs: 1_002_000, running: true, staleAfterMs: 15_000, previous: prev })).to.include('(100/s)');
    expect(formatStatus(cur, { nowMs: 1_002_000, running: false, staleAfterMs: 15_000 })).to.include('NOT RUNNING');
    expect(formatStatus(cur, { nowMs: 1_100_000, running: true, staleAfterMs: 15_000 })).to.include('STALE');
  });

  it('shows each WAN path (copies, loss, skew, silence) and a gateway pair’s site when there are any', () => {
    const path = (uplink: string, silent: boolean) => ({ uplink, datagrams_sent: 10, send_errors: 0, datagrams_received: silent ? 4 : 10, frames_first: silent ? 4 : 6, redundant_copies: silent ? 0 : 4, missing_frames: silent ? 6 : 0, skew_ewma_us: 120, skew_max_us: 900, silent });
    const s = { ...snap(1_000_000, 100), redundancy: { paths: [path('up0', true), path('up1', false)], site: 'bay-1', site_peers: 1, lan_writer: false, frames_left_to_peer: 5, heartbeats_received: 40 } };
    const text = formatStatus(s, { nowMs: 1_000_500, running: true, staleAfterMs: 15_000 });
    expect(text).to.match(/Path up0 +SILENT: .*missed 6/);
    expect(text).to.match(/Path up1 +carrying: .*copies discarded 4/);
    expect(text).to.include('bay-1: 1 peer(s) heard, standby');
    expect(formatStatus(snap(1_000_000, 100), { nowMs: 1_000_500, running: true, staleAfterMs: 15_000 })).to.not.include('Path ');
  });
});
