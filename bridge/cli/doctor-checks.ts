// What `goose-bridge doctor` concludes from facts gathered on the host. Pure: the command
// gathers the facts (sysctls, interface flags, /proc/net/igmp) and prints the findings.
import { hasMembership } from '../igmp/proc-net-igmp.js';
import type { UplinkFinding } from '../wan/uplink.js';

/** One uplink (WAN path) as the host shows it. */
export interface UplinkFacts {
  /** Which interface, and whether the bridge could use it (bridge/wan/uplink.ts findUplink). */
  found: UplinkFinding;
  /** /sys/class/net/<uplink>/flags (IFF_UP 0x1, IFF_MULTICAST 0x1000). */
  flags: number | null;
  forceIgmpVersion: number | null;
  rpFilter: number | null;
}

export interface DoctorFacts {
  /** Every uplink of mcast_if (one per path of a dual-path bridge). */
  uplinks: UplinkFacts[];
  forceIgmpVersionAll: number | null;
  rpFilterAll: number | null;
  procNetIgmp: string | null;
  groups: string[];
  tapName: string;
  tapExists: boolean;
  /** /sys/class/net/<tap>/tun_flags present: the interface is a TUN/TAP. */
  tapIsTun: boolean;
  tapFlags: number | null;
  hasCapNetRaw: boolean;
  hasCapNetAdmin: boolean;
  /** Is a daemon running (stats file fresh and pid alive)? null: unknown. */
  daemonRunning: boolean | null;
  statsFile: string;
  /** Other bridges running in this network namespace (interface, pid, file), to name when ours is not found. */
  otherBridges?: string[];
  littleEndian: boolean;
  encapsulation: 'gb1' | 'rgoose';
  /** The key file: '' none, else its path and whether it loads (error text when it does not). */
  rgooseKeys: string;
  rgooseKeysError: string | null;
  /** data_plane as configured; the running daemon's tier (from its stats), or whether the kernel tier loads here. */
  dataPlane?: 'auto' | 'kernel' | 'user';
  runningTier?: { tier: 'kernel' | 'user'; reason: string | null; hooks: string[] };
  kernelSupport?: { ok: true } | { ok: false; reason: string };
}

export type Level = 'ok' | 'warn' | 'fail';
export interface Finding {
  level: Level;
  check: string;
  detail: string;
  fix?: string;
}

const IFF_UP = 0x1;
const IFF_MULTICAST = 0x1000;

export function diagnose(f: DoctorFacts): Finding[] {
  const out: Finding[] = f.uplinks.flatMap((u) => diagnoseUplink(f, u));
  out.push(...diagnoseHost(f));
  return out;
}

