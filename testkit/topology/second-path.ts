// A second WAN path beside the stand-in's: another Linux bridge in the stand-in namespace (a second
// Transit Gateway attachment, or a second multicast domain) with a veth uplink per host on its own
// subnet. It floods multicast (no snooping): what it shows is a path that carries or is cut.
import type { Host, Topology } from './topology.js';

const SECOND_BRIDGE = 'br1';

/** Host i's uplink on the second path. */
export function secondUplink(h: Host): string {
  return `h${h.index}-up2`;
}

/** Adds the second path (once: a topology shared by several suites keeps it). */
export async function addSecondPath(topo: Topology, subnet = '10.78.0'): Promise<void> {
  const tgw = topo.tgwNs;
  const mtu = String(topo.mtu);
  if ((await topo.exec(tgw, ['ip', '-br', 'link', 'show'])).split('\n').some((l) => l.startsWith(`${SECOND_BRIDGE} `))) return;
  await topo.exec(tgw, ['ip', 'link', 'add', SECOND_BRIDGE, 'mtu', mtu, 'type', 'bridge', 'mcast_snooping', '0', 'stp_state', '0']);
  for (const h of topo.hosts) {
    const [port, up] = [`tgw2-h${h.index}`, secondUplink(h)];
    await topo.exec(tgw, ['ip', 'link', 'add', port, 'mtu', mtu, 'type', 'veth', 'peer', 'name', up, 'mtu', mtu, 'netns', h.ns]);
    await topo.exec(tgw, ['ip', 'link', 'set', port, 'master', SECOND_BRIDGE, 'up']);
    await topo.exec(h.ns, ['sysctl', '-q', '-w', `net.ipv4.conf.${up}.force_igmp_version=2`]);
    await topo.exec(h.ns, ['ip', 'addr', 'add', `${subnet}.${10 + h.index}/24`, 'dev', up]);
    await topo.exec(h.ns, ['ip', 'link', 'set', up, 'up']);
  }
  await topo.exec(tgw, ['ip', 'link', 'set', SECOND_BRIDGE, 'up']);
}

/** Cuts (or restores) host h's attachment on the first path: its stand-in port goes down (up). */
export async function setFirstPath(topo: Topology, h: Host, up: boolean): Promise<void> {
  await topo.exec(topo.tgwNs, ['ip', 'link', 'set', h.tgwPort, up ? 'up' : 'down']);
}
