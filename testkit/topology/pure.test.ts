import { expect } from 'chai';
import fc from 'fast-check';
import { makeRunId, namespaceName, parseNamespaceName, runPrefix, randomTag } from '../run-id.js';
import { hostAddress } from './host-names.js';
import { scaledBridgeTimers, scaledHostTimers, validateScale, membershipTimeoutS } from './igmp-timers.js';
import * as cmd from './commands.js';
import { lossTable, lossThreshold, outgoingLengthLimitTable, tgwGuardTable, securityGroupDropQueriesTable, sumCounterPackets } from './nft-rules.js';
import { parseMdbJson, parseMdbMonitorLine, portsRegisteredFor } from './mdb.js';
import { staleNamespaces, parseNetnsList } from './stale.js';

describe('run naming', () => {
  it('round-trips any run id and role through the namespace name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4_194_304 }), fc.stringMatching(/^[a-z0-9]{4,8}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/), (pid, tag, role) => {
        const id = makeRunId(pid, tag);
        const name = namespaceName(id, role);
        expect(name.startsWith(runPrefix(id))).to.equal(true);
        expect(parseNamespaceName(name)).to.deep.equal({ id, role });
      }),
    );
  });
  it('does not claim anybody else’s namespaces and rejects bad parts by name', () => {
    for (const n of ['gb-123-abcd-h1', 'gbh-0x1-abcd-h1', 'gbh-12-AB-h1', 'netns1', 'gbh-12-abcd-']) expect(parseNamespaceName(n)).to.equal(null);
    expect(() => makeRunId(0)).to.throw(/pid/);
    expect(() => makeRunId(1, 'no!')).to.throw(/tag/);
    expect(() => namespaceName(makeRunId(1, 'abcd'), 'H1')).to.throw(/role/);
    expect(() => hostAddress(0)).to.throw(/host index/);
    expect(randomTag()).to.match(/^[a-z0-9]{6}$/);
  });
  it('treats only harness namespaces with a dead owner as stale', () => {
    const names = parseNetnsList('gbh-100-abcd-tgw (id: 3)\ngbh-200-efgh-h1\nother\ngbh-100-abcd-h1 (id: 4)\n');
    expect(names).to.deep.equal(['gbh-100-abcd-tgw', 'gbh-200-efgh-h1', 'other', 'gbh-100-abcd-h1']);
    expect(staleNamespaces(names, (pid) => pid === 200)).to.deep.equal(['gbh-100-abcd-tgw', 'gbh-100-abcd-h1']);
  });
});

describe('IGMP timer scaling', () => {
  it('reproduces the verified recipe at scale 60 (centiseconds)', () => {
    expect(scaledBridgeTimers(60)).to.deep.equal({
      mcast_query_interval: 200,
      mcast_query_response_interval: 100,
      mcast_membership_interval: 700,
      mcast_querier_interval: 650,
      mcast_startup_query_interval: 100,
      mcast_startup_query_count: 2,
      mcast_last_member_count: 2,
      mcast_last_member_interval: 100,
    });
    expect(membershipTimeoutS(60)).to.equal(7);
  });
  it('keeps the TGW proportions at any scale and never queries faster than the kernel allows', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 120, noNaN: true }), (scale) => {
        const t = scaledBridgeTimers(scale);
        expect(t.mcast_query_interval).to.be.at.least(100);
        expect(t.mcast_startup_query_interval).to.be.at.least(100);
        expect(t.mcast_query_response_interval).to.be.lessThan(t.mcast_query_interval);
        // GMI = 3 × query + response, within rounding of the centisecond values.
        expect(Math.abs(t.mcast_membership_interval - (3 * 12000 + 6000) / scale)).to.be.at.most(1);
        expect(scaledHostTimers(scale).unsolicitedReportIntervalMs).to.equal(Math.max(1, Math.round(10_000 / scale)));
      }),
    );
  });
  it('rejects scales outside 1..120 and a bad qrv, naming them', () => {
    for (const s of [0, 0.5, 121, NaN]) expect(() => validateScale(s)).to.throw(/scale must be/);
    expect(() => scaledHostTimers(60, 0)).to.throw(/igmp_qrv/);
  });
});

