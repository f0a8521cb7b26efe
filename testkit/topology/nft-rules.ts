// nftables rule sets the harness installs, built as text for `nft -f -`. Pure.

export interface NftTable {
  family: 'bridge' | 'ip' | 'inet';
  name: string;
  /** Full `table … { … }` text. */
  text: string;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;
function checkName(what: string, name: string): void {
  if (!NAME_RE.test(name)) throw new RangeError(`${what} must match ${NAME_RE}, got ${JSON.stringify(name)}`);
}
const IFNAME_RE = /^[A-Za-z0-9_.*-]{1,15}$/;
function checkIf(name: string): string {
  if (!IFNAME_RE.test(name)) throw new RangeError(`interface name must be 1-15 of [A-Za-z0-9_.*-], got ${JSON.stringify(name)}`);
  return JSON.stringify(name);
}
const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
function checkIpv4(what: string, addr: string): string {
  const m = IPV4_RE.exec(addr);
  if (m === null || m.slice(1).some((o) => Number(o) > 255)) throw new RangeError(`${what} must be an IPv4 address, got ${JSON.stringify(addr)}`);
  return addr;
}
function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port must be an integer 1..65535, got ${port}`);
  return port;
}

interface FilterChain {
  name: string;
  hook: 'prerouting' | 'forward' | 'input' | 'output';
  priority: number;
  rule: string;
}

/** A table of filter chains, each with policy accept and one rule. */
function filterTable(family: NftTable['family'], name: string, chains: readonly FilterChain[]): NftTable {
  checkName('table name', name);
  const body = chains.map((c) => `  chain ${c.name} {\n    type filter hook ${c.hook} priority ${c.priority}; policy accept;\n    ${c.rule}\n  }\n`).join('');
  return { family, name, text: `table ${family} ${name} {\n${body}}\n` };
}

/**
 * The stand-in's guard: queries sent by hosts are dropped at ingress (one blacks out snooped
 * forwarding for ~10 s), and fragmented multicast is not forwarded, as on a real TGW.
 */
export function tgwGuardTable(name = 'gbh_guard'): NftTable {
  return filterTable('bridge', name, [
    { name: 'pre', hook: 'prerouting', priority: -200, rule: 'iifname "tgw-*" ip protocol igmp igmp type membership-query counter drop' },
    { name: 'fwdfrag', hook: 'forward', priority: 0, rule: 'ip daddr 224.0.0.0/4 ip frag-off & 0x3fff != 0 counter drop' },
  ]);
}

export interface LossRule {
  /** Stand-in ports (egress towards receivers) to drop on. */
  ports: readonly string[];
  group: string;
  udpPort: number;
  /** Percentage 0..100, resolution 0.01 %. */
  lossPercent: number;
}

/** Resolution of the random drop: `numgen random mod 10000 < lossPercent × 100`. */
export const LOSS_MODULUS = 10_000;

export function lossThreshold(lossPercent: number): number {
  if (!Number.isFinite(lossPercent) || lossPercent < 0 || lossPercent > 100) {
    throw new RangeError(`loss percent must be 0..100, got ${lossPercent}`);
  }
  return Math.round((lossPercent * LOSS_MODULUS) / 100);
}

/** Random loss on the stand-in's egress ports (no netem here: nftables `numgen random`). A chain
 * may not be called `fwd`. The counter gives the exact number of injected drops. */
export function lossTable(name: string, rule: LossRule): NftTable {
  if (rule.ports.length === 0) throw new RangeError('loss rule needs at least one port');
  const ports = rule.ports.map(checkIf).join(', ');
  const group = checkIpv4('group', rule.group);
  const threshold = lossThreshold(rule.lossPercent);
  return filterTable('bridge', name, [
    { name: 'fwdloss', hook: 'forward', priority: 0, rule: `oifname { ${ports} } ip daddr ${group} udp dport ${checkPort(rule.udpPort)} numgen random mod ${LOSS_MODULUS} < ${threshold} counter drop` },
  ]);
}

/** Counts (never drops) a path's datagrams leaving the stand-in on the given ports: an
 * independent count of what reached the receiving hosts, for checking the suites' own counts. */
export function deliveryCounterTable(name: string, rule: Omit<LossRule, 'lossPercent'>): NftTable {
  if (rule.ports.length === 0) throw new RangeError('counter rule needs at least one port');
  const ports = rule.ports.map(checkIf).join(', ');
  return filterTable('bridge', name, [
    { name: 'fwdcount', hook: 'forward', priority: 0, rule: `oifname { ${ports} } ip daddr ${checkIpv4('group', rule.group)} udp dport ${checkPort(rule.udpPort)} counter` },
  ]);
}

/** A security group that forgot inbound IGMP: queries dropped at the member (host namespace). */
export function securityGroupDropQueriesTable(name = 'gbh_sg'): NftTable {
  return filterTable('ip', name, [{ name: 'in', hook: 'input', priority: 0, rule: 'ip protocol igmp igmp type membership-query counter drop' }]);
}

/**
 * A host firewall that refuses outgoing packets to the group longer than `maxLength` bytes: it
 * sees a UDP GSO run as one long packet (before the device cuts it), so it refuses every run and
 * passes every single datagram (host namespace).
 */
export function outgoingLengthLimitTable(name: string, group: string, udpPort: number, maxLength: number): NftTable {
  if (!Number.isInteger(maxLength) || maxLength < 28 || maxLength > 65535) throw new RangeError(`maxLength must be an integer 28..65535, got ${maxLength}`);
  return filterTable('ip', name, [
    { name: 'out', hook: 'output', priority: 0, rule: `ip daddr ${checkIpv4('group', group)} udp dport ${checkPort(udpPort)} meta length > ${maxLength} counter drop` },
  ]);
}

/** Sums the packets of every `counter` in `nft -j list table` output. */
export function sumCounterPackets(nftJson: string): number {
  const doc = JSON.parse(nftJson) as { nftables?: Array<Record<string, unknown>> };
  let total = 0;
  for (const item of doc.nftables ?? []) {
    const rule = item.rule as { expr?: Array<Record<string, unknown>> } | undefined;
    for (const e of rule?.expr ?? []) {
      const c = e.counter as { packets?: number } | undefined;
      if (c !== undefined && typeof c.packets === 'number') total += c.packets;
    }
  }
  return total;
}
