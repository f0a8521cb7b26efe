// Optional mapping of streams to multicast groups (what GMRP does on a LAN): rules send GOOSE
// destination-MAC ranges or APPID ranges to their own group, so a host joins only the groups
// whose streams it needs. No rule matches → the default group. First matching rule wins.
//
// Text form (config key group_map / --group-map / GOOSE_BRIDGE_GROUP_MAP), rules separated by ','
// (';' also accepted on the command line; in an INI file ';' starts a comment):
//   appid:0x0100-0x01ff=239.0.1.101, mac:01:0c:cd:01:00:10-01:0c:cd:01:00:1f=239.0.1.102, appid:0x0003=239.0.1.103
// Pure: no I/O imports.

export interface GroupRule {
  kind: 'appid' | 'mac';
  /** Inclusive range: APPID, or destination MAC as a 48-bit number. */
  lo: number;
  hi: number;
  group: string;
}

export interface GroupMap {
  /** Index 0 is the default group; rules point at indices. */
  groups: string[];
  rules: Array<GroupRule & { groupIndex: number }>;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const MAC_RE = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i;

export function parseMac48(text: string): number | null {
  const m = MAC_RE.exec(text.trim());
  if (m === null) return null;
  let v = 0;
  for (let i = 1; i <= 6; i++) v = v * 256 + parseInt(m[i]!, 16);
  return v;
}

export function formatMac48(v: number): string {
  const parts: string[] = [];
  for (let i = 5; i >= 0; i--) parts.push((Math.floor(v / 2 ** (8 * i)) % 256).toString(16).padStart(2, '0'));
  return parts.join(':');
}

export function parseAppId(text: string): number | null {
  const t = text.trim();
  const v = /^0x[0-9a-f]{1,4}$/i.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]{1,5}$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(v) && v >= 0 && v <= 0xffff ? v : null;
}

/** Parses `lo-hi` or a single value with the given element parser (MACs contain no '-' when written with ':'). */
function parseRange(text: string, parse: (s: string) => number | null): { lo: number; hi: number } | null {
  const t = text.trim();
  const single = parse(t);
  if (single !== null) return { lo: single, hi: single };
  // Split at the '-' that separates two valid values (MACs may use '-' themselves).
  for (let i = 1; i < t.length - 1; i++) {
    if (t[i] !== '-') continue;
    const lo = parse(t.slice(0, i));
    const hi = parse(t.slice(i + 1));
    if (lo !== null && hi !== null && lo <= hi) return { lo, hi };
  }
  return null;
}

export function isMulticastIpv4(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (m === null) return false;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return false;
  return o[0]! >= 224 && o[0]! <= 239;
}

/** Parses the rule text; the error says which rule is wrong and what is expected. */
export function parseGroupRules(text: string): ParseResult<GroupRule[]> {
  const rules: GroupRule[] = [];
  for (const raw of text.split(/[;,]/)) {
    const rule = raw.trim();
    if (rule === '') continue;
    const eq = rule.lastIndexOf('=');
    const colon = rule.indexOf(':');
    if (eq < 0 || colon < 0 || colon > eq) {
      return { ok: false, error: `rule "${rule}" is not KIND:RANGE=GROUP (KIND appid or mac)` };
    }
    const kind = rule.slice(0, colon).trim().toLowerCase();
    const range = rule.slice(colon + 1, eq);
    const group = rule.slice(eq + 1).trim();
    if (!isMulticastIpv4(group)) return { ok: false, error: `rule "${rule}": group "${group}" is not an IPv4 multicast address (224.0.0.0–239.255.255.255)` };
    if (kind === 'appid') {
      const r = parseRange(range, parseAppId);
      if (r === null) return { ok: false, error: `rule "${rule}": "${range.trim()}" is not an APPID or APPID range (0x0000-0xffff, lo ≤ hi)` };
      rules.push({ kind, ...r, group });
    } else if (kind === 'mac') {
      const r = parseRange(range, parseMac48);
      if (r === null) return { ok: false, error: `rule "${rule}": "${range.trim()}" is not a MAC or MAC range (01:0c:cd:01:00:00-01:0c:cd:01:01:ff, lo ≤ hi)` };
      rules.push({ kind, ...r, group });
    } else {
      return { ok: false, error: `rule "${rule}": kind "${kind}" is not appid or mac` };
    }
  }
  return { ok: true, value: rules };
}

export function buildGroupMap(defaultGroup: string, rules: readonly GroupRule[]): GroupMap {
  const groups = [defaultGroup];
  const out: GroupMap['rules'] = [];
  for (const r of rules) {
    let gi = groups.indexOf(r.group);
    if (gi < 0) gi = groups.push(r.group) - 1;
    out.push({ ...r, groupIndex: gi });
  }
  return { groups, rules: out };
}

/** A rule as the engine holds it: the range and the index of its group. */
export type RoutedRule = Omit<GroupRule, 'group'> & { groupIndex: number };

/**
 * The group index a frame goes to, as the native engine's tx thread picks it (the reference model
 * calls this): the first rule whose range holds the APPID or destination MAC, else 0.
 * `mac48` is the destination MAC as a number (see destinationMac48).
 */
export function groupIndexFor(rules: ReadonlyArray<RoutedRule>, appId: number, mac48: number): number {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const v = r.kind === 'appid' ? appId : mac48;
    if (v >= r.lo && v <= r.hi) return r.groupIndex;
  }
  return 0;
}

/**
 * Groups this host joins: `joinGroups` empty → every group of the map; else exactly those
 * listed (each must be a group of the map, checked by config validation).
 */
export function groupsToJoin(map: GroupMap, joinGroups: string[]): string[] {
  return joinGroups.length === 0 ? [...map.groups] : map.groups.filter((g) => joinGroups.includes(g));
}