describe('topology commands', () => {
  it('creates the stand-in with the querier off and enables it separately', () => {
    const create = cmd.createTgwBridge('ns', scaledBridgeTimers(60), 1500);
    expect(create.join(' ')).to.contain('mcast_snooping 1 mcast_querier 0 mcast_igmp_version 2');
    expect(create.join(' ')).to.contain('mcast_query_interval 200');
    expect(cmd.enableQuerier('ns')).to.deep.equal(['ip', '-n', 'ns', 'link', 'set', 'br0', 'type', 'bridge', 'mcast_querier', '1']);
    expect(cmd.portMulticastPolicy('t', 'tgw-h1')).to.deep.equal(['bridge', '-n', 't', 'link', 'set', 'dev', 'tgw-h1', 'mcast_flood', 'off', 'mcast_router', '0']);
  });
  it('creates the veth inside the stand-in with its peer straight in the host namespace', () => {
    expect(cmd.createUplink('t', 'tgw-h1', 'h', 'h1-up', 8500).join(' ')).to.equal(
      'ip -n t link add tgw-h1 mtu 8500 type veth peer name h1-up mtu 8500 netns h',
    );
  });
  it('sets IGMPv2 and the scaled host timers in the host namespace', () => {
    const s = cmd.hostSysctls('h', 'h1-up', scaledHostTimers(60)).join(' ');
    expect(s).to.contain('net.ipv4.conf.h1-up.force_igmp_version=2');
    expect(s).to.contain('net.ipv4.conf.h1-up.igmpv2_unsolicited_report_interval=167');
    expect(s).to.contain('net.ipv4.igmp_qrv=2');
  });
  it('builds the VXLAN baseline as the recipe does', () => {
    expect(cmd.createVxlan('h', 'vx0', { vni: 42, group: '239.0.0.42', uplink: 'h1-up', dstPort: 4789, ttl: 1 }).join(' ')).to.equal(
      'ip -n h link add vx0 type vxlan id 42 group 239.0.0.42 dev h1-up dstport 4789 ttl 1 df set',
    );
  });
  it('switches an uplink’s offloads with ethtool inside the host namespace', () => {
    expect(cmd.setOffload('h', 'h1-up', { 'tx-udp-segmentation': false, gro: true }).join(' ')).to.equal(
      'ip netns exec h ethtool -K h1-up tx-udp-segmentation off gro on',
    );
  });
});

describe('nftables rule sets', () => {
  it('drop with numgen random at the requested resolution, on the named ports only', () => {
    const t = lossTable('gbh_loss', { ports: ['tgw-h2'], group: '224.0.1.100', udpPort: 61850, lossPercent: 5 });
    expect(t.text).to.contain('oifname { "tgw-h2" } ip daddr 224.0.1.100 udp dport 61850 numgen random mod 10000 < 500 counter drop');
    expect(t.text).to.not.match(/chain fwd\b/); // nft refuses a chain called fwd
    expect(lossThreshold(0.01)).to.equal(1);
    expect(lossThreshold(100)).to.equal(10_000);
  });
  it('reject bad values naming them', () => {
    expect(() => lossThreshold(101)).to.throw(/loss percent/);
    expect(() => lossTable('x', { ports: ['a b'], group: '224.0.1.100', udpPort: 1, lossPercent: 1 })).to.throw(/interface name/);
    expect(() => lossTable('x', { ports: ['a'], group: '224.0.1.300', udpPort: 1, lossPercent: 1 })).to.throw(/group/);
    expect(() => lossTable('x-y', { ports: ['a'], group: '224.0.1.1', udpPort: 1, lossPercent: 1 })).to.throw(/table name/);
    expect(() => lossTable('x', { ports: ['a'], group: '224.0.1.1', udpPort: 0, lossPercent: 1 })).to.throw(/port/);
  });
  it('guard the stand-in and emulate a security group without inbound queries', () => {
    expect(tgwGuardTable().text).to.contain('igmp type membership-query counter drop');
    expect(tgwGuardTable().text).to.contain('ip frag-off & 0x3fff != 0 counter drop');
    expect(securityGroupDropQueriesTable().text).to.contain('hook input');
  });
  it('limit the length of outgoing packets to the group, naming a bad limit', () => {
    expect(outgoingLengthLimitTable('gb_lim', '224.0.1.100', 61850, 1000).text).to.contain('hook output');
    expect(outgoingLengthLimitTable('gb_lim', '224.0.1.100', 61850, 1000).text).to.contain('ip daddr 224.0.1.100 udp dport 61850 meta length > 1000 counter drop');
    expect(() => outgoingLengthLimitTable('gb_lim', '224.0.1.100', 61850, 70000)).to.throw(/maxLength/);
  });
  it('sum the counters of nft -j output', () => {
    const j = JSON.stringify({ nftables: [{ metainfo: {} }, { rule: { expr: [{ match: {} }, { counter: { packets: 7, bytes: 1 } }, { drop: null }] } }, { rule: { expr: [{ counter: { packets: 5, bytes: 1 } }] } }] });
    expect(sumCounterPackets(j)).to.equal(12);
  });
});

describe('mdb parsing', () => {
  it('reads bridge -j mdb output and monitor lines', () => {
    const e = parseMdbJson('[{"mdb":[{"index":2,"dev":"br0","port":"tgw-h2","grp":"224.0.1.100","state":"temp","flags":[],"timer":"   5.81"}],"router":{}}]');
    expect(e).to.deep.equal([{ port: 'tgw-h2', group: '224.0.1.100', state: 'temp', timerS: 5.81 }]);
    expect([...portsRegisteredFor(e, '224.0.1.100')]).to.deep.equal(['tgw-h2']);
    expect(parseMdbJson('')).to.deep.equal([]);
    expect(parseMdbMonitorLine('[MDB]Deleted dev br0 port tgw-h1 grp 224.0.1.100 temp', 5)).to.include({ action: 'deleted', port: 'tgw-h1', group: '224.0.1.100', atUs: 5 });
    expect(parseMdbMonitorLine('dev br0 port tgw-h1 grp 224.0.1.100 temp', 6)).to.include({ action: 'added' });
    expect(parseMdbMonitorLine('[LINK]4: v0@v1: <BROADCAST>', 7)).to.equal(null);
  });
});
