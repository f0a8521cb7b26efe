import { expect } from 'chai';
import { parseUdpSnmp, parseLinkStatsJson, diffCounters } from './host-counters.js';
import { dataPlaneConfig, flattenCounters, refusedDataPlane } from './bridge-path.js';
import { parseConfigFile } from '../../bridge/config/resolve-config.js';

describe('host counters', () => {
  it('reads the Udp lines of /proc/net/snmp by name', () => {
    const snmp = [
      'Ip: Forwarding DefaultTTL',
      'Ip: 2 64',
      'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
      'Udp: 100 2 7 50 5 1 0 0 0',
      'UdpLite: InDatagrams NoPorts',
      'UdpLite: 0 0',
    ].join('\n');
    expect(parseUdpSnmp(snmp)).to.include({ InDatagrams: 100, InErrors: 7, RcvbufErrors: 5, SndbufErrors: 1 });
    expect(parseUdpSnmp('Ip: x\nIp: 1\n')).to.deep.equal({});
  });
  it('sums rx and tx drops of ip -s -j link and subtracts snapshots', () => {
    const j = JSON.stringify([{ ifname: 'goose0', stats64: { rx: { packets: 10, dropped: 2 }, tx: { packets: 20, dropped: 3 } } }]);
    expect(parseLinkStatsJson(j)).to.deep.equal({ rxPackets: 10, txPackets: 20, dropped: 5 });
    const a = { ifRxPackets: 5, ifTxPackets: 6, ifDropped: 7, udpRcvbufErrors: 8, udpSndbufErrors: 9, udpInErrors: 10 };
    expect(diffCounters(a, { ...a, ifDropped: 2 })).to.deep.include({ ifDropped: 5, udpInErrors: 0 });
  });
  it('flattens the daemon stats JSON into dotted numeric counters', () => {
    expect(flattenCounters({ version: 1, time: 'x', to_wan: { dropped: 3, drops: { runt: 1 } }, groups: ['a'] })).to.deep.equal({
      version: 1,
      'to_wan.dropped': 3,
      'to_wan.drops.runt': 1,
    });
  });
});

describe('bridge-user: the daemon forced onto its user-space data plane', () => {
  it('writes data_plane = user into its config file, or a daemon that refuses the key stops it with one clear message', () => {
    const text = dataPlaneConfig('user');
    let values: Record<string, string>;
    try {
      values = parseConfigFile('bridge-user.conf', text).values;
    } catch (err) {
      // A build without the kernel data path: the refusal is recognised and explained.
      expect(refusedDataPlane('bridge-user', (err as Error).message)).to.include('bridge-user: this goose-bridge does not know the config key data_plane');
      return;
    }
    expect(values.data_plane).to.equal('user');
  });
  it('passes any other start-up failure through as it is', () => {
    expect(refusedDataPlane('bridge-user', 'goose-bridge h1 exit 1; stderr tail: EPERM opening /dev/net/tun')).to.equal(null);
  });
});