/** The checks of one uplink: it exists, is up with MULTICAST and an address, speaks IGMPv2, is a member. */
function diagnoseUplink(f: DoctorFacts, u: UplinkFacts): Finding[] {
  const out: Finding[] = [];
  const up = u.found.name ?? 'UPLINK';
  if (u.found.name === null) {
    out.push({ level: 'fail', check: 'uplink', detail: u.found.problem ?? 'no uplink', fix: 'pass --mcast-if IFACE (mcast_if) or add a default route' });
  } else if (!u.found.exists) {
    out.push({ level: 'fail', check: 'uplink', detail: `${up} does not exist`, fix: 'check `ip -br link` and set --mcast-if' });
  } else {
    const flags = u.flags ?? 0;
    out.push(
      (flags & IFF_UP) !== 0
        ? { level: 'ok', check: 'uplink up', detail: `${up} is up` }
        : { level: 'fail', check: 'uplink up', detail: `${up} is down`, fix: `ip link set ${up} up` },
    );
    out.push(
      (flags & IFF_MULTICAST) !== 0
        ? { level: 'ok', check: 'multicast flag', detail: `${up} has MULTICAST` }
        : { level: 'fail', check: 'multicast flag', detail: `${up} lacks the MULTICAST flag: joins and sends fail`, fix: `ip link set ${up} multicast on` },
    );
    out.push(
      u.found.address !== null
        ? { level: 'ok', check: 'uplink address', detail: `${up} has an IPv4 address` }
        : { level: 'fail', check: 'uplink address', detail: `${up} has no IPv4 address: the bridge sends and joins through it`, fix: `ip addr add ADDR/PREFIX dev ${up}` },
    );
    // The kernel forces v2 if either the "all" or the interface's value asks for it.
    const v2 = f.forceIgmpVersionAll === 2 || u.forceIgmpVersion === 2;
    out.push(
      v2
        ? { level: 'ok', check: 'force_igmp_version', detail: `IGMPv2 forced on ${up} (the Transit Gateway speaks IGMPv2 only)` }
        : {
            level: 'warn',
            check: 'force_igmp_version',
            detail: `net.ipv4.conf.all/${up}.force_igmp_version = ${f.forceIgmpVersionAll ?? '?'}/${u.forceIgmpVersion ?? '?'}: IGMPv3 reports are ignored by a Transit Gateway`,
            fix: `sysctl -w net.ipv4.conf.all.force_igmp_version=2 net.ipv4.conf.${up}.force_igmp_version=2 (persist in /etc/sysctl.d/90-goose-bridge.conf)`,
          },
    );
    // The effective value is the maximum of "all" and the interface's.
    const rp = Math.max(f.rpFilterAll ?? 0, u.rpFilter ?? 0);
    out.push(
      rp === 1
        ? {
            level: 'warn',
            check: 'rp_filter',
            detail: `rp_filter is strict (1) on ${up}: multicast from sources not routed back through ${up} is dropped`,
            fix: `sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.${up}.rp_filter=2 (loose)`,
          }
        : { level: 'ok', check: 'rp_filter', detail: `rp_filter = ${rp} on ${up} (${rp === 0 ? 'off' : 'loose'})` },
    );
    if (f.procNetIgmp !== null) {
      for (const g of f.groups) {
        const member = hasMembership(f.procNetIgmp, up, g, f.littleEndian);
        out.push(
          member
            ? { level: 'ok', check: 'membership', detail: `${up} is a member of ${g} (/proc/net/igmp)` }
            : {
                level: f.daemonRunning === true ? 'fail' : 'warn',
                check: 'membership',
                detail: `${up} is not a member of ${g}${f.daemonRunning === true ? ' although the daemon runs' : ' (is the daemon running?)'}`,
                fix: f.daemonRunning === true ? 'check the daemon log for igmp-check-failed / socket errors; `goose-bridge status`' : 'start it: goose-bridge run (or systemctl start goose-bridge)',
              },
        );
      }
    }
  }
  return out;
}

/** The checks of the host and the daemon: the TAP, capabilities, WAN authentication, the stats file. */
function diagnoseHost(f: DoctorFacts): Finding[] {
  const out: Finding[] = [];
  if (!f.tapExists) {
    out.push({ level: f.daemonRunning === true ? 'fail' : 'warn', check: 'TAP', detail: `${f.tapName} does not exist`, fix: 'the daemon creates it: goose-bridge run --interface ' + f.tapName });
  } else if (!f.tapIsTun) {
    out.push({ level: 'fail', check: 'TAP', detail: `${f.tapName} exists but is not a TAP: the daemon cannot own it (GB_ERR_TAP_EXISTS)`, fix: `ip link delete ${f.tapName}, or choose another --interface` });
  } else {
    const isUp = ((f.tapFlags ?? 0) & IFF_UP) !== 0;
    out.push(isUp ? { level: 'ok', check: 'TAP', detail: `${f.tapName} is a TAP and up` } : { level: 'warn', check: 'TAP', detail: `${f.tapName} is down`, fix: `ip link set ${f.tapName} up` });
  }
  out.push(
    f.hasCapNetAdmin
      ? { level: 'ok', check: 'CAP_NET_ADMIN', detail: 'can create the TAP' }
      : { level: 'fail', check: 'CAP_NET_ADMIN', detail: 'without CAP_NET_ADMIN the TAP cannot be created', fix: 'run as root or with AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW (see the systemd unit)' },
  );
  out.push(
    f.hasCapNetRaw
      ? { level: 'ok', check: 'CAP_NET_RAW', detail: 'keepalive can use IGMPv2 reports without a Leave' }
      : { level: 'warn', check: 'CAP_NET_RAW', detail: 'keepalive falls back to drop + add membership (sends a Leave each time)', fix: 'grant CAP_NET_RAW' },
  );
  out.push(wanAuthentication(f));
  const tier = dataPlane(f);
  if (tier !== null) out.push(tier);
  out.push(
    f.daemonRunning === true
      ? { level: 'ok', check: 'daemon', detail: `stats file ${f.statsFile} is fresh` }
      : {
          level: 'warn',
          check: 'daemon',
          detail: `no fresh stats ${f.statsFile === '' ? '(stats_file = none)' : `at ${f.statsFile}`}: no bridge on ${f.tapName} is running here (or it writes elsewhere)${f.otherBridges?.length ? `; running in this network namespace: ${f.otherBridges.join(', ')}` : ''}`,
          fix: f.otherBridges?.length ? 'goose-bridge doctor --interface NAME for one of those' : `goose-bridge run --interface ${f.tapName}`,
        },
  );
  return out;
}

