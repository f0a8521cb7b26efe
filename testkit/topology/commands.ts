// Command lines that build the stand-in and its hosts, as argv arrays (no shell). Pure, so the
// recipe's order and values are unit-tested; topology.ts only executes them.
import type { BridgeTimersCs, HostIgmpTimers } from './igmp-timers.js';
import type { Argv } from '../exec.js';

export type { Argv };

export const TGW_BRIDGE = 'br0';

export function addNamespace(ns: string): Argv {
  return ['ip', 'netns', 'add', ns];
}
export function deleteNamespace(ns: string): Argv {
  return ['ip', 'netns', 'delete', ns];
}
export function loopbackUp(ns: string): Argv {
  return ['ip', '-n', ns, 'link', 'set', 'lo', 'up'];
}

/** The stand-in bridge with snooping and its timers, querier still OFF (see enableQuerier). */
export function createTgwBridge(ns: string, timers: BridgeTimersCs, mtu: number): Argv {
  const t = Object.entries(timers).flatMap(([k, v]) => [k, String(v)]);
  return [
    'ip', '-n', ns, 'link', 'add', TGW_BRIDGE, 'mtu', String(mtu), 'type', 'bridge',
    'mcast_snooping', '1', 'mcast_querier', '0', 'mcast_igmp_version', '2',
    ...t,
    'mcast_stats_enabled', '1', 'stp_state', '0',
  ];
}

/** Enabled only after the timers are set: enabled at creation, the kernel arms the querier
 * with its default 10 s response interval and forwards nothing for ~10 s (recipe). */
export function enableQuerier(ns: string): Argv {
  return ['ip', '-n', ns, 'link', 'set', TGW_BRIDGE, 'type', 'bridge', 'mcast_querier', '1'];
}

export function setUp(ns: string, ifname: string): Argv {
  return ['ip', '-n', ns, 'link', 'set', ifname, 'up'];
}

/** The veth is created inside the stand-in's namespace with its peer straight in the host's:
 * nothing ever appears in the root namespace. */
export function createUplink(tgwNs: string, tgwPort: string, hostNs: string, uplink: string, mtu: number): Argv {
  return [
    'ip', '-n', tgwNs, 'link', 'add', tgwPort, 'mtu', String(mtu), 'type', 'veth',
    'peer', 'name', uplink, 'mtu', String(mtu), 'netns', hostNs,
  ];
}

export function attachPort(tgwNs: string, tgwPort: string): Argv {
  return ['ip', '-n', tgwNs, 'link', 'set', tgwPort, 'master', TGW_BRIDGE];
}

/** Unregistered multicast reaches nobody even while no querier is present; no port is a router port. */
export function portMulticastPolicy(tgwNs: string, tgwPort: string): Argv {
  return ['bridge', '-n', tgwNs, 'link', 'set', 'dev', tgwPort, 'mcast_flood', 'off', 'mcast_router', '0'];
}

/** iproute2 6.1 spells the port flag `fastleave` (it rejects `mcast_fast_leave`). */
export function setFastLeave(tgwNs: string, tgwPort: string, on: boolean): Argv {
  return ['bridge', '-n', tgwNs, 'link', 'set', 'dev', tgwPort, 'fastleave', on ? 'on' : 'off'];
}

/** ethtool offload switches on a host's interface (`tx-udp-segmentation off`: a NIC that cannot
 * carry a UDP GSO run, such as AWS ENA, so the host cuts runs into datagrams as they leave it). */
export function setOffload(hostNs: string, ifname: string, features: Record<string, boolean>): Argv {
  return ['ip', 'netns', 'exec', hostNs, 'ethtool', '-K', ifname, ...Object.entries(features).flatMap(([k, on]) => [k, on ? 'on' : 'off'])];
}

/** Host sysctls: IGMPv2 only (as the TGW), host IGMP timers scaled like the stand-in's. */
export function hostSysctls(hostNs: string, uplink: string, timers: HostIgmpTimers): Argv {
  return [
    'ip', 'netns', 'exec', hostNs, 'sysctl', '-q', '-w',
    'net.ipv4.conf.all.force_igmp_version=2',
    `net.ipv4.conf.${uplink}.force_igmp_version=2`,
    `net.ipv4.conf.all.igmpv2_unsolicited_report_interval=${timers.unsolicitedReportIntervalMs}`,
    `net.ipv4.conf.default.igmpv2_unsolicited_report_interval=${timers.unsolicitedReportIntervalMs}`,
    `net.ipv4.conf.${uplink}.igmpv2_unsolicited_report_interval=${timers.unsolicitedReportIntervalMs}`,
    `net.ipv4.igmp_qrv=${timers.qrv}`,
    // AWS multicast is IPv4 only; without IPv6 the stand-in's mdb holds no MLD noise.
    'net.ipv6.conf.all.disable_ipv6=1',
    'net.ipv6.conf.default.disable_ipv6=1',
  ];
}

export function addAddress(hostNs: string, uplink: string, cidr: string): Argv {
  return ['ip', '-n', hostNs, 'addr', 'add', cidr, 'dev', uplink];
}

export function multicastRoute(hostNs: string, uplink: string): Argv {
  return ['ip', '-n', hostNs, 'route', 'add', '224.0.0.0/4', 'dev', uplink];
}

export function mdbShow(tgwNs: string): Argv {
  return ['bridge', '-n', tgwNs, '-j', '-s', 'mdb', 'show', 'dev', TGW_BRIDGE];
}

/**
 * `monitor all` prefixes lines `[MDB]`. Line-buffered (stdbuf): into a pipe `bridge` buffers 4 KB,
 * and the events' arrival stamps would be late.
 */
export function mdbMonitor(tgwNs: string): Argv {
  return ['stdbuf', '-oL', 'bridge', '-n', tgwNs, 'monitor', 'all'];
}

/** Runs argv inside a namespace (`ip netns exec` execs it, so the child's pid is the program's). */
export function inNamespace(ns: string, argv: Argv): Argv {
  return ['ip', 'netns', 'exec', ns, ...argv];
}

export function nftApply(ns: string): Argv {
  return ['ip', 'netns', 'exec', ns, 'nft', '-f', '-'];
}
export function nftDeleteTable(ns: string, family: string, table: string): Argv {
  return ['ip', 'netns', 'exec', ns, 'nft', 'delete', 'table', family, table];
}
export function nftListTableJson(ns: string, family: string, table: string): Argv {
  return ['ip', 'netns', 'exec', ns, 'nft', '-j', 'list', 'table', family, table];
}

/** Kernel VXLAN on a host's uplink: the baseline path (recipe: ttl 1, df set, MTU = uplink − 50). */
export function createVxlan(
  hostNs: string,
  name: string,
  opts: { vni: number; group: string; uplink: string; dstPort: number; ttl: number },
): Argv {
  return [
    'ip', '-n', hostNs, 'link', 'add', name, 'type', 'vxlan', 'id', String(opts.vni),
    'group', opts.group, 'dev', opts.uplink, 'dstport', String(opts.dstPort), 'ttl', String(opts.ttl), 'df', 'set',
  ];
}
