// Where frames are lost: kernel counters of one host, read inside its namespace — the L2
// interface's drops and the UDP layer's buffer errors. Parsing is pure; reading is one command each.
import type { Topology } from '../../testkit/topology/index.js';

/** The `Udp:` header/value line pair of /proc/net/snmp as numbers. */
export function parseUdpSnmp(text: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith('Udp:'));
  const [head, vals] = lines;
  if (!head || !vals) return {};
  const keys = head.split(/\s+/).slice(1);
  const nums = vals.split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(keys.map((k, i) => [k, nums[i] ?? 0]));
}

export interface HostCounters {
  ifRxPackets: number;
  ifTxPackets: number;
  ifDropped: number;
  udpRcvbufErrors: number;
  udpSndbufErrors: number;
  udpInErrors: number;
}

export function parseLinkStatsJson(json: string): { rxPackets: number; txPackets: number; dropped: number } {
  const j = JSON.parse(json) as Array<{ stats64?: { rx?: Record<string, number>; tx?: Record<string, number> } }>;
  const s = j[0]?.stats64;
  return {
    rxPackets: s?.rx?.packets ?? 0,
    txPackets: s?.tx?.packets ?? 0,
    dropped: (s?.rx?.dropped ?? 0) + (s?.tx?.dropped ?? 0),
  };
}

/** The kernel's packet and drop counts of one L2 interface on every host (a path without counters of its own). */
export async function readLinkCounters(topo: Topology, ifname: string): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  for (const h of topo.hosts) {
    const j = JSON.parse(await topo.exec(h.ns, ['ip', '-s', '-j', 'link', 'show', ifname]).catch(() => '[]')) as Array<{
      stats64?: { rx?: Record<string, number>; tx?: Record<string, number> };
    }>;
    const s = j[0]?.stats64;
    out.set(h.index, {
      rx_packets: s?.rx?.packets ?? 0,
      rx_dropped: s?.rx?.dropped ?? 0,
      tx_packets: s?.tx?.packets ?? 0,
      tx_dropped: s?.tx?.dropped ?? 0,
    });
  }
  return out;
}

export async function readHostCounters(topo: Topology, host: number, ifname: string): Promise<HostCounters> {
  const ns = topo.host(host).ns;
  const [link, snmp] = await Promise.all([
    topo.exec(ns, ['ip', '-s', '-j', 'link', 'show', ifname]).catch(() => '[]'),
    topo.exec(ns, ['cat', '/proc/net/snmp']),
  ]);
  const l = parseLinkStatsJson(link);
  const u = parseUdpSnmp(snmp);
  return {
    ifRxPackets: l.rxPackets,
    ifTxPackets: l.txPackets,
    ifDropped: l.dropped,
    udpRcvbufErrors: u.RcvbufErrors ?? 0,
    udpSndbufErrors: u.SndbufErrors ?? 0,
    udpInErrors: u.InErrors ?? 0,
  };
}

export function diffCounters(after: HostCounters, before: HostCounters): HostCounters {
  const out = {} as HostCounters;
  for (const k of Object.keys(after) as Array<keyof HostCounters>) out[k] = after[k] - before[k];
  return out;
}
