// Parsers for the kernel's view of the network, as text: /proc/net/igmp (group memberships per
// interface) and /proc/net/route (the default route's interface). Pure: the caller reads the files.
//
// /proc/net/igmp prints each group as the 32-bit network-order address read as a host integer
// with %08X, so on a little-endian machine 224.0.1.100 appears as 640100E0.

export interface IgmpInterface {
  index: number;
  device: string;
  /** Number of groups joined. */
  count: number;
  /** Querier version the interface runs (V1/V2/V3). */
  querier: string;
  groups: Array<{ group: string; users: number; timerRunning: boolean; reporter: boolean }>;
}

/** Converts the %08X group field to dotted form. `littleEndian` = the host's byte order. */
export function groupFromProcHex(hex: string, littleEndian = true): string {
  const v = parseInt(hex, 16) >>> 0;
  const b = [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  return (littleEndian ? b.reverse() : b).join('.');
}

export function parseProcNetIgmp(text: string, littleEndian = true): IgmpInterface[] {
  const out: IgmpInterface[] = [];
  let current: IgmpInterface | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('Idx')) continue;
    // Interface line: "4\teth0      :     1      V3"
    const iface = /^(\d+)\s+(\S+)\s*:\s*(\d+)\s+(V\d)\s*$/.exec(line);
    if (iface !== null) {
      current = { index: Number(iface[1]), device: iface[2]!, count: Number(iface[3]), querier: iface[4]!, groups: [] };
      out.push(current);
      continue;
    }
    // Group line: "\t\t\t\t640100E0     1 0:00000000\t\t1"
    const grp = /^\s+([0-9A-Fa-f]{8})\s+(\d+)\s+([01]):([0-9A-Fa-f]+)\s+([01])\s*$/.exec(line);
    if (grp !== null && current !== null) {
      current.groups.push({
        group: groupFromProcHex(grp[1]!, littleEndian),
        users: Number(grp[2]),
        timerRunning: grp[3] === '1',
        reporter: grp[5] === '1',
      });
    }
  }
  return out;
}

/** Whether `device` is a member of `group` according to /proc/net/igmp text. */
export function hasMembership(text: string, device: string, group: string, littleEndian = true): boolean {
  return parseProcNetIgmp(text, littleEndian).some((i) => i.device === device && i.groups.some((g) => g.group === group));
}

/** The interface of the default route (destination 0, mask 0, flag RTF_UP), lowest metric; null if none. */
export function defaultRouteInterface(procNetRoute: string): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of procNetRoute.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, , flags, , , metric, mask] = f;
    if (dest !== '00000000' || mask !== '00000000') continue;
    if ((parseInt(flags!, 16) & 1) === 0) continue;
    const m = Number(metric);
    if (best === null || m < best.metric) best = { iface: iface!, metric: m };
  }
  return best?.iface ?? null;
}
