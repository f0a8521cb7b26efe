import { expect } from 'chai';
import fc from 'fast-check';
import { defaultRouteInterface, groupFromProcHex, hasMembership, parseProcNetIgmp } from './proc-net-igmp.js';
import { chooseKeepaliveStrategy } from './keepalive-strategy.js';
import { checkMembership, initialMonitorState } from './membership-monitor.js';

/** The kernel's notation of a group in /proc/net/igmp (the inverse the parser must undo). */
function groupToProcHex(group: string, littleEndian = true): string {
  const b = group.split('.').map(Number);
  const ordered = littleEndian ? [...b].reverse() : b;
  return ordered.map((x) => x.toString(16).toUpperCase().padStart(2, '0')).join('');
}

// Captured on this machine inside a host namespace after joining 224.0.1.100 on ha0.
const CAPTURED = `Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter
1\tlo        :     1      V3
\t\t\t\t010000E0     1 0:00000000\t\t0
2\tha0       :     2      V2
\t\t\t\t640100E0     1 0:00000000\t\t1
\t\t\t\t010000E0     1 0:00000000\t\t0
`;

describe('parseProcNetIgmp', () => {
  it('lists interfaces and their groups, decoding the little-endian hex', () => {
    const ifs = parseProcNetIgmp(CAPTURED);
    expect(ifs.map((i) => i.device)).to.deep.equal(['lo', 'ha0']);
    expect(ifs[1]!.querier).to.equal('V2');
    expect(ifs[1]!.groups.map((g) => g.group)).to.deep.equal(['224.0.1.100', '224.0.0.1']);
    expect(ifs[1]!.groups[0]!.reporter).to.equal(true);
  });

  it('answers whether the uplink is a member of the group', () => {
    expect(hasMembership(CAPTURED, 'ha0', '224.0.1.100')).to.equal(true);
    expect(hasMembership(CAPTURED, 'lo', '224.0.1.100')).to.equal(false);
    expect(hasMembership(CAPTURED, 'ha0', '224.0.1.101')).to.equal(false);
  });

  it('converts groups to and from the kernel hex in either byte order', () => {
    expect(groupToProcHex('224.0.1.100')).to.equal('640100E0');
    expect(groupFromProcHex('E0000164', false)).to.equal('224.0.1.100');
    fc.assert(
      fc.property(fc.tuple(fc.integer({ min: 224, max: 239 }), fc.nat(255), fc.nat(255), fc.nat(255)), fc.boolean(), (o, le) => {
        const g = o.join('.');
        return groupFromProcHex(groupToProcHex(g, le), le) === g;
      }),
    );
  });
});

describe('defaultRouteInterface', () => {
  it('picks the up default route with the lowest metric', () => {
    const text = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth1\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
    expect(defaultRouteInterface(text)).to.equal('eth0');
    expect(defaultRouteInterface(text.split('\n').filter((l) => !l.includes('00000000\t010200C0')).join('\n'))).to.equal(null);
  });
});

describe('checkMembership', () => {
  it('re-registers after the threshold of consecutive failed checks, then starts counting again', () => {
    let s = initialMonitorState();
    const steps = [
      { obs: { membershipPresent: true, datagrams: 10 }, failure: null, reregister: false },
      { obs: { membershipPresent: false, datagrams: 20 }, failure: 'membership-missing', reregister: false },
      { obs: { membershipPresent: true, datagrams: 20 }, failure: 'no-datagrams', reregister: true },
      { obs: { membershipPresent: true, datagrams: 20 }, failure: 'no-datagrams', reregister: false },
      { obs: { membershipPresent: true, datagrams: 21 }, failure: null, reregister: false },
    ] as const;
    for (const step of steps) {
      const d = checkMembership(s, step.obs, 2);
      expect(d.failure).to.equal(step.failure);
      expect(d.reregister).to.equal(step.reregister);
      s = d.state;
    }
    expect(s.consecutiveFailures).to.equal(0);
  });

  it('does not call a group that never carried traffic a failure', () => {
    const d = checkMembership(initialMonitorState(), { membershipPresent: true, datagrams: 0 }, 1);
    expect(d.failure).to.equal(null);
  });
});

describe('chooseKeepaliveStrategy', () => {
  it('prefers report-without-Leave with CAP_NET_RAW and falls back to rejoin with a note', () => {
    expect(chooseKeepaliveStrategy('auto', true)).to.deep.equal({ strategy: 'report', note: null });
    const fallback = chooseKeepaliveStrategy('auto', false);
    expect(fallback.strategy).to.equal('rejoin');
    expect(fallback.note).to.include('CAP_NET_RAW');
    expect(chooseKeepaliveStrategy('rejoin', true).strategy).to.equal('rejoin');
    expect(() => chooseKeepaliveStrategy('report', false)).to.throw(/GB_ERR_PERMISSION.*CAP_NET_RAW/);
  });
});
