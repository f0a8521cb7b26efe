import { expect } from 'chai';
import { findUplink, type UplinkHost } from '../wan/uplink.js';
import { diagnose, formatFindings, type DoctorFacts, type UplinkFacts } from './doctor-checks.js';

/** A host with ens5 (10.0.0.5, the default route) and ens6 (no address). */
const HOST: UplinkHost = {
  routeTable: () => 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nens5\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n',
  exists: (name) => name === 'ens5' || name === 'ens6',
  ipv4: (name) => (name === 'ens5' ? '10.0.0.5' : null),
};

const ENS5: UplinkFacts = { found: findUplink('', HOST), flags: 0x1003, forceIgmpVersion: 0, rpFilter: 2 };

const HEALTHY: DoctorFacts = {
  uplinks: [ENS5],
  forceIgmpVersionAll: 2,
  rpFilterAll: 0,
  procNetIgmp: 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n2\tens5      :     2      V2\n\t\t\t\t640100E0     1 0:00000000\t\t1\n',
  groups: ['224.0.1.100'],
  tapName: 'goose0',
  tapExists: true,
  tapIsTun: true,
  tapFlags: 0x1003,
  hasCapNetRaw: true,
  hasCapNetAdmin: true,
  daemonRunning: true,
  statsFile: '/run/goose-bridge/stats.json',
  littleEndian: true,
  encapsulation: 'rgoose',
  rgooseKeys: '/etc/goose-bridge/keys.json',
  rgooseKeysError: null,
};

function levels(f: DoctorFacts): Record<string, string> {
  return Object.fromEntries(diagnose(f).map((x) => [x.check, x.level]));
}

describe('diagnose (doctor)', () => {
  it('reports the WAN as unauthenticated with GB1 or unsigned R-GOOSE, and a key file that does not load as a failure', () => {
    expect(levels(HEALTHY)['WAN authentication']).to.equal('ok');
    expect(levels({ ...HEALTHY, encapsulation: 'gb1' })['WAN authentication']).to.equal('warn');
    expect(levels({ ...HEALTHY, rgooseKeys: '' })['WAN authentication']).to.equal('warn');
    const broken = diagnose({ ...HEALTHY, rgooseKeysError: 'keys.json: mode 644 lets group or others read it' }).find((x) => x.check === 'WAN authentication')!;
    expect(broken.level).to.equal('fail');
    expect(broken.detail).to.include('644');
  });

  it('counts warnings beside problems: a [WARN] never reads as "0 problems" alone', () => {
    expect(formatFindings(diagnose({ ...HEALTHY, encapsulation: 'gb1' })).trimEnd().split('\n').at(-1)).to.equal('0 problems, 1 warning');
    expect(formatFindings(diagnose({ ...HEALTHY, encapsulation: 'gb1', hasCapNetRaw: false, hasCapNetAdmin: false })).trimEnd().split('\n').at(-1)).to.equal('1 problem, 2 warnings');
  });

  it('names the other bridges of the namespace when none runs on the interface checked', () => {
    const d = diagnose({ ...HEALTHY, daemonRunning: false, statsFile: '/run/goose-bridge/net1-goose0.json', otherBridges: ['goose1 (pid 7, /run/goose-bridge/net1-goose1.json)'] }).find((x) => x.check === 'daemon')!;
    expect(d.level).to.equal('warn');
    expect(d.detail).to.include('no bridge on goose0').and.include('running in this network namespace: goose1 (pid 7');
    expect(d.fix).to.include('--interface');
  });

  it('passes a healthy host', () => {
    const findings = diagnose(HEALTHY);
    expect(findings.filter((f) => f.level !== 'ok')).to.deep.equal([]);
    expect(formatFindings(findings)).to.include('all checks passed');
  });

  it('names each problem with a fix', () => {
    const bad: DoctorFacts = {
      ...HEALTHY,
      uplinks: [{ ...ENS5, flags: 0x1002 /* down */, forceIgmpVersion: 0, rpFilter: 0 }],
      forceIgmpVersionAll: 0,
      rpFilterAll: 1,
      procNetIgmp: 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n2\tens5      :     1      V3\n\t\t\t\t010000E0     1 0:00000000\t\t0\n',
      tapIsTun: false,
      hasCapNetRaw: false,
    };
    expect(levels(bad)).to.include({ 'uplink up': 'fail', force_igmp_version: 'warn', rp_filter: 'warn', membership: 'fail', TAP: 'fail', CAP_NET_RAW: 'warn' });
    const text = formatFindings(diagnose(bad));
    expect(text).to.include('force_igmp_version=2').and.include('rp_filter=2').and.include('ip link set ens5 up').and.include('GB_ERR_TAP_EXISTS');
  });

  it('flags a missing MULTICAST flag and a missing IPv4 address', () => {
    const ens6: UplinkFacts = { found: findUplink('ens6', HOST), flags: 0x0003, forceIgmpVersion: 2, rpFilter: 0 };
    expect(levels({ ...HEALTHY, uplinks: [ens6] })).to.include({ 'multicast flag': 'fail', 'uplink address': 'fail' });
  });

  it('checks every uplink of a dual-path bridge (mcast_if = a, b), naming the one that fails', () => {
    const ens6: UplinkFacts = { found: findUplink('ens6', HOST), flags: 0x1003, forceIgmpVersion: 2, rpFilter: 0 };
    const findings = diagnose({ ...HEALTHY, uplinks: [ENS5, ens6] });
    const bad = findings.filter((x) => x.level === 'fail');
    expect(bad.map((x) => x.check)).to.deep.equal(['uplink address', 'membership']);
    expect(bad.every((x) => x.detail.startsWith('ens6 '))).to.equal(true);
    expect(findings.filter((x) => x.check === 'uplink up').map((x) => x.detail)).to.deep.equal(['ens5 is up', 'ens6 is up']);
  });

  it('names a missing uplink and one with no default route to take it from', () => {
    const missing = diagnose({ ...HEALTHY, uplinks: [{ ...ENS5, found: findUplink('eth9', HOST) }] }).find((x) => x.check === 'uplink')!;
    expect(missing).to.include({ level: 'fail', detail: 'eth9 does not exist' });
    const noRoute = diagnose({ ...HEALTHY, uplinks: [{ ...ENS5, found: findUplink('', { ...HOST, routeTable: () => '' }) }] }).find((x) => x.check === 'uplink')!;
    expect(noRoute.level).to.equal('fail');
    expect(noRoute.detail).to.include('no default route');
  });
});
