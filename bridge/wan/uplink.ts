// Finds an uplink (config key mcast_if: the interface the bridge sends and joins through): the
// named interface, or the interface of the default route, and its IPv4 address (the engine's
// sockets join and send by address). One lookup for the daemon, `doctor` and the IGMP suite's
// real mode, so they cannot disagree about which interface a configuration means.
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { GbError } from '../../errors/error-codes.js';
import { defaultRouteInterface } from '../igmp/proc-net-igmp.js';

export interface Uplink {
  name: string;
  address: string;
}

/** What is known about one uplink; `problem` says why it cannot carry the bridge (null: it can). */
export interface UplinkFinding {
  /** The interface: as configured, or the default route's; null when neither names one. */
  name: string | null;
  exists: boolean;
  /** Its first IPv4 address; null when it has none (down, unnumbered, absent). */
  address: string | null;
  problem: string | null;
}

/** What the lookup reads from the host (the real one by default; a test may pass its own). */
export interface UplinkHost {
  /** /proc/net/route as text ('' when unreadable). */
  routeTable(): string;
  exists(name: string): boolean;
  ipv4(name: string): string | null;
}

export const THIS_HOST: UplinkHost = {
  routeTable: () => {
    try {
      return readFileSync('/proc/net/route', 'utf8');
    } catch {
      return '';
    }
  },
  exists: (name) => existsSync(`/sys/class/net/${name}`),
  ipv4: (name) => (networkInterfaces()[name] ?? []).find((a) => a.family === 'IPv4')?.address ?? null,
};

/** One uplink: `mcastIf` names it, or '' means the interface of the default route. */
export function findUplink(mcastIf: string, host: UplinkHost = THIS_HOST): UplinkFinding {
  const name = mcastIf !== '' ? mcastIf : defaultRouteInterface(host.routeTable());
  if (name === null) {
    return { name, exists: false, address: null, problem: 'mcast_if is empty and there is no default route to take the uplink from; set --mcast-if IFACE (mcast_if in the config)' };
  }
  if (!host.exists(name)) return { name, exists: false, address: null, problem: `uplink interface "${name}" (mcast_if) does not exist; see \`ip -br link\`` };
  const address = host.ipv4(name);
  if (address === null) {
    return { name, exists: true, address, problem: `uplink interface "${name}" (mcast_if) has no IPv4 address (is it up?); multicast is sent and joined through its address` };
  }
  return { name, exists: true, address, problem: null };
}

/** Every configured uplink (WAN path), in order; [] = the interface of the default route. */
export function findUplinks(mcastIf: readonly string[], host: UplinkHost = THIS_HOST): UplinkFinding[] {
  return (mcastIf.length === 0 ? [''] : mcastIf).map((n) => findUplink(n, host));
}

/** The uplink the bridge can use, or GB_ERR_NO_INTERFACE saying why not. */
export function usableUplink(f: UplinkFinding): Uplink {
  if (f.problem !== null || f.name === null || f.address === null) throw new GbError('GB_ERR_NO_INTERFACE', f.problem ?? 'no uplink');
  return { name: f.name, address: f.address };
}

/** Every configured uplink, usable, or GB_ERR_NO_INTERFACE naming the first that is not. */
export function resolveUplinks(mcastIf: readonly string[], host: UplinkHost = THIS_HOST): Uplink[] {
  return findUplinks(mcastIf, host).map(usableUplink);
}
