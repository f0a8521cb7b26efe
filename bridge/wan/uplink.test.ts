// findUplink: the one lookup of the daemon, doctor and the IGMP suite's real mode.
import { expect } from 'chai';
import { GbError } from '../../errors/error-codes.js';
import { findUplink, findUplinks, resolveUplinks, usableUplink, type UplinkHost } from './uplink.js';

const ROUTE_HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';
const host = (route: string): UplinkHost => ({
  routeTable: () => ROUTE_HEADER + route,
  exists: (n) => ['ens5', 'ens6', 'ens7'].includes(n),
  ipv4: (n) => ({ ens5: '10.0.0.5', ens6: '10.0.1.6' })[n] ?? null,
});
const TWO_DEFAULTS = 'ens6\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0\nens5\t00000000\t010100C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n';

describe('findUplink', () => {
  it('finds this host\'s loopback by name, with its address', () => {
    expect(findUplink('lo')).to.deep.equal({ name: 'lo', exists: true, address: '127.0.0.1', problem: null });
  });

  it('takes the default route of lowest metric when mcast_if is empty', () => {
    expect(usableUplink(findUplink('', host(TWO_DEFAULTS)))).to.deep.equal({ name: 'ens5', address: '10.0.0.5' });
    expect(findUplinks([], host(TWO_DEFAULTS)).map((f) => f.name)).to.deep.equal(['ens5']);
  });

  it('finds every uplink of a dual-path mcast_if, in order, and names the first that cannot carry the bridge', () => {
    expect(resolveUplinks(['ens6', 'ens5'], host(''))).to.deep.equal([{ name: 'ens6', address: '10.0.1.6' }, { name: 'ens5', address: '10.0.0.5' }]);
    const found = findUplinks(['ens5', 'ens7', 'eth9'], host(''));
    expect(found.map((f) => [f.name, f.exists, f.address])).to.deep.equal([['ens5', true, '10.0.0.5'], ['ens7', true, null], ['eth9', false, null]]);
    expect(() => resolveUplinks(['ens5', 'ens7', 'eth9'], host(''))).to.throw(GbError, /"ens7" \(mcast_if\) has no IPv4 address/);
  });

  it('says there is no default route to take the uplink from', () => {
    const f = findUplink('', host(''));
    expect(f.name).to.equal(null);
    expect(() => usableUplink(f)).to.throw(GbError, /no default route/);
  });
});
