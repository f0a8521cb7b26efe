import { expect } from 'chai';
import type { EngineCounts } from '../../native/engine.js';
import { SEQ_SLOTS } from '../../native/kernel-path.js';
import { resolveConfig } from '../config/resolve-config.js';
import { engineConfigFor, joinFlags } from './engine-config.js';
import { autoSkipReason, kernelPathConfigFor, kernelTierReceives, SeqSlots, withKernelAppidCounts, withKernelCounts } from './kernel-tier-config.js';

const config = (cli: Record<string, string>) => resolveConfig({ cli, env: {} }).config;

function inputs(cli: Record<string, string>, uplinkCount = 1) {
  const cfg = config(cli);
  const map = cfg.groupMap;
  const uplinks = Array.from({ length: uplinkCount }, (_, i) => ({ ifindex: 10 + i, address: `10.0.${i}.1`, mac: '02:00:00:00:00:0' + i }));
  return kernelPathConfigFor({ cfg, engine: engineConfigFor(cfg, 1500, null), ownSender: { hi: 1, lo: 2 }, seqSlots: map.groups.map((_, i) => i), join: joinFlags(cfg), uplinks, l2Ifindex: 7, generation: 3 });
}

describe('kernel tier configuration from the bridge configuration', () => {
  it('carries the engine configuration, the WAN and the L2 side the daemon runs with', () => {
    const k = inputs({ group_map: 'appid:0x0100-0x01ff=239.0.1.101', multicast_port: '61851', ttl: '5' });
    expect(k.engine.groups).to.deep.equal(['224.0.1.100', '239.0.1.101']);
    expect(k.port).to.equal(61851);
    expect(k.ttl).to.equal(5);
    expect(k.l2).to.deep.equal({ ifindex: 7, ingress: true });
    expect(k.toWan).to.equal(true);
    expect(k.fromWan).to.equal(true);
    expect(k.generation).to.equal(3);
  });

  it('hands dual paths and gateway pairs to user space, and writes a gateway LAN at egress', () => {
    const dual = inputs({}, 2);
    expect([dual.toWan, dual.fromWan]).to.deep.equal([false, false]);
    const pair = inputs({ attach_interface: 'eth9', site: 'sub1' });
    expect(pair.fromWan).to.equal(false);
    expect(pair.l2.ingress).to.equal(false);
  });

  it('puts the receive sockets behind from_wan (no UDP GRO) only where it delivers: GB1, one uplink, a TAP', () => {
    expect(kernelTierReceives(config({}), 1)).to.equal(true);
    expect(kernelTierReceives(config({}), 2), 'dual paths').to.equal(false);
    expect(kernelTierReceives(config({ attach_interface: 'eth9' }), 1), 'gateway mode').to.equal(false);
    expect(kernelTierReceives(config({ encapsulation: 'rgoose' }), 1), 'R-GOOSE').to.equal(false);
  });

  it('auto leaves R-GOOSE to user space and says why; GB1 has no reason', () => {
    expect(autoSkipReason(config({ encapsulation: 'rgoose' }))).to.match(/encapsulation = rgoose/);
    expect(autoSkipReason(config({}))).to.equal(null);
  });
});

describe('sequence slots', () => {
  it('keeps a group\'s slot across reloads and gives a new group a free one', () => {
    const s = new SeqSlots();
    expect(s.assign(['224.0.1.100', '239.0.1.101'])).to.deep.equal([0, 1]);
    expect(s.assign(['239.0.1.101', '239.0.1.102'])).to.deep.equal([1, 2]);
    expect(s.assign(['224.0.1.100'])).to.deep.equal([0]);
    expect([s.slotOf('239.0.1.102'), s.slotOf('239.7.7.7')]).to.deep.equal([2, undefined]);
  });

  it('reuses the slot of a group no longer in the map only when every slot was used, and refuses beyond the map size', () => {
    const s = new SeqSlots();
    const many = Array.from({ length: SEQ_SLOTS }, (_, i) => `239.1.${i >> 8}.${i & 255}`);
    s.assign(many);
    expect(s.assign(['239.9.9.9'])).to.deep.equal([0]);
    expect(() => s.assign([...many.slice(1), '239.9.9.9', '239.9.9.8'])).to.throw(/GB_ERR_CONFIG: group_map/);
  });
});

describe('kernel tier counters joined to the engine\'s', () => {
  it('adds counts, drops and path rows under the same labels; the user-space gauges stand', () => {
    const e: EngineCounts = {
      counters: { wan_datagrams_sent: 5, l2_frames_written: 2, lan_writer: 1, site_peers: 2 },
      toWanDrops: { arp: 1, oversize: 0 },
      fromWanDrops: { duplicate: 3 },
      paths: [{ datagrams_sent: 5, skew_max_us: 40 }, { datagrams_sent: 0, skew_max_us: 0 }],
    };
    const k: EngineCounts = {
      counters: { wan_datagrams_sent: 100, l2_frames_written: 40, lan_writer: 1, site_peers: 9 },
      toWanDrops: { arp: 0, oversize: 2 },
      fromWanDrops: { duplicate: 1 },
      paths: [{ datagrams_sent: 100, skew_max_us: 7 }, { datagrams_sent: 3, skew_max_us: 9 }],
    };
    const sum = withKernelCounts(e, k);
    expect(sum.counters).to.deep.equal({ wan_datagrams_sent: 105, l2_frames_written: 42, lan_writer: 1, site_peers: 2 });
    expect(sum.toWanDrops).to.deep.equal({ arp: 1, oversize: 2 });
    expect(sum.fromWanDrops).to.deep.equal({ duplicate: 4 });
    expect(sum.paths).to.deep.equal([{ datagrams_sent: 105, skew_max_us: 40 }, { datagrams_sent: 3, skew_max_us: 0 }]);
  });

  it('adds per-APPID rows label by label, keeps an APPID only one tier counted, and lists them in APPID order', () => {
    const row = (to: number, from: number) => ({ to_wan_frames: to, to_wan_bytes: 60 * to, from_wan_frames: from, from_wan_bytes: 60 * from });
    const sum = withKernelAppidCounts({ '0x0010': row(1, 2), '0x0300': row(0, 1) }, { '0x0010': row(10, 20), '0x0001': row(4, 0) });
    expect(Object.keys(sum)).to.deep.equal(['0x0001', '0x0010', '0x0300']);
    expect(sum).to.deep.equal({ '0x0001': row(4, 0), '0x0010': row(11, 22), '0x0300': row(0, 1) });
  });
});
