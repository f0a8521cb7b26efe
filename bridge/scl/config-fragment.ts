// The bridge configuration an SCL file implies: `appid_allow` (every APPID the chosen IEDs
// publish) and `group_map` (each IED's streams on a multicast group of its own, numbered up from
// a base address, so a site joins only the IEDs it subscribes to). Output in the INI syntax of
// the config file; the values parse with the bridge's own key parsers. Pure.
import { formatAppId, type ControlBlock } from './scl-model.js';

export interface ConfigFragment {
  appid_allow: string;
  group_map: string;
  /** Group of each IED, in order. */
  groups: { ied: string; group: string }[];
  enable_sv: boolean;
}


/** Sorted distinct numbers as `lo-hi` / `n` ranges of consecutive values. */
export function appIdRanges(values: Iterable<number>): string[] {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? formatAppId(sorted[i]!) : `${formatAppId(sorted[i]!)}-${formatAppId(sorted[j]!)}`);
    i = j + 1;
  }
  return out;
}

function ipv4Plus(base: string, k: number): string {
  const n = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + k;
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function configFragment(cbs: readonly ControlBlock[], groupBase: string): ConfigFragment {
  const byIed = new Map<string, number[]>();
  for (const cb of cbs) {
    if (cb.address?.appId === undefined) continue;
    const list = byIed.get(cb.ied) ?? byIed.set(cb.ied, []).get(cb.ied)!;
    list.push(cb.address.appId);
  }
  const groups: ConfigFragment['groups'] = [];
  const rules: string[] = [];
  [...byIed].forEach(([ied, appIds], k) => {
    const group = ipv4Plus(groupBase, k);
    groups.push({ ied, group });
    for (const r of appIdRanges(appIds)) rules.push(`appid:${r}=${group}`);
  });
  const all = [...byIed.values()].flat();
  return {
    appid_allow: all.length > 0 ? appIdRanges(all).join(',') : 'all',
    group_map: rules.join(','),
    groups,
    enable_sv: cbs.some((cb) => cb.kind === 'sv' && cb.address?.appId !== undefined),
  };
}

export function formatConfigFragment(f: ConfigFragment, source: string): string {
  const lines = [`; from ${source}: ${f.groups.map((g) => `${g.ied} → ${g.group}`).join(', ') || 'no addressed control blocks'}`];
  if (f.enable_sv) lines.push('enable_sv = true');
  lines.push(`appid_allow = ${f.appid_allow}`, `group_map = ${f.group_map}`);
  return `${lines.join('\n')}\n`;
}