function wanAuthentication(f: DoctorFacts): Finding {
  const fix = 'set encapsulation = rgoose and rgoose_keys = FILE (docs/rgoose.md) on every bridge of the group';
  if (f.encapsulation !== 'rgoose') return { level: 'warn', check: 'WAN authentication', detail: 'the WAN is unauthenticated (GB1): any host that reaches the group can write GOOSE into the TAP', fix };
  if (f.rgooseKeys === '') return { level: 'warn', check: 'WAN authentication', detail: 'R-GOOSE without keys: SPDUs are unsigned, anyone on the group can inject', fix };
  if (f.rgooseKeysError !== null) return { level: 'fail', check: 'WAN authentication', detail: f.rgooseKeysError, fix: 'fix the key file (chmod 600, valid JSON, see docs/rgoose.md)' };
  return { level: 'ok', check: 'WAN authentication', detail: `R-GOOSE signed with the keys in ${f.rgooseKeys}` };
}

function dataPlane(f: DoctorFacts): Finding | null {
  const asked = f.dataPlane ?? 'auto';
  const fix = 'docs/data-plane.md, "Choosing the tier" (clang and libbpf-dev at install time, CAP_BPF + CAP_NET_ADMIN), or data_plane = user';
  const t = f.runningTier;
  if (t !== undefined) {
    if (t.tier === 'kernel') return { level: 'ok', check: 'data plane', detail: `the daemon runs the kernel tier on ${t.hooks.join(', ')}` };
    if (t.reason === null) return { level: 'ok', check: 'data plane', detail: 'the daemon forwards in user space (data_plane = user)' };
    return { level: 'warn', check: 'data plane', detail: `the daemon forwards in user space: ${t.reason}`, fix };
  }
  if (asked === 'user' || f.kernelSupport === undefined) return null;
  if (f.kernelSupport.ok) return { level: 'ok', check: 'data plane', detail: `the kernel tier loads here (data_plane = ${asked})` };
  const detail = `the kernel tier cannot load here: ${f.kernelSupport.reason}`;
  return asked === 'kernel' ? { level: 'fail', check: 'data plane', detail: `${detail}; run refuses to start with data_plane = kernel`, fix } : { level: 'warn', check: 'data plane', detail: `${detail}; data_plane = auto forwards in user space`, fix };
}

/** The count line: problems (fail: exit 1) and warnings (exit 0) each counted, so a warning never reads as "all passed". */
export function summarize(findings: Finding[]): { problems: number; warnings: number; text: string } {
  const problems = findings.filter((x) => x.level === 'fail').length;
  const warnings = findings.filter((x) => x.level === 'warn').length;
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const text = problems + warnings === 0 ? 'all checks passed' : `${count(problems, 'problem')}, ${count(warnings, 'warning')}`;
  return { problems, warnings, text };
}

export function formatFindings(findings: Finding[]): string {
  const tag: Record<Level, string> = { ok: ' ok ', warn: 'WARN', fail: 'FAIL' };
  const lines = findings.map((x) => `[${tag[x.level]}] ${x.check}: ${x.detail}${x.fix && x.level !== 'ok' ? `\n       fix: ${x.fix}` : ''}`);
  lines.push('', summarize(findings).text);
  return `${lines.join('\n')}\n`;
}
