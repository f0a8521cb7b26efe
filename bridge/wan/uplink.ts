// Finds the uplink used to send and join: the configured interface, or the interface of the
// default route, and its IPv4 address (the native engine's sockets join and send through it:
// IP_ADD_MEMBERSHIP and IP_MULTICAST_IF take the address).
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { GbError } from '../../errors/error-codes.js';
import { defaultRouteInterface } from '../igmp/proc-net-igmp.js';

export interface Uplink {
  name: string;
  address: string;
}

/** Every configured uplink (WAN path), in order; [] = the interface of the default route. */
export function resolveUplinks(mcastIf: readonly string[]): Uplink[] {
  return mcastIf.length === 0 ? [resolveUplink('')] : mcastIf.map(resolveUplink);
}

export function resolveUplink(mcastIf: string): Uplink {
  let name = mcastIf;
  if (name === '') {
    let route = '';
    try {
      route = readFileSync('/proc/net/route', 'utf8');
    } catch {
      /* no procfs: handled below */
    }
    const found = defaultRouteInterface(route);
    if (found === null) {
      throw new GbError('GB_ERR_NO_INTERFACE', 'mcast_if is empty and there is no default route to take the uplink from; set --mcast-if IFACE (mcast_if in the config)');
    }
    name = found;
  }
  if (!existsSync(`/sys/class/net/${name}`)) {
    throw new GbError('GB_ERR_NO_INTERFACE', `uplink interface "${name}" (mcast_if) does not exist; see \`ip -br link\``);
  }
  const v4 = (networkInterfaces()[name] ?? []).find((a) => a.family === 'IPv4');
  if (v4 === undefined) {
    throw new GbError('GB_ERR_NO_INTERFACE', `uplink interface "${name}" (mcast_if) has no IPv4 address (is it up?); multicast is sent and joined through its address`);
  }
  return { name, address: v4.address };
}
