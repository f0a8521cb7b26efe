import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeCounters, FROM_WAN_INDEX, snapshotCounters, TO_WAN_INDEX } from './bridge-counters.js';
import { buildRegistry, startMetricsServer } from './metrics-server.js';
import { readStatsFile, writeStatsFileAtomic } from './stats-file.js';

function sample(counters: BridgeCounters) {
  return snapshotCounters(
    counters,
    { gapFrames: 7, gapEvents: 2, lateFrames: 1, duplicates: 3, stale: 0, ownDatagrams: 5, senders: 2 },
    { nowMs: 2_000_000, startedMs: 1_000_000, pid: 1, senderId: 'ab', interface: 'goose0', uplink: 'ens5', groups: ['224.0.1.100'], port: 61850, keepaliveStrategy: 'report', membership: { '224.0.1.100': true }, lastKeepaliveMs: null, lastCheckMs: null },
  );
}

describe('metrics', () => {
  it('exposes every documented metric, in base units, from the plain counters', async () => {
    const c = new BridgeCounters();
    c.l2FramesRead = 12;
    c.l2BytesRead = 1200;
    c.toWanDrops[TO_WAN_INDEX.arp!] = 4;
    c.fromWanDrops[FROM_WAN_INDEX['bad-magic']!] = 2;
    c.igmpKeepalives = 9;
    c.countError('tap-lost');
    const text = await buildRegistry(() => sample(c)).metrics();
    // docs/bridge.md documents the metrics: every one it names is exposed, and nothing else is
    const documented = new Set(readFileSync(new URL('../../docs/bridge.md', import.meta.url), 'utf8').match(/goose_bridge_[a-z0-9_]+/g));
    const exposed = new Set([...text.matchAll(/^# TYPE (goose_bridge_[a-z0-9_]+) (?:counter|gauge)$/gm)].map((m) => m[1]!));
    expect(documented.size).to.be.greaterThan(20);
    expect([...exposed].sort()).to.deep.equal([...documented].sort());
    expect(text).to.match(/^goose_bridge_tap_frames_read_total 12$/m);
    expect(text).to.match(/^goose_bridge_tap_read_bytes_total 1200$/m);
    expect(text).to.match(/^goose_bridge_to_wan_dropped_frames_total\{reason="arp"\} 4$/m);
    expect(text).to.match(/^goose_bridge_from_wan_dropped_datagrams_total\{reason="bad-magic"\} 2$/m);
    expect(text).to.match(/^goose_bridge_from_wan_dropped_datagrams_total\{reason="duplicate"\} 3$/m);
    expect(text).to.match(/^goose_bridge_from_wan_dropped_datagrams_total\{reason="own-sender"\} 5$/m);
    expect(text).to.match(/^goose_bridge_wan_gap_frames_total 7$/m);
    expect(text).to.match(/^goose_bridge_igmp_keepalives_total\{strategy="report"\} 9$/m);
    expect(text).to.match(/^goose_bridge_igmp_membership\{group="224.0.1.100"\} 1$/m);
    expect(text).to.match(/^goose_bridge_errors_total\{kind="tap-lost"\} 1$/m);
    expect(text).to.match(/^goose_bridge_uptime_seconds 1000$/m);
    expect(text).to.match(/^goose_bridge_wan_authenticated\{encapsulation="gb1"\} 0$/m);
    const signed = { ...sample(c), encapsulation: 'rgoose' as const, wan_authenticated: true };
    expect(await buildRegistry(() => signed).metrics()).to.match(/^goose_bridge_wan_authenticated\{encapsulation="rgoose"\} 1$/m);
    // Values follow the counters on the next scrape (collected lazily, not cached).
    c.l2FramesRead = 20;
    expect(await buildRegistry(() => sample(c)).metrics()).to.match(/^goose_bridge_tap_frames_read_total 20$/m);
  });

  it('serves /metrics on 127.0.0.1', async () => {
    const c = new BridgeCounters();
    c.wanDatagramsSent = 3;
    const server = await startMetricsServer(0, () => sample(c));
    try {
      const addr = server.address() as { address: string; port: number };
      expect(addr.address).to.equal('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${addr.port}/metrics`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.match(/^goose_bridge_wan_datagrams_sent_total 3$/m);
      expect((await fetch(`http://127.0.0.1:${addr.port}/nope`)).status).to.equal(404);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

describe('writeStatsFileAtomic', () => {
  it('replaces the file whole and leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-stats-'));
    try {
      const path = join(dir, 'sub', 'stats.json');
      const c = new BridgeCounters();
      writeStatsFileAtomic(path, sample(c));
      c.l2FramesRead = 5;
      writeStatsFileAtomic(path, sample(c));
      expect(readStatsFile(path).to_wan.frames_read).to.equal(5);
      expect(readdirSync(join(dir, 'sub'))).to.deep.equal(['stats.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
