// The stats snapshot from the daemon's parts: both tiers' counts in one set, the uplinks'
// memberships merged, the kernel tier's share and hooks, and the L2 side's kernel drops.
import { expect } from 'chai';
import { countsFromSlots, type EngineCounts } from '../../native/engine.js';
import { resolveConfig } from '../config/resolve-config.js';
import { senderIdToHex } from '../wan/gb1-format.js';
import { BridgeCounters, type RuntimeSnapshot } from './bridge-counters.js';
import { buildSnapshot, type SnapshotSources, type SupervisorView } from './stats-snapshot.js';

const RUNTIME: RuntimeSnapshot = { event_loop_delay_p50_us: 12, event_loop_delay_p99_us: 80, event_loop_delay_max_us: 900, rss_bytes: 50e6, heap_used_bytes: 9e6 };

function counts(set: Partial<Record<string, number>>): EngineCounts {
  const c = countsFromSlots([]);
  Object.assign(c.counters, set);
  return c;
}

function sources(over: Partial<SnapshotSources> = {}): SnapshotSources {
  const cfg = resolveConfig({ cli: { group_map: 'appid:0x0010=239.0.1.7,appid:0x0020=239.0.1.8', interface: 'gbsnap0' } }).config;
  return {
    counters: new BridgeCounters(),
    engine: { appidCounts: () => ({}), packetSocketDrops: () => 0 },
    counts: () => counts({}),
    kernel: null,
    tier: { tier: 'user', requested: 'user', reason: null },
    cfg,
    l2: null,
    uplinks: [{ name: 'up0', address: '10.0.0.1' }],
    keys: null,
    supervisors: [],
    silentPaths: [false],
    runtime: RUNTIME,
    startedMs: 1_000,
    senderId: { hi: 1, lo: 2 },
    nowMs: 61_000,
    ...over,
  };
}

const supervisor = (membership: Record<string, boolean | null>, lastKeepaliveMs: number | null): SupervisorView => ({ strategy: 'report', membership, lastKeepaliveMs, lastCheckMs: null });

describe('stats snapshot: one bridge from its parts', () => {
  it('a group is a member only when every uplink has it; unknown on any uplink is unknown', () => {
    const snap = buildSnapshot(
      sources({
        supervisors: [supervisor({ '239.0.1.7': true, '239.0.1.8': true, '239.0.1.9': null }, null), supervisor({ '239.0.1.7': true, '239.0.1.8': false, '239.0.1.9': true }, 30_000)],
      }),
    );
    expect(snap.igmp.membership).to.deep.equal({ '239.0.1.7': true, '239.0.1.8': false, '239.0.1.9': null });
    expect(snap.igmp.last_keepalive).to.equal(new Date(30_000).toISOString());
    expect(snap.keepalive_strategy).to.equal('report');
  });

  it("shows the counts it is given (both tiers') and the kernel tier's own share, hooks and tier choice", () => {
    const kernelCounts = counts({ wan_datagrams_sent: 70, l2_frames_written: 40 });
    const snap = buildSnapshot(
      sources({
        counts: () => counts({ l2_frames_read: 100, wan_datagrams_sent: 100, l2_frames_written: 50 }),
        kernel: { counts: () => kernelCounts, describe: () => ['gbsnap0 egress (to_wan)'], appidCounts: () => ({}) },
        tier: { tier: 'kernel', requested: 'auto', reason: null },
      }),
    );
    expect(snap.to_wan).to.deep.include({ frames_read: 100, datagrams_sent: 100 });
    expect(snap.from_wan.frames_written).to.equal(50);
    expect(snap.data_plane).to.deep.equal({ tier: 'kernel', requested: 'auto', reason: null, hooks: ['gbsnap0 egress (to_wan)'], kernel_datagrams_sent: 70, kernel_frames_written: 40 });
  });

  it('names what runs: interface, uplinks, groups, port, sender, uptime, runtime; GB1 is never authenticated', () => {
    const snap = buildSnapshot(sources({ uplinks: [{ name: 'up0', address: '10.0.0.1' }, { name: 'up1', address: '10.1.0.1' }], silentPaths: [false, false] }));
    expect(snap).to.deep.include({ interface: 'gbsnap0', uplink: 'up0,up1', groups: ['224.0.1.100', '239.0.1.7', '239.0.1.8'], port: 61850, uptime_s: 60, encapsulation: 'gb1', wan_authenticated: false });
    expect(snap.sender_id).to.equal(senderIdToHex({ hi: 1, lo: 2 }));
    expect(snap.runtime).to.deep.equal(RUNTIME);
    expect(snap.redundancy?.paths?.map((p) => p.uplink)).to.deep.equal(['up0', 'up1']);
  });

  it('before the first configuration has run: no interface, no groups, keepalive none', () => {
    const snap = buildSnapshot(sources({ cfg: undefined, uplinks: [], silentPaths: [] }));
    expect(snap).to.deep.include({ interface: '', groups: [], port: 0, keepalive_strategy: 'none', encapsulation: 'gb1' });
  });

  it("gateway mode: the packet socket's drops (reported since the last read) add up across snapshots", () => {
    const s = sources({
      engine: { appidCounts: () => ({}), packetSocketDrops: () => 3 },
      l2: { handle: 1, ifname: 'gbsnap0', ifindex: 7, existed: true, mtu: 1500, gateway: true },
    });
    buildSnapshot(s);
    expect(buildSnapshot(s).to_wan.kernel_drops).to.equal(6);
  });
});
